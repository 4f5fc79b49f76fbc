using System.Runtime.CompilerServices;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Data;

/// <summary>What to read from a table.</summary>
public sealed record TableScanOptions
{
    /// <summary>Only rows of these splits (values of the table's identity partition on <see cref="TableScan.SplitColumn"/>).</summary>
    public IReadOnlyList<string>? Splits { get; init; }

    /// <summary>Top-level columns to return, in this order; all columns in schema order when null.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Skips files and row groups whose statistics rule it out and, unless <see cref="FilterRows"/> is false, drops rows that fail it.</summary>
    public Predicate? Filter { get; init; }

    /// <summary>False when the caller filters rows itself and <see cref="Filter"/> only prunes (it must then be implied by the caller's test).</summary>
    public bool FilterRows { get; init; } = true;

    /// <summary>Stop after this many rows.</summary>
    public long? Limit { get; init; }

    /// <summary>Read this snapshot instead of the current one.</summary>
    public long? SnapshotId { get; init; }

    /// <summary>Read the snapshot that was current at this time.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Only rows appended after this snapshot (exclusive): an incremental append scan; see <see cref="IncrementalAppendRange"/>.</summary>
    public SnapshotBoundary? Since { get; init; }

    /// <summary>With or without <see cref="Since"/>: only rows appended up to this snapshot (inclusive) instead of the current one.</summary>
    public SnapshotBoundary? Until { get; init; }

    /// <summary>Hears data files opened, out of those planned so far (later manifests may add more).</summary>
    public IProgress<WorkProgress>? Progress { get; init; }
}

/// <summary>Counts of what a scan read and skipped, to make pruning observable.</summary>
public sealed class TableScanMetrics
{
    public int ManifestsRead { get; internal set; }
    public int ManifestsSkipped { get; internal set; }
    public int FilesRead { get; internal set; }
    public int FilesSkipped { get; internal set; }
    public int RowGroupsRead { get; internal set; }
    public int RowGroupsSkipped { get; internal set; }
    public long RowsRead { get; internal set; }
    public long RowsReturned { get; internal set; }
}

/// <summary>
/// Streams the rows of an Iceberg table snapshot from its Parquet data files, one row group in memory at
/// a time. The <see cref="ScanPlanner"/> lists the files (manifests pruned by their partition summaries,
/// data files by partition values and column metrics); each file is opened by a <see cref="ParquetFileReader"/>
/// (row groups pruned by footer statistics, only the needed column chunks read) and turned into rows by a
/// <see cref="RowBuilder"/>. Columns resolve by field id when files carry ids, else through the table's name
/// mapping, so renamed, added (null in older files) and dropped columns read correctly; identity partition
/// columns absent from a file take the file's partition value.
/// </summary>
public sealed class TableScan
{
    /// <summary>
    /// The column of the identity partition <see cref="TableScanOptions.Splits"/> and <see cref="TableRow.Split"/>
    /// refer to: a string column named "split" partitioned by identity (how dataset tables are partitioned).
    /// </summary>
    public const string SplitColumn = "split";

    private readonly IcebergTable _table;
    private readonly IFileIO _io;
    private readonly TableScanOptions _options;
    private readonly NestedField[] _readFields;      // top-level fields read from files: output then filter-only
    private readonly int[] _outputPositions;         // index in _readFields of each output column
    private readonly BoundPredicate? _rowFilter;
    private readonly BoundPredicate? _pruneFilter;
    private readonly NameMapping _mapping;
    private readonly int? _splitFieldId;
    private readonly Type[] _columnTypes;            // element type of each output column's batch arrays

