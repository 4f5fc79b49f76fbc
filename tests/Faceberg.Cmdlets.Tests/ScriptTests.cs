using System.Management.Automation.Language;
using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests;

/// <summary>Every PowerShell script of the repository (build.ps1, Pester specs, examples) parses.
/// What they do is specified by the Pester specs, which run them in pwsh (tests/pester).</summary>
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "examples", "tests/pester" })
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
