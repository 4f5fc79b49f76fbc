using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>New-FacebergTable and Sync-FacebergTable in a hosted engine against a local Hub seeded with
/// every layout of <see cref="SampleDatasets"/>; HF_ENDPOINT points the module at it.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DatasetCmdletTests : IDisposable
{
    private const string Config = """
        catalog:
          name: layouts
        datasets:
          - name: cf
            repo: layouts/config-folders
          - name: sf
            repo: layouts/split-folders
          - name: sp
            repo: layouts/split-prefixes
          - name: flat
            repo: layouts/flat
          - name: rc
            repo: layouts/readme-configs
          - name: csv
            repo: layouts/csv-converted
        """;

    /// <summary>Every table of <see cref="Config"/> and its record count at the seeded heads.</summary>
    private static readonly Dictionary<string, long> SeededTables = new()
    {
        ["default.cf_config1"] = 35, ["default.cf_config2"] = 20, ["default.csv_default"] = 50, ["default.flat_default"] = 30,
        ["default.rc_default"] = 45, ["default.rc_extra"] = 14, ["default.sf_default"] = 80, ["default.sp_default"] = 60,
    };

    private readonly TempProject _project = new();
    private readonly SeededHub _seededHub;
    private LocalHubServer Hub => _seededHub.Server;
    private readonly PowerShellHost _shell;

    public DatasetCmdletTests()
    {
        _seededHub = new SeededHub(_project.PathOf("hub"));
        _shell = new PowerShellHost(_project.Root);
    }

    public void Dispose()
    {
        _shell.Dispose();
        _seededHub.Dispose();
        _project.Dispose();
    }

    private static Dictionary<string, PSObject> ByIdentifier(IEnumerable<PSObject> tables) =>
        tables.ToDictionary(t => t.Prop<string>("Identifier")!);

    [Fact]
    public void Seed_flow_creates_lists_and_syncs_a_table_per_config_of_every_layout()
    {
        _project.Write("faceberg.yml", Config);

        var created = _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();

        var tables = ByIdentifier(created.Objects("Faceberg.Table"));
        Assert.Equal(SeededTables.Keys.Order(), tables.Keys.Order());
        foreach (var (id, records) in SeededTables)
            Assert.Equal(records, tables[id].Prop<long>("RecordCount"));
        Assert.Equal("layouts", tables["default.flat_default"].Prop<PSObject>("Catalog")!.Prop<string>("Name"));

        var listed = ByIdentifier(_shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table"));
        Assert.Equal(SeededTables.Keys.Order(), listed.Keys.Order());
        var flat = listed["default.flat_default"];
        Assert.Equal(Hub.Store.ResolveRevision(SampleDatasets.FlatData, "main"), flat.Prop<string>("Revision"));
        Assert.Equal("layouts/flat", flat.Prop<string>("Repo"));
        Assert.Equal((30L, 2L), (flat.Prop<long>("RecordCount"), flat.Prop<long>("FileCount")));
        Assert.Equal(tables["default.flat_default"].Prop<long>("SnapshotId"), flat.Prop<long>("SnapshotId"));
        Assert.Equal($"hf://datasets/layouts/flat@{flat.Prop<string>("Revision")}", flat.Prop<string>("DataLocation"));
        Assert.Equal("identity(split)", flat.Prop<string>("Partitioning"));
        var columns = flat.Prop<Faceberg.Core.Catalog.TableColumn[]>("Columns")!;
        Assert.Equal(("split", "string", false), (columns[^1].Name, columns[^1].Type, columns[^1].Required));
        Assert.Equal(
            Hub.Store.GetFiles(SampleDatasets.FlatData, flat.Prop<string>("Revision")!).Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).Sum(f => f.Size),
            flat.Prop<long>("TotalBytes"));

        new HubDatasetBuilder(Hub.Store, SampleDatasets.SplitFolders).Parquet("data/test/0000.parquet", 12).Commit("Replace test");
        new HubDatasetBuilder(Hub.Store, SampleDatasets.FlatData).Parquet("data/part-2.parquet", 5).Commit("Add part 2");

        var synced = _shell.Run("Get-FacebergTable | Sync-FacebergTable").AssertSuccess().Objects("Faceberg.SyncResult")
            .ToDictionary(r => r.Prop<string>("Table")!);

        Assert.Equal(SeededTables.Keys.Order(), synced.Keys.Order());
        Assert.Equal(("Updated", 0, 0, 1), Counts(synced["default.sf_default"]));
        Assert.Equal(("Updated", 1, 0, 0), Counts(synced["default.flat_default"]));
        Assert.All(synced.Where(r => r.Key is not ("default.sf_default" or "default.flat_default")),
            r => Assert.Equal(("UpToDate", 0, 0, 0), Counts(r.Value)));
        Assert.Equal(Hub.Store.ResolveRevision(SampleDatasets.FlatData, "main"), synced["default.flat_default"].Prop<string>("ToRevision"));

        var after = ByIdentifier(_shell.Run("Get-FacebergTable sf_default, flat_default").AssertSuccess().Objects("Faceberg.Table"));
        Assert.Equal(82, after["default.sf_default"].Prop<long>("RecordCount"));
        Assert.Equal((35L, 3L), (after["default.flat_default"].Prop<long>("RecordCount"), after["default.flat_default"].Prop<long>("FileCount")));
        Assert.Equal(synced["default.flat_default"].Prop<long>("SnapshotId"), after["default.flat_default"].Prop<long>("SnapshotId"));
    }

    private static (string?, int, int, int) Counts(PSObject result) =>
        (result.Prop<string>("Status"), result.Prop<int>("Added"), result.Prop<int>("Removed"), result.Prop<int>("Replaced"));

    [Fact]
    public void WhatIf_creates_nothing_and_sync_WhatIf_reports_without_writing()
    {
        _project.Write("faceberg.yml", Config);
        _shell.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess();

        var preview = _shell.Run("New-FacebergTable -WhatIf").AssertSuccess();
        Assert.Empty(preview.Output);
        Assert.Empty(_shell.Run("Get-FacebergTable").AssertSuccess().Output);

        Assert.Single(_shell.Run("New-FacebergTable flat").AssertSuccess().Objects("Faceberg.Table"));
        var pinned = Hub.Store.ResolveRevision(SampleDatasets.FlatData, "main");
        new HubDatasetBuilder(Hub.Store, SampleDatasets.FlatData).Parquet("data/part-2.parquet", 5).Commit("Add part 2");

        var result = Assert.Single(_shell.Run("Sync-FacebergTable -WhatIf").AssertSuccess().Objects("Faceberg.SyncResult"));

        Assert.Equal(("WouldUpdate", 1, 0, 0), Counts(result));
        var table = Assert.Single(_shell.Run("Get-FacebergTable").AssertSuccess().Output);
        Assert.Equal(pinned, table.Prop<string>("Revision"));
        Assert.Equal(2, table.Prop<long>("FileCount"));
    }

    [Fact]
    public void Names_select_datasets_or_tables_and_unknown_names_are_errors()
    {
        _project.Write("faceberg.yml", Config);
        _shell.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess();

        var result = _shell.Run("New-FacebergTable rc_extra, sp, nosuch");

        Assert.Equal(["default.rc_extra", "default.sp_default"], result.Objects("Faceberg.Table").Select(t => t.Prop<string>("Identifier")).Order());
        var error = result.SingleError();
        Assert.Equal("DatasetNotFound,Faceberg.Cmdlets.NewFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal("nosuch", error.TargetObject);
    }

    [Fact]
    public void A_missing_repo_is_a_non_terminating_error_and_the_other_datasets_are_created()
    {
        _project.Write("faceberg.yml", """
            catalog:
              name: broken
            datasets:
              - name: gone
                repo: nobody/missing
              - name: flat
                repo: layouts/flat
            """);

        var result = _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable");

        Assert.Equal("default.flat_default", Assert.Single(result.Objects("Faceberg.Table")).Prop<string>("Identifier"));
        var error = result.SingleError();
        Assert.Equal("HubRepositoryNotFound,Faceberg.Cmdlets.NewFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("gone", error.TargetObject);
    }

    [Fact]
    public void Repo_adds_the_dataset_to_faceberg_yml_and_creates_its_tables()
    {
        _project.Write("faceberg.yml", "# my catalog\ncatalog:\n  name: mine\ndatasets:\n  - name: flat\n    repo: layouts/flat\n");
        _shell.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess();

        var result = _shell.Run("New-FacebergTable -Repo layouts/readme-configs -Config extra -DatasetName readme").AssertSuccess();

        var table = Assert.Single(result.Objects("Faceberg.Table"));
        Assert.Equal("default.readme_extra", table.Prop<string>("Identifier"));
        Assert.Equal(14, table.Prop<long>("RecordCount"));
        var yaml = _project.Read("faceberg.yml");
        Assert.StartsWith("# my catalog\n", yaml);
        Assert.Contains("  - name: readme\n    repo: layouts/readme-configs\n    configs: [extra]\n", yaml);
        Assert.Equal(["default.readme_extra"], _shell.Run("Get-FacebergTable").AssertSuccess().Output.Select(t => t.Prop<string>("Identifier")));
    }

    public sealed class StringIdRow
    {
        [System.Text.Json.Serialization.JsonPropertyName("id")] public string? Id { get; set; }
    }

    [Fact]
    public void An_incompatible_commit_fails_the_sync_with_an_error_record_and_leaves_the_table()
    {
        _project.Write("faceberg.yml", Config);
        _shell.Run("New-FacebergCatalog ./faceberg.yml; New-FacebergTable flat").AssertSuccess();
        var pinned = Hub.Store.ResolveRevision(SampleDatasets.FlatData, "main");
        new HubDatasetBuilder(Hub.Store, SampleDatasets.FlatData)
            .File("data/part-2.parquet", Faceberg.LocalHub.Samples.ParquetSamples.Write(new[] { new StringIdRow { Id = "x" } }))
            .Commit("A file whose id is a string");

        var result = _shell.Run("Get-FacebergTable | Sync-FacebergTable");

        var sync = Assert.Single(result.Objects("Faceberg.SyncResult"));
        Assert.Equal("Failed", sync.Prop<string>("Status"));
        var error = result.SingleError();
        Assert.Equal("IncompatibleSchemaChange,Faceberg.Cmdlets.SyncFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("data/part-2.parquet", error.Exception.Message);
        var table = Assert.Single(_shell.Run("Get-FacebergTable").AssertSuccess().Output);
        Assert.Equal((pinned, 2L), (table.Prop<string>("Revision"), table.Prop<long>("FileCount")));
    }

    [Fact]
    public void Sync_reports_an_unknown_table_and_completes_table_names()
    {
        _project.Write("faceberg.yml", Config);
        _shell.Run("New-FacebergCatalog ./faceberg.yml; New-FacebergTable flat, sp").AssertSuccess();

        var error = _shell.Run("Sync-FacebergTable nosuch").SingleError();
        Assert.Equal("TableNotFound,Faceberg.Cmdlets.SyncFacebergTableCommand", error.FullyQualifiedErrorId);

        var completions = _shell.Run("""
            $line = 'Sync-FacebergTable fl'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText
            """).AssertSuccess().Output.Select(o => o.BaseObject as string).ToList();
        Assert.Equal(["flat_default"], completions);
    }
}
