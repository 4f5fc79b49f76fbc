using System.Text;
using System.Text.Json;

namespace Faceberg.LocalHub.Store;

/// <summary>
/// Git-like dataset repos on disk: content-addressed objects, commit snapshots with parents, and
/// refs (branches, tags, refs/convert/*, refs/pr/*). Everything is written through to disk, so a
/// new store over the same root sees the same repos.
/// </summary>
/// <remarks>
/// Layout under <c>{root}/.localhub/datasets/{org}/{name}/</c>: <c>repo.json</c>, <c>refs.json</c>,
/// <c>commits/{sha}.json</c> and <c>objects/{aa}/{sha256}</c>. Folders <c>{root}/{org}/{name}</c>
/// of plain files are import sources (see <see cref="ImportPlainFolders"/>).
/// </remarks>
public sealed class LocalHubStore
{
    public const string DefaultBranch = "main";
    public const string StateFolderName = ".localhub";

    /// <summary>What the Hub puts in a new repo's first commit, so a new repo already has a head.</summary>
    internal static readonly string DefaultGitAttributes = string.Join('\n',
        LfsPolicy.LfsExtensions.Order(StringComparer.Ordinal).Select(e => $"*{e} filter=lfs diff=lfs merge=lfs -text")) + "\n";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private readonly object _gate = new();
    private readonly Dictionary<string, RepoState> _repos = new(StringComparer.Ordinal);
    private long _lastCommitTicks;

    public LocalHubStore(string rootPath, LfsPolicy? lfsPolicy = null)
    {
        RootPath = Path.GetFullPath(rootPath);
        LfsPolicy = lfsPolicy ?? new LfsPolicy();
        Directory.CreateDirectory(StatePath);
    }

    public string RootPath { get; }

    public LfsPolicy LfsPolicy { get; }

    /// <summary>Author recorded on commits made without an explicit author.</summary>
    public string DefaultAuthor { get; set; } = "local";

    private string StatePath => Path.Combine(RootPath, StateFolderName, "datasets");

    // ---- repos -------------------------------------------------------------------------------

    public bool RepoExists(string repoId)
    {
        lock (_gate) return TryGetRepo(repoId) is not null;
    }

    public IReadOnlyList<string> ListRepos()
    {
        lock (_gate)
        {
            if (!Directory.Exists(StatePath)) return [];
            return Directory.EnumerateDirectories(StatePath)
                .SelectMany(org => Directory.EnumerateDirectories(org).Select(name => $"{Path.GetFileName(org)}/{Path.GetFileName(name)}"))
                .Where(id => File.Exists(Path.Combine(RepoPath(id), "repo.json")))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>Creates a repo whose main branch holds one commit with the default .gitattributes.</summary>
    /// <exception cref="LocalHubException">409 when the repo exists.</exception>
    public string CreateRepo(string repoId, bool isPrivate = false)
    {
        ValidateRepoId(repoId);
        lock (_gate)
        {
            if (TryGetRepo(repoId) is not null)
                throw new LocalHubException(409, null, $"You already created this dataset repo: {repoId}");
            var dir = RepoPath(repoId);
            Directory.CreateDirectory(Path.Combine(dir, "commits"));
            Directory.CreateDirectory(Path.Combine(dir, "objects"));
            var state = new RepoState(repoId, dir) { IsPrivate = isPrivate, CreatedAt = DateTimeOffset.UtcNow };
            SaveRepoMeta(state);
            SaveRefs(state);
            _repos[repoId] = state;
            var attributes = Encoding.UTF8.GetBytes(DefaultGitAttributes);
            var sha = PutObject(state, attributes);
            return CommitLocked(state, [new AddFileOperation(".gitattributes", sha, attributes.Length, IsLfs: false)],
                "initial commit", "", DefaultBranch, parentCommit: null, DefaultAuthor, createBranch: true);
        }
    }

    public void DeleteRepo(string repoId)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            _repos.Remove(repoId);
            Directory.Delete(state.Dir, recursive: true);
        }
    }

