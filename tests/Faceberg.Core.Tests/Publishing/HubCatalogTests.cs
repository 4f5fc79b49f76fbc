using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Datasets;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>Catalogs used straight from the Hub (hf://datasets/org/name), without a local copy.</summary>
public sealed class HubCatalogTests(PublishHubFixture fixture) : IClassFixture<PublishHubFixture>
{
    private DatasetTestHub Hub => fixture.Hub;

    private CatalogContext Remote(string repo)
    {
        var context = CatalogLocator.FromPath($"hf://datasets/{repo}", Hub.Root);
        context.Hub = Hub.Client;
        return context;
    }

    [Fact]
    public async Task A_hub_catalog_is_created_and_its_tables_created_read_and_synced_on_the_hub()
    {
        var repo = PublishHubFixture.NewRepo();
        var remote = Remote(repo);
        Assert.False(await remote.ExistsAsync());

        await remote.CreateCatalogAsync();
        Assert.True(await remote.ExistsAsync());
        var tables = new DatasetTables(Hub.Client, remote.CreateFileIO());
        var before = (Count: fixture.CommitCount(repo), Head: Hub.Server.Store.ResolveRevision(repo, "main"));
        var results = await tables.CreateAsync(remote, DatasetTestHub.Dataset("split", SampleDatasets.SplitFolders));

        var created = Assert.Single(results);
        Assert.True(created.Status == DatasetTableStatus.Created, created.Error?.Message);
        // Catalog entry, both metadata versions, manifests, manifest list and hint: one commit on the head it read.
        Assert.Equal(before.Count + 1, fixture.CommitCount(repo));
        Assert.Equal(before.Head, Hub.Server.Store.GetCommit(repo, "main").Parents.Single());
        var files = Hub.Server.Store.GetFiles(repo, "main").Select(f => f.Path).ToList();
        Assert.Contains("metadata/default/split_default/metadata/v1.metadata.json", files);
        Assert.Equal("2", System.Text.Encoding.ASCII.GetString(Hub.Server.Store.ReadFile(repo, "main", "metadata/default/split_default/metadata/version-hint.text")));
        Assert.Contains(files, f => f.StartsWith("metadata/default/split_default/metadata/snap-", StringComparison.Ordinal));
        Assert.Equal($"hf://datasets/{repo}/metadata/default/split_default", created.Table!.Location);
        Assert.NotNull(Hub.Server.Store.FindFile(repo, "main", "metadata/default/split_default/metadata/v2.metadata.json"));
        Assert.Contains("default.split_default", System.Text.Encoding.UTF8.GetString(Hub.Server.Store.ReadFile(repo, "main", "catalog.json")));

        // A fresh context sees the table, reads its metadata from the Hub, and syncs it in place.
        var again = Remote(repo);
        var info = Assert.Single(await again.ListTablesAsync());
        Assert.Null(info.AheadOfPublished);
        var table = await IcebergTable.LoadAsync(again.CreateFileIO(), info.Location);
        Assert.Equal(created.Table.SnapshotId, table.CurrentSnapshot!.SnapshotId);
        Assert.Equal(4, (await table.PlanFilesAsync()).Count);
        var copy = Hub.Server.Store.ReadFile(SampleDatasets.SplitFolders, "main", "data/train/0000.parquet");
        Hub.Server.Store.Commit(SampleDatasets.SplitFolders, new Dictionary<string, byte[]> { ["data/train/0002.parquet"] = copy }, null, "more data");
        var commits = fixture.CommitCount(repo);

        var sync = await new DatasetTables(Hub.Client, again.CreateFileIO()).SyncAsync(again, info.Identifier);

        Assert.True(sync.Status == SyncStatus.Updated, sync.Error?.Message);
        Assert.Equal(1, sync.Added);
        // The new manifests, manifest list and metadata version: one Hub commit.
        Assert.Equal(commits + 1, fixture.CommitCount(repo));
        var synced = await IcebergTable.LoadAsync(Remote(repo).CreateFileIO(), info.Location);
        Assert.Equal(sync.SnapshotId, synced.CurrentSnapshot!.SnapshotId);
        Assert.Equal(5, (await synced.PlanFilesAsync()).Count);
    }

    [Fact]
    public async Task A_table_change_on_a_hub_catalog_is_one_hub_commit()
    {
        var repo = PublishHubFixture.NewRepo();
        var local = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(local);
        await new CatalogPublisher(Hub.Client).PublishAsync(local);
        var remote = Remote(repo);
        var before = fixture.CommitCount(repo);

        var table = await IcebergTable.LoadAsync(remote.CreateFileIO(), (await remote.OpenCatalog().GetTableEntryAsync(TableIdentifier.Parse("default.flat_default"))).Location.ToString());
        await table.UpdatePropertiesAsync(new Dictionary<string, string> { ["owner"] = "hub" });

        Assert.Equal(before + 1, fixture.CommitCount(repo));
        Assert.NotNull(Hub.Server.Store.FindFile(repo, "main", "metadata/default/flat_default/metadata/v3.metadata.json"));
        Assert.Equal("Faceberg: commit metadata/default/flat_default v3", Hub.Server.Store.GetCommit(repo, "main").Title);
    }

    [Fact]
    public async Task A_table_created_by_someone_else_during_a_create_fails_it_and_nothing_of_it_reaches_the_hub()
    {
        var repo = PublishHubFixture.NewRepo();
        var remote = Remote(repo);
        await remote.CreateCatalogAsync();
        var identifier = TableIdentifier.Parse("default.split_default");
        // The other writer registers the same table after this create checked the catalog and staged its files.
        var intruder = new Intruder(() => Remote(repo).OpenCatalog().CreateTableAsync(identifier, TheirSchema).GetAwaiter().GetResult());
        var commits = fixture.CommitCount(repo);

        var results = await new DatasetTables(Hub.Client, remote.CreateFileIO())
            .CreateAsync(remote, DatasetTestHub.Dataset("split", SampleDatasets.SplitFolders), new DatasetTableOptions { Progress = intruder });

        var failed = Assert.Single(results);
        Assert.Equal(DatasetTableStatus.Failed, failed.Status);
        // The create is re-applied on the head holding their table, and finds it there.
        Assert.Equal(FacebergErrorKind.AlreadyExists, failed.Error!.Kind);
        Assert.Equal(commits + 1, fixture.CommitCount(repo));
        // Their table (an empty one: v1 and the hint) is all there is; none of this create's files reached the Hub.
        Assert.Equal(["metadata/default/split_default/metadata/v1.metadata.json", "metadata/default/split_default/metadata/version-hint.text"],
            Hub.Server.Store.GetFiles(repo, "main").Select(f => f.Path).Where(p => p.StartsWith("metadata/default/split_default/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_different_table_registered_by_someone_else_during_a_create_is_kept_and_the_create_reapplied_on_the_hub_head()
    {
        var repo = PublishHubFixture.NewRepo();
        var remote = Remote(repo);
        await remote.CreateCatalogAsync();
        var theirs = TableIdentifier.Parse("default.theirs");
        // The other writer registers another table after this create read catalog.json and staged its files.
        var intruder = new Intruder(() => Remote(repo).OpenCatalog().CreateTableAsync(theirs, TheirSchema).GetAwaiter().GetResult());
        var commits = fixture.CommitCount(repo);

        var results = await new DatasetTables(Hub.Client, remote.CreateFileIO())
            .CreateAsync(remote, DatasetTestHub.Dataset("split", SampleDatasets.SplitFolders), new DatasetTableOptions { Progress = intruder });

        var created = Assert.Single(results);
        Assert.True(created.Status == DatasetTableStatus.Created, created.Error?.Message);
        // One commit each: theirs, then mine on top of it (its parent is the head that holds their table).
        Assert.Equal(commits + 2, fixture.CommitCount(repo));
        var mine = Hub.Server.Store.GetCommit(repo, "main");
        Assert.Equal("Faceberg: create default.split_default", mine.Title);
        Assert.Contains("default.theirs", System.Text.Encoding.UTF8.GetString(Hub.Server.Store.ReadFile(repo, mine.Parents.Single(), "catalog.json")));
        var fresh = Remote(repo).OpenCatalog();
        Assert.Equal(["default.split_default", "default.theirs"], (await fresh.ListTablesAsync()).Select(t => t.ToString()).Order(StringComparer.Ordinal));
        var table = await IcebergTable.LoadAsync(Remote(repo).CreateFileIO(), (await fresh.GetTableEntryAsync(created.Identifier!)).Location.ToString());
        Assert.Equal(created.Table!.SnapshotId, table.CurrentSnapshot!.SnapshotId);
    }

    private static readonly Faceberg.Core.Iceberg.Spec.Schema TheirSchema =
        new(0, [Faceberg.Core.Iceberg.Spec.NestedField.Optional(1, "x", Faceberg.Core.Iceberg.Spec.PrimitiveType.String)]);

    /// <summary>Runs a change once, synchronously, when the create reports it is about to write its table.</summary>
    private sealed class Intruder(Action change) : IProgress<DatasetProgress>
    {
        private Action? _pending = change;

        public void Report(DatasetProgress value)
        {
            if (!value.Activity.StartsWith("Creating", StringComparison.Ordinal)) return;
            Interlocked.Exchange(ref _pending, null)?.Invoke();
        }
    }
}
