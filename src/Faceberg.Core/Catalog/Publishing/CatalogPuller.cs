using Faceberg.Core.Config;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Catalog.Publishing;

public sealed class PullOptions
{
    /// <summary>Branch, tag or commit to pull; default: main.</summary>
    public string? Revision { get; init; }

    /// <summary>Overwrite local changes that were never published.</summary>
    public bool Force { get; init; }

    /// <summary>Work out what would be downloaded without writing anything.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Hears files downloaded.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }
}

public sealed class PullResult
{
    public required string Repository { get; init; }
    public required string CommitId { get; init; }

    /// <summary>The working copy (folder of catalog.json) and its faceberg.yml, if the repo has one.</summary>
    public required string CatalogDirectory { get; init; }
    public string? ConfigPath { get; init; }

    public IReadOnlyList<string> Downloaded { get; init; } = [];
    public IReadOnlyList<string> Deleted { get; init; } = [];
    public bool WhatIf { get; init; }
}

/// <summary>
/// Pulls a catalog repo into a working copy: faceberg.yml into the target folder, catalog.json and the
/// metadata into the catalog folder faceberg.yml names (default .faceberg/). Only files that differ are
/// downloaded. Local changes that were never published are not overwritten unless forced; the error
/// names the tables they belong to.
/// </summary>
public sealed class CatalogPuller
{
    private readonly HubClient _hub;

    public CatalogPuller(HubClient hub) => _hub = hub ?? throw new ArgumentNullException(nameof(hub));

    public async Task<PullResult> PullAsync(string repo, string targetDirectory, PullOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PullOptions();
        if (!RepoIds.IsValid(repo))
            throw new FacebergException("InvalidRepoId", FacebergErrorKind.InvalidArgument, $"'{repo}' is not a valid dataset repo id; expected 'org/name'.");
        targetDirectory = Path.GetFullPath(targetDirectory);
        var revision = options.Revision ?? "main";
        var info = await _hub.GetDatasetInfoAsync(repo, revision, ct).ConfigureAwait(false);
        var commit = info.Sha is { Length: > 0 } sha ? sha
            : throw new HubException("HubMissingRevision", FacebergErrorKind.InvalidData, $"The Hub did not say which commit '{revision}' of '{repo}' points at.");
        var remote = await CatalogPublisher.ManagedFilesAsync(_hub, repo, commit, ct).ConfigureAwait(false);
        if (!remote.ContainsKey(CatalogFiles.CatalogPath))
            throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound,
                $"'{CatalogLocation.HubPrefix}{repo}' at {revision} holds no Faceberg catalog (no {CatalogFiles.CatalogPath}).");

        string? configPath = null;
        byte[]? configBytes = null;
        var catalogDirectory = Path.GetFullPath(Path.Combine(targetDirectory, CatalogConfig.DefaultLocation));
        if (remote.ContainsKey(CatalogFiles.ConfigPath))
        {
            // faceberg.yml decides where the working copy goes, so it is read before anything is written.
            configPath = Path.Combine(targetDirectory, FacebergConfig.DefaultFileName);
            configBytes = await _hub.DownloadFileAsync(repo, commit, CatalogFiles.ConfigPath, ct).ConfigureAwait(false);
            var config = FacebergConfigLoader.Parse(System.Text.Encoding.UTF8.GetString(configBytes), configPath);
            catalogDirectory = CatalogContext.FromConfig(config, configPath).Location.Path;
            // A pulled repo is untrusted: its faceberg.yml may name any folder, and a pull writes and (with -Force)
            // deletes files there. Only the folder the user named, or a folder inside it, is accepted.
            if (!PathSafety.IsSameOrInside(catalogDirectory, targetDirectory))
                throw new FacebergException("UnsafeCatalogLocation", FacebergErrorKind.InvalidData,
                    $"The faceberg.yml of '{repo}' puts the catalog at '{catalogDirectory}', outside '{targetDirectory}'; " +
                    "a pulled catalog must stay inside the folder it is pulled into. Nothing was written.");
        }
        PathSafety.RequireNoLinkEscape(catalogDirectory, targetDirectory, "UnsafeCatalogLocation");
        // catalog.json is untrusted too: its entries are checked before anything is written.
        var catalogBytes = await _hub.DownloadFileAsync(repo, commit, CatalogFiles.CatalogPath, ct).ConfigureAwait(false);
        JsonCatalog.RequirePortable($"{CatalogLocation.HubPrefix}{repo}/{CatalogFiles.CatalogPath}", catalogBytes);

