using System.Text.Json;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class CardConfigsTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Readme(string yaml) => "---\n" + yaml.Trim('\n') + "\n---\n# My dataset\n\nSome prose with --- dashes.\n";

    [Fact]
    public void Data_files_as_a_string_is_the_train_split()
    {
        var config = Assert.Single(CardConfigs.FromCardData(Json("""{"configs":[{"config_name":"default","data_files":"data.csv"}]}""")));
        Assert.Equal("default", config.Name);
        var split = Assert.Single(config.DataFiles!);
        Assert.Equal(new SplitPatternSet("train", ["data.csv"]).Split, split.Split);
        Assert.Equal(["data.csv"], split.Patterns);
    }

    [Fact]
    public void Data_files_as_a_list_of_strings_is_the_train_split()
    {
        var config = Assert.Single(CardConfigs.FromCardData(Json("""{"configs":[{"config_name":"c","data_files":["part0/*","part1/*"]}]}""")));
        var split = Assert.Single(config.DataFiles!);
        Assert.Equal("train", split.Split);
        Assert.Equal(["part0/*", "part1/*"], split.Patterns);
    }

    [Fact]
    public void Data_files_as_split_entries_keep_card_order_and_path_lists()
    {
        var config = Assert.Single(CardConfigs.FromCardData(Json("""
            {"configs":[{"config_name":"c","data_files":[
                {"split":"test","path":"test/*"},
                {"split":"train","path":["train/part1/*","train/part2/*"]}]}]}
            """)));
        Assert.Equal(["test", "train"], config.DataFiles!.Select(s => s.Split));
        Assert.Equal(["test/*"], config.DataFiles![0].Patterns);
        Assert.Equal(["train/part1/*", "train/part2/*"], config.DataFiles![1].Patterns);
    }

    [Fact]
    public void Data_dir_without_data_files_leaves_splits_to_inference()
    {
        var config = Assert.Single(CardConfigs.FromCardData(Json("""{"configs":[{"config_name":"en","data_dir":"en"}]}""")));
        Assert.Null(config.DataFiles);
        Assert.Equal("en", config.DataDir);
    }

    [Fact]
    public void No_configs_means_an_empty_list()
    {
        Assert.Empty(CardConfigs.FromCardData(Json("""{"license":"mit"}""")));
        Assert.Empty(CardConfigs.FromCardData(Json("""{"configs":[]}""")));
        Assert.Empty(CardConfigs.FromCardData(Json("""{"configs":null}""")));
        Assert.Empty(CardConfigs.FromCardData(Json("""{"configs":{}}""")));
        Assert.Empty(CardConfigs.FromCardData(Json("""{"configs":""}""")));
        Assert.Empty(CardConfigs.FromReadme("# Just prose\n"));
    }

    [Fact]
    public void A_single_config_is_the_default()
    {
        var config = Assert.Single(CardConfigs.FromCardData(Json("""{"configs":[{"config_name":"only","data_files":"a.parquet"}]}""")));
        Assert.True(config.IsDefault);
    }

    [Fact]
    public void Default_true_or_the_name_default_marks_the_default()
    {
        var marked = CardConfigs.FromCardData(Json("""
            {"configs":[{"config_name":"a","data_files":"a/*"},{"config_name":"b","data_files":"b/*","default":true}]}
            """));
        Assert.Equal([false, true], marked.Select(c => c.IsDefault));

        var named = CardConfigs.FromCardData(Json("""
            {"configs":[{"config_name":"default","data_files":"a/*"},{"config_name":"b","data_files":"b/*"}]}
            """));
        Assert.Equal([true, false], named.Select(c => c.IsDefault));

        var none = CardConfigs.FromCardData(Json("""
            {"configs":[{"config_name":"a","data_files":"a/*"},{"config_name":"b","data_files":"b/*"}]}
            """));
        Assert.All(none, c => Assert.False(c.IsDefault));
    }

    [Fact]
    public void Two_defaults_are_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => CardConfigs.FromCardData(Json("""
            {"configs":[{"config_name":"default","data_files":"a/*"},{"config_name":"b","data_files":"b/*","default":true}]}
            """)));
        Assert.Equal(FacebergErrorKind.InvalidData, e.Kind);
        Assert.Contains("'default' and 'b'", e.Message);
    }

    [Theory]
    [InlineData("""{"configs":{"config_name":"a"}}""", "to be a list")]
    [InlineData("""{"configs":[{"data_files":"a/*"}]}""", "config_name")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":42}]}""", "data_files must be")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":["x/*",{"split":"train","path":"y/*"}]}]}""", "mix")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":[{"split":"train"}]}]}""", "data_files must be")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":[{"split":"train","path":"x","extra":1}]}]}""", "data_files must be")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":[{"split":"my-split","path":"x"}]}]}""", "'my-split' is not valid")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":[{"split":"train","path":"x"},{"split":"train","path":"y"}]}]}""", "more than once")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":[{"split":"train","path":[1]}]}]}""", "string or a list of strings")]
    [InlineData("""{"configs":[{"config_name":"a","data_files":"x"},{"config_name":"a","data_files":"y"}]}""", "more than once")]
    public void Malformed_configs_are_rejected(string cardData, string messagePart)
    {
        var e = Assert.Throws<DiscoveryException>(() => CardConfigs.FromCardData(Json(cardData)));
        Assert.Equal("DiscoveryInvalidCard", e.ErrorId);
        Assert.Contains(messagePart, e.Message);
    }

    [Fact]
    public void Readme_front_matter_gives_every_data_files_shape()
    {
        var configs = CardConfigs.FromReadme(Readme("""
            license: mit
            configs:
            - config_name: plain
              data_files: data.csv
            - config_name: listed
              data_files:
              - part0/*
              - part1/*
            - config_name: splits
              default: true
              data_files:
              - split: train
                path:
                - train/part1/*
                - train/part2/*
              - split: test
                path: test/*
            - config_name: 2020
              data_dir: years/2020
            """));
        Assert.Equal(["plain", "listed", "splits", "2020"], configs.Select(c => c.Name));
        Assert.Equal(["data.csv"], configs[0].DataFiles![0].Patterns);
        Assert.Equal(["part0/*", "part1/*"], configs[1].DataFiles![0].Patterns);
        Assert.Equal(["train", "test"], configs[2].DataFiles!.Select(s => s.Split));
        Assert.Equal(["train/part1/*", "train/part2/*"], configs[2].DataFiles![0].Patterns);
        Assert.Equal([false, false, true, false], configs.Select(c => c.IsDefault));
        Assert.Null(configs[3].DataFiles);
        Assert.Equal("years/2020", configs[3].DataDir);
    }

    [Fact]
    public void Readme_scalars_follow_yaml_types()
    {
        var card = CardConfigs.ReadmeToCardData(Readme("""
            flag: yes
            quoted: "true"
            count: 3
            empty:
            name: plain text
            """))!.Value;
        Assert.Equal(JsonValueKind.True, card.GetProperty("flag").ValueKind);
        Assert.Equal("true", card.GetProperty("quoted").GetString());
        Assert.Equal(3, card.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, card.GetProperty("empty").ValueKind);
        Assert.Equal("plain text", card.GetProperty("name").GetString());
    }

    [Fact]
    public void Readme_with_quoted_default_string_is_not_default()
    {
        var configs = CardConfigs.FromReadme(Readme("""
            configs:
            - config_name: a
              data_files: a/*
            - config_name: b
              data_files: b/*
              default: "true"
            """));
        Assert.All(configs, c => Assert.False(c.IsDefault));
    }

    [Fact]
    public void Invalid_yaml_is_a_discovery_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => CardConfigs.FromReadme("---\nconfigs: [unclosed\n---\n"));
        Assert.Equal("DiscoveryInvalidCard", e.ErrorId);
    }

    [Fact]
    public void Readme_without_front_matter_has_no_card_data()
    {
        Assert.Null(CardConfigs.ReadmeToCardData("# Title\n---\nnot: front matter\n---\n"));
    }
}
