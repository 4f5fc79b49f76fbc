namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>A throw-away project folder for one test; deleted on dispose.</summary>
public sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Root = Path.Combine(Path.GetTempPath(), "faceberg-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Writes a file (creating folders) and returns its absolute path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    public bool Exists(string relativePath) => File.Exists(PathOf(relativePath)) || Directory.Exists(PathOf(relativePath));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
