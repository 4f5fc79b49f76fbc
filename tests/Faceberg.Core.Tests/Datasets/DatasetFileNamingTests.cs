using System.Text.Json;
using Faceberg.Core.Datasets;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>The location provider on listings alone: each name is checked by Faceberg's own discovery.</summary>
public sealed class DatasetFileNamingTests
{
    private const string Unique = "0123456789ab";

    private static IReadOnlyList<RepoFile> Listing(params string[] paths) => paths.Select(p => new RepoFile(p, 100, "x")).ToList();

    private static JsonElement Card(string yaml) => CardConfigs.ReadmeToCardData("---\n" + yaml + "\n---\n")!.Value;

    [Theory]
    [InlineData("config1", "train", "config1/train/train-00000-of-00002-0123456789ab.parquet")]
    [InlineData("config1", "test", "config1/test/test-00000-of-00002-0123456789ab.parquet")]
    [InlineData("config2", "train", "config2/train/train-00000-of-00002-0123456789ab.parquet")]
    public void Config_folders_keep_new_files_in_their_config_and_split(string config, string split, string expected)
    {
        var files = Listing("config1/train/0000.parquet", "config1/test/0000.parquet", "config2/train/0000.parquet", "config2/test/0000.parquet");
        var paths = DatasetFileNaming.NewFilePaths(files, null, "r", config, split, 2, Unique);
        Assert.Equal([expected, expected.Replace("00000-of", "00001-of", StringComparison.Ordinal)], paths);
    }

    [Fact]
    public void A_new_split_in_a_split_prefix_layout_gets_a_sharded_name_beside_the_others()
    {
        var files = Listing("data/train-00000-of-00001.parquet", "README.md");
        Assert.Equal(["data/validation-00000-of-00001-0123456789ab.parquet"],
            DatasetFileNaming.NewFilePaths(files, null, "r", "default", "validation", 1, Unique));
    }

    [Fact]
    public void A_new_split_that_would_move_existing_files_is_refused_with_the_reason()
    {
        // Everything is train by datasets' fallback; any name that makes a "test" split changes that.
        var files = Listing("data/part-0.parquet", "data/part-1.parquet");
        var e = Assert.Throws<FacebergException>(() => DatasetFileNaming.NewFilePaths(files, null, "r", "default", "test", 1, Unique));
        Assert.Equal("WriteLayoutMismatch", e.ErrorId);
        Assert.Contains("existing file 'data/part-0.parquet'", e.Message);
    }

    [Fact]
    public void A_card_with_explicit_file_paths_refuses_and_quotes_its_patterns()
    {
        var card = Card("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.parquet");
        var e = Assert.Throws<FacebergException>(() =>
            DatasetFileNaming.NewFilePaths(Listing("data/train.parquet"), card, "r", "default", "train", 1, Unique));
        Assert.Contains("read split 'train' of config 'default' from 'data/train.parquet'", e.Message);
    }

    [Fact]
    public void Names_already_in_the_repo_are_never_reused_and_invalid_split_names_are_refused()
    {
        var files = Listing("data/train-00000-of-00001.parquet", "data/train-00000-of-00001-0123456789ab.parquet");
        var path = Assert.Single(DatasetFileNaming.NewFilePaths(files, null, "r", "default", "train", 1, Unique));
        Assert.DoesNotContain(path, files.Select(f => f.Path));
        Assert.Equal("WriteInvalidSplitName",
            Assert.Throws<FacebergException>(() => DatasetFileNaming.NewFilePaths(files, null, "r", "default", "my split", 1, Unique)).ErrorId);
        Assert.NotEqual(DatasetFileNaming.NewUniqueId(), DatasetFileNaming.NewUniqueId());
    }
}
