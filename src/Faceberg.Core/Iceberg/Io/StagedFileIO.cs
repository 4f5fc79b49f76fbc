namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Holds the writes of one logical operation in memory over another store, so they can be published
/// later as one atomic change (<see cref="Writes"/> handed to an <see cref="IBatchFileIO"/> or joined
/// with other files into one Hub commit). Reads, existence checks and listings see the staged files on
/// top of the store. An exclusive write fails here only against staged files; that it is absent from the
/// store is for whoever publishes <see cref="Writes"/> to check (a batch marks it <c>Overwrite: false</c>).
/// Not thread-safe: one operation uses one instance.
/// </summary>
public sealed class StagedFileIO(IFileIO inner) : IFileIO
{
    private readonly IFileIO _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly Dictionary<string, FileWrite> _staged = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>The staged files in the order first written; a file first written exclusively stays exclusive
    /// when the operation later replaces it (it must still be absent from the store).</summary>
    public IReadOnlyList<FileWrite> Writes => _order.Select(p => _staged[p]).ToList();

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        _staged.TryGetValue(path, out var staged) ? Task.FromResult(staged.Data.ToArray()) : _inner.ReadAllBytesAsync(path, cancellationToken);

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        _staged.TryGetValue(path, out var staged)
            ? Task.FromResult<Stream>(new MemoryStream(staged.Data, writable: false))
            : _inner.OpenReadAsync(path, cancellationToken);

    public Task<RandomAccessInput> OpenInputAsync(string path, CancellationToken cancellationToken = default) =>
        _staged.TryGetValue(path, out var staged)
            ? Task.FromResult(RandomAccessInput.OverStream(path, new MemoryStream(staged.Data, writable: false)))
            : _inner.OpenInputAsync(path, cancellationToken);

    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        if (_staged.TryGetValue(path, out var previous))
        {
            if (!overwrite) throw FileIOErrors.AlreadyExists(path);
            _staged[path] = previous with { Data = data.ToArray() };
        }
        else
        {
            _staged[path] = new FileWrite(path, data.ToArray(), overwrite);
            _order.Add(path);
        }
        return Task.CompletedTask;
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        _staged.ContainsKey(path) || await _inner.ExistsAsync(path, cancellationToken).ConfigureAwait(false);

    /// <summary>Unstages a staged file; a file the store has cannot be deleted inside the operation.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        if (_staged.Remove(path))
        {
            _order.Remove(path);
            return;
        }
        if (!await _inner.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            return;
        throw new FacebergException("StagedDeleteNotSupported", FacebergErrorKind.NotSupported,
            $"'{path}' is not part of the staged operation; only files it wrote can be deleted before it is published.");
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var stored = await _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        return stored.Concat(_order.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToArray();
    }
}
