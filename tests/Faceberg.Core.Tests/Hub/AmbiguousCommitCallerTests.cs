using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Datasets;
using Faceberg.Core.Tests.Publishing;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Hub;

/// <summary>
/// The commands that commit to the Hub, when the Hub applies their commit but answers 503 or drops the
/// connection: each reports success with its own commit, and the data lands exactly once.
/// </summary>
public sealed class AmbiguousCommitCallerTests : IDisposable
{
    private readonly PublishHubFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private DatasetTestHub Hub => _fixture.Hub;

    private void ApplyThenFail(string repo, LocalHubFault fault) =>
        Hub.Server.InjectFault(r => r.Method == "POST" && r.Path.StartsWith($"/api/datasets/{repo}/commit/", StringComparison.Ordinal), fault);

    public static TheoryData<string> Faults => ["503", "drop"];

    private static LocalHubFault Fault(string kind) => kind == "drop" ? LocalHubFault.ApplyThenDrop() : LocalHubFault.ApplyThenFail(503);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_write_whose_commit_landed_despite_the_failure_succeeds_and_adds_its_rows_once(string fault)
    {
        var repo = SampleDatasets.SplitFolders;
        var catalog = Hub.NewCatalog();
        var created = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("sf", repo)));
        Assert.True(created.Status == DatasetTableStatus.Created, created.Error?.Message);
        var id = created.Identifier!;
        var commits = Hub.Server.Store.GetHistory(repo, "main").Count;
        var files = (await (await DatasetTestHub.LoadAsync(catalog, id)).PlanFilesAsync()).Count;
        var rows = Enumerable.Range(0, 3).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["id"] = 9000L + i, ["count"] = i, ["text"] = "t", ["score"] = 0.5, ["weight"] = 1f, ["flag"] = true, ["label"] = 0L,
            ["comment"] = null, ["tags"] = new[] { "x" }, ["meta"] = new Dictionary<string, object?> { ["source"] = "s", ["year"] = 2026 },
        }).ToList();
        ApplyThenFail(repo, Fault(fault));

        var result = await new TableWriter(Hub.Client).WriteAsync(catalog, id, "train", rows);

        Assert.Equal(commits + 1, Hub.Server.Store.GetHistory(repo, "main").Count);
        Assert.Equal(Hub.Head(repo), result.Revision);
        var table = await DatasetTestHub.LoadAsync(catalog, id);
        Assert.Equal(Hub.Head(repo), table.Metadata.Properties[TableProperties.Revision]);
        Assert.Equal(files + 1, (await table.PlanFilesAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_publish_whose_commit_landed_despite_the_failure_reports_its_own_commit(string fault)
    {
        var repo = PublishHubFixture.NewRepo();
        var context = _fixture.NewProject(repo);
        await _fixture.CreateTablesAsync(context);
        Hub.Server.InjectFault(r => r.Path == "/api/repos/create", Fault(fault));
        ApplyThenFail(repo, Fault(fault));

        var published = await new CatalogPublisher(Hub.Client).PublishAsync(context);

        Assert.Equal(Hub.Head(repo), published.CommitId);
        Assert.Equal(2, _fixture.CommitCount(repo)); // the repo's initial commit and the publish, once
        // The next publish sees its own state: nothing to upload, no conflict.
        var again = await new CatalogPublisher(Hub.Client).PublishAsync(context);
        Assert.Empty(again.Uploaded);
        Assert.Equal(published.CommitId, again.CommitId);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_table_created_on_a_hub_catalog_whose_commit_landed_despite_the_failure_is_created_once(string fault)
    {
        var repo = PublishHubFixture.NewRepo();
        var remote = CatalogLocator.FromPath($"hf://datasets/{repo}", Hub.Root);
        remote.Hub = Hub.Client;
        await remote.CreateCatalogAsync();
        var commits = _fixture.CommitCount(repo);
        ApplyThenFail(repo, Fault(fault));

        var results = await new DatasetTables(Hub.Client, remote.CreateFileIO()).CreateAsync(remote, DatasetTestHub.Dataset("split", SampleDatasets.SplitFolders));

        var created = Assert.Single(results);
        Assert.True(created.Status == DatasetTableStatus.Created, created.Error?.Message);
        Assert.Equal(commits + 1, _fixture.CommitCount(repo));
        var table = await IcebergTable.LoadAsync(remote.CreateFileIO(), created.Table!.Location);
        Assert.Equal(created.Table.SnapshotId, table.CurrentSnapshot!.SnapshotId);
    }
}
