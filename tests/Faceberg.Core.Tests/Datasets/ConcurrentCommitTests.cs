using System.Collections;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>
/// Two writers racing on one table, each through its own catalog instance. A hook just before each writer's commit
/// forces the interleaving (both plan against the same snapshot, one commits first), so the outcome does not depend
/// on timing: the loser re-plans against the winner's snapshot and never commits a file twice.
/// </summary>
public sealed class ConcurrentCommitTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();
    private readonly CatalogContext _catalog;

    public ConcurrentCommitTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    private async Task<TableIdentifier> CreateAsync(string repo)
    {
        var result = Assert.Single(await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset("race", repo)));
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return result.Identifier!;
    }

    /// <summary>Another process's view of the same catalog: a context and catalog instance of its own.</summary>
    private CatalogContext SameCatalog() => CatalogContext.FromDirectory(_catalog.Location.Path);

    private (DatasetSync Sync, DatasetTableStore Store) NewSync()
    {
        var store = new DatasetTableStore(_hub.Client);
        return (new DatasetSync(new DatasetPlanner(_hub.Client), new FooterReader(_hub.Client), store), store);
    }

    private static async Task AssertNoFileTwiceAsync(IcebergTable table)
    {
        var paths = (await table.PlanFilesAsync()).Select(f => f.FilePath).ToList();
        Assert.Equal(paths.Count, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(paths.Count, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalDataFiles));
    }

    [Fact]
    public async Task Two_syncs_planned_on_the_same_snapshot_commit_the_new_files_once()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0002.parquet", 7).Parquet("data/test/0001.parquet", 5).Commit("More data");
        var head = _hub.Head(repo);

        var (first, firstStore) = NewSync();
        var (second, secondStore) = NewSync();
        var secondPlanned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long? secondBase = null;
        var secondCommits = 0;
        // The first writer commits only once the second has planned against the same snapshot; the second
        // commits only after the first has finished, so its requirement fails for certain.
        firstStore.BeforeCommit = (_, _, ct) => secondPlanned.Task.WaitAsync(ct);
        secondStore.BeforeCommit = async (_, baseSnapshot, ct) =>
        {
            if (Interlocked.Increment(ref secondCommits) > 1) return;
            secondBase = baseSnapshot;
            secondPlanned.SetResult();
            await firstDone.Task.WaitAsync(ct);
        };

        var firstTask = Task.Run(async () =>
        {
            try { return await first.SyncAsync(SameCatalog(), id); }
            finally { firstDone.TrySetResult(); }
        });
        var secondTask = Task.Run(() => second.SyncAsync(SameCatalog(), id));
        var results = await Task.WhenAll(firstTask, secondTask);

        Assert.True(results[0].Status == SyncStatus.Updated, results[0].Error?.Message);
        Assert.Equal(2, results[0].Added);
        // The second planned the same change against the old snapshot, saw the first commit it, and found nothing left.
        Assert.True(results[1].Status == SyncStatus.UpToDate, results[1].Error?.Message);
        Assert.NotNull(secondBase);
        Assert.NotEqual(results[0].SnapshotId, secondBase);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(results[0].SnapshotId, table.CurrentSnapshot!.SnapshotId);
        Assert.Equal(head, table.Metadata.Properties[TableProperties.Revision]);
        await AssertNoFileTwiceAsync(table);
        Assert.Equal(6, (await table.PlanFilesAsync()).Count);
    }

    [Fact]
    public async Task A_write_whose_commit_loses_to_a_sync_that_picked_up_its_files_adds_nothing_twice()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync(repo);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);
        var records = before.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalRecords);
        var writer = new TableWriter(_hub.Client);
        var (sync, _) = NewSync();
        SyncResult? synced = null;
        var hooked = 0;
        // Between the write's Hub commit and its Iceberg commit, a sync in another catalog instance sees the
        // branch at the write's commit and makes its files live.
        writer.Store.BeforeCommit = async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref hooked) == 1)
                synced = await sync.SyncAsync(SameCatalog(), id, cancellationToken: ct);
        };
        var rows = Enumerable.Range(0, 3).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["id"] = 100L + i, ["count"] = i, ["text"] = "w", ["score"] = 0.5, ["weight"] = 1.5f, ["flag"] = true, ["label"] = 1L,
            ["comment"] = null, ["tags"] = new[] { "x" }, ["meta"] = new Hashtable { ["source"] = "s", ["year"] = 2026 },
        }).ToList();

        var result = await writer.WriteAsync(SameCatalog(), id, "train", rows);

        Assert.NotNull(synced);
        Assert.True(synced!.Status == SyncStatus.Updated, synced.Error?.Message);
        Assert.Equal(result.Revision, synced.ToRevision);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        await AssertNoFileTwiceAsync(table);
        Assert.Equal(records + 3, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalRecords));
        Assert.Equal(result.Revision, table.Metadata.Properties[TableProperties.Revision]);
        Assert.Equal(synced.SnapshotId, result.SnapshotId);
    }
}
