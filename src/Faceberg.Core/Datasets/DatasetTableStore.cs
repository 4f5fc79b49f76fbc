using Faceberg.Core.Catalog;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Where the dataset services load, create and commit tables: every catalog and table-metadata access of
/// <c>Datasets/</c> goes through these methods, so pointing dataset tables at another catalog
/// implementation means replacing them. Today a table is found through catalog.json (<see cref="JsonCatalog"/>) and
/// its metadata is read and written with the catalog's file IO. Thread-safe.
/// </summary>
public sealed class DatasetTableStore
{
    private readonly HubClient _hub;
    private readonly IFileIO? _io;

    /// <param name="hub">The Hub a catalog on the Hub (and hf:// table locations) are reached through.</param>
    /// <param name="io">Where table metadata is read and written; by default the catalog's own file IO
    /// (<see cref="CatalogContext.CreateFileIO"/>: local files, its repo's hf:// URIs in a working copy, the Hub for an hf:// catalog).</param>
    public DatasetTableStore(HubClient hub, IFileIO? io = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _io = io;
    }

    /// <summary>The Iceberg location of a table whose catalog location is <paramref name="catalogLocation"/>:
    /// a local folder becomes its file:// URI (readers fetch metadata paths as written, so they must be absolute URIs).</summary>
    public static string IcebergLocation(string catalogLocation) =>
        catalogLocation.Contains("://", StringComparison.Ordinal) ? catalogLocation.TrimEnd('/') : LocalFileIO.ToUri(catalogLocation);

    /// <summary>Loads the newest version of a table registered in <paramref name="catalog"/>.</summary>
    public Task<IcebergTable> LoadAsync(CatalogContext catalog, TableIdentifier table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        return LoadAtAsync(IoFor(catalog), catalog.Open().GetTableLocation(table), cancellationToken);
    }

