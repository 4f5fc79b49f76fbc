using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>Write-FacebergTable and Update-FacebergTable in a hosted engine against a local Hub (HF_ENDPOINT),
/// read back with Read-FacebergTable.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class WriteFacebergTableTests : IDisposable
{
    private const string Config = """
        catalog:
          name: writes
        datasets:
          - name: sf
            repo: layouts/split-folders
          - name: rc
            repo: layouts/readme-configs
            configs: [default]
        """;

    private const string Repo = SampleDatasets.SplitFolders;

    /// <summary>One row of the sample columns as a PowerShell custom object.</summary>
    private const string SampleRow = """
        [pscustomobject]@{ id = 1000; count = '7'; text = 'written'; score = 0.5; weight = 1.5; flag = $true; label = 2
                           comment = $null; tags = @('a', 'b'); meta = [pscustomobject]@{ source = 'ps'; year = 2026 } }
        """;

    private readonly TempProject _project = new();
    private readonly SeededHub _seededHub;
    private LocalHubServer Hub => _seededHub.Server;
    private readonly PowerShellHost _shell;

    public WriteFacebergTableTests()
    {
        _seededHub = new SeededHub(_project.PathOf("hub"));
        _shell = new PowerShellHost(_project.Root);
        _project.Write("faceberg.yml", Config);
        _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();
    }

    public void Dispose()
    {
        _shell.Dispose();
        _seededHub.Dispose();
        _project.Dispose();
    }

    private string Head => Hub.Store.ResolveRevision(Repo, "main");

    private int HubCommits() => Hub.RequestLog.Entries.Count(e => e.Method == "POST" && e.Path.Contains("/commit/", StringComparison.Ordinal));

    [Fact]
    public void Written_rows_read_back_with_exact_values_for_every_supported_type()
    {
        var table = Assert.Single(_shell.Run(
            "Update-FacebergTable sf_default -PassThru -AddColumn 'price:decimal(9,2)', 'day:date', 'at:timestamp', 'atz:timestamptz', 'uid:uuid', 'blob:binary'")
            .AssertSuccess().Objects("Faceberg.Table"));
        Assert.Equal("default.sf_default", table.Prop<string>("Identifier"));

        var result = Assert.Single(_shell.Run("""
            $row = [pscustomobject]@{ id = 1000; count = '7'; text = 'written'; score = 0.5; weight = 1.5; flag = $true; label = 2
                comment = $null; tags = @('a', $null); meta = @{ source = 'ps'; year = 2026 }
                price = '19.99'; day = [datetime]'2024-02-29'; at = [datetime]'2024-02-29T13:14:15.123456'
                atz = [datetimeoffset]'2024-02-29T13:14:15+02:00'; uid = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'; blob = [byte[]](0, 1, 255) }
            $row | Write-FacebergTable sf_default -Split validation
            """).AssertSuccess().Objects("Faceberg.WriteResult"));
        Assert.Equal(Head, result.Prop<string>("Revision"));
        Assert.Equal(1, result.Prop<long>("Records"));
        Assert.Matches(@"^data/validation/validation-00000-of-00001-[0-9a-f]{12}\.parquet$", Assert.Single(result.Prop<string[]>("Files")!));

        var row = Assert.Single(_shell.Run("Read-FacebergTable sf_default -Split validation -Filter { $_.id -eq 1000 }").AssertSuccess().Output);
        Assert.Equal(1000L, row.Prop<object>("id"));
        Assert.Equal(7, row.Prop<object>("count"));
        Assert.Equal("written", row.Prop<object>("text"));
        Assert.Equal(0.5, row.Prop<object>("score"));
        Assert.Equal(1.5f, row.Prop<object>("weight"));
        Assert.Equal(true, row.Prop<object>("flag"));
        Assert.Equal(2L, row.Prop<object>("label"));
        Assert.Null(row.Prop<object>("comment"));
        Assert.Equal(new object?[] { "a", null }, row.Prop<object[]>("tags"));
        Assert.Equal(19.99m, row.Prop<object>("price"));
        Assert.Equal(new DateTime(2024, 2, 29), row.Prop<object>("day"));
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15).AddTicks(1234560), row.Prop<object>("at"));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 11, 14, 15, TimeSpan.Zero), row.Prop<object>("atz"));
        Assert.Equal(Guid.Parse("6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"), row.Prop<object>("uid"));
        Assert.Equal(new byte[] { 0, 1, 255 }, row.Prop<object>("blob"));
        Assert.Equal("validation", row.Prop<string>("split"));
        var meta = row.Prop<System.Collections.IDictionary>("meta")!;
        Assert.Equal(("ps", 2026), (meta["source"], meta["year"]));
    }

    [Fact]
    public void Write_then_sync_finds_nothing_new_and_the_rows_are_read()
    {
        var before = Head;
        Hub.RequestLog.Clear();
        var result = Assert.Single(_shell.Run($"{SampleRow} | Write-FacebergTable sf_default -Split test").AssertSuccess().Objects("Faceberg.WriteResult"));

        Assert.Equal(1, HubCommits());
        Assert.Equal(before, result.Prop<string>("ParentRevision"));
        var sync = Assert.Single(_shell.Run("Sync-FacebergTable sf_default").AssertSuccess().Objects("Faceberg.SyncResult"));
        Assert.Equal("UpToDate", sync.Prop<string>("Status"));
        var table = Assert.Single(_shell.Run("Get-FacebergTable sf_default").AssertSuccess().Output);
        Assert.Equal(Head, table.Prop<string>("Revision"));
        Assert.Equal(result.Prop<long>("SnapshotId"), table.Prop<long>("SnapshotId"));
        Assert.Equal(81, table.Prop<long>("RecordCount"));
        Assert.Equal(11, _shell.Run("Read-FacebergTable sf_default -Split test").AssertSuccess().Output.Count);

        // Another commit on the dataset, then a sync, still reads the written rows.
        new HubDatasetBuilder(Hub.Store, Repo).Parquet("data/train/0002.parquet", 5).Commit("More train");
        Assert.Equal("Updated", _shell.Run("Sync-FacebergTable sf_default").AssertSuccess().Output[0].Prop<string>("Status"));
        Assert.Single(_shell.Run("Read-FacebergTable sf_default -Filter { $_.id -eq 1000 }").AssertSuccess().Output);
    }

    [Fact]
    public void Time_travel_reads_the_table_as_it_was_before_a_write_and_after_a_sync()
    {
        var created = _shell.Run("Get-FacebergSnapshot sf_default").AssertSuccess().Objects("Faceberg.Snapshot").Single(s => s.Prop<bool>("IsCurrent"));
        var createdId = created.Prop<long>("SnapshotId");
        var createdAt = created.Prop<DateTimeOffset>("Timestamp");
        Thread.Sleep(20); // the write's snapshot gets a later millisecond timestamp than the first one
        var written = Assert.Single(_shell.Run($"{SampleRow} | Write-FacebergTable sf_default -Split test").AssertSuccess().Objects("Faceberg.WriteResult"));
        new HubDatasetBuilder(Hub.Store, Repo).Parquet("data/train/0002.parquet", 5).Commit("More train");
        var synced = _shell.Run("Sync-FacebergTable sf_default").AssertSuccess().Output[0];
        Assert.Equal("Updated", synced.Prop<string>("Status"));

        long Count(string script, params object[] args) => _shell.Run(script, args: args).AssertSuccess().Output.Count;
        Assert.Equal(10, Count("Read-FacebergTable sf_default -Split test -SnapshotId $args[0]", createdId));
        Assert.Equal(10, Count("Read-FacebergTable sf_default -Split test -AsOf $args[0]", createdAt.LocalDateTime));
        Assert.Equal(11, Count("Read-FacebergTable sf_default -Split test -SnapshotId $args[0]", written.Prop<long>("SnapshotId")));
        Assert.Equal(0, Count("Read-FacebergTable sf_default -SnapshotId $args[0] -Filter { $_.id -eq 1000 } -Split train", written.Prop<long>("SnapshotId")));
        var trainBefore = Count("Read-FacebergTable sf_default -Split train -SnapshotId $args[0]", written.Prop<long>("SnapshotId"));
        Assert.Equal(trainBefore + 5, Count("Read-FacebergTable sf_default -Split train -SnapshotId $args[0]", synced.Prop<long>("SnapshotId")));
        Assert.Equal(trainBefore + 5, Count("Read-FacebergTable sf_default -Split train"));
        var history = _shell.Run("Get-FacebergSnapshot sf_default").AssertSuccess().Objects("Faceberg.Snapshot").Select(s => s.Prop<long>("SnapshotId")).ToList();
        Assert.Equal([createdId, written.Prop<long>("SnapshotId"), synced.Prop<long>("SnapshotId")], history);
    }

    [Fact]
    public void Hashtables_and_DataTables_are_rows_too()
    {
        var result = _shell.Run("""
            $t = [System.Data.DataTable]::new()
            foreach ($c in 'id', 'count', 'score', 'weight', 'flag', 'label', 'text', 'comment') { [void]$t.Columns.Add($c) }
            [void]$t.Rows.Add(2001, 1, 0.5, 1, 'true', 0, 'from a DataTable', [DBNull]::Value)
            [void]$t.Rows.Add(2002, 2, 1.5, 2, 'false', 1, 'second', 'c')
            @{ id = 2003; count = 3; score = 2.5; weight = 3; flag = $true; label = 2; text = 'from a hashtable' }, $t | Write-FacebergTable sf_default -Split train
            """).AssertSuccess();
        Assert.Equal(3, Assert.Single(result.Objects("Faceberg.WriteResult")).Prop<long>("Records"));
        var rows = _shell.Run("Read-FacebergTable sf_default -Split train -Filter { $_.id -gt 2000 }").AssertSuccess().Output;
        Assert.Equal(["from a DataTable", "second", "from a hashtable"], rows.OrderBy(r => r.Prop<long>("id")).Select(r => r.Prop<string>("text")));
    }

    [Fact]
    public void WhatIf_lists_the_files_and_writes_nothing()
    {
        var before = Head;
        var result = _shell.Run($"{SampleRow} | Write-FacebergTable sf_default -Split test -WhatIf").AssertSuccess();

        var plan = Assert.Single(result.Objects("Faceberg.WriteResult"));
        Assert.True(plan.Prop<bool>("WhatIf"));
        Assert.Null(plan.Prop<string>("Revision"));
        Assert.Matches(@"^data/test/test-00000-of-00001-[0-9a-f]{12}\.parquet$", Assert.Single(plan.Prop<string[]>("Files")!));
        Assert.Equal(before, Head);
        Assert.Equal(80, Assert.Single(_shell.Run("Get-FacebergTable sf_default").AssertSuccess().Output).Prop<long>("RecordCount"));
    }

    [Fact]
    public void A_bad_row_is_a_terminating_error_naming_row_and_column_and_nothing_is_written()
    {
        var before = Head;
        Hub.RequestLog.Clear();
        var result = _shell.Run($"@({SampleRow}, @{{ id = 'x'; text = 'bad' }}) | Write-FacebergTable sf_default -Split test");

        var error = result.SingleError();
        Assert.Equal("WriteRowInvalid,Faceberg.Cmdlets.WriteFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("row 1, column 'id'", error.Exception.Message);
        Assert.Empty(result.Objects("Faceberg.WriteResult"));
        Assert.Equal(before, Head);
        Assert.Equal(0, HubCommits());
    }

    [Fact]
    public void Readme_globs_that_would_not_match_refuse_the_write()
    {
        var result = _shell.Run($"{SampleRow} | Write-FacebergTable rc_default -Split validation");
        var error = result.SingleError();
        Assert.Equal("WriteLayoutMismatch,Faceberg.Cmdlets.WriteFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Contains("no data_files for split 'validation'", error.Exception.Message);
    }

    [Fact]
    public void A_moved_branch_asks_for_a_sync_first()
    {
        new HubDatasetBuilder(Hub.Store, Repo).Text("notes.md", "x").Commit("Moved");
        var error = _shell.Run($"{SampleRow} | Write-FacebergTable sf_default -Split test").SingleError();
        Assert.Equal("WriteBranchMoved,Faceberg.Cmdlets.WriteFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Contains("Sync-FacebergTable", error.Exception.Message);
    }

    [Fact]
    public void Renamed_and_dropped_columns_read_old_and_new_files()
    {
        _shell.Run("Update-FacebergTable sf_default -RenameColumn text=body -DropColumn weight").AssertSuccess();
        _shell.Run("@{ id = 3000; count = 1; score = 1.0; flag = $false; label = 0; body = 'new file' } | Write-FacebergTable sf_default -Split train").AssertSuccess();

        var rows = _shell.Run("Read-FacebergTable sf_default -Split train").AssertSuccess().Output;
        Assert.Null(rows[0].Properties["weight"]);
        Assert.Equal("row 0", rows.Single(r => r.Prop<long>("id") == 0).Prop<string>("body"));
        Assert.Equal("new file", rows.Single(r => r.Prop<long>("id") == 3000).Prop<string>("body"));
    }

    [Fact]
    public void Piped_custom_objects_are_read_whole_whatever_their_shape_type_names_or_added_members()
    {
        // Custom objects are read from their own members: every property of every object counts, as through .Properties.
        var extra = _shell.Run("""
            [pscustomobject]@{ id = 1; count = 1; score = 1.0; weight = 1.5; flag = $false; label = 0; text = 'a' },
            [pscustomobject]@{ id = 2; count = 1; score = 1.0; weight = 1.5; flag = $false; label = 0; text = 'b'; lang = 'x' } | Write-FacebergTable sf_default -Split train
            """).SingleError();
        Assert.Contains("row 1, column 'lang': the table has no such column", extra.Exception.Message);

        _shell.Run("""
            $scripted = [pscustomobject]@{ id = 4001; count = 1; score = 1.0; flag = $false; label = 0; weight = 1.5 }
            $scripted.PSObject.Properties.Add([psscriptproperty]::new('text', { 'from script' }))
            $typed = [pscustomobject]@{ id = 4002; count = 1; score = 1.0; weight = 1.5; flag = $false; label = 0; text = 'typed' }
            $typed.PSObject.TypeNames.Insert(0, 'Faceberg.Test.Row')
            [pscustomobject]@{ id = 4000; count = 1; score = 0.25; weight = 1.5; flag = $true; label = 0; text = 'plain'; comment = 'c' }, $scripted, $typed,
                [pscustomobject]@{ text = 'reordered'; label = 1; flag = $false; score = 1.0; weight = 1.5; count = 2; id = 4003 } |
                Write-FacebergTable sf_default -Split train
            """).AssertSuccess();
        var rows = _shell.Run("Read-FacebergTable sf_default -Split train").AssertSuccess().Output
            .Where(r => r.Prop<long>("id") >= 4000).OrderBy(r => r.Prop<long>("id")).ToList();
        Assert.Equal(["plain", "from script", "typed", "reordered"], rows.Select(r => r.Prop<string>("text")));
        Assert.Equal(0.25, rows[0].Prop<double>("score"));
        Assert.Equal("c", rows[0].Prop<string>("comment"));
        Assert.Null(rows[1].Properties["comment"].Value);
        Assert.Equal(2, rows[3].Prop<int>("count"));
    }

    [Fact]
    public void Update_WhatIf_changes_nothing_properties_set_and_remove_and_bad_specs_are_errors()
    {
        Assert.Empty(_shell.Run("Update-FacebergTable sf_default -AddColumn lang:string -WhatIf").AssertSuccess().Output);
        Assert.Empty(_shell.Run("Update-FacebergTable sf_default -Property @{ owner = 'ml' }").AssertSuccess().Output);
        var error = _shell.Run("@{ id = 1; lang = 'x' } | Write-FacebergTable sf_default -Split train").SingleError();
        Assert.Contains("column 'lang': the table has no such column", error.Exception.Message);

        Assert.Equal("UpdateInvalidColumnSpec,Faceberg.Cmdlets.UpdateFacebergTableCommand",
            _shell.Run("Update-FacebergTable sf_default -AddColumn 'lang:text'").SingleError().FullyQualifiedErrorId);
        Assert.Equal("UpdateInvalidRenameSpec,Faceberg.Cmdlets.UpdateFacebergTableCommand",
            _shell.Run("Update-FacebergTable sf_default -RenameColumn text").SingleError().FullyQualifiedErrorId);
        Assert.Equal("ColumnIsPartitionSource,Faceberg.Cmdlets.UpdateFacebergTableCommand",
            _shell.Run("Update-FacebergTable sf_default -DropColumn split").SingleError().FullyQualifiedErrorId);
        Assert.Equal("UpdateNothingToDo,Faceberg.Cmdlets.UpdateFacebergTableCommand",
            _shell.Run("Update-FacebergTable sf_default").SingleError().FullyQualifiedErrorId);
        var piped = Assert.Single(_shell.Run("Get-FacebergTable sf_default | Update-FacebergTable -Property @{ owner = $null } -PassThru").AssertSuccess().Objects("Faceberg.Table"));
        Assert.Equal("default.sf_default", piped.Prop<string>("Identifier"));
    }

    [Fact]
    public void Table_names_complete_with_tab()
    {
        var completions = _shell.Run("(TabExpansion2 -inputScript 'Write-FacebergTable sf_' -cursorColumn 23).CompletionMatches | ForEach-Object { $_.CompletionText }")
            .AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.Contains("sf_default", completions);
        var update = _shell.Run("(TabExpansion2 -inputScript 'Update-FacebergTable rc' -cursorColumn 23).CompletionMatches | ForEach-Object { $_.CompletionText }")
            .AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.Contains("rc_default", update);
    }
}
