using System.Text;
using System.Text.Json;
using Faceberg.Core.Catalog.Relocation;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Catalog.Publishing;

public sealed class PublishOptions
{
    /// <summary>The repo to publish to; default: the catalog's own (<see cref="CatalogContext.Repository"/>).</summary>
    public string? Repository { get; init; }

    /// <summary>The commit summary; default: one that names the tables changed.</summary>
    public string? Message { get; init; }

    /// <summary>Create the repo private when it does not exist yet.</summary>
    public bool Private { get; init; }

    /// <summary>Work out what would be uploaded without creating the repo or committing.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Hears files compared and bytes uploaded.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }
}

/// <summary>One table's part in a publish.</summary>
public sealed record PublishedTable(string Identifier, long? SnapshotId, int? MetadataVersion, int FilesChanged);

public sealed class PublishResult
{
    public required string Repository { get; init; }

    /// <summary>The new commit; the unchanged head when there was nothing to publish; null for a WhatIf run.</summary>
    public string? CommitId { get; init; }
    public string? CommitUrl { get; init; }

    /// <summary>Repo paths uploaded (or that would be), and deleted.</summary>
    public IReadOnlyList<string> Uploaded { get; init; } = [];
    public IReadOnlyList<string> Deleted { get; init; } = [];
    public IReadOnlyList<PublishedTable> Tables { get; init; } = [];
    public bool RepositoryCreated { get; init; }
    public string Summary { get; init; } = "";
    public string Description { get; init; } = "";
    public bool WhatIf { get; init; }
}

/// <summary>
/// Publishes a working copy to its catalog repo: creates the repo if missing, compares every catalog file
/// with the repo at the commit last published or pulled, and uploads only what differs (deleting catalog
/// files removed locally) in one commit whose <c>parentCommit</c> is that commit. A publish by someone else
/// in between is a conflict — pull first — never a silent overwrite.
/// </summary>
public sealed class CatalogPublisher
{
    private const string Branch = "main";
    private readonly HubClient _hub;

    public CatalogPublisher(HubClient hub) => _hub = hub ?? throw new ArgumentNullException(nameof(hub));

    public async Task<PublishResult> PublishAsync(CatalogContext context, PublishOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new PublishOptions();
        if (!context.Location.IsLocal)
            throw new FacebergException("CatalogAlreadyOnHub", FacebergErrorKind.InvalidArgument,
                $"Catalog '{context.Location.Path}' lives on the Hub already: every change to it is a Hub commit, so there is nothing to publish.");
        var directory = context.Location.Path;
        if (!JsonCatalog.ExistsAt(directory))
            throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound, $"No catalog at '{directory}' to publish.");
        var repo = ResolveRepository(context, options.Repository);
        var relocated = RelocateTables(context, repo);

        var local = CatalogFiles.Enumerate(directory, context.ConfigPath);
        var state = PublishState.Read(directory);
        if (state is not null && state.Repository != repo)
            state = null;

        var (head, exists) = await HeadAsync(repo, ct).ConfigureAwait(false);
        var created = false;
        if (!exists && !options.WhatIf)
        {
            await _hub.CreateRepoAsync(repo, options.Private, existOk: true, ct).ConfigureAwait(false);
            (head, _) = await HeadAsync(repo, ct).ConfigureAwait(false);
            created = true;
        }

        var remote = head is null ? [] : await ManagedFilesAsync(repo, head, ct).ConfigureAwait(false);
        var uploads = new List<string>();
        var compared = 0;
        foreach (var (repoPath, file) in local)
        {
            options.Progress?.Report(new WorkProgress("Comparing catalog files", compared++, local.Count, "files"));
            var content = relocated.TryGetValue(repoPath, out var rewritten) ? rewritten : await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
            if (!remote.TryGetValue(repoPath, out var id) || !CatalogFiles.Matches(content, id))
                uploads.Add(repoPath);
        }
        var deletes = remote.Keys.Where(p => !local.ContainsKey(p)).ToList();
        var tables = DescribeChanges(directory, uploads.Concat(deletes));
        var summary = options.Message is { Length: > 0 } m ? m : Summary(context.Name, tables, uploads, deletes);
        var description = Description(tables, uploads.Count, deletes.Count);

