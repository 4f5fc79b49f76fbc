using Faceberg.Core.Catalog;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Maintenance;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Where the dataset services load, create and commit tables: every catalog and table-metadata access of
/// <c>Datasets/</c> goes through these methods, and they go through <see cref="ICatalog"/> (a
/// <see cref="LocalCatalog"/> or a <see cref="HubCatalog"/>, whichever the <see cref="CatalogContext"/> opens).
/// Thread-safe.
/// </summary>
public sealed class DatasetTableStore
{
    private readonly HubClient _hub;
    private readonly IFileIO? _io;

    /// <param name="hub">The Hub a catalog on the Hub (and hf:// table locations) are reached through.</param>
    /// <param name="io">Where a local catalog's table metadata is read and written; by default the catalog's own file IO
    /// (<see cref="CatalogContext.CreateFileIO"/>: local files, and in a working copy its repo's hf:// URIs).</param>
    public DatasetTableStore(HubClient hub, IFileIO? io = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _io = io;
    }

    /// <summary>Runs just before each snapshot commit is sent to the catalog, with the table and the snapshot the
    /// commit requires. Tests use it to interleave two writers deterministically.</summary>
    internal Func<TableIdentifier, long?, CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>The catalog the context names, with this store's Hub client (and file IO, when one was given).</summary>
    public ICatalog Open(CatalogContext catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.OpenCatalog(_hub, _io);
    }

    /// <summary>Loads the newest version of a table.</summary>
    public async Task<IcebergTable> LoadAsync(ICatalog catalog, TableIdentifier table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        return (await catalog.LoadTableAsync(table, cancellationToken).ConfigureAwait(false)).Table;
    }

    /// <summary>
    /// Applies <paramref name="commit"/> to <paramref name="table"/> as catalog commits, each requiring <c>main</c> to
    /// still be <see cref="DatasetCommit.BaseSnapshotId"/> (assert-ref-snapshot-id). New columns are one commit of their
    /// own (add-schema, set-current-schema and the name mapping, from <see cref="ColumnChanges.ToCommit"/>, the one
    /// schema evolution with its guards), committed first: it changes no data, so a crash before the snapshot leaves
    /// the old pin correct. The snapshot (add-snapshot, set-snapshot-ref main), the dataset properties and the file
    /// record are then one commit, written with the snapshot's manifests and manifest list (one Hub commit on the Hub).
    /// Another writer's snapshot in between fails it with <see cref="CommitFailedException"/>: the caller re-plans
    /// against the winner.
    /// </summary>
    /// <returns>The new snapshot; null for a metadata-only commit.</returns>
    public async Task<Snapshot?> CommitAsync(ICatalog catalog, DatasetTable table, DatasetCommit commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(commit);
        var baseRef = new AssertRefSnapshotId(SnapshotRef.MainBranch, commit.BaseSnapshotId);
        var iceberg = table.Iceberg;
        if (BeforeCommit is { } hook)
            await hook(table.Identifier, commit.BaseSnapshotId, cancellationToken).ConfigureAwait(false);
        if (commit.AddColumns.Count > 0)
        {
            var (requirements, updates) = new ColumnChanges { Add = commit.AddColumns }.ToCommit(iceberg.Metadata, iceberg.Location);
            iceberg = (await catalog.CommitTableAsync(table.Identifier, [baseRef, .. requirements], updates, cancellationToken).ConfigureAwait(false)).Table;
        }
        var properties = new Dictionary<string, string>(commit.Source.ToProperties(), StringComparer.Ordinal);
        if (!commit.ChangesSnapshot && commit.FileRecord is null)
        {
            await catalog.CommitTableAsync(table.Identifier, [baseRef], [new SetProperties(properties)], cancellationToken).ConfigureAwait(false);
            return null;
        }

        var staged = await Stage(iceberg, commit, properties).StageAsync(commit.Summary, cancellationToken).ConfigureAwait(false);
        // The snapshot's manifests and manifest list go with the new metadata version: one Hub commit on the Hub.
        await catalog.CommitTableAsync(table.Identifier, [baseRef, .. staged.Requirements], staged.Updates, staged.Files, cancellationToken).ConfigureAwait(false);
        return staged.Snapshot;
    }

    /// <summary>The table's files (path, content id, size) at <see cref="DatasetSource.DataRevision"/> as the last
    /// create, sync or write recorded them (the record and the changes it is made of); null when there is no usable
    /// record and the caller lists that commit.</summary>
    public async Task<IReadOnlyList<RepoFile>?> ReadFileRecordAsync(DatasetTable table, CancellationToken cancellationToken = default) =>
        (await ReadFileRecordDetailsAsync(table, cancellationToken).ConfigureAwait(false))?.Files;

    /// <summary>The record <see cref="ReadFileRecordAsync"/> reads, with each file's split and the snapshot whose commit
    /// wrote it (<see cref="DatasetFileRecord.DescribesSnapshot"/>).</summary>
    public Task<DatasetFileRecord?> ReadFileRecordDetailsAsync(DatasetTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        return RevisionFileRecord.ReadAsync(table.Iceberg, table.Source.DataRevision, cancellationToken);
    }

