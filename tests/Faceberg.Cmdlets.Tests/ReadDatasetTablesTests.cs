using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>The seed's flow end to end: tables made by New-FacebergTable and Sync-FacebergTable, read back
/// with Read-FacebergTable, by split and at each snapshot.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ReadDatasetTablesTests : IDisposable
{
    private const string Config = """
        catalog:
          name: reads
        datasets:
          - name: sf
            repo: layouts/split-folders
        """;

    private readonly TempProject _project = new();
    private readonly SeededHub _seededHub;
    private LocalHubServer Hub => _seededHub.Server;
    private readonly PowerShellHost _shell;

    public ReadDatasetTablesTests()
    {
        _seededHub = new SeededHub(_project.PathOf("hub"));
        _project.Write("faceberg.yml", Config);
        _shell = new PowerShellHost(_project.Root);
        _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();
    }

    public void Dispose()
    {
        _shell.Dispose();
        _seededHub.Dispose();
        _project.Dispose();
    }

    private static Dictionary<string, int> CountBySplit(PsResult result) =>
        result.Output.GroupBy(r => r.Prop<string>("split")!).ToDictionary(g => g.Key, g => g.Count());

    private IReadOnlyList<string> OpenedFiles() => Hub.RequestLog.Entries
        .Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal))
        .Select(e => Uri.UnescapeDataString(e.Path[(e.Path.IndexOf("/resolve/", StringComparison.Ordinal) + "/resolve/".Length)..]))
        .Select(p => p[(p.IndexOf('/') + 1)..])
        .Distinct().Order().ToList();

    [Fact]
    public void Reads_a_created_table_by_split_and_every_snapshot_after_a_sync()
    {
        var all = _shell.Run("Get-FacebergTable sf_default | Read-FacebergTable").AssertSuccess();
        Assert.Equal(new Dictionary<string, int> { ["train"] = 60, ["test"] = 10, ["validation"] = 10 }, CountBySplit(all));
        Assert.Equal(80, all.Output.Select(r => r.Prop<long>("id")).Distinct().Count());

        Hub.RequestLog.Clear();
        var test = _shell.Run("Read-FacebergTable sf_default -Split test -Property id, text").AssertSuccess();
        Assert.Equal(10, test.Output.Count);
        Assert.Equal(["data/test/0000.parquet"], OpenedFiles());

        var created = Assert.Single(_shell.Run("Get-FacebergSnapshot sf_default").AssertSuccess().Objects("Faceberg.Snapshot"));
        Assert.Equal(Hub.Store.ResolveRevision(SampleDatasets.SplitFolders, "main"), created.Prop<string>("Revision"));
        Assert.Equal(80, created.Prop<long>("TotalRecords"));

        Thread.Sleep(5);
        new HubDatasetBuilder(Hub.Store, SampleDatasets.SplitFolders).Parquet("data/test/0000.parquet", 12).Commit("Replace test");
        _shell.Run("Sync-FacebergTable sf_default").AssertSuccess();

        var history = _shell.Run("Get-FacebergSnapshot sf_default").AssertSuccess().Objects("Faceberg.Snapshot");
        Assert.Equal(2, history.Count);
        Assert.True(history[1].Prop<bool>("IsCurrent"));
        Assert.Equal(Hub.Store.ResolveRevision(SampleDatasets.SplitFolders, "main"), history[1].Prop<string>("Revision"));

        Assert.Equal(12, _shell.Run("Read-FacebergTable sf_default -Split test").AssertSuccess().Output.Count);
        var byId = _shell.Run("Read-FacebergTable sf_default -Split test -SnapshotId $args[0]", args: [created.Prop<long>("SnapshotId")]).AssertSuccess();
        Assert.Equal(10, byId.Output.Count);
        var byTime = _shell.Run("Read-FacebergTable sf_default -Split test -AsOf $args[0]", args: [created.Prop<DateTimeOffset>("Timestamp").LocalDateTime]).AssertSuccess();
        Assert.Equal(10, byTime.Output.Count);
    }
}
