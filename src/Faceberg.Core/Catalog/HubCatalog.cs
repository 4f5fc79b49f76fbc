using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A catalog living in a Hub dataset repo (<c>hf://datasets/org/name</c>), in the same layout as a local one:
/// <c>catalog.json</c> at the root, each table's files under <c>metadata/&lt;ns&gt;/&lt;table&gt;/</c>. Every call reads
/// the branch head; every change is one Hub commit whose parent is the head it read (<c>parentCommit</c>), so a
/// concurrent change is detected by the Hub, and the change is re-read and re-applied on the new head. A new table's
/// metadata goes in the same commit as its catalog entry, and a purge's deletion in the same commit as the removal.
/// Table versions are committed through <see cref="HubFileIO"/> (vN+1 exclusively, with the hint, one commit).
/// </summary>
public sealed class HubCatalog : ICatalog
{
    private const string Branch = "main";
    private const int ChangeAttempts = 5;
    private const string CatalogPath = JsonCatalog.CatalogFileName;
    private const string MetadataFolder = JsonCatalog.MetadataFolderName;

    private readonly HubClient _hub;

    public HubCatalog(HubClient hub, string repo)
    {
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        Location = CatalogLocation.Parse(CatalogLocation.HubPrefix + repo, Environment.CurrentDirectory);
        Repo = Location.RepoId!;
        Io = new FileIORouter().Register("hf", new HubFileIO(hub));
    }

    public CatalogLocation Location { get; }

    /// <summary>The dataset repo ("org/name") that holds the catalog.</summary>
    public string Repo { get; }

    /// <summary>The file IO tables are read and written through.</summary>
    public IFileIO Io { get; }

    private string Root => CatalogLocation.HubPrefix + Repo;

    /// <summary>The repo's faceberg.yml at the head of main, or null when it has none.</summary>
    public static async Task<Config.FacebergConfig?> ReadConfigAsync(HubClient hub, string repo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hub);
        byte[] bytes;
        try
        {
            bytes = await hub.DownloadFileAsync(repo, Branch, CatalogFiles.ConfigPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EntryNotFoundException or RepositoryNotFoundException or RevisionNotFoundException)
        {
            return null;
        }
        return Config.FacebergConfigLoader.Parse(System.Text.Encoding.UTF8.GetString(bytes), $"{CatalogLocation.HubPrefix}{repo}/{CatalogFiles.ConfigPath}");
    }

    /// <summary>True when the repo holds a catalog.json on its main branch.</summary>
    public static async Task<bool> ExistsAsync(HubClient hub, string repo, CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await HeadAsync(hub, repo, cancellationToken).ConfigureAwait(false);
            return (await hub.GetPathsInfoAsync(repo, head, [CatalogPath], cancellationToken).ConfigureAwait(false)).Any(e => e.IsFile);
        }
        catch (RepositoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Creates the repo if needed and commits an empty catalog.json, replacing one (and its tables' metadata) only when <paramref name="overwrite"/>.</summary>
    public static async Task<HubCatalog> CreateAsync(HubClient hub, string repo, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        await hub.CreateRepoAsync(repo, ct: cancellationToken).ConfigureAwait(false);
        var head = await HeadAsync(hub, repo, cancellationToken).ConfigureAwait(false);
        var found = await hub.GetPathsInfoAsync(repo, head, [CatalogPath, MetadataFolder], cancellationToken).ConfigureAwait(false);
        if (!overwrite && found.Any(e => e.IsFile && e.Path == CatalogPath))
            throw new FacebergException("CatalogAlreadyExists", FacebergErrorKind.AlreadyExists,
                $"A catalog already exists at '{CatalogLocation.HubPrefix}{repo}'. Use -Force to replace it.");
        var operations = new List<CommitOperation> { CommitOperation.Add(CatalogPath, JsonCatalog.Serialize(new SortedDictionary<string, string>(StringComparer.Ordinal))) };
        // Like a local catalog created with -Force: the tables' metadata goes with the old catalog.json.
        if (found.Any(e => e.IsDirectory && e.Path == MetadataFolder))
            operations.Add(CommitOperation.DeleteFolder(MetadataFolder));
        await hub.CreateCommitAsync(repo, Branch, operations, "Faceberg: create catalog", parentCommit: head, ct: cancellationToken).ConfigureAwait(false);
        return new HubCatalog(hub, repo);
    }

    // ---- namespaces ----

    public async Task<IReadOnlyList<string>> ListNamespacesAsync(string? parent = null, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var namespaces = await NamespacesAsync(state, cancellationToken).ConfigureAwait(false);
        if (parent is null)
            return namespaces;
        return namespaces.Contains(parent) ? [] : throw NamespaceNotFound(parent);
    }

    public async Task<bool> NamespaceExistsAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        TableIdentifier.ValidateNamespace(@namespace);
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return (await NamespacesAsync(state, cancellationToken).ConfigureAwait(false)).Contains(@namespace);
    }

    public Task CreateNamespaceAsync(string @namespace, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        TableIdentifier.ValidateNamespace(@namespace);
        // Git keeps no empty folders: the properties file is what makes the namespace exist on the Hub.
        return ChangeAsync(async state =>
        {
            if ((await NamespacesAsync(state, cancellationToken).ConfigureAwait(false)).Contains(@namespace))
                throw new FacebergException("NamespaceAlreadyExists", FacebergErrorKind.AlreadyExists,
                    $"Namespace '{@namespace}' already exists in catalog '{Root}'.");
            return new Change([CommitOperation.Add(PropertiesPath(@namespace), NamespaceProperties.Serialize(properties ?? new Dictionary<string, string>()))],
                $"Faceberg: create namespace {@namespace}");
        }, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, string>> LoadNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        await RequireNamespaceAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
        return await ReadPropertiesAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<NamespacePropertiesChange> UpdateNamespacePropertiesAsync(string @namespace, IReadOnlyDictionary<string, string>? updates,
        IReadOnlyCollection<string>? removals, CancellationToken cancellationToken = default)
    {
        NamespacePropertiesChange? result = null;
        await ChangeAsync(async state =>
        {
            await RequireNamespaceAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
            var (properties, change) = NamespaceProperties.Apply(await ReadPropertiesAsync(state, @namespace, cancellationToken).ConfigureAwait(false), updates, removals);
            result = change;
            return new Change([CommitOperation.Add(PropertiesPath(@namespace), NamespaceProperties.Serialize(properties))],
                $"Faceberg: update namespace {@namespace}");
        }, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    public Task DropNamespaceAsync(string @namespace, CancellationToken cancellationToken = default) =>
        ChangeAsync(async state =>
        {
            await RequireNamespaceAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
            if (state.Entries.Keys.Any(k => TableIdentifier.Parse(k).Namespace == @namespace))
                throw new FacebergException("NamespaceNotEmpty", FacebergErrorKind.Conflict, $"Namespace '{@namespace}' still has tables; drop them first.");
            var files = await ListFolderAsync(state, $"{MetadataFolder}/{@namespace}", cancellationToken).ConfigureAwait(false);
            if (files.Any(f => f.Path != PropertiesPath(@namespace)))
                throw new FacebergException("NamespaceNotEmpty", FacebergErrorKind.Conflict,
                    $"Namespace folder '{Root}/{MetadataFolder}/{@namespace}' still holds files of dropped tables; remove them first.");
            // The default namespace exists without a folder; dropping it when it has none changes nothing.
            return files.Count == 0 ? null : new Change([CommitOperation.DeleteFolder($"{MetadataFolder}/{@namespace}")], $"Faceberg: drop namespace {@namespace}");
        }, cancellationToken);

    // ---- tables ----

    public async Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(string? @namespace = null, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (@namespace is not null)
            await RequireNamespaceAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
        return state.Entries.Keys.Select(k => TableIdentifier.Parse(k)).Where(id => @namespace is null || id.Namespace == @namespace).Order().ToList();
    }

    public async Task<IReadOnlyList<CatalogTableEntry>> ListTableEntriesAsync(string? @namespace = null, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (@namespace is not null)
            await RequireNamespaceAsync(state, @namespace, cancellationToken).ConfigureAwait(false);
        return state.Entries.Keys.Select(k => TableIdentifier.Parse(k)).Where(id => @namespace is null || id.Namespace == @namespace).Order()
            .Select(id => Entry(state, id)).ToList();
    }

    public async Task<bool> TableExistsAsync(TableIdentifier identifier, CancellationToken cancellationToken = default) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Entries.ContainsKey(identifier.ToString());

    public async Task<CatalogTableEntry> GetTableEntryAsync(TableIdentifier identifier, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return Entry(state, identifier);
    }

    private CatalogTableEntry Entry(State state, TableIdentifier identifier)
    {
        var location = LocationOf(state, identifier);
        return new CatalogTableEntry(identifier, location, OwnedFolder(location) is null ? null : location);
    }

    public async Task<LoadedTable> LoadTableAsync(TableIdentifier identifier, CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return await CatalogTables.LoadAsync(Io, identifier, LocationOf(state, identifier), cancellationToken).ConfigureAwait(false);
    }

    public Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Schema schema, PartitionSpec? spec = null,
        IReadOnlyDictionary<string, string>? properties = null, string? location = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return CreateAsync(identifier, location, (io, at) => IcebergTable.CreateAsync(io, at.Uri, schema, spec, properties, cancellationToken), cancellationToken);
    }

    public Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Func<IFileIO, TableLocation, CancellationToken, Task<IcebergTable>> write,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return CreateAsync(identifier, null, (io, at) => write(io, at, cancellationToken), cancellationToken);
    }

    public async Task<LoadedTable> RegisterTableAsync(TableIdentifier identifier, string metadataLocation, CancellationToken cancellationToken = default)
    {
        var location = await CatalogTables.ReadRegisteredLocationAsync(Io, metadataLocation, cancellationToken).ConfigureAwait(false);
        await ChangeAsync(async state =>
        {
            await RequireNamespaceAsync(state, identifier.Namespace, cancellationToken).ConfigureAwait(false);
            RequireAbsent(state, identifier);
            state.Entries[identifier.ToString()] = Store(location);
            return new Change([], $"Faceberg: register {identifier}");
        }, cancellationToken).ConfigureAwait(false);
        return await CatalogTables.LoadAsync(Io, identifier, location, cancellationToken).ConfigureAwait(false);
    }

    public Task DropTableAsync(TableIdentifier identifier, bool purge = false, CancellationToken cancellationToken = default) =>
        ChangeAsync(async state =>
        {
            var location = LocationOf(state, identifier);
            state.Entries.Remove(identifier.ToString());
            var operations = new List<CommitOperation>();
            if (purge && OwnedFolder(location) is { } folder
                && (await _hub.GetPathsInfoAsync(Repo, state.Head, [folder], cancellationToken).ConfigureAwait(false)).Any())
                operations.Add(CommitOperation.DeleteFolder(folder));
            return new Change(operations, $"Faceberg: drop {identifier}");
        }, cancellationToken);

    public Task RenameTableAsync(TableIdentifier from, TableIdentifier to, CancellationToken cancellationToken = default) =>
        ChangeAsync(async state =>
        {
            await RequireNamespaceAsync(state, to.Namespace, cancellationToken).ConfigureAwait(false);
            if (!state.Entries.Remove(from.ToString(), out var stored))
                throw JsonCatalog.TableNotFound(from, Root);
            RequireAbsent(state, to);
            state.Entries[to.ToString()] = stored;
            return new Change([], $"Faceberg: rename {from} to {to}");
        }, cancellationToken);

    public async Task<LoadedTable> CommitTableAsync(TableIdentifier identifier, IReadOnlyList<TableRequirement> requirements,
        IReadOnlyList<TableUpdate> updates, IReadOnlyList<FileWrite> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(files);
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (state.Entries.ContainsKey(identifier.ToString()))
            return await CatalogTables.CommitAsync(Io, identifier, LocationOf(state, identifier), requirements, updates, files, cancellationToken).ConfigureAwait(false);
        if (!CatalogTables.CreatesTable(requirements))
            throw JsonCatalog.TableNotFound(identifier, Root);
        return await CreateAsync(identifier, null, (io, at) => IcebergTable.CreateAsync(io, CatalogTables.NewTableMetadata(at, updates), cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Stages the new table's metadata, then commits it with its catalog entry: one Hub commit, nothing to undo on failure.</summary>
    private async Task<LoadedTable> CreateAsync(TableIdentifier identifier, string? location, Func<IFileIO, TableLocation, Task<IcebergTable>> write,
        CancellationToken ct)
    {
        var target = location is null ? TableLocation.Parse($"{Root}/{MetadataFolder}/{identifier.Namespace}/{identifier.Name}") : TableLocation.Parse(location);
        var staged = new StagedFileIO(Io);
        var table = await write(staged, target).ConfigureAwait(false);
        var files = staged.Writes.Select(w => (Path: RepoPath(w.Path), w)).ToList();
        await ChangeAsync(async state =>
        {
            await RequireNamespaceAsync(state, identifier.Namespace, ct).ConfigureAwait(false);
            RequireAbsent(state, identifier);
            var exclusive = files.Where(f => !f.w.Overwrite).Select(f => f.Path).ToList();
            if (exclusive.Count > 0)
            {
                var taken = await _hub.GetPathsInfoAsync(Repo, state.Head, exclusive, ct).ConfigureAwait(false);
                if (taken.FirstOrDefault(e => e.IsFile) is { } file)
                    throw new FacebergException("TableAlreadyExists", FacebergErrorKind.AlreadyExists,
                        $"Table files already exist at '{Root}/{file.Path}'; another table uses that folder.");
            }
            state.Entries[identifier.ToString()] = Store(target);
            return new Change(files.Select(f => CommitOperation.Add(f.Path, f.w.Data)).ToList(), $"Faceberg: create {identifier}");
        }, ct).ConfigureAwait(false);
        return await CatalogTables.LoadAsync(Io, identifier, target, ct).ConfigureAwait(false);
    }

    // ---- the catalog state at the head, and changes to it ----

    private sealed record State(string Head, SortedDictionary<string, string> Entries);

    /// <summary>What a change commits besides catalog.json (which is committed when its entries changed).</summary>
    private sealed record Change(IReadOnlyList<CommitOperation> Operations, string Summary);

    private async Task<State> ReadAsync(CancellationToken ct)
    {
        try
        {
            var head = await HeadAsync(_hub, Repo, ct).ConfigureAwait(false);
            var bytes = await _hub.DownloadFileAsync(Repo, head, CatalogPath, ct).ConfigureAwait(false);
            return new State(head, JsonCatalog.Deserialize($"{Root}/{CatalogPath}", bytes));
        }
        catch (Exception ex) when (ex is RepositoryNotFoundException or EntryNotFoundException or RevisionNotFoundException)
        {
            throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound,
                $"'{Root}' holds no Faceberg catalog (no {CatalogPath} on {Branch}). Publish one with Publish-FacebergCatalog.", ex);
        }
    }

    /// <summary>Reads the head, applies <paramref name="change"/> (null: nothing to commit) and commits it with the head as
    /// parent; when another commit moved the branch first, reads the new head and applies the change again.</summary>
    private async Task ChangeAsync(Func<State, Task<Change?>> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await ReadAsync(ct).ConfigureAwait(false);
            var before = JsonCatalog.Serialize(state.Entries);
            var next = await change(state).ConfigureAwait(false);
            if (next is null)
                return;
            var after = JsonCatalog.Serialize(state.Entries);
            var operations = next.Operations.ToList();
            if (!before.AsSpan().SequenceEqual(after))
                operations.Add(CommitOperation.Add(CatalogPath, after));
            if (operations.Count == 0)
                return;
            try
            {
                await _hub.CreateCommitAsync(Repo, Branch, operations, next.Summary, parentCommit: state.Head, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (HubCommitConflictException ex)
            {
                if (attempt >= ChangeAttempts)
                    throw new CatalogConflictException($"{Root}/{CatalogPath}",
                        $"Catalog '{Root}' kept changing under this change ({ChangeAttempts} attempts); run the command again.", ex);
                await Task.Delay(Random.Shared.Next(10, 50 * attempt), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<string>> NamespacesAsync(State state, CancellationToken ct)
    {
        IReadOnlyList<HubTreeEntry> folders;
        try
        {
            folders = await _hub.ListTreeAsync(Repo, state.Head, MetadataFolder, ct: ct).ConfigureAwait(false);
        }
        catch (EntryNotFoundException)
        {
            folders = [];
        }
        // Git keeps no empty folders: the default namespace exists even without one.
        return folders.Where(e => e.IsDirectory).Select(e => e.Path[(MetadataFolder.Length + 1)..])
            .Where(TableIdentifier.IsValidPart)
            .Concat(state.Entries.Keys.Select(k => TableIdentifier.Parse(k).Namespace))
            .Append(TableIdentifier.DefaultNamespace)
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private async Task RequireNamespaceAsync(State state, string @namespace, CancellationToken ct)
    {
        TableIdentifier.ValidateNamespace(@namespace);
        if (!(await NamespacesAsync(state, ct).ConfigureAwait(false)).Contains(@namespace))
            throw NamespaceNotFound(@namespace);
    }

    private async Task<IReadOnlyDictionary<string, string>> ReadPropertiesAsync(State state, string @namespace, CancellationToken ct)
    {
        try
        {
            var bytes = await _hub.DownloadFileAsync(Repo, state.Head, PropertiesPath(@namespace), ct).ConfigureAwait(false);
            return NamespaceProperties.Parse(bytes, $"{Root}/{PropertiesPath(@namespace)}");
        }
        catch (EntryNotFoundException)
        {
            return new Dictionary<string, string>();
        }
    }

    private async Task<IReadOnlyList<HubTreeEntry>> ListFolderAsync(State state, string folder, CancellationToken ct)
    {
        try
        {
            return await _hub.ListTreeAsync(Repo, state.Head, folder, ct: ct).ConfigureAwait(false);
        }
        catch (EntryNotFoundException)
        {
            return [];
        }
    }

    private static string PropertiesPath(string @namespace) => $"{MetadataFolder}/{@namespace}/{NamespaceProperties.FileName}";

    private TableLocation LocationOf(State state, TableIdentifier id) =>
        state.Entries.TryGetValue(id.ToString(), out var stored)
            ? TableLocation.Parse(TableLocation.HasScheme(stored) ? stored : $"{Root}/{stored.TrimEnd('/')}")
            : throw JsonCatalog.TableNotFound(id, Root);

    /// <summary>Locations in this repo's main branch are stored relative, as in a local catalog; others as they are.</summary>
    private string Store(TableLocation location) =>
        location.Hub is { } hf && hf.RepoId == Repo && hf.Revision is null or Branch ? hf.Path : location.Uri;

    /// <summary>The repo folder a purge deletes: a table folder in this repo's main branch under metadata/.</summary>
    private string? OwnedFolder(TableLocation location) =>
        location.Hub is { } hf && hf.RepoId == Repo && hf.Revision is null or Branch && hf.Path.StartsWith(MetadataFolder + "/", StringComparison.Ordinal)
            ? hf.Path
            : null;

    private string RepoPath(string uri)
    {
        var parsed = HfUri.Parse(uri);
        if (parsed.RepoId != Repo || (parsed.Revision ?? Branch) != Branch)
            throw new FacebergException("HubBatchSpansRepos", FacebergErrorKind.InvalidArgument,
                $"'{uri}' is not on the {Branch} branch of catalog repo '{Repo}'; a commit changes one branch of one repo.");
        return parsed.Path;
    }

    private void RequireAbsent(State state, TableIdentifier id)
    {
        if (state.Entries.ContainsKey(id.ToString()))
            throw JsonCatalog.TableAlreadyExists(id, Root);
    }

    private FacebergException NamespaceNotFound(string @namespace) =>
        new("NamespaceNotFound", FacebergErrorKind.NotFound, $"Namespace '{@namespace}' does not exist in catalog '{Root}'.");

    internal static async Task<string> HeadAsync(HubClient hub, string repo, CancellationToken ct) =>
        (await hub.GetDatasetInfoAsync(repo, Branch, ct).ConfigureAwait(false)).Sha is { Length: > 0 } sha
            ? sha
            : throw new HubException("HubMissingRevision", FacebergErrorKind.InvalidData, $"The Hub did not say which commit '{Branch}' of '{repo}' points at.");
}
