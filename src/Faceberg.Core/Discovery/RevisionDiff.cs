using System.Runtime.CompilerServices;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RevisionDiff Compare(IReadOnlyList<RepoFile> oldFiles, IReadOnlyList<RepoFile> newFiles)
    {
        var before = Index(oldFiles, nameof(oldFiles));
        var after = Index(newFiles, nameof(newFiles));
        var added = new List<RepoFile>();
        var replaced = new List<ReplacedFile>();
        var unchanged = new List<RepoFile>(Math.Min(oldFiles.Count, newFiles.Count));
        foreach (var file in newFiles)
        {
            if (!before.TryGetValue(file.Path, out var previous))
                added.Add(file);
            else if (SameContent(previous, file))
                unchanged.Add(previous);
            else
                replaced.Add(new ReplacedFile(previous, file));
        }
        var removed = new List<RepoFile>();
        foreach (var file in oldFiles)
            if (!after.ContainsKey(file.Path))
                removed.Add(file);
        return new RevisionDiff(ByPath(added), ByPath(removed), ByPath(replaced, r => r.Path), ByPath(unchanged));
    }

    // A missing content id can't prove equality, so such a file counts as replaced.
    internal static bool SameContent(RepoFile a, RepoFile b) =>
        !string.IsNullOrEmpty(a.ContentId)
        && string.Equals(a.ContentId, b.ContentId, StringComparison.OrdinalIgnoreCase)
        && a.Size == b.Size;

    private static Dictionary<string, RepoFile> Index(IReadOnlyList<RepoFile> files, string name)
    {
        ArgumentNullException.ThrowIfNull(files, name);
        var index = new Dictionary<string, RepoFile>(files.Count, StringComparer.Ordinal);
        foreach (var file in files)
            if (!index.TryAdd(file.Path, file))
                throw new ArgumentException($"The listing names '{file.Path}' more than once.", name);
        return index;
    }

    internal static List<RepoFile> ByPath(List<RepoFile> files) => ByPath(files, f => f.Path);

    // Listings often come sorted already, so the check spares most sorts.
    private static List<T> ByPath<T>(List<T> items, Func<T, string> path)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (string.CompareOrdinal(path(items[i - 1]), path(items[i])) > 0)
            {
                items.Sort((a, b) => string.CompareOrdinal(path(a), path(b)));
                break;
            }
        }
        return items;
    }
}
