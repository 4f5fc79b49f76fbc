using System.Runtime.CompilerServices;
using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Brings a dataset table up to the commit its ref points at now: compares that commit's files with the table's
/// file record, reads the footers of new and changed files, works out the new columns, and commits the change
/// as one <see cref="DatasetCommit"/> through <see cref="DatasetTableStore"/>. Thread-safe.
/// </summary>
public sealed class DatasetSync
{
    private readonly DatasetPlanner _planner;
    private readonly FooterReader _footers;
    private readonly DatasetTableStore _store;

    public DatasetSync(DatasetPlanner planner, FooterReader footers, DatasetTableStore store)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(footers);
        ArgumentNullException.ThrowIfNull(store);
        _planner = planner;
        _footers = footers;
        _store = store;
    }

    /// <summary>
    /// Brings a dataset table up to the commit its ref points at now: the dataset's <c>revision</c> in
    /// faceberg.yml when the catalog has one for it, else the table's <c>faceberg.ref</c>. When the ref still points at the
    /// pinned commit this costs one Hub request and writes nothing (<see cref="SyncStatus.UpToDate"/>); two for a
    /// dataset read from the Hub's Parquet conversion, whose commit is checked too.
    /// Otherwise the new commit's files are compared by path and content id with the table's, as recorded
    /// by the last create or sync (<see cref="TableProperties.RevisionFiles"/>; tables without a usable record
    /// list the old commit instead): footers are read only
    /// for added and replaced files, removed files are dropped, unchanged files keep their manifest
    /// entries (and their URIs pinned to the older commit, where that content still is), and one
    /// snapshot records the change (a change that only adds files is planned from the record alone when the record
    /// names the current snapshot, without reading a manifest); the new pin (<c>faceberg.revision</c>) is set in the same commit.
    /// New nullable top-level columns evolve the schema first (a separate commit that changes no data,
    /// so a crash in between leaves the old pin correct). Failures are returned, never thrown, except
    /// cancellation; a failed sync leaves the table as it was.
    /// </summary>
    public async Task<SyncResult> SyncAsync(CatalogContext catalog, TableIdentifier table, SyncOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        var state = new SyncState(table);
        try
        {
            return await SyncCoreAsync(catalog, state, options ?? new SyncOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            return state.Result(SyncStatus.Failed) with { Error = DatasetErrors.AsFaceberg(e, table) };
        }
    }

    /// <summary>What a sync has learned so far, so a failure can still report it.</summary>
    private sealed class SyncState(TableIdentifier table)
    {
        public TableIdentifier Table { get; } = table;
        public string? Repo, Config, From, To;
        public int Added, Removed, Replaced;
        public long? SnapshotId;
        public IReadOnlyList<string> AddedColumns = [];

        public SyncResult Result(SyncStatus status) => new()
        {
            Table = Table, Repo = Repo, Config = Config, FromRevision = From, ToRevision = To,
            Added = Added, Removed = Removed, Replaced = Replaced, AddedColumns = AddedColumns,
            SnapshotId = SnapshotId, Status = status,
        };
    }

    private static FacebergException NotADatasetTable(TableIdentifier table, string key) =>
        new("NotADatasetTable", FacebergErrorKind.InvalidData,
            $"Table '{table}' has no '{key}' property: it was not created from a dataset by Faceberg, so it cannot be synced.");

    /// <summary>How often a sync re-plans after other writers committed first before it gives up.</summary>
    internal const int MaxPlans = 5;

    /// <summary>
    /// Plans and commits; when the commit fails its requirement because another writer committed first, the table is
    /// loaded again and the sync planned again against the winner's snapshot: files it made live are unchanged and
    /// never added twice, and a pin it already moved to this commit makes the sync <see cref="SyncStatus.UpToDate"/>.
    /// </summary>
    private async Task<SyncResult> SyncCoreAsync(CatalogContext catalog, SyncState state, SyncOptions options, CancellationToken ct)
    {
        var store = _store.Open(catalog);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PlanAndCommitAsync(catalog, store, state, options, ct).ConfigureAwait(false);
            }
            catch (CommitFailedException e) when (attempt < MaxPlans)
            {
                options.Progress?.Report(new DatasetProgress(state.Table.ToString(), state.Config, 0, 0,
                    $"Another writer committed to {state.Table} first ({e.Message}); planning again"));
            }
            catch (CommitFailedException e)
            {
                throw new FacebergException("SyncConflict", FacebergErrorKind.Conflict,
                    $"Table '{state.Table}' was changed by other writers each of the {MaxPlans} times this sync planned its change; the last conflict: {e.Message} "
                    + "Nothing of this sync was committed; run it again.", e);
            }
        }
    }

    private async Task<SyncResult> PlanAndCommitAsync(CatalogContext catalog, ICatalog store, SyncState state, SyncOptions options, CancellationToken ct)
    {
        var iceberg = await _store.LoadAsync(store, state.Table, ct).ConfigureAwait(false);
        state.SnapshotId = iceberg.CurrentSnapshot?.SnapshotId;
        var table = DatasetTable.Bind(state.Table, iceberg, key => NotADatasetTable(state.Table, key));
        var source = table.Source;
        state.Repo = source.Repo;
        state.Config = source.Config;
        state.From = source.Revision;
        // faceberg.yml is the user's statement of which revision to follow; the table remembers the last one.
        await catalog.LoadConfigAsync(ct).ConfigureAwait(false);
        var (configured, _) = catalog.FindDataset(state.Table);
        var reference = configured is not null && configured.Repo == source.Repo ? configured.Revision ?? DatasetSource.DefaultRef : source.Ref;
        options.Progress?.Report(new DatasetProgress(table.Label, source.Config, 0, 0, $"Resolving {source.Repo}@{reference}"));

        var (sha, card) = await _planner.ResolveRefAsync(source.Repo, reference, ct).ConfigureAwait(false);
        state.To = sha;
        if (string.Equals(sha, source.Revision, StringComparison.OrdinalIgnoreCase)
            && (source.SourceRevision is null || await _planner.ConversionUnchangedAsync(source.Repo, source.SourceRevision, ct).ConfigureAwait(false)))
        {
            if (reference != source.Ref && !options.WhatIf)
                await _store.CommitAsync(store, table, new DatasetCommit { BaseSnapshotId = table.SnapshotId, Source = source with { Ref = reference } }, ct)
                    .ConfigureAwait(false);
            return state.Result(SyncStatus.UpToDate);
        }

        // The table's files as the last create or sync recorded them saves listing the old commit; older tables have none.
        // A record written by the commit of the current snapshot lists exactly its live files, so a change that only
        // adds files is planned from it alone; any other change reads the live files' manifest entries.
        // Reading and parsing the record does not depend on the new commit's files, so it runs while they are listed.
        var (data, record, recorded) = await ResolveDataAndReadRecordAsync(source, sha, card, table, commits: !options.WhatIf, ct).ConfigureAwait(false);
        var config = data.Layout.Select([source.Config], source.Repo).Configs[0];
        var newFiles = DatasetPlanner.FilesOf(config);

        var changes = record is not null && recorded is not null ? AdditionsFromRecord(record, recorded, newFiles) : null;
        changes ??= await ChangesFromManifestsAsync(iceberg,
            record?.Files ?? await _planner.ListFilesAsync(source.Repo, source.DataRevision, ct).ConfigureAwait(false),
            newFiles, state.Table, ct).ConfigureAwait(false);
        var diff = changes.Diff;
        state.Added = diff.Added.Count;
        state.Removed = diff.Removed.Count;
        state.Replaced = diff.Replaced.Count + changes.MovedFiles.Count;
        if (options.WhatIf)
            return state.Result(SyncStatus.WouldUpdate);

        var toRead = diff.Added.Concat(diff.Replaced.Select(r => r.New)).Select(f => (source.Config, f)).ToList();
        var footers = await _footers.ReadAsync(table.Label, source.Repo, data.DataRevision, toRead, options.ThrottleLimit, options.Progress, ct)
            .ConfigureAwait(false);
        var facts = toRead.ToDictionary(f => f.f.Path, f => footers[f.f.Path].Get(), StringComparer.Ordinal);

        var newColumns = NewColumns(iceberg, facts.Values, source.Repo, source.Config);
        state.AddedColumns = newColumns.Select(c => c.Name).ToList();
        options.Progress?.Report(new DatasetProgress(table.Label, source.Config, toRead.Count, toRead.Count, $"Committing {state.Table}"));

        var target = source with
        {
            Revision = sha,
            Ref = reference,
            // A table read from the conversion keeps recording it until a sync reads another.
            SourceRevision = data.SourceRevision ?? source.SourceRevision,
        };
        var commit = new DatasetCommit
        {
            BaseSnapshotId = table.SnapshotId,
            Source = target,
            AddColumns = newColumns,
            RemoveFiles = changes.RemoveFiles,
            AddDataFiles = changes.MovedFiles,
            AddFiles = diff.Added.Concat(diff.Replaced.Select(r => r.New)).Select(f => new NewDatasetFile(facts[f.Path], changes.NewSplits[f.Path])).ToList(),
            FileRecord = newFiles,
            FileRecordRead = record,
            Summary = target.SnapshotSummary(source.Revision, state.Added, state.Removed, state.Replaced),
        };
        var snapshot = await _store.CommitAsync(store, table, commit, ct).ConfigureAwait(false);
        state.SnapshotId = snapshot?.SnapshotId;
        return state.Result(SyncStatus.Updated);
    }

    /// <summary>
    /// The new commit's data (its listing, paged and latency-bound) and the table's file record (a metadata read and a
    /// parse, mostly CPU), concurrently; with the record's files by path when it lists the current snapshot's live files
    /// (<see cref="AdditionsFromRecord"/> plans from them), indexed while the listing is still under way. When either fails
    /// the other is cancelled and awaited, so no failure goes unobserved and no read outlives the sync.
    /// When the sync <paramref name="commits"/>, the current snapshot's manifest list is read after the record too: the
    /// commit reads it from the same table, which keeps it (<see cref="IcebergTable.ReadManifestListAsync"/>), so the
    /// commit does not wait for it; a list that cannot be read here is left to the commit to report.
    /// </summary>
    private async Task<(DatasetData Data, DatasetFileRecord? Record, Dictionary<string, RepoFile>? Recorded)> ResolveDataAndReadRecordAsync(
        DatasetSource source, string sha, JsonElement? card, DatasetTable table, bool commits, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var recordRead = Task.Run(async () =>
        {
            var record = await _store.ReadFileRecordDetailsAsync(table, failed.Token).ConfigureAwait(false);
            var recorded = record is not null && record.DescribesSnapshot(table.SnapshotId) ? RepoFileIndex.ByPath(record.Files) : null;
            if (commits)
            {
                try
                {
                    await table.Iceberg.ReadManifestListAsync(null, failed.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
                {
                }
            }
            return (record, recorded);
        }, failed.Token);
        var dataRead = _planner.ResolveDataAsync(source.Repo, sha, card, failed.Token);
        try
        {
            var data = await dataRead.ConfigureAwait(false);
            var (record, recorded) = await recordRead.ConfigureAwait(false);
            return (data, record, recorded);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(recordRead, dataRead).ContinueWith(static _ => { }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What a sync changes: the comparison of the table's files with the new commit's, the live files the commit
    /// removes (removed, replaced and moved ones, by URI), the unchanged files it adds again under their new split, and
    /// the split of each file it adds (added and replaced ones) by path.</summary>
    private sealed record FileChanges(RevisionDiff Diff, IReadOnlyList<string> RemoveFiles, IReadOnlyList<DataFile> MovedFiles,
        IReadOnlyDictionary<string, string> NewSplits);

    /// <summary>
    /// The change planned from a record that lists the table's live files, when it only adds files: such a commit is an
    /// append, which needs no manifest entry of the files it keeps. Null when a file is removed, replaced or moved to
    /// another split, since the commit needs those files' manifest entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static FileChanges? AdditionsFromRecord(DatasetFileRecord record, Dictionary<string, RepoFile> recorded, IReadOnlyList<PlannedFile> newFiles)
    {
        // One pass over the new commit's files (as RevisionDiff.Compare, which would index both sides), leaving at the
        // first file that is not new or unchanged in its split.
        var added = new List<RepoFile>();
        var newSplits = new Dictionary<string, string>(StringComparer.Ordinal);
        var unchanged = new List<RepoFile>(recorded.Count);
        foreach (var planned in newFiles)
        {
            if (!recorded.TryGetValue(planned.File.Path, out var old))
            {
                added.Add(planned.File);
                newSplits[planned.File.Path] = planned.Split;
                continue;
            }
            if (!RevisionDiff.SameContent(old, planned.File)
                || (record.Splits!.TryGetValue(planned.File.Path, out var split) && !string.Equals(split, planned.Split, StringComparison.Ordinal)))
                return null;
            unchanged.Add(old);
        }
        // Each recorded file the new commit still has was matched once (its paths are distinct): fewer means some are gone.
        if (unchanged.Count < recorded.Count)
            return null;
        return new FileChanges(new RevisionDiff(RevisionDiff.ByPath(added), [], [], RevisionDiff.ByPath(unchanged)), [], [], newSplits);
    }

    /// <summary>
    /// The change planned from the table's live files (its manifests), each with the content id <paramref name="oldFiles"/>
    /// gives its path; a live path missing from them has no content id, so the comparison treats it as replaced.
    /// </summary>
    private static async Task<FileChanges> ChangesFromManifestsAsync(IcebergTable iceberg, IReadOnlyList<RepoFile> oldFiles,
        IReadOnlyList<PlannedFile> newFiles, TableIdentifier table, CancellationToken ct)
    {
        var oldTree = RepoFileIndex.ByPath(oldFiles);
        var splitOf = newFiles.ToDictionary(f => f.File.Path, f => f.Split, StringComparer.Ordinal);
        var live = new Dictionary<string, DataFile>(StringComparer.Ordinal);
        foreach (var file in await iceberg.PlanFilesAsync(cancellationToken: ct).ConfigureAwait(false))
            live[RepoPathOf(file.FilePath, table)] = file;
        var liveFiles = live.Select(e => oldTree.GetValueOrDefault(e.Key) ?? new RepoFile(e.Key, e.Value.FileSizeInBytes, "")).ToList();
        var diff = RevisionDiff.Compare(liveFiles, newFiles.Select(f => f.File).ToList());
        // A card edit can move an unchanged file to another split: same stats, new partition value.
        var moved = diff.Unchanged.Where(f => !Equals(live[f.Path].Partition.FirstOrDefault(), splitOf[f.Path])).ToList();
        var remove = diff.Removed.Select(f => live[f.Path].FilePath)
            .Concat(diff.Replaced.Select(r => live[r.Path].FilePath))
            .Concat(moved.Select(f => live[f.Path].FilePath)).ToList();
        return new FileChanges(diff, remove, moved.Select(f => live[f.Path] with { Partition = [splitOf[f.Path]] }).ToList(), splitOf);
    }

    private static string RepoPathOf(string fileUri, TableIdentifier table) =>
        HfUri.TryParse(fileUri, out var uri) ? uri.Path
            : throw new FacebergException("NotADatasetTable", FacebergErrorKind.InvalidData,
                $"Table '{table}' holds '{fileUri}', which is not an hf:// dataset file; only tables Faceberg created from a dataset can be synced.");

    /// <summary>
    /// The optional top-level columns the new files bring. Anything else that differs — a type change,
    /// a required column gone or nullable, a new field inside a struct — is refused before anything is
    /// written, naming the file and the column. The table's schema evolution checks the new columns again
    /// when they are committed (<see cref="IcebergTable.UpdateColumnsAsync"/>).
    /// </summary>
    internal static IReadOnlyList<NestedField> NewColumns(IcebergTable table, IEnumerable<ParquetFileStatistics> files, string repo, string config)
    {
        var schema = table.Schema;
        var lastId = table.Metadata.LastColumnId;
        var mapping = table.Metadata.Properties.TryGetValue(NameMapping.PropertyKey, out var json) ? NameMapping.Parse(json) : null;
        foreach (var file in files.Select(f => (f.FileUri, Schema: AsTableNames(f.Schema, table.Schema, mapping))))
        {
            if (file.Schema.Struct.Field(TableProperties.SplitColumn) is not null)
                throw new FacebergException("SplitColumnConflict", FacebergErrorKind.NotSupported,
                    $"'{file.FileUri}' of config '{config}' in dataset '{repo}' has a column named '{TableProperties.SplitColumn}', which Faceberg needs for the split partition. The table was left unchanged.");
            var comparison = SchemaComparer.Compare(schema, file.Schema, lastId);
            if (comparison.IsConflict)
                throw new FacebergException("IncompatibleSchemaChange", FacebergErrorKind.InvalidData,
                    $"'{file.FileUri}' does not fit table '{table.Location}': column '{comparison.ConflictColumn}' is {comparison.TableType} in the table but {comparison.FileType} in the file. The table was left unchanged.");
            var unsupported = comparison.RelaxedColumns.Select(c => $"'{c}' becomes nullable")
                .Concat(comparison.AddedColumns.Where(c => c.Contains('.')).Select(c => $"nested field '{c}' is new")).ToList();
            if (unsupported.Count > 0)
                throw new FacebergException("IncompatibleSchemaChange", FacebergErrorKind.InvalidData,
                    $"'{file.FileUri}' changes the schema of table '{table.Location}' in a way Faceberg does not evolve: {string.Join("; ", unsupported)}. The table was left unchanged.");
            schema = comparison.MergedSchema!;
            lastId = comparison.LastColumnId;
        }
        return schema.Fields.Where(f => table.Schema.Struct.Field(f.Name) is null).Select(f => f with { Required = false }).ToList();
    }

    /// <summary>
    /// A file's columns under the names the table knows them by: a column the table renamed (its old name
    /// is still in the name mapping) is the renamed column, and a column the table dropped stays dropped,
    /// so files committed with old names neither re-add a column nor bring a dropped one back.
    /// </summary>
    private static Schema AsTableNames(Schema fileSchema, Schema tableSchema, NameMapping? mapping)
    {
        if (mapping is null) return fileSchema;
        var fields = new List<NestedField>();
        foreach (var field in fileSchema.Fields)
        {
            if (tableSchema.Struct.Field(field.Name) is not null || mapping.FindId(field.Name) is not { } id)
                fields.Add(field);
            else if (tableSchema.FindField(id) is { } current && tableSchema.Struct.Field(current.Name) is not null)
                fields.Add(field with { Name = current.Name });
        }
        return new Schema(fileSchema.SchemaId, fields, fileSchema.IdentifierFieldIds);
    }
}
