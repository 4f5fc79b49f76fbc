using System.Text.Json;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class DatasetLayoutResolverTests
{
    private const string Repo = "org/ds";

    private static RepoFile[] Files(params string[] paths) =>
        paths.Select((p, i) => new RepoFile(p, 100 + i, $"sha-{i}")).ToArray();

    private static JsonElement Card(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static Dictionary<string, string[]> SplitsOf(DiscoveredConfig config) =>
        config.Splits.ToDictionary(s => s.Name, s => s.Files.Select(f => f.Path).ToArray());

    [Fact]
    public void Flat_folder_is_one_default_config_with_a_train_split()
    {
        var layout = DatasetLayoutResolver.Resolve(
            Files(".gitattributes", "README.md", "part-b.parquet", "part-a.parquet", "notes.txt.md", "LICENSE"), null, Repo);

        Assert.Equal(LayoutKind.Inferred, layout.Kind);
        Assert.False(layout.NeedsParquetConversion);
        var config = Assert.Single(layout.Configs);
        Assert.Equal("default", config.Name);
        Assert.True(config.IsDefault);
        var split = Assert.Single(config.Splits);
        Assert.Equal("train", split.Name);
        Assert.Equal(["part-a.parquet", "part-b.parquet"], split.Files.Select(f => f.Path));
    }

    [Fact]
    public void Split_folders_with_aliases()
    {
        var layout = DatasetLayoutResolver.Resolve(
            Files("data/train/0.parquet", "data/train/1.parquet", "data/dev/0.parquet", "data/eval/0.parquet"), null, Repo);

        var config = Assert.Single(layout.Configs);
        Assert.Equal(["train", "validation", "test"], config.Splits.Select(s => s.Name));
        Assert.Equal(["data/train/0.parquet", "data/train/1.parquet"], SplitsOf(config)["train"]);
        Assert.Equal(["data/dev/0.parquet"], SplitsOf(config)["validation"]);
        Assert.Equal(["data/eval/0.parquet"], SplitsOf(config)["test"]);
    }

    [Fact]
    public void Split_prefixes_with_shards_and_a_custom_split()
    {
        var layout = DatasetLayoutResolver.Resolve(Files(
            "data/train-00000-of-00003.parquet", "data/train-00001-of-00003.parquet", "data/train-00002-of-00003.parquet",
            "data/valid-00000-of-00001.parquet", "data/test-00000-of-00001.parquet", "data/extra-00000-of-00001.parquet"), null, Repo);

        var config = Assert.Single(layout.Configs);
        Assert.Equal(LayoutKind.Inferred, layout.Kind);
        // Sharded names keep the split name as written ("valid" is not mapped to "validation" by this rule).
        Assert.Equal(["train", "test", "extra", "valid"], config.Splits.Select(s => s.Name));
        Assert.Equal(3, SplitsOf(config)["train"].Length);
        Assert.Equal(100, config.Splits[0].Files[0].Size);
        Assert.Equal("sha-0", config.Splits[0].Files[0].ContentId);
    }

    [Fact]
    public void Split_file_names_with_valid_alias()
    {
        var config = Assert.Single(DatasetLayoutResolver.Resolve(Files("train.parquet", "valid.parquet", "test.parquet"), null, Repo).Configs);
        Assert.Equal(["train", "validation", "test"], config.Splits.Select(s => s.Name));
    }

    [Fact]
    public void Configs_as_folders()
    {
        var layout = DatasetLayoutResolver.Resolve(Files(
            "README.md",
            "config2/train/0.parquet", "config2/test/0.parquet",
            "config1/train/0.parquet", "config1/train/1.parquet", "config1/validation/0.parquet",
            "config3/train-00000-of-00001.parquet", "config3/test-00000-of-00001.parquet"), null, Repo);

        Assert.Equal(LayoutKind.ConfigFolders, layout.Kind);
        Assert.Equal(["config1", "config2", "config3"], layout.Configs.Select(c => c.Name));
        Assert.Equal(["train", "validation"], layout.Configs[0].Splits.Select(s => s.Name));
        Assert.Equal(["config1/train/0.parquet", "config1/train/1.parquet"], SplitsOf(layout.Configs[0])["train"]);
        Assert.Equal(["train", "test"], layout.Configs[1].Splits.Select(s => s.Name));
        Assert.Equal(["config3/test-00000-of-00001.parquet"], SplitsOf(layout.Configs[2])["test"]);
        Assert.All(layout.Configs, c => Assert.False(c.IsDefault));
    }

    [Fact]
    public void Folders_without_their_own_splits_are_not_configs()
    {
        // Partitions such as years hold no split names: datasets' rule makes them all train.
        var layout = DatasetLayoutResolver.Resolve(Files("2020/a.parquet", "2021/b.parquet"), null, Repo);
        Assert.Equal(LayoutKind.Inferred, layout.Kind);
        Assert.Equal(["2020/a.parquet", "2021/b.parquet"], SplitsOf(Assert.Single(layout.Configs))["train"]);
    }

    [Fact]
    public void Top_level_split_folders_are_not_configs()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("train/en/train.parquet", "test/en/test.parquet"), null, Repo);
        Assert.Equal(LayoutKind.Inferred, layout.Kind);
        Assert.Equal(["train", "test"], Assert.Single(layout.Configs).Splits.Select(s => s.Name));
    }

    [Fact]
    public void A_single_folder_is_not_a_config()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("data/train.parquet", "data/test.parquet"), null, Repo);
        Assert.Equal(LayoutKind.Inferred, layout.Kind);
        Assert.Equal(["train", "test"], Assert.Single(layout.Configs).Splits.Select(s => s.Name));
    }

    [Fact]
    public void Hidden_and_special_folders_are_ignored()
    {
        var layout = DatasetLayoutResolver.Resolve(Files(
            ".cache/test.parquet", "__pycache__/x/test.parquet", "data/.tmp/test.parquet", "data/train.parquet"), null, Repo);
        var config = Assert.Single(layout.Configs);
        Assert.Equal(["train"], config.Splits.Select(s => s.Name));
        Assert.Equal(["data/train.parquet"], SplitsOf(config)["train"]);
    }

    [Fact]
    public void Card_configs_with_every_data_files_shape_and_data_dir()
    {
        var files = Files(
            "README.md",
            "plain.parquet",
            "listed/a.parquet", "listed/b.parquet",
            "split/train-1.parquet", "split/train-2.parquet", "split/test.parquet",
            "nested/fr/train/0.parquet", "nested/fr/validation/0.parquet",
            "unused/ignored.parquet");
        var card = Card("""
            {"configs":[
              {"config_name":"plain","data_files":"plain.parquet"},
              {"config_name":"listed","data_files":["listed/b.parquet","listed/a.parquet"]},
              {"config_name":"split","default":true,"data_files":[
                 {"split":"test","path":"split/test.parquet"},
                 {"split":"train","path":["split/train-*.parquet"]}]},
              {"config_name":"fr","data_dir":"nested/fr"},
              {"config_name":"fr_train","data_dir":"nested/fr","data_files":[{"split":"train","path":"train/*"}]}
            ]}
            """);

        var layout = DatasetLayoutResolver.Resolve(files, card, Repo);

        Assert.Equal(LayoutKind.Card, layout.Kind);
        Assert.Equal(["plain", "listed", "split", "fr", "fr_train"], layout.Configs.Select(c => c.Name));
        Assert.Equal(["plain.parquet"], SplitsOf(layout.Configs[0])["train"]);
        Assert.Equal(["listed/b.parquet", "listed/a.parquet"], SplitsOf(layout.Configs[1])["train"]);
        // Card order of splits is kept, as datasets keeps it.
        Assert.Equal(["test", "train"], layout.Configs[2].Splits.Select(s => s.Name));
        Assert.Equal(["split/train-1.parquet", "split/train-2.parquet"], SplitsOf(layout.Configs[2])["train"]);
        Assert.True(layout.Configs[2].IsDefault);
        Assert.Equal(["train", "validation"], layout.Configs[3].Splits.Select(s => s.Name));
        Assert.Equal(["nested/fr/validation/0.parquet"], SplitsOf(layout.Configs[3])["validation"]);
        Assert.Equal(["nested/fr/train/0.parquet"], SplitsOf(Assert.Single(layout.Configs, c => c.Name == "fr_train"))["train"]);
    }

    [Fact]
    public void Card_configs_win_over_folders()
    {
        var files = Files("config1/train/0.parquet", "config2/train/0.parquet");
        var layout = DatasetLayoutResolver.Resolve(files, Card("""{"configs":[{"config_name":"all","data_files":"*/train/*"}]}"""), Repo);
        Assert.Equal(LayoutKind.Card, layout.Kind);
        Assert.Equal(2, SplitsOf(Assert.Single(layout.Configs))["train"].Length);
    }

    [Fact]
    public void Card_data_without_configs_falls_back_to_inference()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("train.parquet"), Card("""{"license":"mit","pretty_name":"x"}"""), Repo);
        Assert.Equal(LayoutKind.Inferred, layout.Kind);
    }

    [Fact]
    public void Card_config_whose_globs_match_nothing_is_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => DatasetLayoutResolver.Resolve(
            Files("data/a.parquet"),
            Card("""{"configs":[{"config_name":"c","data_files":[{"split":"train","path":"data/*.parquet"},{"split":"test","path":"test/*.parquet"}]}]}"""),
            Repo));
        Assert.Equal("DiscoveryPatternMatchesNothing", e.ErrorId);
        Assert.Equal(FacebergErrorKind.NotFound, e.Kind);
        Assert.Contains("'c'", e.Message);
        Assert.Contains("'test'", e.Message);
        Assert.Contains("test/*.parquet", e.Message);
        Assert.Contains(Repo, e.Message);
    }

    [Fact]
    public void Card_literal_path_that_does_not_exist_is_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => DatasetLayoutResolver.Resolve(
            Files("data/a.parquet"), Card("""{"configs":[{"config_name":"c","data_dir":"data","data_files":"b.parquet"}]}"""), Repo));
        Assert.Contains("'data/b.parquet'", e.Message);
    }

    [Fact]
    public void Card_data_dir_without_data_is_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => DatasetLayoutResolver.Resolve(
            Files("data/a.parquet"), Card("""{"configs":[{"config_name":"c","data_dir":"nothing"}]}"""), Repo));
        Assert.Equal("DiscoveryNoDataFiles", e.ErrorId);
        Assert.Contains("'nothing'", e.Message);
    }

    [Fact]
    public void No_data_files_at_all_is_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() =>
            DatasetLayoutResolver.Resolve(Files(".gitattributes", "README.md", "LICENSE"), null, Repo));
        Assert.Equal("DiscoveryNoDataFiles", e.ErrorId);
        Assert.Equal($"Dataset '{Repo}' contains no data files.", e.Message);
        Assert.IsAssignableFrom<FacebergException>(e);
    }

    [Fact]
    public void Csv_dataset_needs_the_parquet_conversion()
    {
        var files = Files("README.md", "train.csv", "test.csv");
        var layout = DatasetLayoutResolver.Resolve(files, null, Repo);
        Assert.True(layout.NeedsParquetConversion);
        Assert.Equal("csv", layout.Format);
        Assert.Empty(layout.Configs);
        Assert.True(DatasetLayoutResolver.NeedsParquetConversion(files));
    }

    [Theory]
    [InlineData("json", "data/train.jsonl", "data/test.jsonl")]
    [InlineData("text", "corpus.txt")]
    [InlineData("arrow", "train/data-00000-of-00001.arrow")]
    [InlineData("json", "a.json")]
    public void Other_formats_need_the_parquet_conversion(string format, params string[] paths)
    {
        var layout = DatasetLayoutResolver.Resolve(Files(paths), null, Repo);
        Assert.Equal(format, layout.Format);
        Assert.True(layout.NeedsParquetConversion);
    }

    [Fact]
    public void Parquet_wins_a_tie_and_stray_csv_files_are_dropped()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("train.parquet", "train.csv"), null, Repo);
        Assert.False(layout.NeedsParquetConversion);
        Assert.Equal(["train.parquet"], SplitsOf(Assert.Single(layout.Configs))["train"]);
        Assert.False(DatasetLayoutResolver.NeedsParquetConversion(Files("train.parquet", "train.csv")));
    }

    [Fact]
    public void The_most_common_format_decides_as_in_datasets()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("a.parquet", "b.csv", "c.csv"), null, Repo);
        Assert.Equal("csv", layout.Format);
    }

    [Fact]
    public void Card_config_of_csv_sends_the_dataset_to_the_conversion()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("p/a.parquet", "c/a.csv"), Card("""
            {"configs":[{"config_name":"p","data_files":"p/*"},{"config_name":"c","data_files":"c/*"}]}
            """), Repo);
        Assert.True(layout.NeedsParquetConversion);
        Assert.Equal(LayoutKind.Card, layout.Kind);
    }

    [Fact]
    public void Parquet_conversion_branch_layout_with_partial_splits()
    {
        var converted = Files(
            ".gitattributes",
            "default/train/0001.parquet", "default/train/0000.parquet", "default/test/0000.parquet",
            "big/partial-train/0000.parquet", "big/partial-train/0001.parquet", "big/validation/0000.parquet",
            "both/partial-train/0000.parquet", "both/train/0000.parquet",
            "default/train/nested/x.parquet", "readme.parquet");

        var layout = DatasetLayoutResolver.ResolveParquetConversion(converted, Repo);

        Assert.Equal(LayoutKind.ParquetConversion, layout.Kind);
        Assert.False(layout.NeedsParquetConversion);
        Assert.Equal(["big", "both", "default"], layout.Configs.Select(c => c.Name));
        var big = layout.Configs[0];
        Assert.Equal(["train", "validation"], big.Splits.Select(s => s.Name));
        Assert.True(big.Splits[0].IsPartial);
        Assert.False(big.Splits[1].IsPartial);
        Assert.Equal(["big/partial-train/0000.parquet", "big/partial-train/0001.parquet"], SplitsOf(big)["train"]);
        var both = layout.Configs[1];
        Assert.Equal(["both/train/0000.parquet"], SplitsOf(both)["train"]);
        Assert.False(both.Splits[0].IsPartial);
        var @default = layout.Configs[2];
        Assert.True(@default.IsDefault);
        Assert.Equal(["train", "test"], @default.Splits.Select(s => s.Name));
        Assert.Equal(["default/train/0000.parquet", "default/train/0001.parquet"], SplitsOf(@default)["train"]);
    }

    [Fact]
    public void Empty_parquet_conversion_is_an_error()
    {
        var e = Assert.Throws<DiscoveryException>(() => DatasetLayoutResolver.ResolveParquetConversion(Files(".gitattributes"), Repo));
        Assert.Equal("DiscoveryNoDataFiles", e.ErrorId);
        Assert.Contains("refs/convert/parquet", e.Message);
    }

    [Fact]
    public void Select_keeps_requested_configs_in_layout_order()
    {
        var layout = DatasetLayoutResolver.Resolve(
            Files("a/train/0.parquet", "b/train/0.parquet", "c/train/0.parquet"), null, Repo);
        Assert.Equal(["a", "c"], layout.Select(["c", "a"], Repo).Configs.Select(c => c.Name));
        Assert.Same(layout, layout.Select([], Repo));
    }

    [Fact]
    public void Select_of_a_missing_config_lists_the_available_ones()
    {
        var layout = DatasetLayoutResolver.Resolve(Files("a/train/0.parquet", "b/train/0.parquet"), null, Repo);
        var e = Assert.Throws<DiscoveryException>(() => layout.Select(["a", "x", "y"], Repo));
        Assert.Equal("DiscoveryConfigNotFound", e.ErrorId);
        Assert.Equal(FacebergErrorKind.NotFound, e.Kind);
        Assert.Equal("Dataset 'org/ds' has no configs 'x', 'y'. Available configs: 'a', 'b'.", e.Message);
    }
}
