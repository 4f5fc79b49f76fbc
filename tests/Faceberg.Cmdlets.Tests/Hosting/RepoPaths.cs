namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>Where the repository and the built module are, found from the test binaries' folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Faceberg.PowerShell.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Faceberg.PowerShell.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootLazy.Value;

    public static string ModuleDirectory => Path.Combine(Root, "out", "Faceberg");

    /// <summary>The built module manifest, imported by path as a user would.</summary>
    public static string ModuleManifest
    {
        get
        {
            var manifest = Path.Combine(ModuleDirectory, "Faceberg.psd1");
            if (!File.Exists(manifest))
                throw new InvalidOperationException($"{manifest} is missing; build src/Faceberg.Cmdlets first.");
            return manifest;
        }
    }
}