        // The repo already holding exactly this catalog is no conflict, whoever committed it: nothing would be
        // overwritten. It is also how a publish that crashed after its commit landed finds its own commit on re-run.
        var inSync = uploads.Count == 0 && deletes.Count == 0;
        if (!inSync)
        {
            if (state is null && remote.ContainsKey(CatalogFiles.CatalogPath))
                throw Conflict(repo, $"'{repo}' already holds a catalog that this folder was never pulled from");
            if (state is not null && head is not null && !string.Equals(state.Commit, head, StringComparison.OrdinalIgnoreCase))
            {
                // The branch moved. Commits that did not touch the catalog (a README edit) are fine; catalog changes are not.
                var published = await ManagedFilesAsync(repo, state.Commit, ct).ConfigureAwait(false);
                if (!SameFiles(published, remote))
                    throw Conflict(repo, $"someone else published to '{repo}' after your last publish or pull (now at {Short(head)}, you have {Short(state.Commit)})");
            }
        }

        if (options.WhatIf || inSync)
        {
            if (!options.WhatIf && head is not null)
            {
                WriteRelocated(directory, relocated);
                RecordState(directory, repo, head, remote);
            }
            return new PublishResult
            {
                Repository = repo, CommitId = options.WhatIf ? null : head, CommitUrl = options.WhatIf || head is null ? null : CommitUrl(repo, head),
                Uploaded = uploads, Deleted = deletes, Tables = tables, RepositoryCreated = created,
                Summary = summary, Description = description, WhatIf = options.WhatIf,
            };
        }

        var operations = new List<CommitOperation>();
        foreach (var path in uploads)
        {
            options.Progress?.Report(new WorkProgress("Reading files to upload", operations.Count, uploads.Count, "files"));
            operations.Add(CommitOperation.Add(path, relocated.TryGetValue(path, out var rewritten)
                ? rewritten
                : await File.ReadAllBytesAsync(local[path], ct).ConfigureAwait(false)));
        }
        var uploadBytes = operations.OfType<CommitOperationAdd>().Sum(a => a.Content.LongLength);
        var progress = options.Progress;
        progress?.Report(new WorkProgress($"Uploading {uploads.Count} file(s) to {repo}", 0, uploadBytes, "bytes"));
        operations.AddRange(deletes.Select(CommitOperation.Delete));
        CommitInfo commit;
        try
        {
            commit = await _hub.CreateCommitAsync(repo, Branch, operations, summary, description, parentCommit: head, ct: ct,
                uploaded: progress is null ? null : new CallbackProgress<long>(sent =>
                    progress.Report(new WorkProgress($"Uploading {uploads.Count} file(s) to {repo}", sent, uploadBytes, "bytes")))).ConfigureAwait(false);
        }
        catch (HubCommitConflictException ex)
        {
            throw Conflict(repo, $"someone else published to '{repo}' while this publish was uploading", ex);
        }

