using Faceberg.Core.Hub;

namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Reads hf://datasets/… paths through the Hub client: whole files for metadata, ranged-read streams
/// (<see cref="HubFileStream"/>) for data files so Parquet readers fetch only the footer and the column
/// chunks they need. A path pinned to a revision (<c>@&lt;sha&gt;</c>) is read at that revision.
/// Writes are Hub commits: a batch (<see cref="TryWriteBatchAsync"/>) is one commit whose
/// <c>parentCommit</c> is the branch head at which the exclusive files were checked to be absent, so
/// an Iceberg table commit on an hf:// catalog is one Hub commit and a concurrent writer is a conflict,
/// never an overwrite.
/// </summary>
public sealed partial class HubFileIO : IBatchFileIO
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

    /// <summary>A ranged input whose opening fetched the file's tail (the Parquet footer): one request.</summary>
    public async Task<RandomAccessInput> OpenInputAsync(string path, CancellationToken cancellationToken = default)
    {
        var uri = HfUri.Parse(path);
        var stream = await _client.OpenReadAsync(uri.RepoId, uri.Revision ?? DefaultRevision, uri.Path, ct: cancellationToken).ConfigureAwait(false);
        return new HubInput(path, stream, _client);
    }

    private sealed class HubInput(string path, HubFileStream stream, HubClient client) : RandomAccessInput
    {
        public override string Path => path;
        public override long Length => stream.Length;
        public override Stream Stream => stream;
        public override bool PrefersPrefetch => true;
        public override long CachedFrom => stream.TailStart;

        public override Task<byte[]> ReadRangeAsync(long offset, int length, CancellationToken cancellationToken = default) =>
            client.ReadRangeAsync(stream.RepoId, stream.Revision, stream.PathInRepo, offset, length, cancellationToken);

        public override ValueTask DisposeAsync() => stream.DisposeAsync();
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

    /// <summary>How often a batch is retried when the branch moved between the check and the commit
    /// (someone committed other files); the exclusive files are checked again each time.</summary>
    public int MaxCommitAttempts { get; set; } = 5;

    /// <summary>The Hub commit made by the last successful write or delete through this instance.</summary>
    public CommitInfo? LastCommit { get; private set; }

    public async Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        if (!await TryWriteBatchAsync([new FileWrite(path, data, overwrite)], cancellationToken).ConfigureAwait(false))
            throw FileIOErrors.AlreadyExists(path);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var (repo, branch, paths) = Target([path]);
        await CommitAsync(repo, branch, [CommitOperation.Delete(paths[0])], [], $"Faceberg: delete {paths[0]}", deleteMissingIsNoop: paths[0],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryWriteBatchAsync(IReadOnlyList<FileWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0) return true;
        var (repo, branch, paths) = Target(writes.Select(w => w.Path).ToList());
        var operations = writes.Select((w, i) => w.Delete ? CommitOperation.Delete(paths[i]) : CommitOperation.Add(paths[i], w.Data)).ToList();
        var exclusive = writes.Select((w, i) => (w, i)).Where(x => !x.w.Overwrite && !x.w.Delete).Select(x => paths[x.i]).ToList();
        return await CommitAsync(repo, branch, operations, exclusive, Summary(paths), null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> CommitAsync(string repo, string branch, IReadOnlyList<CommitOperation> operations, IReadOnlyList<string> exclusive,
        string summary, string? deleteMissingIsNoop, CancellationToken ct)
    {
        HubCommitConflictException? last = null;
        for (var attempt = 1; attempt <= Math.Max(1, MaxCommitAttempts); attempt++)
        {
            var head = await HeadAsync(repo, branch, ct).ConfigureAwait(false);
            var probe = deleteMissingIsNoop is null ? exclusive : [deleteMissingIsNoop];
            if (probe.Count > 0)
            {
                var existing = await _client.GetPathsInfoAsync(repo, head, probe, ct).ConfigureAwait(false);
                var found = existing.Any(e => e.IsFile);
                if (deleteMissingIsNoop is null && found) return false;
                if (deleteMissingIsNoop is not null && !found) return true;
            }
            try
            {
                LastCommit = await _client.CreateCommitAsync(repo, branch, operations, summary, parentCommit: head, ct: ct).ConfigureAwait(false);
                return true;
            }
            catch (HubCommitConflictException ex)
            {
                last = ex;
            }
        }
        throw last!;
    }

    /// <summary>The commit <paramref name="branch"/> points at now.</summary>
    private async Task<string> HeadAsync(string repo, string branch, CancellationToken ct)
    {
        var info = await _client.GetDatasetInfoAsync(repo, branch, ct).ConfigureAwait(false);
        return string.IsNullOrEmpty(info.Sha)
            ? throw new HubException("HubMissingRevision", FacebergErrorKind.InvalidData, $"The Hub did not say which commit '{branch}' of '{repo}' points at.")
            : info.Sha;
    }

    /// <summary>The one repo and branch every path is in, and the paths inside the repo.</summary>
    private static (string Repo, string Branch, IReadOnlyList<string> Paths) Target(IReadOnlyList<string> uris)
    {
        var parsed = uris.Select(HfUri.Parse).ToList();
        var first = parsed[0];
        if (parsed.Any(u => u.RepoId != first.RepoId || u.Revision != first.Revision))
            throw new FacebergException("HubBatchSpansRepos", FacebergErrorKind.InvalidArgument,
                $"A Hub commit changes one branch of one repo; the batch names several ({string.Join(", ", parsed.Select(u => u.RepoId + "@" + (u.Revision ?? DefaultRevision)).Distinct())}).");
        var branch = first.Revision ?? DefaultRevision;
        if (CommitSha().IsMatch(branch))
            throw new FacebergException("HubPathPinned", FacebergErrorKind.NotSupported,
                $"'{uris[0]}' is pinned to commit {branch}; a commit can only change a branch.");
        return (first.RepoId, branch, parsed.Select(u => u.Path).ToList());
    }

    /// <summary>"Faceberg: commit metadata/default/t v3" for a table commit, else the files written.</summary>
    private static string Summary(IReadOnlyList<string> paths)
    {
        var metadata = paths.Select(p => MetadataFile().Match(p)).FirstOrDefault(m => m.Success);
        if (metadata is not null)
            return $"Faceberg: commit {metadata.Groups[1].Value} v{metadata.Groups[2].Value}";
        return paths.Count == 1 ? $"Faceberg: write {paths[0]}" : $"Faceberg: write {paths.Count} files";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial System.Text.RegularExpressions.Regex CommitSha();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(.*)/metadata/v(\d+)\.metadata\.json$")]
    private static partial System.Text.RegularExpressions.Regex MetadataFile();
}
