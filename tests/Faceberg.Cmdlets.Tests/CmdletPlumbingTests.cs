using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>What every cmdlet shares through its invocation's session: -Token, progress, Ctrl+C, error
/// records for bad input, -PassThru and -WhatIf conventions, and argument completion.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class CmdletPlumbingTests : IDisposable
{
    private const string Config = """
        catalog:
          name: plumbing
        datasets:
          - name: sf
            repo: layouts/split-folders
        """;

    private readonly TempProject _project = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(_owned)) item.Dispose();
        _project.Dispose();
    }

    private PowerShellHost SeededShell()
    {
        _owned.Add(new SeededHub(_project.PathOf("hub")));
        var shell = new PowerShellHost(_project.Root);
        _owned.Add(shell);
        _project.Write("faceberg.yml", Config);
        shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();
        return shell;
    }

    [Fact]
    public void Every_cmdlet_but_the_local_Hub_ones_takes_Token()
    {
        using var shell = new PowerShellHost(_project.Root);
        // Stop-FacebergServer only stops servers this session started: it reaches no Hub.
        var missing = shell.Run("""
            Get-Command -Module Faceberg | Where-Object { $_.Noun -ne 'FacebergLocalHub' -and $_.Name -ne 'Stop-FacebergServer' -and -not $_.Parameters.ContainsKey('Token') } |
                ForEach-Object Name
            """).AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Token_reaches_the_Hub_for_table_cmdlets_that_had_none()
    {
        const string Secret = "hf_plumbing_secret";
        var server = LocalHubServer.Start(new LocalHubOptions { RootPath = _project.PathOf("hub"), RequiredToken = Secret });
        _owned.Add(server);
        SampleDatasets.Seed(server.Store);
        _owned.Add(new EnvironmentScope().Set("HF_ENDPOINT", server.Endpoint).Set("HF_TOKEN", null));
        using var shell = new PowerShellHost(_project.Root);
        _project.Write("faceberg.yml", Config);
        shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable -Token $args[0]", args: [Secret]).AssertSuccess();

        var denied = shell.Run("Read-FacebergTable sf_default -First 1");
        Assert.Equal(ErrorCategory.AuthenticationError, denied.SingleError().CategoryInfo.Category);

        var read = shell.Run("Read-FacebergTable sf_default -First 1 -Token $args[0]", args: [Secret]).AssertSuccess();
        Assert.Single(read.Output);
        var everything = string.Join("\n", read.Output.Concat(read.Verbose.Cast<object>()).Select(o => o?.ToString()));
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_of_20000_rows_reports_progress_on_the_pipeline()
    {
        using var shell = SeededShell();
        var result = shell.Run("""
            1..20000 | ForEach-Object { [pscustomobject]@{ id = $_; count = '1'; text = "row $_"; score = 0.5; weight = 1.5; flag = $true; label = 1 } } | Write-FacebergTable sf_default -Split train
            """).AssertSuccess();
        Assert.Equal(20000L, Assert.Single(result.Output).Prop<long>("Records"));
        var bars = result.Progress.Where(p => p.Activity == "Writing to default.sf_default").ToList();
        // Piped input this large is streamed to the writer: the bar counts the rows encoded, as their total is not known yet.
        Assert.Contains(bars, p => p.StatusDescription == "Encoding rows" && p.PercentComplete == -1
            && System.Text.RegularExpressions.Regex.IsMatch(p.CurrentOperation ?? "", @"^[1-9][0-9,]* rows$"));
        Assert.Contains(bars, p => p.StatusDescription.StartsWith("Uploading to layouts/split-folders", StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, bars[^1].RecordType);
    }

    [Fact]
    public void Write_of_20000_rows_given_with_InputObject_reports_a_percentage()
    {
        using var shell = SeededShell();
        var result = shell.Run("""
            $rows = 1..20000 | ForEach-Object { [pscustomobject]@{ id = $_; count = '1'; text = "row $_"; score = 0.5; weight = 1.5; flag = $true; label = 1 } }
            Write-FacebergTable sf_default -Split train -InputObject $rows
            """).AssertSuccess();
        Assert.Equal(20000L, Assert.Single(result.Output).Prop<long>("Records"));
        var encoding = result.Progress.Where(p => p.Activity == "Writing to default.sf_default" && p.StatusDescription == "Encoding rows").ToList();
        // The array's length is known before the streamed write starts: the bar counts towards it.
        Assert.NotEmpty(encoding);
        Assert.All(encoding, p => Assert.InRange(p.PercentComplete, 0, 100));
        Assert.Contains(encoding, p => System.Text.RegularExpressions.Regex.IsMatch(p.CurrentOperation ?? "", @"^[1-9][0-9,]* of 20,000 rows$"));
    }

    [Fact]
    public void Progress_stays_hidden_for_the_first_second_unless_the_work_is_large()
    {
        using var shell = new PowerShellHost(_project.Root);
        var result = shell.Run("""
            $script:now = [TimeSpan]::Zero
            $pump = [Faceberg.Cmdlets.Plumbing.ProgressPump]::new('Work', 1, [Func[TimeSpan]] { $script:now })
            $update = [Faceberg.Cmdlets.Plumbing.ProgressUpdate]::new('Encoding rows', 10, 100, 'rows', $false)
            $pump.Offer($update)
            $early = $pump.Take()
            $nothingShown = $pump.Complete()
            $script:now = [TimeSpan]::FromSeconds(1.5)
            $late = $pump.Take()
            $pump.Offer($update)
            $same = $pump.Take()
            $large = [Faceberg.Cmdlets.Plumbing.ProgressPump]::new('Big', 2, [Func[TimeSpan]] { [TimeSpan]::Zero })
            $large.Offer([Faceberg.Cmdlets.Plumbing.ProgressUpdate]::new('Encoding rows', 1, 20000, 'rows', $true))
            [pscustomobject]@{
                Early = $null -eq $early; NothingShown = $null -eq $nothingShown
                Late = $late.PercentComplete; Operation = $late.CurrentOperation; Same = $null -eq $same
                Large = $null -ne $large.Take(); Completed = $pump.Complete().RecordType
            }
            """).AssertSuccess();
        var facts = Assert.Single(result.Output);
        Assert.True(facts.Prop<bool>("Early"));
        Assert.True(facts.Prop<bool>("NothingShown"));
        Assert.Equal(10, facts.Prop<int>("Late"));
        Assert.Equal("10 of 100 rows", facts.Prop<string>("Operation"));
        Assert.True(facts.Prop<bool>("Same"));
        Assert.True(facts.Prop<bool>("Large"));
        Assert.Equal(ProgressRecordType.Completed, facts.Prop<ProgressRecordType>("Completed"));
    }

    [Fact]
    public void Ctrl_C_stops_a_long_write_without_an_error_record()
    {
        using var shell = SeededShell();
        var before = shell.Run("(Get-FacebergSnapshot sf_default).Count").AssertSuccess().Output.Single().BaseObject;
        using var ps = shell.CreatePipeline("""
            1..400000 | ForEach-Object { [pscustomobject]@{ id = $_; count = '1'; text = "row $_"; score = 0.5; weight = 1.5; flag = $true; label = 1 } } | Write-FacebergTable sf_default -Split train
            """);
        var progress = new ManualResetEventSlim();
        ps.Streams.Progress.DataAdded += (_, _) => progress.Set();
        var running = ps.BeginInvoke();
        // Stop once the write itself reports (its rows are collected and it is encoding).
        Assert.True(progress.Wait(TimeSpan.FromMinutes(3)), "the write never reported progress");
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Empty(ps.Streams.Error);
        Assert.Equal(before, shell.Run("(Get-FacebergSnapshot sf_default).Count").AssertSuccess().Output.Single().BaseObject);
    }

    [Fact]
    public void Update_emits_the_table_only_with_PassThru()
    {
        using var shell = SeededShell();
        Assert.Empty(shell.Run("Update-FacebergTable sf_default -Property @{ owner = 'ml' }").AssertSuccess().Output);
        var table = Assert.Single(shell.Run("Update-FacebergTable sf_default -Property @{ team = 'x' } -PassThru").AssertSuccess().Output);
        Assert.Equal("default.sf_default", table.Prop<string>("Identifier"));
    }

    [Fact]
    public void Start_FacebergLocalHub_WhatIf_starts_nothing()
    {
        using var shell = new PowerShellHost(_project.Root);
        var folder = _project.PathOf("never");
        var result = shell.Run("Start-FacebergLocalHub -Path $args[0] -WhatIf", args: [folder]).AssertSuccess();
        Assert.Empty(result.Output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Ambiguous_column_names_and_failing_filters_are_error_records()
    {
        using var shell = SeededShell();
        shell.Run("Update-FacebergTable sf_default -AddColumn 'TEXT:string'").AssertSuccess();
        var ambiguous = shell.Run("Read-FacebergTable sf_default -Property Text -First 1").SingleError();
        Assert.Equal("AmbiguousColumn,Faceberg.Cmdlets.ReadFacebergTableCommand", ambiguous.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, ambiguous.CategoryInfo.Category);
        Assert.Contains("'text'", ambiguous.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("'TEXT'", ambiguous.Exception.Message, StringComparison.Ordinal);
        // The exact-case name still reads.
        Assert.Single(shell.Run("Read-FacebergTable sf_default -Property TEXT -First 1").AssertSuccess().Output);

        var regex = shell.Run("Read-FacebergTable sf_default -Filter { $_.text -match '[' }").SingleError();
        Assert.Equal("FilterFailed,Faceberg.Cmdlets.ReadFacebergTableCommand", regex.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, regex.CategoryInfo.Category);
    }

    [Fact]
    public void Completers_offer_splits_columns_snapshots_and_repos_by_name_or_position()
    {
        using var shell = SeededShell();
        string[] Complete(string line) => shell.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText",
            args: [line]).AssertSuccess().Output.Select(o => o.ToString()).ToArray();

        Assert.Equal(["test", "train", "validation"], Complete("Read-FacebergTable sf_default -Split ").Order());
        Assert.Equal(["test", "train", "validation"], Complete("Read-FacebergTable -Name sf_default -Split ").Order());
        Assert.Equal(["train"], Complete("Write-FacebergTable sf_default -Split tr"));
        var columns = Complete("Read-FacebergTable sf_default -Property ");
        Assert.Contains("text", columns);
        Assert.Contains("split", columns);
        Assert.Equal(["text"], Complete("Read-FacebergTable -Name sf_default -Property te"));
        var snapshots = shell.Run("Get-FacebergSnapshot sf_default | ForEach-Object { [string]$_.SnapshotId }").AssertSuccess().Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(snapshots.Order(), Complete("Read-FacebergTable sf_default -SnapshotId ").Order());
        Assert.Equal(["layouts/split-folders"], Complete("New-FacebergTable -Repo lay"));
        Assert.Empty(Complete("Read-FacebergTable no_such_table -Split "));
        Assert.Empty(Complete("Read-FacebergTable sf_default -Catalog ./nowhere -Property "));
    }
}
