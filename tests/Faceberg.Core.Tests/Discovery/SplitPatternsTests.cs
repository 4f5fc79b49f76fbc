using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class SplitPatternsTests
{
    // The cases of datasets' tests/test_data_files.py::test_get_data_files_patterns, written as
    // "split=path|path;split=path" in the expected split order.
    public static TheoryData<string> DatasetsParityCases() => new()
    {
        // === Main cases ===
        "train=train.txt;validation=valid.txt;test=test.txt",
        "train=data/train.txt;validation=data/valid.txt;test=data/test.txt",
        "train=train/split.txt;validation=valid/split.txt;test=test/split.txt",
        "train=data/train_0.txt|data/train_1.txt|data/train_2.txt;validation=data/validation_0.txt|data/validation_1.txt|data/validation_2.txt;test=data/test_0.txt|data/test_1.txt|data/test_2.txt",
        "train=data/train-00000-of-00003.txt|data/train-00001-of-00003.txt|data/train-00002-of-00003.txt;" +
        "validation=data/validation-00000-of-00003.txt|data/validation-00001-of-00003.txt|data/validation-00002-of-00003.txt;" +
        "test=data/test-00000-of-00003.txt|data/test-00001-of-00003.txt|data/test-00002-of-00003.txt;" +
        "random=data/random-00000-of-00003.txt|data/random-00001-of-00003.txt|data/random-00002-of-00003.txt",
        // === Secondary cases ===
        "train=dataset.txt",
        "train=data/dataset.txt",
        "train=data/image.jpg|metadata.jsonl",
        "train=data/image.jpg|metadata.csv",
        "train=my_train_dir/dataset.txt",
        "train=data/my_train_file.txt",
        "test=my_test_dir/dataset.txt",
        "test=data/my_test_file.txt",
        "validation=my_validation_dir/dataset.txt",
        "validation=data/my_validation_file.txt",
        "train=train_dir/dataset.txt",
        "train=data/train_file.txt",
        "test=test_dir/dataset.txt",
        "test=data/test_file.txt",
        "validation=validation_dir/dataset.txt",
        "validation=data/validation_file.txt",
        "train=my_train/dataset.txt",
        "train=data/my_train.txt",
        "test=my_test/dataset.txt",
        "test=data/my_test.txt",
        "validation=my_validation/dataset.txt",
        "validation=data/my_validation.txt",
        // test <> eval aliases
        "test=eval.txt",
        "test=data/eval.txt",
        "test=eval/dataset.txt",
        // valid <> dev aliases
        "validation=dev.txt",
        "validation=data/dev.txt",
        "validation=dev/dataset.txt",
        // valid <> val aliases
        "validation=val.txt",
        "validation=data/val.txt",
        "train=train.parquet;validation=valid.parquet;test=test.parquet",
        // "dev" or "eval" without separators are no keywords
        "train=developers_list.txt",
        "train=data/seqeval_results.txt",
        "train=contest.txt",
        // supported separators
        "test=my.test.file.txt",
        "test=my-test-file.txt",
        "test=my_test_file.txt",
        "test=my test file.txt",
        "test=my-test_file.txt",
        "test=test00001.txt",
        // <split>/<split>: the directory wins
        "test=test/train.txt",
    };

    [Theory]
    [MemberData(nameof(DatasetsParityCases))]
    public void Infers_the_splits_datasets_infers(string spec)
    {
        var expected = spec.Split(';').Select(s => s.Split('='))
            .Select(kv => new SplitPaths(kv[0], kv[1].Split('|'))).ToList();
        var listing = expected.SelectMany(s => s.Paths).ToList();

        var inferred = SplitPatterns.Infer(listing);

        Assert.Equal(expected.Select(s => s.Split), inferred.Select(s => s.Split));
        foreach (var (want, got) in expected.Zip(inferred))
            Assert.Equal(want.Paths, got.Paths);
    }

    [Fact]
    public void Sharded_names_under_data_win_and_give_datasets_patterns()
    {
        // datasets' test_get_data_patterns_from_directory_with_the_word_data_twice
        var inference = SplitPatterns.InferPatterns(["data/train-00001-of-00009.parquet"]);
        Assert.Equal(SplitRule.ShardedFileName, inference.Rule);
        var only = Assert.Single(inference.Splits);
        Assert.Equal("train", only.Split);
        Assert.Equal(["data/train-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*"], only.Patterns);
    }

    [Fact]
    public void Sharded_custom_splits_sort_after_the_defaults()
    {
        var splits = SplitPatterns.Infer([
            "data/zeta-00000-of-00001.parquet", "data/alpha-00000-of-00001.parquet",
            "data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
        ]);
        Assert.Equal(["train", "test", "alpha", "zeta"], splits.Select(s => s.Split));
        Assert.Equal(["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"], splits[0].Paths);
    }

    [Fact]
    public void Sharded_split_name_with_a_dash_is_rejected()
    {
        var e = Assert.Throws<DiscoveryException>(() => SplitPatterns.InferPatterns(["data/my-split-00000-of-00001.parquet"]));
        Assert.Equal("DiscoveryInvalidSplitName", e.ErrorId);
        Assert.Contains("'my-split'", e.Message);
    }

    [Fact]
    public void Directory_names_take_precedence_over_file_names()
    {
        var inference = SplitPatterns.InferPatterns(["train/test-0.parquet", "valid/x.parquet"]);
        Assert.Equal(SplitRule.DirectoryName, inference.Rule);
        Assert.Equal(["train", "validation"], inference.Splits.Select(s => s.Split));
    }

    [Fact]
    public void Sharded_names_outside_data_use_the_file_name_keywords()
    {
        var splits = SplitPatterns.Infer(["train-00000-of-00002.parquet", "train-00001-of-00002.parquet", "test-00000-of-00001.parquet"]);
        Assert.Equal(["train", "test"], splits.Select(s => s.Split));
        Assert.Equal(2, splits[0].Paths.Count);
    }

    [Fact]
    public void Hidden_and_special_files_are_not_inferred()
    {
        var splits = SplitPatterns.Infer([".cache/test.parquet", "__pycache__/test.parquet", "data.parquet", ".gitattributes", "README.md"]);
        var only = Assert.Single(splits);
        Assert.Equal("train", only.Split);
        Assert.Equal(["data.parquet"], only.Paths);
    }

    [Fact]
    public void Empty_listing_has_no_data_files()
    {
        var e = Assert.Throws<DiscoveryException>(() => SplitPatterns.InferPatterns([".gitattributes", "README.md"]));
        Assert.Equal("DiscoveryNoDataFiles", e.ErrorId);
    }

    [Fact]
    public void A_file_matched_by_two_patterns_of_a_split_is_listed_once()
    {
        // "train_1/train/x" matches both "**/train/**" and "**/train[-._ 0-9]*/**".
        var splits = SplitPatterns.Infer(["train_1/train/x.parquet", "test/y.parquet"]);
        Assert.Equal(["train_1/train/x.parquet"], splits[0].Paths);
    }

    [Fact]
    public void Order_splits_puts_defaults_first_then_ordinal()
    {
        Assert.Equal(["train", "validation", "test", "Zed", "extra", "other"],
            SplitPatterns.OrderSplits(["other", "test", "extra", "train", "Zed", "validation", "test"]));
    }

    [Theory]
    [InlineData("train", "train")]
    [InlineData("dev", "validation")]
    [InlineData("my_eval", "test")]
    [InlineData("valid-2", "validation")]
    [InlineData("config1", null)]
    [InlineData("contest", null)]
    public void Split_of_a_directory_name(string name, string? split)
    {
        Assert.Equal(split, SplitPatterns.SplitOfDirectoryName(name));
    }

    // The split a sharded file name gives is read without the regex datasets' string_to_dict uses; it must agree with it.
    [Theory]
    [InlineData("train-00000-of-00003.parquet")]
    [InlineData("my-train-00000-of-00003-00001-of-00002.parquet")]
    [InlineData("a-00000-of-0000")]
    [InlineData("a-00000-of-000")]
    [InlineData("-00000-of-00003.parquet")]
    [InlineData("x-0000a-of-00003.parquet")]
    [InlineData("train-00000-of-00003")]
    [InlineData("a b-12345-of-67890xyz")]
    [InlineData("x\ny-00000-of-00003.parquet")]
    [InlineData("x-00000-of-00003\n.parquet")]
    [InlineData("")]
    public void The_sharded_split_name_is_what_the_datasets_regex_captures(string name)
    {
        var regex = new System.Text.RegularExpressions.Regex("(?<split>.+)-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*");
        Assert.Equal(regex.Match(name).Groups["split"].Value, SplitPatterns.ShardedSplitOf(name));
    }
}