    /// <summary>
    /// Runs <see cref="TableMaintenance"/> on a table of the catalog (a dataset table or not): manifests rewritten,
    /// snapshots expired per <paramref name="retainLast"/> / <paramref name="olderThan"/>, and the metadata files no
    /// version or retained snapshot references removed, file records included (a record written as a chain of changes is
    /// written out in full by the manifest rewrite's commit, so the chain's links go too).
    /// </summary>
    public async Task<OptimizeResult> OptimizeAsync(ICatalog catalog, TableIdentifier table, int? retainLast, DateTimeOffset? olderThan,
        CancellationToken cancellationToken = default)
    {
        var iceberg = await LoadAsync(catalog, table, cancellationToken).ConfigureAwait(false);
        // A record that is a chain of changes is written out in full with the manifest rewrite, so its links become
        // unreferenced and are removed with the other metadata files (the record's content does not change).
        static async Task<ReferencedFilesRewrite?> CompactRecordAsync(IcebergTable iceberg, CancellationToken ct)
        {
            if (await RevisionFileRecord.CompactAsync(iceberg, ct).ConfigureAwait(false) is not { } full) return null;
            var location = RevisionFileRecord.NewLocation(iceberg, iceberg.CurrentSnapshot?.SnapshotId ?? 0);
            return new ReferencedFilesRewrite(new Dictionary<string, string> { [TableProperties.RevisionFiles] = location },
                [new FileWrite(location, full, Overwrite: false)]);
        }
        return await TableMaintenance.OptimizeAsync(iceberg, new OptimizeOptions(retainLast, olderThan, RewriteManifests: true,
            ReferencedFiles: RevisionFileRecord.ChainAsync, OwnsFile: RevisionFileRecord.IsRecordFile, RewriteReferencedFiles: CompactRecordAsync), cancellationToken).ConfigureAwait(false);
    }

    private static OverwriteFiles Stage(IcebergTable iceberg, DatasetCommit commit, IReadOnlyDictionary<string, string> properties)
    {
        var update = iceberg.NewOverwrite();
        foreach (var path in commit.RemoveFiles)
            update.DeleteFile(path);
        foreach (var file in commit.AddDataFiles)
            update.AddFile(file);
        // Each file's manifest entry is built from its statistics as the manifest is written, never all at once.
        update.AddFilesOnDemand(new DataFilesOf(commit.AddFiles, iceberg.Schema));
        foreach (var (key, value) in properties)
            update.SetProperty(key, value);
        if (commit.FileRecord is not null)
            RevisionFileRecord.AddTo(update, commit.Source.DataRevision, commit.FileRecord, commit.FileRecordRead);
        return update;
    }

    /// <summary>
    /// Creates a table through <see cref="ICatalog.CreateTableAsync(TableIdentifier, Func{IFileIO, TableLocation, CancellationToken, Task{IcebergTable}}, CancellationToken)"/>
    /// and commits <paramref name="first"/> to it. The table's metadata (both versions, manifests, manifest list, file
    /// record, hint) is built in memory first and written with the version hint last; a catalog on the Hub commits all
    /// of it with the catalog entry as one Hub commit, a local one registers the entry first and drops it (and its
    /// folder) again when writing fails. Either way a failure leaves nothing.
    /// </summary>
    /// <exception cref="FacebergException">TableAlreadyExists, CatalogConflict, write failures.</exception>
    public async Task<(string Location, TableMetadata Metadata)> CreateAsync(ICatalog catalog, TableIdentifier table,
        Schema schema, PartitionSpec spec, DatasetCommit first, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(first);
        var created = await catalog.CreateTableAsync(table, async (io, location, ct) =>
        {
            var staged = new StagedFileIO(io);
            var iceberg = await IcebergTable.CreateAsync(staged, location.Uri, schema, spec, first.Source.ToProperties(), ct).ConfigureAwait(false);
            await Stage(iceberg, first, first.Source.ToProperties()).CommitAsync(first.Summary, ct).ConfigureAwait(false);
            await PublishAsync(io, location.Uri, staged.Writes, ct).ConfigureAwait(false);
            return iceberg;
        }, cancellationToken).ConfigureAwait(false);
        return (created.Location.ToString(), created.Metadata);
    }

    /// <summary>Writes a staged table's files, the version hint last so no reader follows it before the metadata it names exists.</summary>
    private static async Task PublishAsync(IFileIO io, string location, IReadOnlyList<FileWrite> writes, CancellationToken ct)
    {
        var target = Target(io, location);
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

    private static IFileIO Target(IFileIO io, string location) => io is FileIORouter router ? router.Resolve(location) : io;

    /// <summary>The data files of new Parquet files in a table of <paramref name="schema"/>, each built when enumerated.</summary>
    private sealed class DataFilesOf(IReadOnlyList<NewDatasetFile> files, Schema schema) : IReadOnlyCollection<DataFile>
    {
        public int Count => files.Count;

        public IEnumerator<DataFile> GetEnumerator()
        {
            foreach (var file in files)
                yield return file.Facts.ToDataFile(schema, [file.Split], file.Facts.FileUri);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
