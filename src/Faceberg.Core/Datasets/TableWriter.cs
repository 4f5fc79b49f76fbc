using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>How <see cref="TableWriter.WriteAsync"/> sizes files and what it does.</summary>
public sealed class TableWriteOptions
{
    /// <summary>Plan only: validate the rows and name the files, upload and commit nothing.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Estimated uncompressed bytes per row group: large enough for efficient column chunks, small
    /// enough that a reader holds one group in memory (the `datasets` library and Spark read by group).</summary>
    public long TargetRowGroupBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Most rows in one row group, whatever their size.</summary>
    public int MaxRowGroupRows { get; init; } = 1_000_000;

    /// <summary>Estimated uncompressed bytes per file before a write starts another shard.</summary>
    public long TargetFileBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Codec and level of the new Parquet files; default Snappy, as the Hub's converter writes.</summary>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Default;

    /// <summary>The Hub commit title; a default names the table, split and row count.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>Hears rows checked, rows encoded into Parquet and bytes uploaded.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>How many rows a streamed input (rows that are not a collection) is known to hold: the total its progress
    /// reports count towards, and the size the first row group's buffers are made for. Ignored for a collection.</summary>
    public int? ExpectedRows { get; init; }

    /// <summary>Asked once every row has passed and the new files are named (the plan), before any file is finished
    /// or uploaded: false writes nothing and returns the plan. Lets a caller that streams rows confirm the write
    /// once their count is known.</summary>
    public Func<TableWriteResult, CancellationToken, Task<bool>>? ConfirmAsync { get; init; }
}

/// <summary>What a write did (or, for WhatIf, would do).</summary>
public sealed record TableWriteResult
{
    public required TableIdentifier Table { get; init; }
    public required string Repo { get; init; }
    public required string Split { get; init; }

    /// <summary>Repository paths of the new Parquet files.</summary>
    public required IReadOnlyList<string> Files { get; init; }
    public required long Records { get; init; }

    /// <summary>The Hub commit holding the files, now the table's synced revision; null for WhatIf.</summary>
    public string? Revision { get; init; }

    /// <summary>The commit the write was based on (the table's previous synced revision).</summary>
    public required string ParentRevision { get; init; }

    /// <summary>The new append snapshot; null for WhatIf.</summary>
    public long? SnapshotId { get; init; }
    public long Bytes { get; init; }
    public bool WhatIf { get; init; }
}

/// <summary>
/// Appends rows to a dataset table: validates them against the table schema, writes Parquet files named
/// after the dataset's layout (<see cref="DatasetFileNaming"/>), uploads them in one Hub commit based
/// on the table's synced revision, then commits one Iceberg append snapshot that references them at the
/// new commit and records that commit as the synced revision. See docs/writing.md.
/// </summary>
public sealed class TableWriter
{
    private readonly HubClient _hub;
    private readonly DatasetTableStore _store;
    private readonly DatasetPlanner _planner;

    /// <param name="io">Where table metadata is read and written; without one, each call uses its catalog's own
    /// (a working copy serves its repo's hf:// URIs locally).</param>
    public TableWriter(HubClient hub, IFileIO? io = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _store = new DatasetTableStore(hub, io);
        _planner = new DatasetPlanner(hub);
    }

    /// <summary>The store the writer loads and commits through (tests hook its commits).</summary>
    internal DatasetTableStore Store => _store;

