using Faceberg.Core.Hub;

namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Reads hf://datasets/… paths through the Hub client: whole files for metadata, ranged-read streams
/// (<see cref="HubFileStream"/>) for data files so Parquet readers fetch only the footer and the column
/// chunks they need. Read-only: a change to a Hub repo is a commit of many files at once, which the
/// table-writing code makes through <see cref="HubClient"/> directly rather than file by file.
/// </summary>
public sealed class HubFileIO : IFileIO
{
    private const string DefaultRevision = "main";
    private readonly HubClient _client;

    public HubFileIO(HubClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    public HubClient Client => _client;

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        var uri = HfUri.Parse(path);
        return _client.DownloadFileAsync(uri.RepoId, uri.Revision ?? DefaultRevision, uri.Path, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var uri = HfUri.Parse(path);
        return await _client.OpenReadAsync(uri.RepoId, uri.Revision ?? DefaultRevision, uri.Path, ct: cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var uri = HfUri.Parse(path);
        var entries = await _client.GetPathsInfoAsync(uri.RepoId, uri.Revision ?? DefaultRevision, [uri.Path], cancellationToken).ConfigureAwait(false);
        return entries.Any(e => e.IsFile);
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var uri = HfUri.Parse(prefix);
        var slash = uri.Path.LastIndexOf('/');
        var folder = slash < 0 ? null : uri.Path[..slash];
        IReadOnlyList<HubTreeEntry> entries;
        try
        {
            entries = await _client.ListTreeAsync(uri.RepoId, uri.Revision ?? DefaultRevision, folder, recursive: true, cancellationToken).ConfigureAwait(false);
        }
        catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.NotFound && folder != null)
        {
            return [];
        }
        return entries.Where(e => e.IsFile && e.Path.StartsWith(uri.Path, StringComparison.Ordinal))
            .Select(e => uri.WithPath(e.Path).ToString())
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToArray();
    }

    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default) =>
        throw ReadOnly(path);

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => throw ReadOnly(path);

    private static FacebergException ReadOnly(string path) =>
        new("HubPathReadOnly", FacebergErrorKind.NotSupported,
            $"'{path}' is on the Hugging Face Hub; files there change only through a Hub commit, not through file IO.");
}
