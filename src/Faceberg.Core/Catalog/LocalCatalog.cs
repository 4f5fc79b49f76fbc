using System.Text.Json;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A catalog in a local folder: <c>catalog.json</c> maps each table to its location (see <see cref="JsonCatalog"/>
/// for the file), namespaces are the folders under <c>metadata/</c> (their properties in
/// <c>metadata/&lt;ns&gt;/.namespace.json</c>), and each table's versions are files in its folder. Every call reads
/// catalog.json afresh; changes to it are made under its lock file, re-applied when another process changed it first.
/// Table files are read and written through the given file IO, so a working copy of a Hub catalog serves its tables'
/// hf:// locations from the folder.
/// </summary>
public sealed class LocalCatalog : ICatalog
{
    private const int ChangeAttempts = 10;

    private readonly string? _publishedRoot;

    public LocalCatalog(string directory, IFileIO io, string? publishedRoot = null)
    {
        Directory = Path.GetFullPath(directory);
        Io = io ?? throw new ArgumentNullException(nameof(io));
        _publishedRoot = publishedRoot;
        Location = CatalogLocation.Local(Directory);
    }

    public CatalogLocation Location { get; }

    /// <summary>The catalog folder (holds catalog.json and metadata/).</summary>
    public string Directory { get; }

    /// <summary>The file IO tables are read and written through.</summary>
    public IFileIO Io { get; }

    /// <summary>Creates an empty catalog (see <see cref="JsonCatalog.Create"/>) and returns it.</summary>
    public static LocalCatalog Create(string directory, IFileIO io, bool overwrite = false, IEnumerable<string>? namespaces = null, string? publishedRoot = null)
    {
        JsonCatalog.Create(directory, overwrite, namespaces, publishedRoot);
        return new LocalCatalog(directory, io, publishedRoot);
    }

    // ---- namespaces ----

    public Task<IReadOnlyList<string>> ListNamespacesAsync(string? parent = null, CancellationToken cancellationToken = default)
    {
        var file = Open();
        if (parent is null)
            return Task.FromResult(file.ListNamespaces());
        if (!file.NamespaceExists(parent))
            throw NamespaceNotFound(parent);
        return Task.FromResult<IReadOnlyList<string>>([]);
    }

    public Task<bool> NamespaceExistsAsync(string @namespace, CancellationToken cancellationToken = default) =>
        Task.FromResult(Open().NamespaceExists(@namespace));

    public Task CreateNamespaceAsync(string @namespace, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        Open().CreateNamespace(@namespace);
        if (properties is { Count: > 0 })
            WriteProperties(@namespace, properties);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, string>> LoadNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        if (!Open().NamespaceExists(@namespace))
            throw NamespaceNotFound(@namespace);
        return Task.FromResult(ReadProperties(@namespace));
    }

    public Task<NamespacePropertiesChange> UpdateNamespacePropertiesAsync(string @namespace, IReadOnlyDictionary<string, string>? updates,
        IReadOnlyCollection<string>? removals, CancellationToken cancellationToken = default)
    {
        var file = Open();
        if (!file.NamespaceExists(@namespace))
            throw NamespaceNotFound(@namespace);
        var (properties, change) = NamespaceProperties.Apply(ReadProperties(@namespace), updates, removals);
        System.IO.Directory.CreateDirectory(NamespaceFolder(@namespace));
        WriteProperties(@namespace, properties);
        return Task.FromResult(change);
    }

    public Task DropNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var file = Open();
        if (file.NamespaceExists(@namespace) && file.ListTables(@namespace).Count == 0)
        {
            var properties = Path.Combine(NamespaceFolder(@namespace), NamespaceProperties.FileName);
            if (File.Exists(properties))
                File.Delete(properties);
        }
        file.DropNamespace(@namespace);
        return Task.CompletedTask;
    }

    // ---- tables ----

    public Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(string? @namespace = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TableIdentifier>>(Open().ListTables(@namespace).Order().ToList());

    public Task<IReadOnlyList<CatalogTableEntry>> ListTableEntriesAsync(string? @namespace = null, CancellationToken cancellationToken = default)
    {
        var file = Open();
        return Task.FromResult<IReadOnlyList<CatalogTableEntry>>(file.ListTables(@namespace).Order().Select(id => Entry(file, id)).ToList());
    }

    public Task<bool> TableExistsAsync(TableIdentifier identifier, CancellationToken cancellationToken = default) =>
        Task.FromResult(Open().TableExists(identifier));

    public Task<CatalogTableEntry> GetTableEntryAsync(TableIdentifier identifier, CancellationToken cancellationToken = default) =>
        Task.FromResult(Entry(Open(), identifier));

    private static CatalogTableEntry Entry(JsonCatalog file, TableIdentifier identifier)
    {
        var location = TableLocation.Parse(file.GetTableLocation(identifier));
        var owned = file.OwnedTableFolder(identifier);
        return new CatalogTableEntry(identifier, location, owned is null ? null : TableLocation.Parse(owned));
    }

    public async Task<LoadedTable> LoadTableAsync(TableIdentifier identifier, CancellationToken cancellationToken = default)
    {
        var file = Open();
        var loaded = await CatalogTables.LoadAsync(Io, identifier, TableLocation.Parse(file.GetTableLocation(identifier)), cancellationToken).ConfigureAwait(false);
        RequireInPlace(file, loaded);
        return loaded;
    }

    /// <summary>Refuses a table whose metadata names another folder than its own: the catalog folder was copied or moved, and
    /// its paths would lead to the other folder's files (see <see cref="RelocatedTables"/>).</summary>
    private void RequireInPlace(JsonCatalog file, LoadedTable loaded)
    {
        if (file.OwnedTableFolder(loaded.Identifier) is { } folder)
            RelocatedTables.RequireInPlace(Directory, loaded.Identifier, folder, loaded.Metadata.Location);
    }

    public Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Schema schema, PartitionSpec? spec = null,
        IReadOnlyDictionary<string, string>? properties = null, string? location = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return CreateAsync(identifier, location, at => IcebergTable.CreateAsync(Io, at.Uri, schema, spec, properties, cancellationToken));
    }

    public Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Func<IFileIO, TableLocation, CancellationToken, Task<IcebergTable>> write,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return CreateAsync(identifier, null, at => write(Io, at, cancellationToken));
    }

    public async Task<LoadedTable> RegisterTableAsync(TableIdentifier identifier, string metadataLocation, CancellationToken cancellationToken = default)
    {
        var location = await CatalogTables.ReadRegisteredLocationAsync(Io, metadataLocation, cancellationToken).ConfigureAwait(false);
        Change(file =>
        {
            file.RequireAbsent(identifier);
            return file.RegisterTable(identifier, location.ToString());
        });
        return await LoadTableAsync(identifier, cancellationToken).ConfigureAwait(false);
    }

    public Task DropTableAsync(TableIdentifier identifier, bool purge = false, CancellationToken cancellationToken = default)
    {
        Change(file =>
        {
            file.DropTable(identifier, purge);
            return true;
        });
        return Task.CompletedTask;
    }

    public Task RenameTableAsync(TableIdentifier from, TableIdentifier to, CancellationToken cancellationToken = default)
    {
        Change(file =>
        {
            file.RenameTable(from, to);
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<LoadedTable> CommitTableAsync(TableIdentifier identifier, IReadOnlyList<TableRequirement> requirements,
        IReadOnlyList<TableUpdate> updates, IReadOnlyList<FileWrite> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(files);
        var file = Open();
        if (file.TryGetTableLocation(identifier, out var stored))
            return CatalogTables.CommitAsync(Io, identifier, TableLocation.Parse(stored), requirements, updates, files, cancellationToken,
                loaded => RequireInPlace(file, loaded));
        if (!CatalogTables.CreatesTable(requirements))
            throw JsonCatalog.TableNotFound(identifier, Directory);
        return CreateAsync(identifier, null, at => IcebergTable.CreateAsync(Io, CatalogTables.NewTableMetadata(at, updates), cancellationToken));
    }

    /// <summary>Registers the table first, so a failure to write its metadata is undone by dropping it (which purges the folder).</summary>
    private async Task<LoadedTable> CreateAsync(TableIdentifier identifier, string? location, Func<TableLocation, Task<IcebergTable>> write)
    {
        var created = TableLocation.Parse(Change(file => file.CreateTable(identifier, location)));
        try
        {
            return new LoadedTable(identifier, await write(created).ConfigureAwait(false));
        }
        catch
        {
            try { Change(file => { file.DropTable(identifier, purge: true); return true; }); }
            catch (Exception cleanup) when (cleanup is FacebergException or IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private JsonCatalog Open() => JsonCatalog.Open(Directory, _publishedRoot);

    /// <summary>The folder a new table of this name would use, when it already holds another table's files (kept by a
    /// drop without purge); null when it is free.</summary>
    public string? KeptTableFolder(TableIdentifier id) => Open().KeptTableFolder(id);

    /// <summary>
    /// The table a drop without purge kept in <paramref name="id"/>'s default folder, when <paramref name="isSame"/>
    /// accepts it; null when the folder holds no table, a table recorded at another location, or one
    /// <paramref name="isSame"/> refuses. Reads only.
    /// </summary>
    /// <exception cref="FacebergException"><c>TableMetadataUnreadable</c> when the kept table's newest metadata is damaged.</exception>
    public async Task<LoadedTable?> FindKeptTableAsync(TableIdentifier id, Func<IcebergTable, bool> isSame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isSame);
        var location = TableLocation.Parse(Open().DefaultTableLocation(id));
        LoadedTable kept;
        try
        {
            kept = await CatalogTables.LoadAsync(Io, id, location, cancellationToken).ConfigureAwait(false);
        }
        catch (FacebergException e) when (e.Kind == FacebergErrorKind.NotFound)
        {
            return null;
        }
        return kept.Location.Equals(location) && isSame(kept.Table) ? kept : null;
    }

    /// <summary>Registers again, with its history, the kept table <see cref="FindKeptTableAsync"/> finds; null (nothing
    /// changed) when it finds none. The kept files are only read, never changed.</summary>
    /// <exception cref="FacebergException"><c>TableMetadataUnreadable</c>; <c>TableAlreadyExists</c> when another process
    /// registered the name meanwhile.</exception>
    public async Task<LoadedTable?> AdoptKeptTableAsync(TableIdentifier id, Func<IcebergTable, bool> isSame, CancellationToken cancellationToken = default)
    {
        var kept = await FindKeptTableAsync(id, isSame, cancellationToken).ConfigureAwait(false);
        if (kept is null)
            return null;
        Change(file =>
        {
            file.RequireAbsent(id);
            return file.RegisterTable(id, kept.Location.ToString());
        });
        return await LoadTableAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes catalog.json; another process's change in between only means reading it again and re-applying
    /// this one, which re-checks what it depends on (a table created or dropped meanwhile).</summary>
    private T Change<T>(Func<JsonCatalog, T> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return change(Open());
            }
            catch (CatalogConflictException) when (attempt < ChangeAttempts)
            {
                Thread.Sleep(Random.Shared.Next(5, 20 * attempt));
            }
        }
    }

    private string NamespaceFolder(string @namespace) => Path.Combine(Directory, JsonCatalog.MetadataFolderName, @namespace);

    private IReadOnlyDictionary<string, string> ReadProperties(string @namespace)
    {
        var file = Path.Combine(NamespaceFolder(@namespace), NamespaceProperties.FileName);
        return File.Exists(file) ? NamespaceProperties.Parse(File.ReadAllBytes(file), file) : new Dictionary<string, string>();
    }

    private void WriteProperties(string @namespace, IReadOnlyDictionary<string, string> properties) =>
        AtomicFile.WriteAllBytes(Path.Combine(NamespaceFolder(@namespace), NamespaceProperties.FileName), NamespaceProperties.Serialize(properties));

    private FacebergException NamespaceNotFound(string @namespace) =>
        new("NamespaceNotFound", FacebergErrorKind.NotFound, $"Namespace '{@namespace}' does not exist in catalog '{Directory}'.");
}

/// <summary>A namespace's properties, kept in <c>metadata/&lt;ns&gt;/.namespace.json</c> as a JSON object of strings.</summary>
internal static class NamespaceProperties
{
    public const string FileName = ".namespace.json";

    public static byte[] Serialize(IReadOnlyDictionary<string, string> properties) =>
        JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(properties.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal),
            new JsonSerializerOptions { WriteIndented = true });

    public static IReadOnlyDictionary<string, string> Parse(byte[] bytes, string file)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(bytes) ?? [];
        }
        catch (JsonException ex)
        {
            throw new FacebergException("CatalogCorrupt", FacebergErrorKind.InvalidData, $"Namespace properties '{file}' are not a JSON object of strings: {ex.Message}", ex);
        }
    }

    public static (IReadOnlyDictionary<string, string> Properties, NamespacePropertiesChange Change) Apply(
        IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string>? updates, IReadOnlyCollection<string>? removals)
    {
        updates ??= new Dictionary<string, string>();
        removals ??= [];
        if (removals.FirstOrDefault(updates.ContainsKey) is { } both)
            throw new FacebergException("NamespacePropertyConflict", FacebergErrorKind.InvalidArgument,
                $"Namespace property '{both}' is both set and removed.");
        var next = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var removed = new List<string>();
        var missing = new List<string>();
        foreach (var key in removals)
            (next.Remove(key) ? removed : missing).Add(key);
        foreach (var (key, value) in updates)
            next[key] = value;
        return (next, new NamespacePropertiesChange(updates.Keys.Order(StringComparer.Ordinal).ToList(), removed, missing));
    }
}
