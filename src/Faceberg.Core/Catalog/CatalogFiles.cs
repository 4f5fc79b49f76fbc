using System.Security.Cryptography;
using System.Text;
using Faceberg.Core.Config;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Catalog;

/// <summary>
/// How a working copy maps onto its catalog repo: <c>faceberg.yml</c> at the repo root (locally, wherever
/// the config file is), and the catalog folder's <c>catalog.json</c> and <c>metadata/**</c> at the root too.
/// Nothing else is the catalog's: other files in the repo (a README) are left alone, and local
/// housekeeping files (names starting with '.', the lock file) are never published.
/// </summary>
public static class CatalogFiles
{
    public const string ConfigPath = FacebergConfig.DefaultFileName;
    public const string CatalogPath = JsonCatalog.CatalogFileName;
    public const string MetadataPrefix = JsonCatalog.MetadataFolderName + "/";

    /// <summary>True for the repo paths a catalog publish or pull manages.</summary>
    public static bool IsManaged(string repoPath) =>
        repoPath is ConfigPath or CatalogPath
        || (repoPath.StartsWith(MetadataPrefix, StringComparison.Ordinal) && !repoPath.Split('/').Any(p => p.StartsWith('.')));

    /// <summary>Repo path → local file of every catalog file in the working copy.</summary>
    public static SortedDictionary<string, string> Enumerate(string catalogDirectory, string? configPath)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (configPath is not null && File.Exists(configPath))
            files[ConfigPath] = configPath;
        var catalogFile = Path.Combine(catalogDirectory, CatalogPath);
        if (File.Exists(catalogFile))
            files[CatalogPath] = catalogFile;
        var metadata = Path.Combine(catalogDirectory, JsonCatalog.MetadataFolderName);
        if (Directory.Exists(metadata))
        {
            foreach (var file in Directory.EnumerateFiles(metadata, "*", SearchOption.AllDirectories))
            {
                var repoPath = Path.GetRelativePath(catalogDirectory, file).Replace('\\', '/');
                if (IsManaged(repoPath))
                    files[repoPath] = file;
            }
        }
        return files;
    }

    /// <summary>The local file a catalog repo path (other than faceberg.yml) belongs at in the working copy.</summary>
    public static string LocalPath(string catalogDirectory, string repoPath)
    {
        var local = Path.GetFullPath(Path.Combine(catalogDirectory, repoPath));
        var relative = Path.GetRelativePath(catalogDirectory, local);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            throw new FacebergException("UnsafeRepoPath", FacebergErrorKind.InvalidData, $"Repo path '{repoPath}' points outside the catalog folder.");
        return local;
    }

    /// <summary>The id the Hub reports for a file in a tree listing: the LFS sha256 when it is stored in LFS, else the git blob oid.</summary>
    public static string RemoteId(HubTreeEntry entry) => entry.Lfs?.Oid is { Length: > 0 } lfs ? lfs : entry.Oid;

    /// <summary>
    /// Whether <paramref name="content"/> is the file behind <paramref name="remoteId"/>: a 64-digit id is an
    /// LFS sha256 of the content, a 40-digit one the git blob oid (sha1 of "blob &lt;size&gt;\0" + content).
    /// </summary>
    public static bool Matches(byte[] content, string remoteId) =>
        string.Equals(remoteId.Length == 64 ? Sha256(content) : GitBlobId(content), remoteId, StringComparison.OrdinalIgnoreCase);

    public static string GitBlobId(byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(header);
        sha1.AppendData(content);
        return Convert.ToHexString(sha1.GetHashAndReset()).ToLowerInvariant();
    }

    public static string Sha256(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>The table a repo path belongs to ("ns.table" for metadata/&lt;ns&gt;/&lt;table&gt;/…), or the file name for the catalog's own files.</summary>
    public static string Owner(string repoPath)
    {
        var parts = repoPath.Split('/');
        return parts.Length >= 4 && parts[0] == JsonCatalog.MetadataFolderName ? $"{parts[1]}.{parts[2]}" : repoPath;
    }

    /// <summary>
    /// Repo paths whose local content differs from <paramref name="recorded"/> (changed, added, or deleted
    /// locally). <paramref name="local"/> maps repo paths to local files.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> local, IReadOnlyDictionary<string, string> recorded)
    {
        var differing = new List<string>();
        foreach (var (repoPath, file) in local)
        {
            if (!recorded.TryGetValue(repoPath, out var id) || !Matches(File.ReadAllBytes(file), id))
                differing.Add(repoPath);
        }
        differing.AddRange(recorded.Keys.Where(p => IsManaged(p) && !local.ContainsKey(p)));
        return differing.Order(StringComparer.Ordinal).ToList();
    }
}
