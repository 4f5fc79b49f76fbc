namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Routes each path to the IO registered for its URI scheme; file:// URIs and plain paths go to the
/// local IO. The hf:// IO is registered by whoever owns the Hub client.
/// </summary>
public sealed class FileIORouter : IFileIO
{
    private readonly Dictionary<string, IFileIO> _byScheme = new(StringComparer.OrdinalIgnoreCase);
    private readonly IFileIO _local;

    public FileIORouter(IFileIO? local = null) => _local = local ?? new LocalFileIO();

    public FileIORouter Register(string scheme, IFileIO io)
    {
        _byScheme[scheme] = io;
        return this;
    }

    /// <summary>The IO that serves <paramref name="path"/>.</summary>
    public IFileIO Resolve(string path)
    {
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
    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default) => Resolve(path).WriteAsync(path, data, overwrite, cancellationToken);
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).ExistsAsync(path, cancellationToken);
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Resolve(path).DeleteAsync(path, cancellationToken);
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => Resolve(prefix).ListAsync(prefix, cancellationToken);
}
