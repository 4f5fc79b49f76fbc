namespace Faceberg.Core.Discovery;

/// <summary>A path whose content differs between two revisions.</summary>
public sealed record ReplacedFile(RepoFile Old, RepoFile New)
{
    public string Path => New.Path;
}

/// <summary>
/// How the files of one revision differ from another's, by path and content id. Sync reads footers only
/// for <see cref="Added"/> and the new side of <see cref="Replaced"/>; <see cref="Unchanged"/> keeps the
/// old entries (and their URIs pinned to the old commit, where that content still lives).
/// </summary>
public sealed record RevisionDiff(
    IReadOnlyList<RepoFile> Added,
    IReadOnlyList<RepoFile> Removed,
    IReadOnlyList<ReplacedFile> Replaced,
    IReadOnlyList<RepoFile> Unchanged)
{
    public bool HasChanges => Added.Count > 0 || Removed.Count > 0 || Replaced.Count > 0;

    /// <summary>Compares two listings; every list in the result is ordered by path.</summary>
    /// <exception cref="ArgumentException">A listing names the same path twice.</exception>
    public static RevisionDiff Compare(IReadOnlyList<RepoFile> oldFiles, IReadOnlyList<RepoFile> newFiles)
    {
        var before = Index(oldFiles, nameof(oldFiles));
        var after = Index(newFiles, nameof(newFiles));
        var added = new List<RepoFile>();
        var replaced = new List<ReplacedFile>();
        var unchanged = new List<RepoFile>();
        foreach (var (path, file) in after)
        {
            if (!before.TryGetValue(path, out var previous))
                added.Add(file);
            else if (SameContent(previous, file))
                unchanged.Add(previous);
            else
                replaced.Add(new ReplacedFile(previous, file));
        }
        var removed = before.Values.Where(f => !after.ContainsKey(f.Path)).ToList();
        return new RevisionDiff(added, removed, replaced, unchanged);
    }

    // A missing content id can't prove equality, so such a file counts as replaced.
    private static bool SameContent(RepoFile a, RepoFile b) =>
        !string.IsNullOrEmpty(a.ContentId)
        && string.Equals(a.ContentId, b.ContentId, StringComparison.OrdinalIgnoreCase)
        && a.Size == b.Size;

    private static SortedDictionary<string, RepoFile> Index(IReadOnlyList<RepoFile> files, string name)
    {
        ArgumentNullException.ThrowIfNull(files, name);
        var index = new SortedDictionary<string, RepoFile>(StringComparer.Ordinal);
        foreach (var file in files)
            if (!index.TryAdd(file.Path, file))
                throw new ArgumentException($"The listing names '{file.Path}' more than once.", name);
        return index;
    }
}