    /// <summary>Loads the newest version of the table at a catalog location (a listing that already has it) with <paramref name="io"/>.</summary>
    public static Task<IcebergTable> LoadAtAsync(IFileIO io, string catalogLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(catalogLocation);
        return IcebergTable.LoadAsync(io, IcebergLocation(catalogLocation), cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="commit"/> to <paramref name="table"/>. New columns are one metadata commit of their
    /// own through the table's one schema evolution (<see cref="IcebergTable.UpdateColumnsAsync"/>, with all its
    /// guards), committed first: it changes no data, so a crash before the snapshot leaves the old pin correct. The
    /// snapshot, the dataset properties and the file record are then one metadata commit, which fails with
    /// <see cref="CommitConflictException"/> when another writer's snapshot came in since <see cref="DatasetCommit.BaseSnapshotId"/>.
    /// </summary>
    /// <returns>The new snapshot; null for a metadata-only commit.</returns>
    public Task<Snapshot?> CommitAsync(DatasetTable table, DatasetCommit commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        return ApplyAsync(table.Iceberg, commit, cancellationToken);
    }

    private static async Task<Snapshot?> ApplyAsync(IcebergTable iceberg, DatasetCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (commit.AddColumns.Count > 0)
            await iceberg.UpdateColumnsAsync(new ColumnChanges { Add = commit.AddColumns }, ct).ConfigureAwait(false);
        var properties = commit.Source.ToProperties();
        if (!commit.ChangesSnapshot && commit.FileRecord is null)
        {
            await iceberg.UpdatePropertiesAsync(properties, null, ct).ConfigureAwait(false);
            return null;
        }

        var update = iceberg.NewOverwrite().RequireCurrentSnapshot(commit.BaseSnapshotId);
        foreach (var path in commit.RemoveFiles)
            update.DeleteFile(path);
        foreach (var file in commit.AddDataFiles)
            update.AddFile(file);
        foreach (var file in commit.AddFiles)
            update.AddFile(file.Facts.ToDataFile(iceberg.Schema, [file.Split], file.Facts.FileUri));
        foreach (var (key, value) in properties)
            update.SetProperty(key, value);
        if (commit.FileRecord is not null)
            RevisionFileRecord.AddTo(update, commit.Source.DataRevision, commit.FileRecord);
        return await update.CommitAsync(commit.Summary, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a table, registers it in the catalog and commits <paramref name="first"/> to it. The table's metadata
    /// (both versions, manifests, manifest list, file record, hint) is built in memory first, then published: with its
    /// catalog entry as one Hub commit for a catalog on the Hub; for a local catalog the entry is registered and the
    /// files written after it, and a failure drops the entry and its folder again. Either way a failure leaves nothing.
    /// </summary>
    /// <exception cref="FacebergException">TableAlreadyExists, CatalogConflict, write failures.</exception>
    /// <param name="store">The catalog, opened once by the caller for all the tables it creates.</param>
    public async Task<(string Location, TableMetadata Metadata)> CreateAsync(CatalogContext catalog, JsonCatalog store, TableIdentifier table,
        Schema schema, PartitionSpec spec, DatasetCommit first, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(first);
        var io = IoFor(catalog);
        var location = store.DefaultTableLocation(table);
        var staged = new StagedFileIO(io);
        var iceberg = await IcebergTable.CreateAsync(staged, IcebergLocation(location), schema, spec, first.Source.ToProperties(), cancellationToken)
            .ConfigureAwait(false);
        await ApplyAsync(iceberg, first, cancellationToken).ConfigureAwait(false);

        if (store.StoresFilesWithCatalog)
            return (ChangeCatalog(store, () => store.CreateTable(table, null, staged.Writes)), iceberg.Metadata);

        // Registered first so a failure can be undone by dropping it: the drop also purges the folder.
        var registered = ChangeCatalog(store, () => store.CreateTable(table));
        try
        {
            await PublishAsync(io, IcebergLocation(registered), staged.Writes, cancellationToken).ConfigureAwait(false);
            return (registered, iceberg.Metadata);
        }
        catch
        {
            try { ChangeCatalog(store, () => { store.DropTable(table, purge: true); return true; }); }
            catch (Exception cleanup) when (cleanup is FacebergException or IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes a staged table's files, the version hint last so no reader follows it before the metadata it names exists.</summary>
    private static async Task PublishAsync(IFileIO io, string location, IReadOnlyList<FileWrite> writes, CancellationToken ct)
    {
        var target = io is FileIORouter router ? router.Resolve(location) : io;
        var ordered = writes.OrderBy(w => w.Path.EndsWith("/" + IcebergTable.VersionHintFile, StringComparison.Ordinal)).ToList();
        if (target is IBatchFileIO batch)
        {
            if (!await batch.TryWriteBatchAsync(ordered, ct).ConfigureAwait(false))
                throw new FacebergException("TableAlreadyExists", FacebergErrorKind.AlreadyExists, $"An Iceberg table already exists at '{location}'.");
            return;
        }
        foreach (var write in ordered)
            await target.WriteAsync(write.Path, write.Data, write.Overwrite, ct).ConfigureAwait(false);
    }

    private IFileIO IoFor(CatalogContext catalog) => _io ?? catalog.CreateFileIO(_hub);

    /// <summary>Changes catalog.json; another writer meanwhile (another dataset being created in parallel)
    /// only means reloading and trying again.</summary>
    private static T ChangeCatalog<T>(JsonCatalog store, Func<T> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return change();
            }
            catch (CatalogConflictException) when (attempt < 10)
            {
                Thread.Sleep(Random.Shared.Next(10, 50 * attempt));
                store.Reload();
            }
            // Only the other writer's change can make ours invalid after a reload (the same table created or dropped by them).
            catch (FacebergException e) when (attempt > 1 && e is not CatalogConflictException
                && e.Kind is FacebergErrorKind.AlreadyExists or FacebergErrorKind.NotFound)
            {
                throw new CatalogConflictException(store.CatalogFile, $"{e.Message} Another writer changed the catalog meanwhile.", e);
            }
        }
    }
}
