namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// File access for table metadata and data, by full path or URI. Paths passed in are the same strings
/// that appear in table metadata (e.g. file:///tmp/t/metadata/v1.metadata.json, hf://datasets/…).
/// </summary>
public interface IFileIO
{
    Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default);

    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a file for random access (data files: footer, then column chunks). Stores where reads are
    /// requests return an input that serves ranged reads and says it prefers them fetched ahead.
    /// </summary>
    async Task<RandomAccessInput> OpenInputAsync(string path, CancellationToken cancellationToken = default) =>
        RandomAccessInput.OverStream(path, await OpenReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Writes a whole file. With <paramref name="overwrite"/> false the file is created exclusively and
    /// the call fails with <see cref="FacebergErrorKind.AlreadyExists"/> if it exists; readers never see a
    /// partly written file either way.
    /// </summary>
    Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file; deleting a missing file is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Full paths of the files whose path starts with <paramref name="prefix"/> (recursively).</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>One file of a batch write; with <see cref="Delete"/> the batch removes the file instead (it must exist).</summary>
public sealed record FileWrite(string Path, byte[] Data, bool Overwrite)
{
    public bool Delete { get; init; }

    /// <summary>A batch entry removing <paramref name="path"/> in the same atomic change.</summary>
    public static FileWrite Deletion(string path) => new(path, Array.Empty<byte>(), Overwrite: true) { Delete = true };
}

/// <summary>
/// A store that can write several files as one atomic change (a Hub commit). Table commits use it to
/// publish manifests, the manifest list, the new metadata file and the version hint together.
/// </summary>
public interface IBatchFileIO : IFileIO
{
    /// <summary>
    /// Writes every file or none. Returns false, writing nothing, when a file marked
    /// <see cref="FileWrite.Overwrite"/> false already exists (someone else committed first).
    /// </summary>
    Task<bool> TryWriteBatchAsync(IReadOnlyList<FileWrite> writes, CancellationToken cancellationToken = default);
}

public static class FileIOErrors
{
    public static FacebergException AlreadyExists(string path) =>
        new("FileAlreadyExists", FacebergErrorKind.AlreadyExists, $"File '{path}' already exists.");

    public static FacebergException NotFound(string path, Exception? inner = null) =>
        new("FileNotFound", FacebergErrorKind.NotFound, $"File '{path}' does not exist.", inner);
}
