using Faceberg.LocalHub.Store;

namespace Faceberg.TestData;

/// <summary>A seeded repo: its id, the layout it exercises, its commits on every branch (oldest first) and the main head.</summary>
public sealed record SeededRepo(string RepoId, string Layout, IReadOnlyList<string> Commits, string Head);

/// <summary>
/// Repos for each layout the `datasets` library recognises, each with several commits so that
/// revisions matter. Row ids are unique within a repo and derive from the file order below.
/// </summary>
public static class SampleDatasets
{
    /// <summary>config1/train/*.parquet, config1/test/*.parquet, config2/train/*.parquet.</summary>
    public const string ConfigFolders = "layouts/config-folders";

    /// <summary>data/train/*.parquet, data/test/*.parquet, data/validation/*.parquet.</summary>
    public const string SplitFolders = "layouts/split-folders";

    /// <summary>data/train-00000-of-00002.parquet … data/test-00000-of-00001.parquet.</summary>
    public const string SplitPrefixes = "layouts/split-prefixes";

    /// <summary>data/*.parquet with no split names: one train split.</summary>
    public const string FlatData = "layouts/flat";

    /// <summary>README.md front matter "configs:" with data_files globs per split, two configs.</summary>
    public const string ReadmeConfigs = "layouts/readme-configs";

    /// <summary>CSV on main; Parquet on refs/convert/parquet as {config}/{split}/0000.parquet.</summary>
    public const string ConvertedCsv = "layouts/csv-converted";

    /// <summary>A private repo (flat layout) for token tests.</summary>
    public const string PrivateFlat = "layouts/private";

    public const string ConvertBranch = "refs/convert/parquet";

    public static IReadOnlyDictionary<string, SeededRepo> Seed(LocalHubStore store)
    {
        var repos = new[]
        {
            SeedConfigFolders(store), SeedSplitFolders(store), SeedSplitPrefixes(store), SeedFlat(store, FlatData, isPrivate: false),
            SeedReadmeConfigs(store), SeedConvertedCsv(store), SeedFlat(store, PrivateFlat, isPrivate: true),
        };
        return repos.ToDictionary(r => r.RepoId);
    }

    private static SeededRepo Done(HubDatasetBuilder builder, string layout) => new(builder.RepoId, layout, builder.Commits.ToList(), builder.Head());

    private static SeededRepo SeedConfigFolders(LocalHubStore store)
    {
        var b = new HubDatasetBuilder(store, ConfigFolders)
            .Readme("license: mit\npretty_name: Config folders")
            .Parquet("config1/train/0000.parquet", 20)
            .Parquet("config1/test/0000.parquet", 5)
            .Commit("Add config1")
            .Tag("v1.0")
            .Parquet("config2/train/0000.parquet", 12)
            .Parquet("config2/train/0001.parquet", 8)
            .Commit("Add config2")
            .Parquet("config1/train/0001.parquet", 10)
            .Commit("Grow config1 train");
        return Done(b, "config-folders");
    }

    private static SeededRepo SeedSplitFolders(LocalHubStore store)
    {
        var b = new HubDatasetBuilder(store, SplitFolders)
            .Parquet("data/train/0000.parquet", 30)
            .Commit("Add train")
            .Parquet("data/test/0000.parquet", 10)
            .Parquet("data/validation/0000.parquet", 10)
            .Commit("Add test and validation")
            .Parquet("data/train/0001.parquet", 30, rowGroupSize: 10)
            .Readme("license: apache-2.0")
            .Commit("More train rows and a card");
        return Done(b, "split-folders");
    }

    private static SeededRepo SeedSplitPrefixes(LocalHubStore store)
    {
        var b = new HubDatasetBuilder(store, SplitPrefixes)
            .Parquet("data/train-00000-of-00001.parquet", 40)
            .Commit("Add train")
            .Tag("v1.0")
            .Parquet("data/train-00000-of-00002.parquet", 25)
            .Parquet("data/train-00001-of-00002.parquet", 25)
            .Parquet("data/test-00000-of-00001.parquet", 10)
            .Delete("data/train-00000-of-00001.parquet")
            .Commit("Reshard train, add test");
        return Done(b, "split-prefixes");
    }

    private static SeededRepo SeedFlat(LocalHubStore store, string repoId, bool isPrivate)
    {
        var b = new HubDatasetBuilder(store, repoId, isPrivate)
            .Parquet("data/part-0.parquet", 15)
            .Commit("Add part 0")
            .Parquet("data/part-1.parquet", 15)
            .Commit("Add part 1");
        return Done(b, "flat");
    }

    private static SeededRepo SeedReadmeConfigs(LocalHubStore store)
    {
        const string yaml = """
            license: cc-by-4.0
            configs:
            - config_name: default
              default: true
              data_files:
              - split: train
                path: main/train-*.parquet
              - split: test
                path: main/test-*.parquet
            - config_name: extra
              data_files:
              - split: train
                path:
                - extra/part-*.parquet
            """;
        var b = new HubDatasetBuilder(store, ReadmeConfigs)
            .Readme(yaml)
            .Parquet("main/train-00000.parquet", 20)
            .Parquet("main/test-00000.parquet", 5)
            .Commit("Add default config")
            .Parquet("extra/part-0.parquet", 7)
            .Parquet("extra/part-1.parquet", 7)
            .Commit("Add extra config")
            .Parquet("main/train-00001.parquet", 20)
            .Commit("Grow default train");
        return Done(b, "readme-configs");
    }

    private static SeededRepo SeedConvertedCsv(LocalHubStore store)
    {
        static string Csv(int start, int count) =>
            "id,text,label\n" + string.Concat(Enumerable.Range(start, count).Select(i => $"{i},row {i},{i % 3}\n"));
        var b = new HubDatasetBuilder(store, ConvertedCsv)
            .Text("data/train.csv", Csv(0, 30))
            .Text("data/test.csv", Csv(100, 10))
            .Commit("Add CSV")
            .Parquet("default/train/0000.parquet", 30)
            .Parquet("default/test/0000.parquet", 10)
            .Commit("Update parquet files", ConvertBranch)
            .Text("data/train.csv", Csv(0, 40))
            .Commit("More CSV rows")
            .Parquet("default/train/0000.parquet", 40)
            .Commit("Update parquet files", ConvertBranch);
        return Done(b, "csv-converted");
    }
}
