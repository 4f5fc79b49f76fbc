using Faceberg.Core.Catalog;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

public sealed partial class DatasetTables
{
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
    /// snapshot records the change; the new pin (<c>faceberg.revision</c>) is set in the same commit.
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
            return state.Result(SyncStatus.Failed) with { Error = AsFaceberg(e, table) };
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

    private async Task<SyncResult> SyncCoreAsync(CatalogContext catalog, SyncState state, SyncOptions options, CancellationToken ct)
    {
        var store = catalog.Open();
        var table = await IcebergTable.LoadAsync(IoFor(catalog), IcebergLocation(store.GetTableLocation(state.Table)), ct).ConfigureAwait(false);
        state.SnapshotId = table.CurrentSnapshot?.SnapshotId;
        var properties = table.Metadata.Properties;
        string Required(string key) => properties.TryGetValue(key, out var value) && value.Length > 0 ? value
            : throw new FacebergException("NotADatasetTable", FacebergErrorKind.InvalidData,
                $"Table '{state.Table}' has no '{key}' property: it was not created from a dataset by Faceberg, so it cannot be synced.");
        var repo = state.Repo = Required(TableProperties.Repo);
        var configName = state.Config = Required(TableProperties.Config);
        var pinned = state.From = Required(TableProperties.Revision);
        var storedRef = properties.GetValueOrDefault(TableProperties.Ref) ?? DefaultRef;
        // faceberg.yml is the user's statement of which revision to follow; the table remembers the last one.
        var (configured, _) = catalog.FindDataset(state.Table);
        var reference = configured is not null && configured.Repo == repo ? configured.Revision ?? DefaultRef : storedRef;
        var label = properties.GetValueOrDefault(TableProperties.Dataset) ?? state.Table.ToString();
        options.Progress?.Report(new DatasetProgress(label, configName, 0, 0, $"Resolving {repo}@{reference}"));

        var info = await _hub.GetDatasetInfoAsync(repo, reference, ct).ConfigureAwait(false);
        var sha = state.To = RequireSha(info, repo, reference);
        var sourceRevision = properties.GetValueOrDefault(TableProperties.SourceRevision);
        if (string.Equals(sha, pinned, StringComparison.OrdinalIgnoreCase)
            && (sourceRevision is null || await ConversionUnchangedAsync(repo, sourceRevision, ct).ConfigureAwait(false)))
        {
            if (reference != storedRef && !options.WhatIf)
                await table.UpdatePropertiesAsync(new Dictionary<string, string> { [TableProperties.Ref] = reference }, null, ct).ConfigureAwait(false);
            return state.Result(SyncStatus.UpToDate);
        }

        var data = await ResolveDataAsync(repo, sha, info.CardData, ct).ConfigureAwait(false);
        var config = data.Layout.Select([configName], repo).Configs[0];
        var newFiles = FilesOf(config);

        // The table's live files, by repo path; their content ids come from the commit the data was read at.
        var oldDataRevision = sourceRevision ?? pinned;
        // The record written by the last create or sync saves listing the old commit; older tables have none.
        var oldFiles = await RevisionFileRecord.ReadAsync(table, oldDataRevision, ct).ConfigureAwait(false)
            ?? await ListFilesAsync(repo, oldDataRevision, ct).ConfigureAwait(false);
        var oldTree = new Dictionary<string, RepoFile>(StringComparer.Ordinal);
        foreach (var file in oldFiles)
            oldTree.TryAdd(file.Path, file);
        var live = new Dictionary<string, DataFile>(StringComparer.Ordinal);
        foreach (var file in await table.PlanFilesAsync(cancellationToken: ct).ConfigureAwait(false))
            live[RepoPathOf(file.FilePath, state.Table)] = file;
        // A path missing from the old files has no content id, so the comparison treats it as replaced.
        var liveFiles = live.Select(e => oldTree.GetValueOrDefault(e.Key) ?? new RepoFile(e.Key, e.Value.FileSizeInBytes, "")).ToList();
        var diff = RevisionDiff.Compare(liveFiles, newFiles.Select(f => f.File).ToList());
        var splitOf = newFiles.ToDictionary(f => f.File.Path, f => f.Split, StringComparer.Ordinal);
        // A card edit can move an unchanged file to another split: same stats, new partition value.
        var moved = diff.Unchanged.Where(f => !Equals(live[f.Path].Partition.FirstOrDefault(), splitOf[f.Path])).ToList();

        state.Added = diff.Added.Count;
        state.Removed = diff.Removed.Count;
        state.Replaced = diff.Replaced.Count + moved.Count;
        if (options.WhatIf)
            return state.Result(SyncStatus.WouldUpdate);

        var toRead = diff.Added.Concat(diff.Replaced.Select(r => r.New)).Select(f => (configName, f)).ToList();
        var footers = await ReadFootersAsync(label, repo, data.DataRevision, toRead, options.ThrottleLimit, options.Progress, ct).ConfigureAwait(false);
        var facts = toRead.ToDictionary(f => f.f.Path, f => footers[f.f.Path].Get(), StringComparer.Ordinal);

        var newColumns = EvolvedColumns(table, facts.Values, repo, configName);
        state.AddedColumns = newColumns.Select(c => c.Name).ToList();
        options.Progress?.Report(new DatasetProgress(label, configName, toRead.Count, toRead.Count, $"Committing {state.Table}"));
        if (newColumns.Count > 0)
            await table.UpdateSchemaAsync(newColumns, ct).ConfigureAwait(false);

        var overwrite = table.NewOverwrite();
        foreach (var removed in diff.Removed)
            overwrite.DeleteFile(live[removed.Path].FilePath);
        foreach (var replaced in diff.Replaced)
            overwrite.DeleteFile(live[replaced.Path].FilePath);
        foreach (var file in moved)
        {
            overwrite.DeleteFile(live[file.Path].FilePath);
            overwrite.AddFile(live[file.Path] with { Partition = [splitOf[file.Path]] });
        }
        foreach (var file in diff.Added.Concat(diff.Replaced.Select(r => r.New)))
            overwrite.AddFile(facts[file.Path].ToDataFile(table.Schema, [splitOf[file.Path]], facts[file.Path].FileUri));

        // The pin moves in the same metadata commit as the snapshot: no reader ever sees one without the other.
        overwrite.SetProperty(TableProperties.Revision, sha);
        overwrite.SetProperty(TableProperties.Ref, reference);
        overwrite.SetProperty(TableProperties.WriteDataPath, DataFileUri(repo, data.DataRevision, ""));
        if (data.SourceRevision is not null)
            overwrite.SetProperty(TableProperties.SourceRevision, data.SourceRevision);
        RevisionFileRecord.AddTo(overwrite, data.DataRevision, newFiles.Select(f => f.File));
        var snapshot = await overwrite.CommitAsync(new Dictionary<string, string>
        {
            [TableProperties.Revision] = sha,
            [TableProperties.PreviousRevision] = pinned,
            [TableProperties.Ref] = reference,
            [TableProperties.AddedFiles] = state.Added.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TableProperties.RemovedFiles] = state.Removed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TableProperties.ReplacedFiles] = state.Replaced.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, ct).ConfigureAwait(false);
        state.SnapshotId = snapshot.SnapshotId;
        return state.Result(SyncStatus.Updated);
    }

    /// <summary>
    /// The Hub converts a dataset some time after its main branch moves, so a converted table whose main
    /// commit is unchanged may still be behind its conversion: one more request tells.
    /// </summary>
    private async Task<bool> ConversionUnchangedAsync(string repo, string sourceRevision, CancellationToken ct)
    {
        var conversion = await _hub.GetDatasetInfoAsync(repo, ConversionRef, ct).ConfigureAwait(false);
        return string.Equals(conversion.Sha, sourceRevision, StringComparison.OrdinalIgnoreCase);
    }

    private static string RepoPathOf(string fileUri, TableIdentifier table) =>
        HfUri.TryParse(fileUri, out var uri) ? uri.Path
            : throw new FacebergException("NotADatasetTable", FacebergErrorKind.InvalidData,
                $"Table '{table}' holds '{fileUri}', which is not an hf:// dataset file; only tables Faceberg created from a dataset can be synced.");

    /// <summary>
    /// The optional top-level columns the new files bring. Anything else that differs — a type change,
    /// a required column gone or nullable, a new field inside a struct — is refused before anything is
    /// written, naming the file and the column.
    /// </summary>
    private static IReadOnlyList<NestedField> EvolvedColumns(IcebergTable table, IEnumerable<ParquetFileFacts> files, string repo, string config)
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