        CrashPoints.Reach(CrashPoints.PublishCommitted);
        // The working copy takes the relocated files only once the Hub holds them: a failed publish leaves it as it was.
        WriteRelocated(directory, relocated);
        var after = await ManagedFilesAsync(repo, commit.CommitOid, ct).ConfigureAwait(false);
        RecordState(directory, repo, commit.CommitOid, after);
        return new PublishResult
        {
            Repository = repo, CommitId = commit.CommitOid,
            CommitUrl = string.IsNullOrEmpty(commit.CommitUrl) ? CommitUrl(repo, commit.CommitOid) : commit.CommitUrl,
            Uploaded = uploads, Deleted = deletes, Tables = tables, RepositoryCreated = created,
            Summary = summary, Description = description,
        };
    }

    private static string ResolveRepository(CatalogContext context, string? requested)
    {
        if (requested is not null && !RepoIds.IsValid(requested))
            throw new FacebergException("InvalidRepoId", FacebergErrorKind.InvalidArgument, $"'{requested}' is not a valid dataset repo id; expected 'org/name'.");
        var own = context.Config?.Catalog.Repo;
        if (requested is not null && own is not null && requested != own)
            throw new FacebergException("RepositoryMismatch", FacebergErrorKind.InvalidArgument,
                $"faceberg.yml publishes catalog '{context.Name}' to '{own}', not '{requested}': its table metadata points at hf://datasets/{own}/…. Leave out -Repository, or change catalog.repo before creating tables.");
        return requested ?? context.Repository ?? throw new FacebergException("RepositoryRequired", FacebergErrorKind.InvalidArgument,
            $"Catalog '{context.Name}' names no Hub repo to publish to. Pass -Repository <org/name> (or set 'repo: <org/name>' under 'catalog:' in faceberg.yml): " +
            "its tables' paths are then rewritten to hf://datasets/<org/name>/… and the folder becomes that repo's working copy.");
    }

    /// <summary>
    /// The catalog's tables rewritten for the repo (repo path → new content): a table whose metadata records another location
    /// than its place in the repo (created while the catalog had no repo, or in a folder it was copied from) is relocated with its
    /// whole history, as Iceberg's rewrite-table-path does (see <see cref="TableRelocator"/>). Tables registered from outside the
    /// catalog folder cannot be published.
    /// </summary>
    private static IReadOnlyDictionary<string, byte[]> RelocateTables(CatalogContext context, string repo)
    {
        var root = CatalogLocation.HubPrefix + repo;
        var directory = context.Location.Path;
        var file = JsonCatalog.Open(directory, root);
        var relocated = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var outside = new List<string>();
        foreach (var id in file.ListTables().Order())
        {
            var location = TableLocation.Parse(file.GetTableLocation(id));
            if (file.OwnedTableFolder(id) is not { } folder)
            {
                if (location.IsLocal)
                    outside.Add($"{id} ({location.LocalPath})");
                continue;
            }
            var folderPath = Path.GetRelativePath(directory, folder).Replace('\\', '/');
            var metadata = CurrentMetadataFile(directory, folderPath);
            if (metadata is null || ReadLocation(metadata) is not { } recorded || recorded.TrimEnd('/') == location.Uri)
                continue;
            foreach (var rewritten in TableRelocator.RewriteAll(folder, new PathRewrite(recorded, location.Uri)))
                relocated[folderPath + rewritten.Rest] = rewritten.Content;
        }
        if (outside.Count > 0)
            throw new FacebergException("TablesNotPortable", FacebergErrorKind.InvalidData,
                $"Table(s) {string.Join(", ", outside)} of catalog '{context.Name}' keep their files outside its folder, so a publish cannot take them to '{repo}'. " +
                "Remove them from the catalog (Remove-FacebergTable without -Purge keeps their files), then publish.");
        return relocated;
    }

    private static void WriteRelocated(string directory, IReadOnlyDictionary<string, byte[]> relocated)
    {
        foreach (var (repoPath, content) in relocated)
            AtomicFile.WriteAllBytes(CatalogFiles.LocalPath(directory, repoPath), content);
    }

    /// <summary>The newest vN.metadata.json of a table folder in the working copy, or null.</summary>
    internal static string? CurrentMetadataFile(string catalogDirectory, string tableRepoPath)
    {
        var folder = Path.Combine(catalogDirectory, tableRepoPath, "metadata");
        if (!Directory.Exists(folder))
            return null;
        return Directory.EnumerateFiles(folder, "v*.metadata.json")
            .Select(f => (File: f, Version: int.TryParse(Path.GetFileName(f)[1..^".metadata.json".Length], out var v) ? v : -1))
            .Where(x => x.Version >= 0)
            .MaxBy(x => x.Version).File;
    }

    private static string? ReadLocation(string metadataFile)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(metadataFile));
            return doc.RootElement.TryGetProperty("location", out var l) ? l.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<(string? Head, bool Exists)> HeadAsync(string repo, CancellationToken ct)
    {
        try
        {
            var info = await _hub.GetDatasetInfoAsync(repo, Branch, ct).ConfigureAwait(false);
            return (info.Sha, true);
        }
        catch (RepositoryNotFoundException)
        {
            return (null, false);
        }
    }

    /// <summary>Repo path → content id of the catalog files in a commit.</summary>
    internal static async Task<SortedDictionary<string, string>> ManagedFilesAsync(HubClient hub, string repo, string commit, CancellationToken ct)
    {
        var entries = await hub.ListTreeAsync(repo, commit, recursive: true, ct: ct).ConfigureAwait(false);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.IsFile && CatalogFiles.IsManaged(e.Path)))
            files[entry.Path] = CatalogFiles.RemoteId(entry);
        return files;
    }

    private Task<SortedDictionary<string, string>> ManagedFilesAsync(string repo, string commit, CancellationToken ct) =>
        ManagedFilesAsync(_hub, repo, commit, ct);

    private static bool SameFiles(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var id) && string.Equals(id, kv.Value, StringComparison.OrdinalIgnoreCase));

    private static void RecordState(string directory, string repo, string commit, SortedDictionary<string, string> files) =>
        new PublishState { Repository = repo, Commit = commit, Files = files }.Write(directory);

    /// <summary>The tables touched by <paramref name="paths"/>, with the snapshot their working copy is at.</summary>
    private static IReadOnlyList<PublishedTable> DescribeChanges(string directory, IEnumerable<string> paths)
    {
        var tables = new List<PublishedTable>();
        foreach (var group in paths.Where(p => CatalogFiles.Owner(p) != p).GroupBy(CatalogFiles.Owner).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var parts = group.Key.Split('.');
            var metadata = CurrentMetadataFile(directory, $"{JsonCatalog.MetadataFolderName}/{parts[0]}/{parts[1]}");
            long? snapshot = null;
            int? version = null;
            if (metadata is not null)
            {
                version = int.Parse(Path.GetFileName(metadata)[1..^".metadata.json".Length], System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllBytes(metadata));
                    if (doc.RootElement.TryGetProperty("current-snapshot-id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt64() >= 0)
                        snapshot = id.GetInt64();
                }
                catch (JsonException)
                {
                }
            }
            tables.Add(new PublishedTable(group.Key, snapshot, version, group.Count()));
        }
        return tables;
    }

    private static string Summary(string catalog, IReadOnlyList<PublishedTable> tables, IReadOnlyList<string> uploads, IReadOnlyList<string> deletes)
    {
        if (tables.Count == 0)
            return $"Publish catalog {catalog}: " + string.Join(", ", uploads.Concat(deletes));
        var names = tables.Count <= 3 ? string.Join(", ", tables.Select(t => t.Identifier)) : $"{tables.Count} tables";
        return $"Publish catalog {catalog}: {names}";
    }

    private static string Description(IReadOnlyList<PublishedTable> tables, int uploads, int deletes)
    {
        var text = new StringBuilder();
        foreach (var t in tables)
        {
            text.Append("- ").Append(t.Identifier).Append(": ");
            text.Append(t.SnapshotId is { } s ? $"snapshot {s}" : t.MetadataVersion is null ? "removed" : "no snapshot");
            if (t.MetadataVersion is { } v) text.Append($" (metadata v{v})");
            text.Append($", {t.FilesChanged} file(s)\n");
        }
        text.Append($"{uploads} file(s) uploaded, {deletes} deleted by Faceberg.");
        return text.ToString();
    }

    private string CommitUrl(string repo, string commit) => new Uri(_hub.Endpoint, $"datasets/{repo}/commit/{commit}").ToString();

    private static string Short(string sha) => sha.Length > 8 ? sha[..8] : sha;

    private static FacebergException Conflict(string repo, string what, Exception? inner = null) =>
        new("PublishConflict", FacebergErrorKind.Conflict,
            $"Cannot publish: {what}. Pull first (Save-FacebergCatalog -Repository {repo}), then publish again; nothing was overwritten.", inner);
}
