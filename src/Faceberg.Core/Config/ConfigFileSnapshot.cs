namespace Faceberg.Core.Config;

/// <summary>
/// The bytes of a faceberg.yml before an edit that must not outlive a failed operation (New-FacebergTable -Repo
/// adds a dataset only together with its tables), to put back exactly.
/// </summary>
public sealed class ConfigFileSnapshot
{
    private readonly byte[] _bytes;

    private ConfigFileSnapshot(string path, byte[] bytes)
    {
        Path = path;
        _bytes = bytes;
    }

    public string Path { get; }

    /// <summary>Null when there is no file to keep.</summary>
    public static ConfigFileSnapshot? Take(string? path) =>
        path is not null && File.Exists(path) ? new ConfigFileSnapshot(path, File.ReadAllBytes(path)) : null;

    /// <summary>Writes the kept bytes back (atomically) unless the file still holds them.</summary>
    public void Restore()
    {
        if (File.Exists(Path) && File.ReadAllBytes(Path).AsSpan().SequenceEqual(_bytes)) return;
        AtomicFile.WriteAllBytes(Path, _bytes);
    }
}
