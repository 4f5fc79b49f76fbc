using System.Text;
using Faceberg.Core.Config;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A catalog used straight from its Hub repo (<c>-Catalog hf://datasets/org/name</c>): catalog.json is read
/// at the branch head into a private temporary folder, table locations are the repo's hf:// URIs (so table
/// metadata is read and committed on the Hub through <see cref="Iceberg.Io.HubFileIO"/>), and every change
/// to catalog.json is one Hub commit guarded by <c>parentCommit</c> and by the content it replaces.
/// </summary>
internal static class HubCatalogCopy
{
    private const string Branch = "main";

    public static bool Exists(HubClient hub, string repo)
    {
        try
        {
            var head = Head(hub, repo);
            return hub.GetPathsInfoAsync(repo, head, [CatalogFiles.CatalogPath]).GetAwaiter().GetResult().Any(e => e.IsFile);
        }
        catch (RepositoryNotFoundException)
        {
            return false;
        }
    }

    public static JsonCatalog Open(HubClient hub, string repo)
    {
        string head;
        byte[] content;
        IReadOnlyList<HubTreeEntry> namespaces;
        try
        {
            head = Head(hub, repo);
            content = hub.DownloadFileAsync(repo, head, CatalogFiles.CatalogPath).GetAwaiter().GetResult();
            namespaces = ListNamespaces(hub, repo, head);
        }
        catch (RepositoryNotFoundException ex)
        {
            throw NotACatalog(repo, ex);
        }
        catch (EntryNotFoundException ex)
        {
            throw NotACatalog(repo, ex);
        }
        var folder = NewFolder();
        // Git keeps no empty folders: a namespace without tables exists on the Hub only as the default one.
        Directory.CreateDirectory(Path.Combine(folder, JsonCatalog.MetadataFolderName, TableIdentifier.DefaultNamespace));
        foreach (var ns in namespaces)
            Directory.CreateDirectory(Path.Combine(folder, ns.Path));
        AtomicFile.WriteAllBytes(Path.Combine(folder, CatalogFiles.CatalogPath), content);
        var catalog = JsonCatalog.Open(folder, CatalogLocation.HubPrefix + repo);
        catalog.RemoteLoad = () => Load(hub, repo);
        catalog.RemoteSave = (previous, next, files) => Save(hub, repo, previous, next, files);
        catalog.RemotePurge = folder => Purge(hub, repo, folder);
        return catalog;
    }

    /// <summary>Creates the repo if needed and commits an empty catalog.json (replacing one only when <paramref name="overwrite"/>).</summary>
    public static JsonCatalog Create(HubClient hub, string repo, bool overwrite)
    {
        hub.CreateRepoAsync(repo).GetAwaiter().GetResult();
        var head = Head(hub, repo);
        if (!overwrite && hub.GetPathsInfoAsync(repo, head, [CatalogFiles.CatalogPath]).GetAwaiter().GetResult().Any(e => e.IsFile))
            throw new FacebergException("CatalogAlreadyExists", FacebergErrorKind.AlreadyExists,
                $"A catalog already exists at '{CatalogLocation.HubPrefix}{repo}'. Use -Force to replace it.");
        var empty = JsonCatalog.Create(NewFolder(), publishedRoot: CatalogLocation.HubPrefix + repo);
        var operations = new List<CommitOperation> { CommitOperation.Add(CatalogFiles.CatalogPath, File.ReadAllBytes(empty.CatalogFile)) };
        // Like a local catalog created with -Force: the tables' metadata goes with the old catalog.json.
        if (overwrite && hub.GetPathsInfoAsync(repo, head, [JsonCatalog.MetadataFolderName]).GetAwaiter().GetResult().Any(e => e.IsDirectory))
            operations.Add(CommitOperation.DeleteFolder(JsonCatalog.MetadataFolderName));
        hub.CreateCommitAsync(repo, Branch, operations, "Faceberg: create catalog", parentCommit: head).GetAwaiter().GetResult();
        return Open(hub, repo);
    }

    /// <summary>The repo's faceberg.yml at the branch head, or null when it has none.</summary>
    public static FacebergConfig? ReadConfig(HubClient hub, string repo)
    {
        byte[] bytes;
        try
        {
            bytes = hub.DownloadFileAsync(repo, Branch, CatalogFiles.ConfigPath).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is EntryNotFoundException or RepositoryNotFoundException or RevisionNotFoundException)
        {
            return null;
        }
        return FacebergConfigLoader.Parse(Encoding.UTF8.GetString(bytes), $"{CatalogLocation.HubPrefix}{repo}/{CatalogFiles.ConfigPath}");
    }

    /// <summary>catalog.json at the branch head, in one request (a resolve at the branch).</summary>
    private static byte[] Load(HubClient hub, string repo)
    {
        try
        {
            return hub.DownloadFileAsync(repo, Branch, CatalogFiles.CatalogPath).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is EntryNotFoundException or RepositoryNotFoundException or RevisionNotFoundException)
        {
            throw new CatalogConflictException(CatalogLocation.HubPrefix + repo + "/" + CatalogFiles.CatalogPath,
                $"catalog.json in '{repo}' was deleted by someone else after it was read.");
        }
    }

    /// <summary>Commits catalog.json, and <paramref name="files"/> (hf:// URIs in this repo) with it, in one commit whose
    /// parent is the head at which catalog.json still held <paramref name="previous"/> and the exclusive files were absent.</summary>
    private static void Save(HubClient hub, string repo, byte[] previous, byte[] next, IReadOnlyList<FileWrite> files)
    {
        var paths = files.Select(f => RepoPath(repo, f.Path)).ToList();
        var exclusive = files.Select((f, i) => (f, i)).Where(x => !x.f.Overwrite).Select(x => paths[x.i]).ToList();
        var operations = files.Select((f, i) => CommitOperation.Add(paths[i], f.Data)).Append(CommitOperation.Add(CatalogFiles.CatalogPath, next)).ToList();
        var summary = files.Count == 0 ? "Faceberg: update catalog.json" : $"Faceberg: update catalog.json with {files.Count} table files";
        for (var attempt = 1; ; attempt++)
        {
            var head = Head(hub, repo);
            var found = hub.GetPathsInfoAsync(repo, head, [CatalogFiles.CatalogPath, .. exclusive]).GetAwaiter().GetResult().Where(e => e.IsFile).ToList();
            var current = found.FirstOrDefault(e => e.Path == CatalogFiles.CatalogPath);
            if (current is null || !CatalogFiles.Matches(previous, CatalogFiles.RemoteId(current)))
                throw new CatalogConflictException(CatalogLocation.HubPrefix + repo + "/" + CatalogFiles.CatalogPath,
                    $"catalog.json in '{repo}' was changed by someone else after it was read; run the command again.");
            if (found.FirstOrDefault(e => e.Path != CatalogFiles.CatalogPath) is { } taken)
                throw FileIOErrors.AlreadyExists(CatalogLocation.HubPrefix + repo + "/" + taken.Path);
            try
            {
                hub.CreateCommitAsync(repo, Branch, operations, summary, parentCommit: head).GetAwaiter().GetResult();
                return;
            }
            catch (HubCommitConflictException) when (attempt < 5)
            {
                // Another file (a table commit) moved the branch: check catalog.json again on the new head.
            }
        }
    }

    /// <summary>The path inside <paramref name="repo"/>'s main branch that <paramref name="uri"/> names.</summary>
    private static string RepoPath(string repo, string uri)
    {
        var parsed = HfUri.Parse(uri);
        if (parsed.RepoId != repo || (parsed.Revision ?? Branch) != Branch)
            throw new FacebergException("HubBatchSpansRepos", FacebergErrorKind.InvalidArgument,
                $"'{uri}' is not on the {Branch} branch of catalog repo '{repo}'; a commit changes one branch of one repo.");
        return parsed.Path;
    }

    /// <summary>Deletes a dropped table's folder in one commit (retried when other files moved the branch).</summary>
    private static void Purge(HubClient hub, string repo, string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = Head(hub, repo);
            if (!hub.GetPathsInfoAsync(repo, head, [folder]).GetAwaiter().GetResult().Any())
                return;
            try
            {
                hub.CreateCommitAsync(repo, Branch, [CommitOperation.DeleteFolder(folder)], $"Faceberg: delete {folder}", parentCommit: head)
                    .GetAwaiter().GetResult();
                return;
            }
            catch (HubCommitConflictException) when (attempt < 5)
            {
            }
        }
    }

    private static IReadOnlyList<HubTreeEntry> ListNamespaces(HubClient hub, string repo, string head)
    {
        try
        {
            return hub.ListTreeAsync(repo, head, JsonCatalog.MetadataFolderName).GetAwaiter().GetResult().Where(e => e.IsDirectory).ToList();
        }
        catch (EntryNotFoundException)
        {
            return [];
        }
    }

    private static string Head(HubClient hub, string repo) =>
        hub.GetDatasetInfoAsync(repo, Branch).GetAwaiter().GetResult().Sha is { Length: > 0 } sha
            ? sha
            : throw new HubException("HubMissingRevision", FacebergErrorKind.InvalidData, $"The Hub did not say which commit '{Branch}' of '{repo}' points at.");

    /// <summary>This process's folder for copies of catalog.json; removed when the process exits.</summary>
    private static readonly Lazy<string> ProcessFolder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "faceberg-hub-catalogs", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        };
        return folder;
    });

    private static string NewFolder()
    {
        var folder = Path.Combine(ProcessFolder.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static FacebergException NotACatalog(string repo, Exception inner) =>
        new("CatalogNotFound", FacebergErrorKind.NotFound,
            $"'{CatalogLocation.HubPrefix}{repo}' holds no Faceberg catalog (no {CatalogFiles.CatalogPath} on {Branch}). Publish one with Publish-FacebergCatalog.", inner);
}