    public bool IsPrivate(string repoId)
    {
        lock (_gate) return GetRepo(repoId).IsPrivate;
    }

    public DateTimeOffset CreatedAt(string repoId)
    {
        lock (_gate) return GetRepo(repoId).CreatedAt;
    }

    // ---- revisions and refs ------------------------------------------------------------------

    /// <summary>Full ref name for a branch name: main → refs/heads/main; names under refs/ stay as given.</summary>
    public static string BranchRef(string branch) =>
        branch.StartsWith("refs/", StringComparison.Ordinal) ? branch : "refs/heads/" + branch;

    public static string TagRef(string tag) =>
        tag.StartsWith("refs/", StringComparison.Ordinal) ? tag : "refs/tags/" + tag;

    /// <summary>Resolves a revision as the Hub does: branch, then tag, then a full commit sha.</summary>
    /// <exception cref="LocalHubException">404 RepoNotFound or RevisionNotFound.</exception>
    public string ResolveRevision(string repoId, string revision)
    {
        lock (_gate) return ResolveLocked(GetRepo(repoId), revision);
    }

    public bool TryResolveRevision(string repoId, string revision, out string sha)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            sha = TryResolveLocked(state, revision) ?? "";
            return sha.Length > 0;
        }
    }

    public IReadOnlyList<HubRef> GetRefs(string repoId)
    {
        lock (_gate) return GetRepo(repoId).Refs.Select(kv => new HubRef(kv.Key, kv.Value)).ToList();
    }

    /// <summary>Creates a branch at <paramref name="startingPoint"/> (a revision; default main).</summary>
    public void CreateBranch(string repoId, string branch, string? startingPoint = null)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            var name = BranchRef(branch);
            if (state.Refs.ContainsKey(name))
                throw new LocalHubException(409, null, $"Reference already exists: {name}");
            state.Refs[name] = ResolveLocked(state, startingPoint ?? DefaultBranch);
            SaveRefs(state);
        }
    }

    public void DeleteBranch(string repoId, string branch)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            if (!state.Refs.Remove(BranchRef(branch))) throw LocalHubException.RevisionNotFound(repoId, branch);
            SaveRefs(state);
        }
    }

    public void CreateTag(string repoId, string tag, string revision = DefaultBranch)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            var name = TagRef(tag);
            if (state.Refs.ContainsKey(name))
                throw new LocalHubException(409, null, $"Tag already exists: {tag}");
            state.Refs[name] = ResolveLocked(state, revision);
            SaveRefs(state);
        }
    }

    /// <summary>Opens a pull request ref refs/pr/N at <paramref name="revision"/> and returns N.</summary>
    public int CreatePullRequest(string repoId, string revision = DefaultBranch)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            var sha = ResolveLocked(state, revision);
            var number = state.Refs.Keys.Where(r => r.StartsWith("refs/pr/", StringComparison.Ordinal))
                .Select(r => int.TryParse(r["refs/pr/".Length..], out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
            state.Refs[$"refs/pr/{number}"] = sha;
            SaveRefs(state);
            return number;
        }
    }

    // ---- commits -----------------------------------------------------------------------------

    public HubCommit GetCommit(string repoId, string revision)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            return LoadCommit(state, ResolveLocked(state, revision));
        }
    }

    /// <summary>History from <paramref name="revision"/> along first parents, newest first.</summary>
    public IReadOnlyList<HubCommit> GetHistory(string repoId, string revision)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            var list = new List<HubCommit>();
            string? sha = ResolveLocked(state, revision);
            while (sha is not null)
            {
                var commit = LoadCommit(state, sha);
                list.Add(commit);
                sha = commit.Parents.Count > 0 ? commit.Parents[0] : null;
            }
            return list;
        }
    }

    public IReadOnlyList<HubFile> GetFiles(string repoId, string revision) => GetCommit(repoId, revision).Files;

    public HubFile? FindFile(string repoId, string revision, string path) =>
        GetFiles(repoId, revision).FirstOrDefault(f => f.Path == path);

    public byte[] ReadFile(string repoId, string revision, string path)
    {
        var file = FindFile(repoId, revision, path) ?? throw LocalHubException.EntryNotFound(repoId, revision, path);
        using var stream = OpenObject(repoId, file.Sha256);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Commits plain files (LFS chosen by <see cref="LfsPolicy"/>) and deletions.</summary>
    /// <param name="branch">Branch name or full ref; created as an orphan branch when missing.</param>
    /// <param name="parentCommit">When given, the commit fails with 412 unless it is the branch head.</param>
    /// <returns>The new commit's sha.</returns>
    public string Commit(string repoId, IDictionary<string, byte[]> addedFiles, IEnumerable<string>? deletes, string message,
        string branch = DefaultBranch, string? parentCommit = null)
    {
        lock (_gate)
        {
            var state = GetRepo(repoId);
            var operations = new List<CommitOperation>();
            foreach (var (path, content) in addedFiles)
            {
                var sha = PutObject(state, content);
                operations.Add(new AddFileOperation(path, sha, content.Length,
                    LfsPolicy.IsLfs(path, content.Length, content.AsSpan(0, Math.Min(512, content.Length)))));
            }
            foreach (var path in deletes ?? []) operations.Add(new DeleteFileOperation(path));
            var newline = message.IndexOf('\n');
            var title = newline < 0 ? message : message[..newline];
            var description = newline < 0 ? "" : message[(newline + 1)..].TrimStart('\r', '\n');
            return CommitLocked(state, operations, title, description, branch, parentCommit, DefaultAuthor, createBranch: true);
        }
    }

    /// <summary>Commits operations whose contents are already in the object store (the HTTP commit path).</summary>
    /// <param name="createBranch">Whether a missing branch is created as an orphan; otherwise 404 RevisionNotFound.</param>
    public string Commit(string repoId, IReadOnlyList<CommitOperation> operations, string title, string description,
        string branch, string? parentCommit, string? author = null, bool createBranch = false)
    {
        lock (_gate)
        {
            return CommitLocked(GetRepo(repoId), operations, title, description, branch, parentCommit, author ?? DefaultAuthor, createBranch);
        }
    }

    /// <summary>Imports every file under <paramref name="directory"/> as one commit (creating the repo if needed).</summary>
    public string ImportFolder(string repoId, string directory, string branch = DefaultBranch, string? message = null)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Folder to import not found: {root}");
        if (!RepoExists(repoId)) CreateRepo(repoId);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (relative, file) in ImportableFiles(root))
            files[relative] = File.ReadAllBytes(file);
        return Commit(repoId, files, null, message ?? $"Import {Path.GetFileName(root)}", branch);
    }

    /// <summary>
    /// The files under <paramref name="root"/> by repo path, minus .git and state folders. A symbolic link is
    /// served only when it is a file whose real path lies inside the folder's real path; links to directories
    /// and links that leave the folder are skipped, so an imported folder never exposes other files.
    /// </summary>
    internal static IEnumerable<(string RepoPath, string File)> ImportableFiles(string root)
    {
        var realRoot = RealPath(root);
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry.Name is ".git" or StateFolderName) continue;
                if (entry is DirectoryInfo sub)
                {
                    if (sub.LinkTarget is null) pending.Push(sub.FullName);
                    continue;
                }
                if (entry.LinkTarget is not null && !LinksInside(entry, realRoot)) continue;
                yield return (Path.GetRelativePath(root, entry.FullName).Replace('\\', '/'), entry.FullName);
            }
        }
    }

    private static bool LinksInside(FileSystemInfo link, string realRoot)
    {
        try
        {
            return link.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target && IsInside(RealPath(target.FullName), realRoot);
        }
        catch (IOException)
        {
            // A cycle of links or one that cannot be followed.
            return false;
        }
    }

    /// <summary>The path with every symbolic link along it resolved.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        var resolvedParent = parent is null ? null : RealPath(parent);
        var here = resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        var info = new FileInfo(here);
        if (info.LinkTarget is null && !(Directory.Exists(here) && new DirectoryInfo(here).LinkTarget is not null)) return here;
        var target = Directory.Exists(here) ? new DirectoryInfo(here).ResolveLinkTarget(true) : info.ResolveLinkTarget(true);
        return target is null ? here : RealPath(target.FullName);
    }

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// Imports each <c>{root}/{org}/{name}</c> folder of plain files as a repo, unless that repo
    /// exists already, so a folder laid out like the Hub can be served as is.
    /// </summary>
    /// <returns>The ids of the repos imported now.</returns>
    public IReadOnlyList<string> ImportPlainFolders()
    {
        var imported = new List<string>();
        foreach (var org in Directory.EnumerateDirectories(RootPath))
        {
            var orgName = Path.GetFileName(org);
            // A linked org or repo folder would serve whatever it points at: only real folders are imported.
            if (orgName.StartsWith('.') || new DirectoryInfo(org).LinkTarget is not null) continue;
            foreach (var repo in Directory.EnumerateDirectories(org))
            {
                if (new DirectoryInfo(repo).LinkTarget is not null) continue;
                var repoId = $"{orgName}/{Path.GetFileName(repo)}";
                // Folders whose names cannot be repo ids are just other files living in the root.
                if (!IsValidRepoId(repoId) || RepoExists(repoId)) continue;
                ImportFolder(repoId, repo);
                imported.Add(repoId);
            }
        }
        return imported;
    }

    // ---- objects -----------------------------------------------------------------------------

    /// <summary>Stores content in the repo's object store and returns its sha256.</summary>
    public string PutObject(string repoId, ReadOnlySpan<byte> content)
    {
        RepoState state;
        lock (_gate) state = GetRepo(repoId);
        return PutObject(state, content);
    }

    /// <summary>Streams content into the object store, checking it against the expected sha256 and size.</summary>
    /// <exception cref="LocalHubException">400 when the content does not match.</exception>
    public async Task PutObjectAsync(string repoId, Stream content, string expectedSha256, long? expectedSize, CancellationToken cancellationToken = default)
    {
        RepoState state;
        lock (_gate) state = GetRepo(repoId);
        if (!IsSha256(expectedSha256)) throw LocalHubException.BadRequest("Invalid object id");
        var path = ObjectPath(state, expectedSha256.ToLowerInvariant());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            long size = 0;
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
            }
            var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw LocalHubException.BadRequest($"Uploaded content has sha256 {actual}, expected {expectedSha256}");
            if (expectedSize is { } expected && expected != size)
                throw LocalHubException.BadRequest($"Uploaded content has {size} bytes, expected {expected}");
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public bool HasObject(string repoId, string sha256)
    {
        RepoState state;
        lock (_gate) state = GetRepo(repoId);
        return IsSha256(sha256) && File.Exists(ObjectPath(state, sha256));
    }

    public long ObjectSize(string repoId, string sha256)
    {
        RepoState state;
        lock (_gate) state = GetRepo(repoId);
        return new FileInfo(ObjectPath(state, sha256)).Length;
    }

    public Stream OpenObject(string repoId, string sha256)
    {
        RepoState state;
        lock (_gate) state = GetRepo(repoId);
        if (!IsSha256(sha256)) throw LocalHubException.BadRequest("Invalid object id");
        return new FileStream(ObjectPath(state, sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
    }

    // ---- internals ---------------------------------------------------------------------------

    private string CommitLocked(RepoState state, IReadOnlyList<CommitOperation> operations, string title, string description,
        string branch, string? parentCommit, string author, bool createBranch)
    {
        var refName = BranchRef(branch);
        if (refName.StartsWith("refs/tags/", StringComparison.Ordinal) || GitHashes.IsFullSha(branch))
            throw LocalHubException.BadRequest($"Cannot commit to {branch}: commits go to branches");
        state.Refs.TryGetValue(refName, out var head);
        if (head is null && !createBranch) throw LocalHubException.RevisionNotFound(state.Id, branch);
        if (parentCommit is not null && !string.Equals(parentCommit, head, StringComparison.OrdinalIgnoreCase))
            throw new LocalHubException(412, null,
                $"A commit has happened since. Please refresh and try again. (branch {branch} is at {head ?? "nothing"}, expected {parentCommit})");

        var files = new SortedDictionary<string, HubFile>(StringComparer.Ordinal);
        if (head is not null)
            foreach (var file in LoadCommit(state, head).Files) files[file.Path] = file;
        foreach (var operation in operations)
        {
            var path = NormalizePath(operation is DeleteFolderOperation ? operation.Path.TrimEnd('/') : operation.Path);
            switch (operation)
            {
                case AddFileOperation add:
                    if (!File.Exists(ObjectPath(state, add.Sha256)))
                        throw LocalHubException.BadRequest($"Object {add.Sha256} for {path} was not uploaded");
                    var gitOid = add.IsLfs
                        ? GitHashes.GitBlobOid(GitHashes.LfsPointer(add.Sha256, add.Size))
                        : GitHashes.GitBlobOid(File.ReadAllBytes(ObjectPath(state, add.Sha256)));
                    files[path] = new HubFile(path, add.Size, add.Sha256, gitOid, add.IsLfs);
                    break;
                case DeleteFileOperation:
                    if (!files.Remove(path)) throw LocalHubException.EntryNotFound(state.Id, branch, path);
                    break;
                case DeleteFolderOperation:
                    var prefix = path + "/";
                    var doomed = files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                    if (doomed.Count == 0) throw LocalHubException.EntryNotFound(state.Id, branch, path);
                    foreach (var key in doomed) files.Remove(key);
                    break;
            }
        }

        // Strictly increasing timestamps keep commit ids unique and history ordered even for
        // commits made within one clock tick.
        var ticks = Math.Max(DateTimeOffset.UtcNow.UtcTicks, _lastCommitTicks + TimeSpan.TicksPerMillisecond);
        ticks -= ticks % TimeSpan.TicksPerMillisecond;
        _lastCommitTicks = ticks;
        var date = new DateTimeOffset(ticks, TimeSpan.Zero);
        var parents = head is null ? new List<string>() : [head];
        var manifest = string.Join('\n', files.Values.Select(f => $"{f.GitOid} {f.Path}"));
        var id = GitHashes.Sha1Hex($"tree {GitHashes.Sha1Hex(manifest)}\n{string.Concat(parents.Select(p => $"parent {p}\n"))}author {author} {date.ToUnixTimeMilliseconds()}\n\n{title}\n\n{description}");
        var commit = new HubCommit(id, parents, title, description, author, date, files.Values.ToList());
        WriteAtomically(Path.Combine(state.Dir, "commits", id + ".json"), JsonSerializer.SerializeToUtf8Bytes(commit, JsonOptions));
        state.Commits[id] = commit;
        state.Refs[refName] = id;
        SaveRefs(state);
        return id;
    }

    private static string NormalizePath(string path)
    {
        var normalized = path.Replace('\\', '/').TrimStart('/');
        if (normalized.Length == 0 || normalized.Split('/').Any(part => part is "" or "." or ".."))
            throw LocalHubException.BadRequest($"Invalid path: {path}");
        return normalized;
    }

    private string ResolveLocked(RepoState state, string revision) =>
        TryResolveLocked(state, revision) ?? throw LocalHubException.RevisionNotFound(state.Id, revision);

    private string? TryResolveLocked(RepoState state, string revision)
    {
        if (state.Refs.TryGetValue(BranchRef(revision), out var sha)) return sha;
        if (state.Refs.TryGetValue(TagRef(revision), out sha)) return sha;
        if (GitHashes.IsFullSha(revision))
        {
            var lower = revision.ToLowerInvariant();
            if (state.Commits.ContainsKey(lower) || File.Exists(Path.Combine(state.Dir, "commits", lower + ".json"))) return lower;
        }
        return null;
    }

    private HubCommit LoadCommit(RepoState state, string sha)
    {
        if (state.Commits.TryGetValue(sha, out var commit)) return commit;
        var path = Path.Combine(state.Dir, "commits", sha + ".json");
        if (!File.Exists(path)) throw LocalHubException.RevisionNotFound(state.Id, sha);
        commit = JsonSerializer.Deserialize<HubCommit>(File.ReadAllBytes(path), JsonOptions)
                 ?? throw new InvalidDataException($"Corrupt commit {sha} in {state.Id}");
        state.Commits[sha] = commit;
        return commit;
    }

    private RepoState GetRepo(string repoId) => TryGetRepo(repoId) ?? throw LocalHubException.RepoNotFound(repoId);

    private RepoState? TryGetRepo(string repoId)
    {
        if (_repos.TryGetValue(repoId, out var state)) return state;
        if (!IsValidRepoId(repoId)) return null;
        var dir = RepoPath(repoId);
        var metaPath = Path.Combine(dir, "repo.json");
        if (!File.Exists(metaPath)) return null;
        var meta = JsonSerializer.Deserialize<RepoMeta>(File.ReadAllBytes(metaPath), JsonOptions)!;
        state = new RepoState(repoId, dir) { IsPrivate = meta.Private, CreatedAt = meta.CreatedAt };
        var refsPath = Path.Combine(dir, "refs.json");
        if (File.Exists(refsPath))
            foreach (var (name, target) in JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(refsPath), JsonOptions)!)
                state.Refs[name] = target;
        _repos[repoId] = state;
        return state;
    }

    private string RepoPath(string repoId)
    {
        var slash = repoId.IndexOf('/');
        return Path.Combine(StatePath, repoId[..slash], repoId[(slash + 1)..]);
    }

    private static bool IsValidRepoId(string repoId)
    {
        var parts = repoId.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length is > 0 and <= 96 && !p.StartsWith('.')
            && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
    }

    private static void ValidateRepoId(string repoId)
    {
        if (!IsValidRepoId(repoId))
            throw LocalHubException.BadRequest($"Invalid repo id '{repoId}': expected 'org/name' of letters, digits, '-', '_' and '.'");
    }

    private static bool IsSha256(string value) => value.Length == 64 && value.All(Uri.IsHexDigit);

    private static string ObjectPath(RepoState state, string sha256) =>
        Path.Combine(state.Dir, "objects", sha256[..2], sha256);

    private static string PutObject(RepoState state, ReadOnlySpan<byte> content)
    {
        var sha = GitHashes.Sha256Hex(content);
        var path = ObjectPath(state, sha);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteAtomically(path, content);
        }
        return sha;
    }

    private void SaveRepoMeta(RepoState state) =>
        WriteAtomically(Path.Combine(state.Dir, "repo.json"),
            JsonSerializer.SerializeToUtf8Bytes(new RepoMeta(state.IsPrivate, state.CreatedAt), JsonOptions));

    private static void SaveRefs(RepoState state) =>
        WriteAtomically(Path.Combine(state.Dir, "refs.json"), JsonSerializer.SerializeToUtf8Bytes(state.Refs, JsonOptions));

    /// <summary>Writes to a temporary file and renames it, so a crash never leaves a torn file.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            stream.Write(content);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record RepoMeta(bool Private, DateTimeOffset CreatedAt);

    private sealed class RepoState(string id, string dir)
    {
        public string Id { get; } = id;
        public string Dir { get; } = dir;
        public bool IsPrivate { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public SortedDictionary<string, string> Refs { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HubCommit> Commits { get; } = new(StringComparer.Ordinal);
    }
}
