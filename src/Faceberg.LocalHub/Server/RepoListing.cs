using System.Text;
using Faceberg.LocalHub.Store;

namespace Faceberg.LocalHub.Server;

/// <summary>A tree entry: a file, or a directory (File null) with an oid derived from its contents.</summary>
internal sealed record RepoEntry(string Path, string Oid, HubFile? File);

/// <summary>Files and implied directories of one commit, as the tree and paths-info endpoints list them.</summary>
internal sealed class RepoListing
{
    private readonly Dictionary<string, RepoEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<RepoEntry> _sorted;

    public RepoListing(IReadOnlyList<HubFile> files)
    {
        // A directory's oid hashes its files' "oid path" lines, in the commit's order.
        var directoryContents = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            _entries[file.Path] = new RepoEntry(file.Path, file.GitOid, file);
            var slash = file.Path.LastIndexOf('/');
            while (slash > 0)
            {
                var directory = file.Path[..slash];
                if (!directoryContents.TryGetValue(directory, out var contents)) directoryContents[directory] = contents = new StringBuilder();
                else contents.Append('\n');
                contents.Append(file.GitOid).Append(' ').Append(file.Path);
                slash = directory.LastIndexOf('/');
            }
        }
        foreach (var (directory, contents) in directoryContents)
            _entries[directory] = new RepoEntry(directory, GitHashes.Sha1Hex(contents.ToString()), null);
        _sorted = [.. _entries.Values];
        _sorted.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
    }

    public bool IsDirectory(string path) => _entries.TryGetValue(path, out var entry) && entry.File is null;

    public RepoEntry? Find(string path) => _entries.GetValueOrDefault(path);

    /// <summary>Entries under <paramref name="directory"/> ("" = root), sorted by path.</summary>
    public List<RepoEntry> List(string directory, bool recursive)
    {
        var prefix = directory.Length == 0 ? "" : directory + "/";
        return _sorted
            .Where(e => e.Path.StartsWith(prefix, StringComparison.Ordinal)
                        && (recursive || e.Path.IndexOf('/', prefix.Length) < 0))
            .ToList();
    }
}
