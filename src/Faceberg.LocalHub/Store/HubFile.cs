namespace Faceberg.LocalHub.Store;

/// <summary>One file of a commit's snapshot.</summary>
/// <param name="Path">Repo-relative path with '/' separators.</param>
/// <param name="Size">Content size in bytes.</param>
/// <param name="Sha256">Lower-case hex sha256 of the content; the key of the stored object (and the LFS oid).</param>
/// <param name="GitOid">Git blob id: of the content for regular files, of the LFS pointer for LFS files.</param>
/// <param name="IsLfs">Whether the file is stored through Git LFS.</param>
public sealed record HubFile(string Path, long Size, string Sha256, string GitOid, bool IsLfs)
{
    /// <summary>Size of the Git LFS pointer text that Git stores in place of the content.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int PointerSize => IsLfs ? GitHashes.LfsPointer(Sha256, Size).Length : 0;
}

/// <summary>A commit of a local repo.</summary>
public sealed record HubCommit(
    string Id,
    IReadOnlyList<string> Parents,
    string Title,
    string Message,
    string Author,
    DateTimeOffset Date,
    IReadOnlyList<HubFile> Files);

/// <summary>A ref (branch, tag, convert branch or pull request) and the commit it points to.</summary>
/// <param name="Ref">Full ref name: refs/heads/main, refs/tags/v1, refs/convert/parquet, refs/pr/1.</param>
public sealed record HubRef(string Ref, string TargetCommit)
{
    public string Kind => Ref.StartsWith("refs/heads/", StringComparison.Ordinal) ? "branch"
        : Ref.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag"
        : Ref.StartsWith("refs/convert/", StringComparison.Ordinal) ? "convert"
        : Ref.StartsWith("refs/pr/", StringComparison.Ordinal) ? "pr"
        : "other";

    /// <summary>Short name as the Hub's refs endpoint shows it: main, v1, parquet, 1.</summary>
    public string Name => Ref[(Ref.IndexOf('/', 5) + 1)..];
}

/// <summary>One change of a commit: a file added or replaced, a file deleted, or a folder deleted.</summary>
public abstract record CommitOperation(string Path);

/// <summary>Adds or replaces a file with content stored in the repo's object store (by sha256).</summary>
public sealed record AddFileOperation(string Path, string Sha256, long Size, bool IsLfs) : CommitOperation(Path);

public sealed record DeleteFileOperation(string Path) : CommitOperation(Path);

public sealed record DeleteFolderOperation(string Path) : CommitOperation(Path);