    /// <param name="rows">Column name → value; names match exactly, else case-insensitively. A <c>split</c> key, if
    /// present, must equal <paramref name="split"/>.</param>
    /// <exception cref="FacebergException"><c>WriteRowInvalid</c> (nothing written), <c>WriteBranchMoved</c>
    /// (sync first), <c>WriteLayoutMismatch</c>, <c>WriteNotSupported</c>, <c>WriteMetadataCommitFailed</c>
    /// (data committed on the Hub, table unchanged: the next sync picks the files up), Hub errors.</exception>
    public async Task<TableWriteResult> WriteAsync(CatalogContext catalog, TableIdentifier table, string split,
        IEnumerable<IReadOnlyDictionary<string, object?>> rows, TableWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        if (string.IsNullOrWhiteSpace(split))
            throw new FacebergException("WriteInvalidSplitName", FacebergErrorKind.InvalidArgument, "A split name is required.");
        options ??= new TableWriteOptions();

        var store = _store.Open(catalog);
        var iceberg = await _store.LoadAsync(store, table, cancellationToken).ConfigureAwait(false);
        var dataset = Writable(iceberg, table);
        var target = dataset.Source;
        var columns = iceberg.Schema.Fields.Where(f => f.Name != TableProperties.SplitColumn).ToList();
        foreach (var column in columns)
        {
            if (ValueCoercion.UnsupportedReason(column.Type) is { } reason)
                throw new FacebergException("WriteUnsupportedColumn", FacebergErrorKind.NotSupported,
                    $"Table '{table}' cannot be written: column '{column.Name}': {reason}.");
        }

        var progress = options.Progress;
        // Rows are checked and, unless this is a plan, striped into Parquet column buffers in the same pass: nothing is
        // uploaded before every row has passed, and no row is kept once striped.
        var layout = new ParquetLayout(options.TargetRowGroupBytes, Math.Max(1, options.MaxRowGroupRows), options.TargetFileBytes);
        var expected = rows is IReadOnlyCollection<IReadOnlyDictionary<string, object?>> counted ? counted.Count : Math.Max(0, options.ExpectedRows ?? 0);
        var writer = new ParquetDataWriter(columns, options.Compression, layout, encode: !options.WhatIf, expectedRows: expected);
        await using var writerScope = writer.ConfigureAwait(false);
        await CheckRowsAsync(rows, expected, columns, split, table, writer, progress, cancellationToken).ConfigureAwait(false);
        if (writer.RowCount == 0)
            throw new FacebergException("WriteNoRows", FacebergErrorKind.InvalidArgument, $"No rows to write to table '{table}'.");

        // The branch must still be where the table was synced: the new files are named against that
        // listing and the new snapshot extends that state.
        var info = await _hub.GetDatasetInfoAsync(target.Repo, target.Ref, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(info.Sha, target.Revision, StringComparison.OrdinalIgnoreCase))
            throw BranchMoved(table, target, info.Sha, null);
        var listing = await _planner.ListFilesAsync(target.Repo, target.Revision, cancellationToken).ConfigureAwait(false);

        var paths = DatasetFileNaming.NewFilePaths(listing, info.CardData, target.Repo, target.Config, split, writer.FileCount, DatasetFileNaming.NewUniqueId());
        var result = new TableWriteResult
        {
            Table = table, Repo = target.Repo, Split = split, Files = paths, Records = writer.RowCount,
            ParentRevision = target.Revision, WhatIf = options.WhatIf,
        };
        if (options.WhatIf) return result;
        if (options.ConfirmAsync is not null && !await options.ConfirmAsync(result with { WhatIf = true }, cancellationToken).ConfigureAwait(false))
            return result with { WhatIf = true };

        var metadata = await FeaturesMetadataAsync(iceberg, columns, cancellationToken).ConfigureAwait(false);
        var contents = await writer.FinishAsync(metadata, cancellationToken).ConfigureAwait(false);
        progress?.Report(new WorkProgress(EncodingActivity, writer.RowCount, writer.RowCount, "rows"));
        var operations = paths.Select((path, i) => CommitOperation.Add(path, contents[i])).ToList();

        var message = options.CommitMessage ?? string.Create(CultureInfo.InvariantCulture,
            $"Faceberg: append {writer.RowCount} rows to split '{split}' of config '{target.Config}'");
        var totalBytes = contents.Sum(c => (long)c.Length);
        progress?.Report(new WorkProgress("Uploading to " + target.Repo, 0, totalBytes, "bytes"));
        CommitInfo commit;
        try
        {
            commit = await _hub.CreateCommitAsync(target.Repo, target.Ref, operations, message,
                description: $"Written by Faceberg to table {table}.", parentCommit: target.Revision, ct: cancellationToken,
                uploaded: progress is null ? null : new CallbackProgress<long>(sent => progress.Report(new WorkProgress("Uploading to " + target.Repo, sent, totalBytes, "bytes"))))
                .ConfigureAwait(false);
        }
        catch (HubCommitConflictException e)
        {
            throw BranchMoved(table, target, null, e);
        }
        var sha = commit.CommitOid;
        CrashPoints.Reach(CrashPoints.WriteDataCommitted);

        try
        {
            var files = new List<NewDatasetFile>();
            for (var i = 0; i < paths.Count; i++)
            {
                var uri = DatasetSource.DataFileUri(target.Repo, sha, paths[i]);
                using var stream = new MemoryStream(contents[i], writable: false);
                files.Add(new NewDatasetFile(await ParquetFileInspector.InspectAsync(stream, uri, cancellationToken).ConfigureAwait(false), split));
            }
            var snapshot = await CommitAppendAsync(store, dataset, target, sha, files, cancellationToken).ConfigureAwait(false);
            return result with { Revision = sha, SnapshotId = snapshot?.SnapshotId, Bytes = contents.Sum(c => (long)c.Length) };
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            throw new FacebergException("WriteMetadataCommitFailed", FacebergErrorKind.Unavailable,
                $"The new files were committed to dataset '{target.Repo}' as {sha}, but table '{table}' could not record them: {e.Message} "
                + "The table is still valid at its previous snapshot; run Sync-FacebergTable to pick the files up.", e);
        }
    }