        var local = CatalogFiles.Enumerate(catalogDirectory, configPath);
        RefuseToLoseChanges(repo, catalogDirectory, local, remote, options.Force);

        var downloads = remote.Where(kv => !local.TryGetValue(kv.Key, out var file) || !CatalogFiles.Matches(File.ReadAllBytes(file), kv.Value))
            .Select(kv => kv.Key).ToList();
        var deletes = local.Keys.Where(p => !remote.ContainsKey(p)).ToList();
        if (!options.WhatIf)
        {
            var done = 0;
            foreach (var path in downloads)
            {
                options.Progress?.Report(new WorkProgress($"Downloading catalog files from {repo}", done++, downloads.Count, "files"));
                var bytes = path == CatalogFiles.ConfigPath && configBytes is not null ? configBytes
                    : path == CatalogFiles.CatalogPath ? catalogBytes
                    : await _hub.DownloadFileAsync(repo, commit, path, ct).ConfigureAwait(false);
                AtomicFile.WriteAllBytes(path == CatalogFiles.ConfigPath ? configPath! : CatalogFiles.LocalPath(catalogDirectory, path), bytes);
            }
            options.Progress?.Report(new WorkProgress($"Downloading catalog files from {repo}", done, downloads.Count, "files"));
            foreach (var path in deletes)
                File.Delete(local[path]);
            // Git keeps no empty folders: the default namespace exists even before it has tables.
            var namespaces = remote.Keys.Select(p => p.Split('/')).Where(p => p.Length >= 3 && p[0] == JsonCatalog.MetadataFolderName).Select(p => p[1]);
            foreach (var ns in namespaces.Append(TableIdentifier.DefaultNamespace).Distinct())
                Directory.CreateDirectory(Path.Combine(catalogDirectory, JsonCatalog.MetadataFolderName, ns));
            new PublishState { Repository = repo, Commit = commit, Files = remote }.Write(catalogDirectory);
        }
        return new PullResult
        {
            Repository = repo, CommitId = commit, CatalogDirectory = catalogDirectory, ConfigPath = configPath,
            Downloaded = downloads, Deleted = deletes, WhatIf = options.WhatIf,
        };
    }

    /// <summary>
    /// Local files the pull would replace or delete that hold unpublished work: those that differ from the
    /// last publish or pull of this repo (all of them, for a folder never exchanged with it), unless the
    /// pulled commit has exactly that content anyway.
    /// </summary>
    private static void RefuseToLoseChanges(string repo, string catalogDirectory, IReadOnlyDictionary<string, string> local,
        IReadOnlyDictionary<string, string> remote, bool force)
    {
        if (force || local.Count == 0)
            return;
        var state = PublishState.Read(catalogDirectory);
        var recorded = state?.Repository == repo ? state.Files : new SortedDictionary<string, string>(StringComparer.Ordinal);
        var unpublished = CatalogFiles.Differences(local, recorded)
            .Where(p => local.TryGetValue(p, out var file) ? !(remote.TryGetValue(p, out var id) && CatalogFiles.Matches(File.ReadAllBytes(file), id)) : remote.ContainsKey(p))
            .ToList();
        if (unpublished.Count == 0)
            return;
        var owners = unpublished.Select(CatalogFiles.Owner).Distinct().Order(StringComparer.Ordinal).ToList();
        throw new FacebergException("UnpublishedChanges", FacebergErrorKind.Conflict,
            $"'{catalogDirectory}' has changes that were never published to '{repo}', in: {string.Join(", ", owners)}. " +
            "Publish them first (Publish-FacebergCatalog), or pull with -Force to discard them.");
    }
}
