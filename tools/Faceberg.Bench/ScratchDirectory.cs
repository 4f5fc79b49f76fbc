namespace Faceberg.Bench;

/// <summary>A fresh folder under the system temp folder for one benchmark run, removed when disposed.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "faceberg-bench", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        // A benchmark's result matters more than its leftovers: a file still held open is left behind.
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