    /// <param name="dataIO">IO for data files; the table's own IO when null.</param>
    public TableScan(IcebergTable table, TableScanOptions? options = null, IFileIO? dataIO = null)
    {
        _table = table ?? throw new ArgumentNullException(nameof(table));
        _io = dataIO ?? table.Io;
        _options = options ?? new TableScanOptions();
        var metadata = table.Metadata;

        if (_options.SnapshotId != null && _options.AsOf != null)
            throw new FacebergException("SnapshotAndAsOf", FacebergErrorKind.InvalidArgument, "Give either a snapshot id or a time, not both.");
        if (_options.Limit is < 0)
            throw new FacebergException("InvalidLimit", FacebergErrorKind.InvalidArgument, "The row limit must not be negative.");
        if ((_options.Since != null || _options.Until != null) && (_options.SnapshotId != null || _options.AsOf != null))
            throw new FacebergException("IncrementalAndTimeTravel", FacebergErrorKind.InvalidArgument,
                "Give either a snapshot or time to read the table at, or a range of appended rows (since, until), not both.");
        if (_options.Since != null || _options.Until != null)
        {
            AppendRange = IncrementalAppendRange.Resolve(metadata, _options.Since, _options.Until);
            Snapshot = AppendRange.End;
        }
        else if (_options.SnapshotId is { } id)
            Snapshot = metadata.SnapshotById(id);
        else if (_options.AsOf is { } asOf)
            Snapshot = table.SnapshotAsOf(asOf) ?? throw new FacebergException("NoSnapshotAsOf", FacebergErrorKind.NotFound,
                $"Table '{table.Location}' has no snapshot as of {asOf:u}; its oldest remaining snapshot is from {FirstSnapshotTime(metadata)} (older ones may have been expired).");
        else
            Snapshot = metadata.CurrentSnapshot;
        // Time travel reads with the schema the snapshot was written with, as Iceberg engines do.
        Schema = (_options.SnapshotId != null || _options.AsOf != null) && Snapshot?.SchemaId is { } schemaId
            ? metadata.SchemaById(schemaId)
            : metadata.CurrentSchema;

        _mapping = metadata.Properties.TryGetValue(NameMapping.PropertyKey, out var json) ? NameMapping.Parse(json) : NameMapping.FromSchema(Schema);
        _splitFieldId = FindSplitField(metadata, Schema);

        var output = _options.Columns is { } columns
            ? columns.Select(c => ColumnResolver.TopLevel(Schema, c)).ToArray()
            : Schema.Fields.ToArray();
        RowSchema = new TableRowSchema(output);
        _columnTypes = output.Select(TypedColumns.ElementType).ToArray();

        BoundPredicate? user = _options.Filter == null ? null : BoundPredicate.Bind(_options.Filter, Schema);
        BoundPredicate? splits = null;
        if (_options.Splits is { Count: > 0 } wanted)
        {
            if (_splitFieldId == null)
                throw new FacebergException("TableHasNoSplits", FacebergErrorKind.InvalidArgument,
                    $"Table '{table.Location}' is not partitioned by split, so it cannot be read by split.");
            splits = BoundPredicate.Bind(Predicate.In(Schema.FindColumnName(_splitFieldId.Value)!, wanted.Cast<object?>()), Schema);
        }
        _pruneFilter = Combine(splits, user);
        _rowFilter = Combine(splits, _options.FilterRows ? user : null);

        var read = output.ToList();
        foreach (var column in _rowFilter?.Columns ?? [])
        {
            if (read.All(f => f.Id != column.TopLevelFieldId)) read.Add(Schema.Fields.First(f => f.Id == column.TopLevelFieldId));
        }
        _readFields = read.ToArray();
        _outputPositions = output.Select(f => Array.FindIndex(_readFields, r => r.Id == f.Id)).ToArray();
    }

    /// <summary>The snapshot read (null for a table without snapshots: no rows).</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>The snapshots whose appended rows are read, for an incremental read; null for a read of a whole snapshot.</summary>
    public IncrementalAppendRange? AppendRange { get; }

    /// <summary>The schema rows are read with.</summary>
    public Schema Schema { get; }

    public TableRowSchema RowSchema { get; }

    public TableScanMetrics Metrics { get; } = new();

    private static string FirstSnapshotTime(TableMetadata metadata) =>
        metadata.SnapshotLog.Count == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds(metadata.SnapshotLog[0].TimestampMs).ToString("u");

