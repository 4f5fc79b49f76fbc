using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests;

public sealed class ModuleTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Module_imports_by_path_and_exports_the_manifest_cmdlets()
    {
        using var host = new PowerShellHost(_project.Root);
        var module = host.Run("Get-Module Faceberg").AssertSuccess().Output.Single();
        var exported = module.Prop<System.Collections.IDictionary>("ExportedCmdlets")!.Keys.Cast<string>().ToList();
        Assert.Contains("New-FacebergCatalog", exported);
        Assert.Contains("Get-FacebergTable", exported);
        Assert.Equal(RepoPaths.ModuleDirectory, module.Prop<string>("ModuleBase")!.TrimEnd('/'));
    }

    [Fact]
    public void Every_cmdlet_class_in_the_assembly_is_exported()
    {
        using var host = new PowerShellHost(_project.Root);
        var result = host.Run("""
            $defined = [Faceberg.Cmdlets.FacebergCmdlet].Assembly.GetTypes() |
                ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
            $exported = (Get-Module Faceberg).ExportedCmdlets.Keys
            $defined | Where-Object { $exported -notcontains $_ }
            """).AssertSuccess();
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Manifest_passes_Test_ModuleManifest()
    {
        using var host = new PowerShellHost(_project.Root, importModule: false);
        var manifest = host.Run("Test-ModuleManifest -Path $args[0]", args: [RepoPaths.ModuleManifest]).AssertSuccess().Output.Single();
        Assert.Equal("Faceberg", manifest.Prop<string>("Name"));
        Assert.Equal(new Version(7, 4), manifest.Prop<Version>("PowerShellVersion"));
        Assert.Equal(["Core"], manifest.Prop<string[]>("CompatiblePSEditions") ?? []);
        Assert.Equal(Guid.Parse("30f3a996-6abd-4513-b262-d24995fb94c1"), manifest.Prop<Guid>("Guid"));
        Assert.False(string.IsNullOrWhiteSpace(manifest.Prop<string>("Description")));
        Assert.NotNull(manifest.Prop<Uri>("ProjectUri"));
        Assert.NotNull(manifest.Prop<Uri>("LicenseUri"));
    }

    [Fact]
    public void Module_folder_has_no_engine_assembly_and_has_format_and_help_files()
    {
        var files = Directory.GetFiles(RepoPaths.ModuleDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain("System.Management.Automation.dll", files);
        Assert.Contains("Faceberg.Cmdlets.dll", files);
        Assert.Contains("Faceberg.Core.dll", files);
        Assert.Contains("YamlDotNet.dll", files);
        Assert.Contains("Faceberg.Format.ps1xml", files);
        Assert.True(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "en-US", "Faceberg.Cmdlets.dll-Help.xml")));
    }

    [Fact]
    public void Every_exported_cmdlet_has_help_with_synopsis_description_parameters_and_an_example()
    {
        using var host = new PowerShellHost(_project.Root);
        var result = host.Run("""
            foreach ($name in (Get-Module Faceberg).ExportedCmdlets.Keys) {
                $help = Get-Help $name -Full
                $documented = @($help.parameters.parameter | ForEach-Object { $_.name })
                $declared = @((Get-Command $name).Parameters.Keys | Where-Object {
                    [System.Management.Automation.PSCmdlet]::CommonParameters -notcontains $_ -and
                    [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -notcontains $_ })
                [pscustomobject]@{
                    Name = $name
                    Synopsis = "$($help.Synopsis)".Trim()
                    Description = (@($help.description | ForEach-Object { $_.Text }) -join ' ').Trim()
                    Examples = @($help.examples.example | Where-Object { "$($_.code)".Trim() }).Count
                    Undocumented = @($declared | Where-Object { $documented -notcontains $_ }) -join ','
                }
            }
            """).AssertSuccess();
        Assert.NotEmpty(result.Output);
        foreach (var help in result.Output)
        {
            var name = help.Prop<string>("Name")!;
            Assert.False(string.IsNullOrEmpty(help.Prop<string>("Synopsis")), $"{name}: no synopsis");
            // Without a help file PowerShell shows the syntax as the synopsis.
            Assert.DoesNotContain(name + " [", help.Prop<string>("Synopsis"));
            Assert.False(string.IsNullOrEmpty(help.Prop<string>("Description")), $"{name}: no description");
            Assert.True(help.Prop<int>("Examples") >= 1, $"{name}: no example");
            Assert.True(string.IsNullOrEmpty(help.Prop<string>("Undocumented")), $"{name}: undocumented parameters {help.Prop<string>("Undocumented")}");
        }
    }
}
