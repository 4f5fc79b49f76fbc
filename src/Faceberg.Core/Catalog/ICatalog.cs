using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A catalog of Iceberg tables: namespaces, the tables in them, and commits to those tables. The operations are
/// the Iceberg REST catalog protocol's, so a REST server maps each request onto one call; every call is
/// asynchronous and cancellable, and reads the catalog as it is at that moment (instances hold no state that can
/// go stale). Failures are <see cref="FacebergException"/>s: NotFound, AlreadyExists, Conflict (a namespace that is
/// not empty, a concurrent catalog change that could not be re-applied), and <see cref="CommitFailedException"/>
/// for a commit whose requirement does not hold.
/// </summary>
public interface ICatalog
{
    /// <summary>Where the catalog lives, as the user names it (a folder, or <c>hf://datasets/org/name</c>).</summary>
    CatalogLocation Location { get; }

    /// <summary>The namespaces under <paramref name="parent"/> (null: the top level). Namespaces have one level,
    /// so an existing parent has none.</summary>
    Task<IReadOnlyList<string>> ListNamespacesAsync(string? parent = null, CancellationToken cancellationToken = default);

    Task<bool> NamespaceExistsAsync(string @namespace, CancellationToken cancellationToken = default);

    Task CreateNamespaceAsync(string @namespace, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default);

    /// <summary>The namespace's properties (NotFound when it does not exist).</summary>
    Task<IReadOnlyDictionary<string, string>> LoadNamespaceAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>Sets and removes namespace properties in one change; a key both set and removed is an error.</summary>
    Task<NamespacePropertiesChange> UpdateNamespacePropertiesAsync(string @namespace, IReadOnlyDictionary<string, string>? updates,
        IReadOnlyCollection<string>? removals, CancellationToken cancellationToken = default);

    /// <summary>Drops an empty namespace (Conflict while it holds tables or files of dropped tables).</summary>
    Task DropNamespaceAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>The tables of one namespace, or of all when <paramref name="namespace"/> is null, ordered.</summary>
    Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(string? @namespace = null, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="ListTablesAsync"/>, with each table's catalog entry (one read of the catalog).</summary>
    Task<IReadOnlyList<CatalogTableEntry>> ListTableEntriesAsync(string? @namespace = null, CancellationToken cancellationToken = default);

    Task<bool> TableExistsAsync(TableIdentifier identifier, CancellationToken cancellationToken = default);

    /// <summary>Where the table's files are, and whether the catalog owns that folder (a purge deletes it).</summary>
    Task<CatalogTableEntry> GetTableEntryAsync(TableIdentifier identifier, CancellationToken cancellationToken = default);

    /// <summary>The table at its newest committed version.</summary>
    Task<LoadedTable> LoadTableAsync(TableIdentifier identifier, CancellationToken cancellationToken = default);

    /// <summary>Creates an empty table in the catalog's own folder for it (or at <paramref name="location"/>).</summary>
    Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Schema schema, PartitionSpec? spec = null,
        IReadOnlyDictionary<string, string>? properties = null, string? location = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a table whose files <paramref name="write"/> produces (for instance a first version and a first snapshot)
    /// through the file IO and at the location it is handed: the catalog's own folder for the table. A local catalog
    /// registers the table first and drops it again when <paramref name="write"/> fails; a Hub catalog stages the files
    /// and commits them with the catalog entry, one Hub commit.
    /// </summary>
    Task<LoadedTable> CreateTableAsync(TableIdentifier identifier, Func<Iceberg.Io.IFileIO, TableLocation, CancellationToken, Task<IcebergTable>> write,
        CancellationToken cancellationToken = default);

    /// <summary>Adds an existing table by its current metadata file (<c>&lt;location&gt;/metadata/vN.metadata.json</c>).</summary>
    Task<LoadedTable> RegisterTableAsync(TableIdentifier identifier, string metadataLocation, CancellationToken cancellationToken = default);

    /// <summary>Removes the table from the catalog; <paramref name="purge"/> also deletes the folder the catalog owns for
    /// it (its metadata). Data files it references are never touched: they belong to the datasets.</summary>
    Task DropTableAsync(TableIdentifier identifier, bool purge = false, CancellationToken cancellationToken = default);

    /// <summary>Renames a table; its files stay where they are (Iceberg metadata records the table location).</summary>
    Task RenameTableAsync(TableIdentifier from, TableIdentifier to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits a change to a table as the REST protocol does: every requirement is checked against the table's
    /// newest metadata (<see cref="CommitFailedException"/> names the one that fails), then the updates are applied
    /// in order and written as the next metadata version, exclusively. A writer that commits first makes this
    /// commit re-check its requirements against the new version before retrying. With <see cref="AssertCreate"/>
    /// the table must not exist and the updates create it.
    /// </summary>
    Task<LoadedTable> CommitTableAsync(TableIdentifier identifier, IReadOnlyList<TableRequirement> requirements,
        IReadOnlyList<TableUpdate> updates, CancellationToken cancellationToken = default) =>
        CommitTableAsync(identifier, requirements, updates, [], cancellationToken);

    /// <summary>
    /// A commit that also writes <paramref name="files"/> (the new manifests and manifest list a snapshot update
    /// refers to) together with the new metadata version: on a Hub catalog it is still one Hub commit, so no crash or
    /// lost race leaves files behind that no version references.
    /// </summary>
    Task<LoadedTable> CommitTableAsync(TableIdentifier identifier, IReadOnlyList<TableRequirement> requirements,
        IReadOnlyList<TableUpdate> updates, IReadOnlyList<Iceberg.Io.FileWrite> files, CancellationToken cancellationToken = default);
}

/// <summary>What an update of namespace properties did, as the REST response reports it.</summary>
public sealed record NamespacePropertiesChange(IReadOnlyList<string> Updated, IReadOnlyList<string> Removed, IReadOnlyList<string> Missing);

/// <summary>A table's catalog entry: its location, and the folder a purge deletes (null when the files live outside the catalog).</summary>
public sealed record CatalogTableEntry(TableIdentifier Identifier, TableLocation Location, TableLocation? OwnedFolder);

/// <summary>A table as a catalog loaded it: its identifier, its newest metadata and the file it was read from,
/// and the Iceberg table (with its file IO) to read or write snapshots through.</summary>
public sealed record LoadedTable(TableIdentifier Identifier, IcebergTable Table)
{
    public string MetadataLocation => Table.MetadataLocation;
    public TableMetadata Metadata => Table.Metadata;
    public Iceberg.Io.IFileIO Io => Table.Io;
    public TableLocation Location => TableLocation.Parse(Table.Location);
}
