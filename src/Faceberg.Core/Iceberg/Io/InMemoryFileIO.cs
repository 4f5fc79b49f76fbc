namespace Faceberg.Core.Iceberg.Io;

/// <summary>An in-process file store (tests, dry runs); batches are atomic.</summary>
public sealed class InMemoryFileIO : IBatchFileIO
{
    private readonly object _gate = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Paths
    {
        get { lock (_gate) return _files.Keys.ToArray(); }
    }

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return _files.TryGetValue(path, out var data) ? Task.FromResult(data.ToArray()) : throw FileIOErrors.NotFound(path);
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        new MemoryStream(await ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), writable: false);

    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!overwrite && _files.ContainsKey(path)) throw FileIOErrors.AlreadyExists(path);
            _files[path] = data.ToArray();
        }
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_files.ContainsKey(path));
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate) _files.Remove(path);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<string>>(_files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToArray());
    }

    public Task<bool> TryWriteBatchAsync(IReadOnlyList<FileWrite> writes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (writes.Any(w => !w.Overwrite && !w.Delete && _files.ContainsKey(w.Path))) return Task.FromResult(false);
            foreach (var w in writes)
            {
                if (w.Delete) _files.Remove(w.Path);
                else _files[w.Path] = w.Data.ToArray();
            }
        }
        return Task.FromResult(true);
    }
}
