namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Routes each path to the IO registered for its URI scheme; file:// URIs and plain paths go to the
/// local IO. The hf:// IO is registered by whoever owns the Hub client. A mapped URI prefix wins over
/// its scheme: a catalog's working copy serves hf://datasets/&lt;catalog-repo&gt;/… from local files.
/// </summary>
public sealed class FileIORouter : IFileIO
{
    private readonly Dictionary<string, IFileIO> _byScheme = new(StringComparer.OrdinalIgnoreCase);
    private readonly IFileIO _local;
    private readonly List<(string Prefix, IFileIO Io)> _byPrefix = new();

    public FileIORouter(IFileIO? local = null) => _local = local ?? new LocalFileIO();

    public FileIORouter Register(string scheme, IFileIO io)
    {
        _byScheme[scheme] = io;
        return this;
    }

    /// <summary>Serves every path that starts with <paramref name="prefix"/> (a folder: '/' is appended) from
    /// <paramref name="io"/>; the longest mapped prefix wins.</summary>
    public FileIORouter Map(string prefix, IFileIO io)
    {
        var folder = prefix.TrimEnd('/') + "/";
        _byPrefix.RemoveAll(p => p.Prefix == folder);
        _byPrefix.Add((folder, io));
        _byPrefix.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        return this;
    }

    /// <summary>The IO that serves <paramref name="path"/>.</summary>
    public IFileIO Resolve(string path)
    {
        foreach (var (prefix, io) in _byPrefix)
        {
            // The folder itself ("…/t" for a listing of "…/t/") belongs to the mapping too.
            if (path.StartsWith(prefix, StringComparison.Ordinal) || path == prefix[..^1]) return io;
        }
        var colon = path.IndexOf(':');
        // One-letter "schemes" are Windows drive letters, i.e. local paths.
        if (colon > 1 && path.AsSpan(0, colon).IndexOfAny('/', '\\') < 0)
        {
            var scheme = path[..colon];
            if (scheme.Equals("file", StringComparison.OrdinalIgnoreCase)) return _local;
            return _byScheme.TryGetValue(scheme, out var io)
                ? io
                : throw new FacebergException("UnsupportedScheme", FacebergErrorKind.NotSupported, $"No file IO is registered for '{scheme}://' paths.");
        }
        return _local;
    }

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).ReadAllBytesAsync(path, cancellationToken);
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).OpenReadAsync(path, cancellationToken);
    public Task<RandomAccessInput> OpenInputAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).OpenInputAsync(path, cancellationToken);
    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default) => Resolve(path).WriteAsync(path, data, overwrite, cancellationToken);
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).ExistsAsync(path, cancellationToken);
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).DeleteAsync(path, cancellationToken);
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => Resolve(prefix).ListAsync(prefix, cancellationToken);
}
