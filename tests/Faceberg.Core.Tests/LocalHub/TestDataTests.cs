using System.Text.Json;
using Faceberg.LocalHub.Samples;
using Faceberg.LocalHub.Store;
using Faceberg.TestData;
using Parquet;
using Parquet.Schema;

namespace Faceberg.Core.Tests.LocalHub;

public sealed class TestDataTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task SampleParquetCarriesNestedColumnsAndHuggingFaceFeatures()
    {
        var bytes = SampleParquet.Write(12, startId: 100, rowGroupSize: 5);
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
        Assert.Equal(3, reader.RowGroupCount);
        var fields = reader.Schema.Fields.ToDictionary(f => f.Name);
        Assert.Equal(["id", "count", "text", "score", "weight", "flag", "label", "comment", "tags", "meta"], reader.Schema.Fields.Select(f => f.Name));
        Assert.IsType<ListField>(fields["tags"]);
        Assert.IsType<StructField>(fields["meta"]);
        Assert.Equal(typeof(float), ((DataField)fields["weight"]).ClrType);
        Assert.Equal(typeof(bool), ((DataField)fields["flag"]).ClrType);

        var features = JsonDocument.Parse(reader.CustomMetadata[ParquetSamples.HuggingFaceKey]).RootElement.GetProperty("info").GetProperty("features");
        Assert.Equal("ClassLabel", features.GetProperty("label").GetProperty("_type").GetString());
        Assert.Equal(SampleParquet.LabelNames, features.GetProperty("label").GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("Sequence", features.GetProperty("tags").GetProperty("_type").GetString());
        Assert.Equal("int32", features.GetProperty("meta").GetProperty("year").GetProperty("dtype").GetString());

        var rows = (await Parquet.Serialization.ParquetSerializer.DeserializeAsync<SampleRow>(new MemoryStream(bytes))).Data;
        Assert.Equal(Enumerable.Range(100, 12).Select(i => (long)i), rows.Select(r => r.Id));
        var expected = SampleParquet.Rows(12, 100);
        Assert.Equal(expected.Select(r => (r.Meta.Year, r.Meta.Source, string.Join(",", r.Tags), r.Comment, r.Weight)),
            rows.Select(r => (r.Meta.Year, r.Meta.Source, string.Join(",", r.Tags), r.Comment, r.Weight)));
        Assert.Contains(rows, r => r.Comment is null);
        Assert.Contains(rows, r => r.Tags.Count == 2);
    }

    [Fact]
    public void SeedCreatesEveryLayoutWithSeveralCommits()
    {
        var store = new LocalHubStore(_root);
        var repos = SampleDatasets.Seed(store);
        Assert.Equal(7, repos.Count);
        foreach (var repo in repos.Values)
        {
            Assert.True(store.GetHistory(repo.RepoId, "main").Count >= 3, repo.RepoId); // initial + at least two
            Assert.Equal(store.ResolveRevision(repo.RepoId, "main"), repo.Head);
        }
        Assert.True(store.IsPrivate(SampleDatasets.PrivateFlat));

        static string[] Paths(LocalHubStore s, string repo, string rev) => s.GetFiles(repo, rev).Select(f => f.Path).ToArray();
        Assert.Contains("config2/train/0001.parquet", Paths(store, SampleDatasets.ConfigFolders, "main"));
        Assert.DoesNotContain("config2/train/0001.parquet", Paths(store, SampleDatasets.ConfigFolders, "v1.0"));
        Assert.Contains("data/validation/0000.parquet", Paths(store, SampleDatasets.SplitFolders, "main"));
        Assert.Equal(["data/train-00000-of-00001.parquet"], Paths(store, SampleDatasets.SplitPrefixes, "v1.0").Where(p => p.EndsWith(".parquet")));
        Assert.Contains("data/train-00001-of-00002.parquet", Paths(store, SampleDatasets.SplitPrefixes, "main"));
        Assert.Equal(["data/part-0.parquet", "data/part-1.parquet"], Paths(store, SampleDatasets.FlatData, "main").Where(p => p.EndsWith(".parquet")));

        var readme = System.Text.Encoding.UTF8.GetString(store.ReadFile(SampleDatasets.ReadmeConfigs, "main", "README.md"));
        var card = Faceberg.LocalHub.CardData.FromReadme(readme)!;
        Assert.Equal("extra", card["configs"]![1]!["config_name"]!.GetValue<string>());
        Assert.Equal("main/train-*.parquet", card["configs"]![0]!["data_files"]![0]!["path"]!.GetValue<string>());

        Assert.Equal(["default/test/0000.parquet", "default/train/0000.parquet"],
            Paths(store, SampleDatasets.ConvertedCsv, SampleDatasets.ConvertBranch));
        Assert.Equal(2, store.GetHistory(SampleDatasets.ConvertedCsv, SampleDatasets.ConvertBranch).Count);
        Assert.DoesNotContain(Paths(store, SampleDatasets.ConvertedCsv, "main"), p => p.EndsWith(".parquet"));
    }

    [Fact]
    public async Task SampleHubCreatesTheQuickstartReposOnce()
    {
        var created = SampleHub.Create(_root);
        Assert.Equal(SampleHub.RepoIds, created);
        Assert.Empty(SampleHub.Create(_root));

        var store = new LocalHubStore(_root);
        Assert.Equal(["data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"],
            store.GetFiles(SampleHub.MovieReviews, "main").Select(f => f.Path).Where(p => p.EndsWith(".parquet")));
        var bytes = store.ReadFile(SampleHub.Iris, "main", "data/iris-00001.parquet");
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
        Assert.Equal(50, reader.Metadata!.NumRows);
        Assert.Contains("ClassLabel", reader.CustomMetadata[ParquetSamples.HuggingFaceKey]);
        var card = Faceberg.LocalHub.CardData.FromReadme(System.Text.Encoding.UTF8.GetString(store.ReadFile(SampleHub.Translations, "main", "README.md")))!;
        Assert.Equal(["en-fr", "en-de"], card["configs"]!.AsArray().Select(c => c!["config_name"]!.GetValue<string>()));

        // Deterministic: a second hub gets identical bytes.
        var other = Path.Combine(_root, "other");
        SampleHub.Create(other);
        Assert.Equal(bytes, new LocalHubStore(other).ReadFile(SampleHub.Iris, "main", "data/iris-00001.parquet"));
    }

    [Fact]
    public void BenchmarkDatasetCreatesManyFilesInOneCommit()
    {
        var store = new LocalHubStore(_root);
        var sha = BenchmarkDatasets.Create(store, "bench/many", fileCount: 40, rowsPerFile: 25);
        var files = store.GetFiles("bench/many", sha).Where(f => f.Path.EndsWith(".parquet")).ToList();
        Assert.Equal(40, files.Count);
        Assert.Equal("data/train-00039-of-00040.parquet", files[^1].Path);
        Assert.Equal(40, files.Select(f => f.Sha256).Distinct().Count());
        Assert.All(files, f => Assert.True(f.IsLfs));
    }
}