    /// <summary>
    /// Records the files of Hub commit <paramref name="sha"/> in one append snapshot. The files are on the Hub already,
    /// so losing the Iceberg commit to another writer (a sync, say) is not a failure: appends commute, so the append is
    /// rebased onto the winner's snapshot, leaving out any file the winner already made live (a sync that picked up
    /// this commit made all of them live: then there is nothing left to do). The pin moves to <paramref name="sha"/>
    /// only from the revision the Hub commit was based on, never away from one another writer set.
    /// </summary>
    private async Task<Snapshot?> CommitAppendAsync(ICatalog store, DatasetTable dataset, DatasetSource target, string sha,
        IReadOnlyList<NewDatasetFile> files, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = dataset.Source;
            var pending = files;
            if (attempt > 1)
            {
                var live = (await dataset.Iceberg.PlanFilesAsync(cancellationToken: ct).ConfigureAwait(false))
                    .Select(f => f.FilePath).ToHashSet(StringComparer.Ordinal);
                pending = files.Where(f => !live.Contains(f.Facts.FileUri)).ToList();
                if (pending.Count == 0)
                    return dataset.Iceberg.CurrentSnapshot;
            }
            // The pin moves with the snapshot, so the next sync finds the branch at this commit and has nothing to add.
            var written = string.Equals(current.Revision, target.Revision, StringComparison.OrdinalIgnoreCase) ? current with { Revision = sha } : current;
            try
            {
                return await _store.CommitAsync(store, dataset, new DatasetCommit
                {
                    BaseSnapshotId = dataset.SnapshotId,
                    Source = written,
                    AddFiles = pending,
                    Summary = written.SnapshotSummary(current.Revision, added: pending.Count),
                }, ct).ConfigureAwait(false);
            }
            catch (CommitFailedException) when (attempt < DatasetSync.MaxPlans)
            {
                var reloaded = await _store.LoadAsync(store, dataset.Identifier, ct).ConfigureAwait(false);
                dataset = Writable(reloaded, dataset.Identifier);
            }
        }
    }

    /// <summary>Rows between two progress reports.</summary>
    private const int ProgressRows = 1000;

    /// <summary>The table bound to its dataset, when Faceberg can write to it: it reads the dataset's own Parquet files and follows a branch.</summary>
    private static DatasetTable Writable(IcebergTable iceberg, TableIdentifier id)
    {
        var table = DatasetTable.Bind(id, iceberg, key => new FacebergException("WriteNotADatasetTable", FacebergErrorKind.NotSupported,
            $"Table '{id}' has no '{key}' property: only tables Faceberg created from a Hub dataset can be written."));
        var source = table.Source;
        if (source.SourceRevision is not null)
            throw new FacebergException("WriteNotSupported", FacebergErrorKind.NotSupported,
                $"Table '{id}' reads the Hub's Parquet conversion ({DatasetSource.ConversionRef}) of dataset '{source.Repo}', whose own files are not Parquet; "
                + "Parquet files added to it would not be read by the `datasets` library.");
        if (source.Ref.Length == 40 && source.Ref.All(Uri.IsHexDigit))
            throw new FacebergException("WriteNotSupported", FacebergErrorKind.NotSupported,
                $"Table '{id}' follows the fixed commit {source.Ref} of dataset '{source.Repo}', not a branch, so there is nowhere to write.");
        return table;
    }

    private static FacebergException BranchMoved(TableIdentifier table, DatasetSource target, string? head, Exception? inner) =>
        new("WriteBranchMoved", FacebergErrorKind.Conflict,
            $"Branch '{target.Ref}' of dataset '{target.Repo}' has moved{(head is null ? "" : $" to {head}")} since table '{table}' was synced at {target.Revision}. "
            + "Run Sync-FacebergTable first, then write again. Nothing was written.", inner);

    private const string CheckingActivity = "Checking rows";

    /// <summary>Rows checked and striped into Parquet column buffers in one pass (a plan only checks them).</summary>
    private const string EncodingActivity = "Encoding rows";

    /// <summary>Coerces every row and adds it to <paramref name="writer"/>; collects the first problems so one error lists
    /// them, and adds no row after the first problem (nothing is written when there is any).</summary>
    private static async Task CheckRowsAsync(IEnumerable<IReadOnlyDictionary<string, object?>> rows, int total,
        IReadOnlyList<NestedField> columns, string split, TableIdentifier table, ParquetDataWriter writer,
        IProgress<WorkProgress>? progress, CancellationToken ct)
    {
        const int maxReported = 5;
        var problems = new List<string>();
        var problemCount = 0;
        var index = -1;
        var encoding = writer.Encodes;
        string[]? lastKeys = null;
        FieldLookup.Result? lastMatch = null;
        int[]? lastPositions = null;
        // One buffer for every row: the writer stripes the values before the next row is read.
        var values = new object?[columns.Count];
        foreach (var row in rows)
        {
            index++;
            if (index % ProgressRows == 0)
            {
                ct.ThrowIfCancellationRequested();
                // Encoding reports count rows done; a plan's checks count rows begun, as before a write encoded separately.
                if (progress is not null && index > 0 && encoding) progress.Report(new WorkProgress(EncodingActivity, index, total, "rows"));
                else if (progress is not null && !encoding) progress.Report(new WorkProgress(CheckingActivity, index, total, "rows"));
            }
            if (row is null)
            {
                Report($"row {index}: the row is null");
                continue;
            }
            // Rows from one source share their keys: the match is made once per distinct key list.
            var keyed = row as KeyedRow;
            if (keyed is not null ? !ReferenceEquals(keyed.Names, lastKeys) && (lastKeys is null || !keyed.Names.AsSpan().SequenceEqual(lastKeys))
                : lastKeys is null || !SameKeys(row, lastKeys))
            {
                lastKeys = row.Keys.ToArray();
                lastMatch = FieldLookup.Match(lastKeys, columns);
                lastPositions = lastMatch.KeyOf.Select(key => key is null ? -1 : Array.IndexOf(lastKeys, key)).ToArray();
            }
            // The next row of this shape is known by reference.
            if (keyed is not null) lastKeys = keyed.Names;
            var match = lastMatch!;
            var positions = lastPositions!;
            var ok = true;
            foreach (var unknown in match.Unknown)
            {
                if (string.Equals(unknown, TableProperties.SplitColumn, StringComparison.OrdinalIgnoreCase))
                {
                    if (Equals(row[unknown]?.ToString(), split)) continue;
                    Report($"row {index}, column '{unknown}': the split comes from -Split ('{split}'), but the row says '{row[unknown]}'");
                }
                else
                {
                    Report($"row {index}, column '{unknown}': the table has no such column (columns: {string.Join(", ", columns.Select(c => c.Name))})");
                }
                ok = false;
            }
            long size = 0;
            for (var c = 0; c < columns.Count; c++)
            {
                var column = columns[c];
                values[c] = null;
                if (match.KeyOf[c] is null && column.Required)
                {
                    Report($"row {index}, column '{column.Name}': the column is required but missing");
                    ok = false;
                    continue;
                }
                try
                {
                    var raw = positions[c] < 0 ? null : keyed is not null ? keyed.ValueAt(positions[c]) : row[match.KeyOf[c]!];
                    values[c] = ValueCoercion.Coerce(raw, column.Type, column.Required);
                    size += EstimateSize(column.Type, values[c]);
                }
                catch (ValueMismatchException e)
                {
                    Report($"row {index}, column '{column.Name}{e.SubPath}': {e.Message}");
                    ok = false;
                }
            }
            if (ok && problemCount == 0)
                await writer.AddAsync(values, size, ct).ConfigureAwait(false);
        }
        if (problemCount > 0)
        {
            var more = problemCount > problems.Count ? $" (and {problemCount - problems.Count} more)" : "";
            throw new FacebergException("WriteRowInvalid", FacebergErrorKind.InvalidData,
                $"Rows do not fit table '{table}'; nothing was written: {string.Join("; ", problems)}{more}.");
        }

        void Report(string problem)
        {
            problemCount++;
            if (problems.Count < maxReported) problems.Add(problem);
        }
    }

    private static bool SameKeys(IReadOnlyDictionary<string, object?> row, string[] keys)
    {
        if (row.Count != keys.Length) return false;
        var i = 0;
        // A generic dictionary's own key enumerator is a struct: no allocation per row.
        if (row is Dictionary<string, object?> generic)
        {
            foreach (var key in generic.Keys)
            {
                if (!string.Equals(key, keys[i++], StringComparison.Ordinal)) return false;
            }
            return true;
        }
        foreach (var key in row.Keys)
        {
            if (!string.Equals(key, keys[i++], StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>A rough uncompressed size, enough to size row groups and files. Dates are <see cref="DateTime"/> values
    /// like timestamps, but Parquet stores them in 4 bytes: the column type tells them apart.</summary>
    private static long EstimateSize(IcebergType type, object? value)
    {
        switch (value)
        {
            case null:
                return 1;
            case DateTime when type is PrimitiveType { TypeId: TypeId.Date }:
                return 4;
            case object?[] fields when type is StructType s && s.Fields.Count == fields.Length:
            {
                long size = 0;
                for (var i = 0; i < fields.Length; i++) size += EstimateSize(s.Fields[i].Type, fields[i]);
                return size;
            }
            case List<object?> items when type is ListType l:
            {
                long size = 4;
                foreach (var item in items) size += EstimateSize(l.Element, item);
                return size;
            }
            case List<KeyValuePair<object, object?>> entries when type is MapType m:
            {
                long size = 4;
                foreach (var entry in entries) size += EstimateSize(m.Key, entry.Key) + EstimateSize(m.Value, entry.Value);
                return size;
            }
            default:
                return EstimateSize(value);
        }
    }

    private static long EstimateSize(object? value)
    {
        switch (value)
        {
            case null:
                return 1;
            case string s:
                return 4 + s.Length * 2L;
            case byte[] b:
                return 4 + b.LongLength;
            case object?[] fields:
            {
                long size = 0;
                foreach (var field in fields) size += EstimateSize(field);
                return size;
            }
            case List<object?> items:
            {
                long size = 4;
                foreach (var item in items) size += EstimateSize(item);
                return size;
            }
            case List<KeyValuePair<object, object?>> entries:
            {
                long size = 4;
                foreach (var entry in entries) size += EstimateSize(entry.Key) + EstimateSize(entry.Value);
                return size;
            }
            case bool:
                return 1;
            case int or float:
                return 4;
            case decimal or Guid:
                return 16;
            default:
                return 8;
        }
    }

    /// <summary>
    /// The `datasets` features ("huggingface" key-value entry) of one of the table's current files, when its
    /// features are exactly the columns written: then the library decodes the new files as it does the old
    /// (class labels, sequences). After a schema change the old features would be wrong, so none are written.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>?> FeaturesMetadataAsync(IcebergTable table, IReadOnlyList<NestedField> columns, CancellationToken ct)
    {
        var file = (await table.PlanFilesAsync(cancellationToken: ct).ConfigureAwait(false)).FirstOrDefault();
        if (file is null || !HfUri.TryParse(file.FilePath, out var uri) || uri.Revision is null) return null;
        Parquet.Meta.FileMetaData metadata;
        try
        {
            var footer = await HubParquetFooter.ReadAsync(_hub, uri.RepoId, uri.Revision, uri.Path, file.FileSizeInBytes, ct).ConfigureAwait(false);
            metadata = await footer.ReadFileMetaDataAsync(ct).ConfigureAwait(false);
        }
        catch (FacebergException e) when (e.Kind is FacebergErrorKind.NotFound or FacebergErrorKind.InvalidData)
        {
            // The features only help the `datasets` library decode; a file gone or unreadable must not block the write.
            return null;
        }
        var entry = metadata.KeyValueMetadata?.FirstOrDefault(kv => kv.Key == HuggingFaceFeatures.MetadataKey)?.Value;
        if (entry is null) return null;
        try
        {
            if (JsonNode.Parse(entry)?["info"]?["features"] is not JsonObject features) return null;
            var names = features.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            return names.SetEquals(columns.Select(c => c.Name))
                ? new Dictionary<string, string> { [HuggingFaceFeatures.MetadataKey] = entry }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
