using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Table;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>
/// A table whose manifests were merged by its syncs, then optimized, read by icebird (an independent Iceberg reader):
/// the same files and rows at every step, and Faceberg's expired snapshots are gone for it too.
/// </summary>
public sealed class OptimizeInteropTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();
    private readonly CatalogContext _catalog;

    public OptimizeInteropTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Icebird_reads_the_same_rows_from_a_manifest_merged_table_and_after_Optimize()
    {
        var repo = SampleDatasets.SplitPrefixes;
        var created = Assert.Single(await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset("sp", repo)));
        Assert.True(created.Status == DatasetTableStatus.Created, created.Error?.Message);
        var id = created.Identifier!;
        var tables = new DatasetTableStore(_hub.Client).Open(_catalog);
        // Merge once three manifests pile up, so a few syncs exercise merging.
        await tables.CommitTableAsync(id, [], [new SetProperties(new Dictionary<string, string> { [ManifestMerger.MinCountToMerge] = "3" })]);
        var first = _hub.Head(repo);
        var expected = new Dictionary<string, (string Split, string Revision)>
        {
            ["data/train-00000-of-00002.parquet"] = ("train", first),
            ["data/train-00001-of-00002.parquet"] = ("train", first),
            ["data/test-00000-of-00001.parquet"] = ("test", first),
        };
        await _hub.AssertIcebirdReadsAsync(await DatasetTestHub.LoadAsync(_catalog, id), repo, expected);

        for (var i = 0; i < 6; i++)
        {
            var path = $"data/validation-{i:D5}-of-00006.parquet";
            new HubDatasetBuilder(_hub.Server.Store, repo).Parquet(path, 3 + i).Commit($"Validation part {i}");
            expected[path] = ("validation", _hub.Head(repo));
            var result = await _hub.Tables.SyncAsync(_catalog, id);
            Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        }
        var merged = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.True((await merged.ReadManifestListAsync()).Count < 3);
        await _hub.AssertFilesAsync(merged, repo, expected);
        await _hub.AssertIcebirdReadsAsync(merged, repo, expected);

        var optimized = await _hub.Tables.OptimizeAsync(_catalog, id, retainLast: 2);

        Assert.Equal(1, optimized.ManifestsAfter);
        Assert.True(optimized.SnapshotsExpired > 0);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        await _hub.AssertIcebirdReadsAsync(table, repo, expected);
        var dump = await new Interop.IcebirdReader().ReadAsync(table.Location, new Interop.IcebirdReadOptions { HfEndpoint = _hub.Server.Endpoint });
        Assert.Equal(table.Metadata.Snapshots.Select(s => s.SnapshotId).Order(), dump.Snapshots.Select(s => s.SnapshotId).Order());
    }
}