    private static BoundPredicate? Combine(BoundPredicate? a, BoundPredicate? b) => a == null ? b : b == null ? a : new BoundAnd(a, b);

    /// <summary>The source field of the table's identity partition named <see cref="SplitColumn"/> (or on a string column of that name).</summary>
    private static int? FindSplitField(TableMetadata metadata, Schema schema)
    {
        foreach (var field in metadata.DefaultSpec.Fields)
        {
            if (field.Transform.Kind != TransformKind.Identity) continue;
            var source = schema.FindField(field.SourceId);
            if (source is { Type: PrimitiveType { TypeId: TypeId.String } }
                && (string.Equals(field.Name, SplitColumn, StringComparison.OrdinalIgnoreCase) || string.Equals(source.Name, SplitColumn, StringComparison.OrdinalIgnoreCase)))
                return source.Id;
        }
        return null;
    }

    /// <summary>Rows per <see cref="TableRowBatch"/> at most: a batch's column arrays stay below the large object heap's threshold.</summary>
    public const int BatchRows = 4096;

    /// <summary>The rows, one at a time.</summary>
    public async IAsyncEnumerable<TableRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var r = 0; r < batch.Count; r++) yield return batch.Row(r);
        }
    }

    /// <summary>
    /// The rows in batches of consecutive rows of one file (at most <see cref="BatchRows"/>), column by column:
    /// without a row filter or deletes, values go from the decoded columns into the batch with no per-row object.
    /// </summary>
    public async IAsyncEnumerable<TableRowBatch> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Snapshot == null || _options.Limit == 0) yield break;
        var filter = _pruneFilter == null ? null : new PredicateScanFilter(_pruneFilter, Schema, _table.Metadata);
        // With a row limit, manifests are read one at a time: the first ones usually suffice.
        var planOptions = new ScanPlanOptions { ManifestReadAhead = _options.Limit == null ? 8 : 1 };
        var planner = _table.NewScanPlanner();
        var plan = AppendRange is { } range
            ? await planner.PlanAppendsAsync(range, filter, planOptions, cancellationToken).ConfigureAwait(false)
            : await planner.PlanAsync(Snapshot, filter, planOptions, cancellationToken).ConfigureAwait(false);
        var deletes = plan.DeleteFiles.Count == 0 ? null : new ScanDeletes(plan.DeleteFiles, _io, Schema, _mapping);

        // Without a row limit every file will be read, so the next one is opened (its footer fetched)
        // while this one is read: remote latency is paid once per file pair instead of per file.
        var files = plan.DataFilesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        Task<ParquetFileReader>? next = null;
        try
        {
            var current = await NextFileAsync(files).ConfigureAwait(false);
            while (current != null)
            {
                var opening = next ?? OpenAsync(current, cancellationToken);
                next = null;
                FileScanTask? following = null;
                if (_options.Limit == null)
                {
                    following = await NextFileAsync(files).ConfigureAwait(false);
                    if (following != null) next = OpenAsync(following, cancellationToken);
                }
                var reader = await opening.ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    Metrics.FilesRead++;
                    // The plan streams its files, so how many remain is not known while reading.
                    _options.Progress?.Report(new WorkProgress("Reading data files", Metrics.FilesRead, 0, "files"));
                    await foreach (var read in ReadFileAsync(reader, current, deletes, cancellationToken).ConfigureAwait(false))
                    {
                        var batch = _options.Limit is { } limit ? read.Take((int)Math.Min(read.Count, limit - Metrics.RowsReturned)) : read;
                        Metrics.RowsReturned += batch.Count;
                        yield return batch;
                        if (Metrics.RowsReturned >= _options.Limit) yield break;
                    }
                }
                current = _options.Limit == null ? following : await NextFileAsync(files).ConfigureAwait(false);
            }
        }
        finally
        {
            if (next != null) await DisposeQuietlyAsync(next).ConfigureAwait(false);
            await files.DisposeAsync().ConfigureAwait(false);
            Metrics.ManifestsRead = plan.ManifestsRead;
            Metrics.ManifestsSkipped = plan.ManifestsSkipped;
            Metrics.FilesSkipped = plan.FilesSkipped;
        }
    }

    private static async Task<FileScanTask?> NextFileAsync(IAsyncEnumerator<FileScanTask> files)
    {
        while (await files.MoveNextAsync().ConfigureAwait(false))
        {
            var file = files.Current.File;
            if (file.FileFormat != FileFormat.Parquet)
                throw new FacebergException("UnsupportedDataFileFormat", FacebergErrorKind.NotSupported,
                    $"Data file '{file.FilePath}' is {file.FileFormat}; only Parquet data files can be read.");
            return files.Current;
        }
        return null;
    }

    private Task<ParquetFileReader> OpenAsync(FileScanTask task, CancellationToken ct) => ParquetFileReader.OpenAsync(_io, task.File.FilePath, _mapping, ct);

    private static async Task DisposeQuietlyAsync(Task<ParquetFileReader> pending)
    {
        try
        {
            await (await pending.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is FacebergException or IOException or OperationCanceledException or HttpRequestException)
        {
            // A file opened ahead that is no longer wanted; its failure concerns nobody.
        }
    }

    private async IAsyncEnumerable<TableRowBatch> ReadFileAsync(ParquetFileReader reader, FileScanTask task, ScanDeletes? deletes, [EnumeratorCancellation] CancellationToken ct)
    {
        var (file, spec) = (task.File, task.Spec);
        var constants = PredicateScanFilter.PartitionConstants(Schema, file, spec);
        var fileDeletes = deletes == null ? null : await deletes.ForDataFileAsync(task, ct).ConfigureAwait(false);
        // Equality deletes compare columns the caller may not have asked for: they are read after the output columns and cut off again.
        var (readFields, outputPositions) = WithEqualityColumns(fileDeletes);
        var builder = new RowBuilder(readFields, outputPositions, _rowFilter, reader.Layout, constants);
        var split = _splitFieldId is { } splitId && constants.TryGetValue(splitId, out var splitValue) ? splitValue as string : null;

        long nextGroupStart = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ct.ThrowIfCancellationRequested();
            // Position deletes count rows from the file's start, skipped row groups included.
            var groupStart = nextGroupStart;
            nextGroupStart += reader.Facts.RowGroups[g].RowCount;
            if (reader.Facts.RowGroups[g].RowCount == 0) continue;
            if (_pruneFilter != null && !MetricsEvaluator.MightMatch(_pruneFilter, id => RowGroupStats(reader, g, id) ?? PredicateScanFilter.FileStats(Schema, file, spec, id)))
            {
                Metrics.RowGroupsSkipped++;
                continue;
            }
            Metrics.RowGroupsRead++;
            // When every row read is returned, a limit tells how many rows of the group are needed: only their pages are read.
            var rows = _options.Limit is { } limit && _rowFilter == null && fileDeletes == null
                ? await reader.LoadLeadingRowsAsync(g, builder.Cursors, limit - Metrics.RowsReturned, ct).ConfigureAwait(false)
                : await reader.LoadRowGroupAsync(g, builder.Cursors, ct).ConfigureAwait(false);
            var outputCount = _outputPositions.Length;
            if (fileDeletes == null && builder.ReadsOutputOnly)
            {
                for (long r = 0; r < rows;)
                {
                    // With a limit, the group was loaded up to the rows still wanted: ReadBatchesAsync cuts nothing here.
                    var count = (int)Math.Min(BatchRows, rows - r);
                    var columns = NewColumns(count);
                    builder.ReadColumns(columns, count);
                    Metrics.RowsRead += count;
                    r += count;
                    yield return new TableRowBatch(RowSchema, columns, count, split);
                }
                continue;
            }
            var capacity = (int)Math.Min(BatchRows, rows);
            var batchColumns = NewColumns(capacity);
            var filled = 0;
            for (long r = 0; r < rows; r++)
            {
                Metrics.RowsRead++;
                if (builder.Next() is not { } values) continue;
                if (fileDeletes != null && fileDeletes.IsDeleted(groupStart + r, values, outputCount)) continue;
                // Equality delete columns past the output ones are left out.
                for (var c = 0; c < outputCount; c++) TypedColumns.Set(ref batchColumns[c], filled, values[c]);
                if (++filled < capacity) continue;
                yield return new TableRowBatch(RowSchema, batchColumns, filled, split);
                capacity = (int)Math.Min(BatchRows, rows - r - 1);
                batchColumns = NewColumns(capacity);
                filled = 0;
            }
            if (filled > 0) yield return new TableRowBatch(RowSchema, batchColumns, filled, split);
        }
    }

    private Array[] NewColumns(int rows)
    {
        var arrays = new Array[_columnTypes.Length];
        for (var c = 0; c < arrays.Length; c++) arrays[c] = TypedColumns.New(_columnTypes[c], rows);
        return arrays;
    }

    /// <summary>The fields to read and the positions to return for a file: the scan's own, plus the columns its equality deletes compare.</summary>
    private (NestedField[] ReadFields, int[] OutputPositions) WithEqualityColumns(DataFileDeletes? deletes)
    {
        if (deletes is not { EqualityFields.Count: > 0 }) return (_readFields, _outputPositions);
        var read = _readFields.ToList();
        foreach (var field in deletes.EqualityFields)
            if (read.All(f => f.Id != field.Id)) read.Add(field);
        var positions = _outputPositions.Concat(deletes.EqualityFields.Select(f => read.FindIndex(r => r.Id == f.Id))).ToArray();
        return (read.ToArray(), positions);
    }

    /// <summary>
    /// The rows the scan would return, counted: data files no delete applies to count their manifest
    /// record counts and files with only position deletes their record count less the distinct deleted
    /// positions, without being opened; files with equality deletes are read (their equality columns only
    /// when no columns are selected). With a filter or split selection every file is read.
    /// </summary>
    public async Task<long> CountRowsAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Limit != null || _pruneFilter != null)
        {
            long rows = 0;
            await foreach (var batch in ReadBatchesAsync(cancellationToken).ConfigureAwait(false)) rows += batch.Count;
            return rows;
        }
        if (Snapshot == null) return 0;
        var plan = await _table.NewScanPlanner().PlanAsync(Snapshot, null, null, cancellationToken).ConfigureAwait(false);
        var deletes = plan.DeleteFiles.Count == 0 ? null : new ScanDeletes(plan.DeleteFiles, _io, Schema, _mapping);
        long count = 0;
        await foreach (var task in plan.DataFilesAsync(cancellationToken).ConfigureAwait(false))
        {
            var fileDeletes = deletes == null ? null : await deletes.ForDataFileAsync(task, cancellationToken).ConfigureAwait(false);
            if (fileDeletes is not { EqualityFields.Count: > 0 })
            {
                count += task.File.RecordCount - (fileDeletes?.DeletedPositions(task.File.RecordCount) ?? 0);
                continue;
            }
            if (task.File.FileFormat != FileFormat.Parquet)
                throw new FacebergException("UnsupportedDataFileFormat", FacebergErrorKind.NotSupported,
                    $"Data file '{task.File.FilePath}' is {task.File.FileFormat}; only Parquet data files can be read.");
            var reader = await OpenAsync(task, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await foreach (var batch in ReadFileAsync(reader, task, deletes, cancellationToken).ConfigureAwait(false)) count += batch.Count;
            }
        }
        return count;
    }

    private ColumnStats? RowGroupStats(ParquetFileReader reader, int group, int fieldId) =>
        Schema.FindField(fieldId)?.Type is PrimitiveType type ? reader.RowGroupStats(group, fieldId, type) : null;
}

/// <summary>Reads table rows: a shorthand for <see cref="TableScan"/>.</summary>
public static class TableReader
{
    public static IAsyncEnumerable<TableRow> ReadAsync(IcebergTable table, TableScanOptions? options = null, IFileIO? dataIO = null, CancellationToken cancellationToken = default) =>
        new TableScan(table, options, dataIO).ReadAsync(cancellationToken);
}
