using System.Management.Automation.Language;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.Shell;

namespace Faceberg.Cmdlets.Tests;

/// <summary>The repository's PowerShell scripts: the quickstart runs through Faceberg.Shell as the
/// README says, and every script (build.ps1, Pester specs, examples) at least parses. The quickstart
/// points HF_ENDPOINT at its local Hub while it runs, hence the environment collection.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ScriptTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Quickstart_runs_in_Faceberg_Shell()
    {
        var work = _project.PathOf("work");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = ShellRunner.Run(Path.Combine(RepoPaths.Root, "examples", "quickstart.ps1"), ["-WorkDirectory", work],
            output, error, _project.Root, RepoPaths.ModuleManifest);

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        Assert.Equal("", error.ToString());
        Assert.True(File.Exists(Path.Combine(work, ".faceberg", "catalog.json")));
        Assert.Matches(@"(?m)^faceberg_demo\s+0\s+" + System.Text.RegularExpressions.Regex.Escape(Path.Combine(work, ".faceberg")), output.ToString());
        // Tables for every config of the sample datasets, then a sync after the pushed iris commit.
        Assert.Matches(@"(?m)^default\.iris_default\s+demo/iris\s+\w{8}\s+150\s+2\s", output.ToString());
        Assert.Matches(@"(?m)^default\.translations_en-fr\s+demo/translations\s", output.ToString());
        Assert.Matches(@"(?m)^default\.iris_default\s+Updated\s+\w{8}\s+\w{8}\s+1\s+0\s+0\s", output.ToString());
        Assert.Matches(@"(?m)^default\.movie_reviews_default\s+UpToDate\s", output.ToString());
        Assert.Matches(@"(?m)^default\.iris_default\s+demo/iris\s+\w{8}\s+200\s+3\s", output.ToString());
        Assert.Matches(@"(?m)^text\s+label$", output.ToString());
        Assert.Matches(@"(?m)^Review 10000: .*\s+0$", output.ToString());
        Assert.Matches(@"(?m)^\s+\d+\s+\S+ \S+Z\s+append\s+\w{8}\s+1\s+200 \*$", output.ToString());
    }

    [Fact]
    public void Shell_exit_code_reflects_errors()
    {
        var failing = _project.Write("fail.ps1", "Get-FacebergTable -Catalog ./nowhere\n'after'");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = ShellRunner.Run(failing, [], output, error, _project.Root, RepoPaths.ModuleManifest);

        Assert.Equal(1, exitCode);
        Assert.Contains("is not a Faceberg catalog", error.ToString());
        Assert.Contains("after", output.ToString());
        Assert.Equal(3, ShellRunner.Run(_project.Write("exit.ps1", "exit 3"), [], output, error, _project.Root, RepoPaths.ModuleManifest));
    }

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "examples", "tests/pester", "tools/Faceberg.Shell" })
            foreach (var script in Directory.GetFiles(Path.Combine(RepoPaths.Root, folder), "*.ps1"))
                data.Add(Path.GetRelativePath(RepoPaths.Root, script));
        data.Add("build.ps1");
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string relativePath)
    {
        Parser.ParseFile(Path.Combine(RepoPaths.Root, relativePath), out _, out var errors);
        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}"));
    }
}
