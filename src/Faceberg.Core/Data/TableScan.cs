using System.Collections.Specialized;
using System.Runtime.CompilerServices;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Parquet;

namespace Faceberg.Core.Data;

/// <summary>What to read from a table.</summary>
public sealed record TableScanOptions
{
    /// <summary>Only rows of these splits (the table's identity partition on "split").</summary>
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
/// a time. Manifests are pruned by their partition summaries, data files by partition values and column
/// bounds, row groups by footer statistics; only the column chunks of the needed columns are read.
/// Columns resolve by field id when files carry ids, else through the table's name mapping, so renamed,
/// added (null in older files) and dropped columns read correctly; identity partition columns absent from
/// a file (such as "split") take the file's partition value.
/// </summary>
public sealed class TableScan
{
    public const string SplitColumn = TableProperties.SplitColumn;

    private readonly IcebergTable _table;
    private readonly IFileIO _io;
    private readonly TableScanOptions _options;
    private readonly NestedField[] _readFields;      // top-level fields read from files: output then filter-only
    private readonly int[] _outputPositions;         // index in _readFields of each output column
    private readonly Dictionary<int, int> _readIndex; // top-level field id → index in _readFields
    private readonly BoundPredicate? _rowFilter;
    private readonly BoundPredicate? _pruneFilter;
    private readonly NameMapping _mapping;
    private readonly int? _splitFieldId;

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
        if (_options.SnapshotId is { } id)
            Snapshot = metadata.SnapshotById(id);
        else if (_options.AsOf is { } asOf)
            Snapshot = table.SnapshotAsOf(asOf) ?? throw new FacebergException("NoSnapshotAsOf", FacebergErrorKind.NotFound,
                $"Table '{table.Location}' had no snapshot at {asOf:u}; its first snapshot is from {FirstSnapshotTime(metadata)}.");
        else
            Snapshot = metadata.CurrentSnapshot;
        // Time travel reads with the schema the snapshot was written with, as Iceberg engines do.
        Schema = (_options.SnapshotId != null || _options.AsOf != null) && Snapshot?.SchemaId is { } schemaId
            ? metadata.SchemaById(schemaId)
            : metadata.CurrentSchema;

        _mapping = metadata.Properties.TryGetValue(NameMapping.PropertyKey, out var json) ? NameMapping.Parse(json) : NameMapping.FromSchema(Schema);
        _splitFieldId = FindSplitField(metadata, Schema);

        var output = _options.Columns is { } columns
            ? columns.Select(ResolveTopLevel).ToArray()
            : Schema.Fields.ToArray();
        RowSchema = new TableRowSchema(output);

        BoundPredicate? user = _options.Filter == null ? null : BoundPredicate.Bind(_options.Filter, Schema);
        BoundPredicate? splits = null;
        if (_options.Splits is { Count: > 0 } wanted)
        {
            if (_splitFieldId == null)
                throw new FacebergException("TableHasNoSplits", FacebergErrorKind.InvalidArgument,
                    $"Table '{table.Location}' is not partitioned by split, so it cannot be read by split.");
            splits = BoundPredicate.Bind(Predicate.In(Schema.FindField(_splitFieldId.Value)!.Name, wanted.Cast<object?>()), Schema);
        }
        _pruneFilter = Combine(splits, user);
        _rowFilter = Combine(splits, _options.FilterRows ? user : null);

        var read = output.ToList();
        foreach (var column in _rowFilter?.Columns ?? [])
        {
            if (read.All(f => f.Id != column.TopLevelFieldId)) read.Add(Schema.Fields.First(f => f.Id == column.TopLevelFieldId));
        }
        _readFields = read.ToArray();
        _readIndex = _readFields.Select((f, i) => (f.Id, i)).ToDictionary(p => p.Id, p => p.i);
        _outputPositions = output.Select(f => _readIndex[f.Id]).ToArray();
    }

    /// <summary>The snapshot read (null for a table without snapshots: no rows).</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>The schema rows are read with.</summary>
    public Schema Schema { get; }

    public TableRowSchema RowSchema { get; }

    public TableScanMetrics Metrics { get; } = new();

    private static string FirstSnapshotTime(TableMetadata metadata) =>
        metadata.SnapshotLog.Count == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds(metadata.SnapshotLog[0].TimestampMs).ToString("u");

    private static BoundPredicate? Combine(BoundPredicate? a, BoundPredicate? b) => a == null ? b : b == null ? a : new BoundAnd(a, b);

    private NestedField ResolveTopLevel(string name)
    {
        // An exact-case match wins; otherwise the name must match one column case-insensitively.
        var field = Schema.Fields.FirstOrDefault(f => f.Name == name);
        if (field is not null) return field;
        var candidates = Schema.Fields.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count > 1)
            throw new FacebergException("AmbiguousColumn", FacebergErrorKind.InvalidArgument,
                $"Column name '{name}' matches {string.Join(" and ", candidates.Select(f => $"'{f.Name}'"))}, which differ only in case; give the exact name.");
        return candidates.SingleOrDefault() ?? throw new FacebergException("ColumnNotFound", FacebergErrorKind.InvalidArgument,
            $"The table has no column '{name}'. Columns: {string.Join(", ", Schema.Fields.Select(f => f.Name))}.");
    }

    /// <summary>The source field of the table's identity partition named "split" (or on a column named "split").</summary>
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

    // ---- planning ----

    /// <summary>Manifest pruning: exact equalities and in-lists on identity partition columns among the filter's top-level conjuncts.</summary>
    private PartitionFilter? BuildPartitionFilter()
    {
        PartitionFilter? filter = null;
        var identitySources = _table.Metadata.PartitionSpecs.SelectMany(s => s.Fields)
            .Where(f => f.Transform.Kind == TransformKind.Identity).Select(f => f.SourceId).ToHashSet();
        foreach (var conjunct in Conjuncts(_pruneFilter))
        {
            (BoundColumn Column, IReadOnlyList<object?> Values)? condition = conjunct switch
            {
                BoundIn { IgnoreCase: false } i => (i.Column, i.Values),
                BoundComparison c when c.ExactEquality is { } eq => (eq.Column, [eq.Literal]),
                _ => null,
            };
            if (condition is not { } cond || cond.Column.NestedPath.Count > 0 || !identitySources.Contains(cond.Column.FieldId)) continue;
            var values = new List<object?>();
            foreach (var v in cond.Values)
            {
                var bound = v == null ? null : DataValues.ToBound(cond.Column.Type, v);
                if (v != null && bound == null) { values = null; break; }
                values.Add(bound);
            }
            if (values == null) continue;
            filter = filter == null ? PartitionFilter.In(cond.Column.Name, values.ToArray()) : filter.AndIn(cond.Column.Name, values.ToArray());
        }
        return filter;
    }

    private static IEnumerable<BoundPredicate> Conjuncts(BoundPredicate? p) => p switch
    {
        null => [],
        BoundAnd a => Conjuncts(a.Left).Concat(Conjuncts(a.Right)),
        _ => [p],
    };

    /// <summary>Statistics of a column over a whole data file: its partition value for identity partition columns, else the manifest's metrics.</summary>
    private ColumnStats? FileStats(DataFile file, PartitionSpec spec, int fieldId)
    {
        for (var i = 0; i < spec.Fields.Count && i < file.Partition.Count; i++)
        {
            var pf = spec.Fields[i];
            if (pf.SourceId != fieldId || pf.Transform.Kind != TransformKind.Identity) continue;
            if (Schema.FindField(fieldId)?.Type is not PrimitiveType type) return null;
            var value = file.Partition[i];
            return value == null
                ? new ColumnStats(null, null, file.RecordCount, file.RecordCount)
                : new ColumnStats(DataValues.FromBound(type, value), DataValues.FromBound(type, value), 0, file.RecordCount);
        }
        if (Schema.FindField(fieldId)?.Type is not PrimitiveType t) return null;
        var lower = DecodeBound(t, file.LowerBounds, fieldId);
        var upper = DecodeBound(t, file.UpperBounds, fieldId);
        long? nulls = file.NullValueCounts?.TryGetValue(fieldId, out var n) == true ? n : null;
        long? values = file.ValueCounts?.TryGetValue(fieldId, out var c) == true ? c : null;
        return lower == null && upper == null && nulls == null && values == null ? null : new ColumnStats(lower, upper, nulls, values);
    }

    private static object? DecodeBound(PrimitiveType type, Dictionary<int, byte[]>? bounds, int fieldId)
    {
        if (bounds == null || !bounds.TryGetValue(fieldId, out var bytes)) return null;
        try
        {
            return DataValues.FromBound(type, BoundEncoding.Decode(type, bytes));
        }
        catch (FacebergException)
        {
            return null;   // a bound this reader cannot decode prunes nothing
        }
    }

    // ---- reading ----

    public async IAsyncEnumerable<TableRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Snapshot == null || _options.Limit == 0) yield break;
        var metadata = _table.Metadata;
        var partitionFilter = BuildPartitionFilter();
        var manifests = await _table.ReadManifestListAsync(Snapshot, cancellationToken).ConfigureAwait(false);
        // Rows deleted by position or equality delete files would come back: refuse rather than return them.
        if (manifests.Any(m => m.Content == ManifestContent.Deletes && m.HasLiveFiles))
            throw new FacebergException("DeleteFilesNotSupported", FacebergErrorKind.NotSupported,
                $"Snapshot {Snapshot.SnapshotId} of table '{_table.Location}' has delete files (written by another engine); reading them is not supported.");
        var planned = 0;
        foreach (var manifest in manifests)
        {
            if (manifest.Content != ManifestContent.Data || !manifest.HasLiveFiles) continue;
            var spec = metadata.SpecById(manifest.PartitionSpecId);
            if (partitionFilter != null && !partitionFilter.MightMatch(manifest, spec, Schema))
            {
                Metrics.ManifestsSkipped++;
                continue;
            }
            Metrics.ManifestsRead++;
            var contents = await _table.ReadManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
            var files = new List<DataFile>();
            foreach (var entry in contents.Entries)
            {
                if (entry.Status == ManifestEntryStatus.Deleted || entry.DataFile.Content != FileContent.Data) continue;
                var file = entry.DataFile;
                if (_pruneFilter != null && !_pruneFilter.MightMatch(id => FileStats(file, contents.Spec, id)))
                {
                    Metrics.FilesSkipped++;
                    continue;
                }
                if (file.FileFormat != FileFormat.Parquet)
                    throw new FacebergException("UnsupportedDataFileFormat", FacebergErrorKind.NotSupported,
                        $"Data file '{file.FilePath}' is {file.FileFormat}; only Parquet data files can be read.");
                files.Add(file);
            }

            planned += files.Count;
            // Without a row limit every file will be read, so the next one is opened (its footer fetched)
            // while this one is read: remote latency is paid once per file pair instead of per file.
            Task<OpenedFile>? next = null;
            try
            {
                for (var i = 0; i < files.Count; i++)
                {
                    var current = next ?? OpenAsync(files[i], cancellationToken);
                    next = _options.Limit == null && i + 1 < files.Count ? OpenAsync(files[i + 1], cancellationToken) : null;
                    var opened = await current.ConfigureAwait(false);
                    await using var owned = opened.ConfigureAwait(false);
                    Metrics.FilesRead++;
                    _options.Progress?.Report(new WorkProgress("Reading data files", Metrics.FilesRead, planned, "files"));
                    await foreach (var row in ReadFileAsync(opened, files[i], contents.Spec, cancellationToken).ConfigureAwait(false))
                    {
                        Metrics.RowsReturned++;
                        yield return row;
                        if (Metrics.RowsReturned >= _options.Limit) yield break;
                    }
                }
            }
            finally
            {
                if (next != null) await DisposeQuietlyAsync(next).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A data file opened for reading: its stream (and chunk-prefetching view), Parquet reader, footer facts and column layout.</summary>
    private sealed class OpenedFile(Stream stream, ChunkPrefetchStream? prefetch, ParquetReader reader, ParquetFileFacts facts, ParquetColumnLayout layout) : IAsyncDisposable
    {
        public ChunkPrefetchStream? Prefetch => prefetch;
        public ParquetReader Reader => reader;
        public ParquetFileFacts Facts => facts;
        public ParquetColumnLayout Layout => layout;

        public async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            if (prefetch != null) await prefetch.DisposeAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task DisposeQuietlyAsync(Task<OpenedFile> pending)
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

    private async Task<OpenedFile> OpenAsync(DataFile file, CancellationToken ct)
    {
        var stream = await _io.OpenReadAsync(file.FilePath, ct).ConfigureAwait(false);
        var prefetch = PrefetchingView(stream);
        try
        {
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(prefetch ?? stream, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not FacebergException)
            {
                throw new FacebergException("InvalidParquetFile", FacebergErrorKind.InvalidData, $"'{file.FilePath}' is not a readable Parquet file: {e.Message}", e);
            }
            try
            {
                var footer = reader.Metadata!;
                var facts = ParquetFileInspector.Describe(footer, file.FilePath, stream.Length);
                var usesFileIds = footer.Schema.Count > 1 && footer.Schema.Skip(1).All(e => e.FieldId != null);
                var layout = ParquetColumnLayout.Build(footer, reader.Schema, facts, _mapping, usesFileIds, file.FilePath);
                return new OpenedFile(stream, prefetch, reader, facts, layout);
            }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            if (prefetch != null) await prefetch.DisposeAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async IAsyncEnumerable<TableRow> ReadFileAsync(OpenedFile opened, DataFile file, PartitionSpec spec, [EnumeratorCancellation] CancellationToken ct)
    {
        var (reader, facts, layout, prefetch) = (opened.Reader, opened.Facts, opened.Layout, opened.Prefetch);
        var footer = reader.Metadata!;

        var readers = new ColumnReader?[_readFields.Length];
        var constants = new object?[_readFields.Length];
        for (var i = 0; i < _readFields.Length; i++)
        {
            var field = _readFields[i];
            var node = layout.TopLevel(field.Id);
            if (node != null) readers[i] = ColumnReader.Create(node, field.Type, field.Name);
            else if (FileStats(file, spec, field.Id) is { } stats && IsPartitionSource(spec, field.Id)) constants[i] = stats.Lower;
        }
        var cursors = readers.Where(r => r != null).SelectMany(r => r!.Cursors).ToArray();
        string? split = null;
        if (_splitFieldId is { } splitId && IsPartitionSource(spec, splitId) && FileStats(file, spec, splitId) is { } splitStats)
            split = splitStats.Lower as string;

        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ct.ThrowIfCancellationRequested();
            var groupFacts = facts.RowGroups[g];
            if (groupFacts.RowCount == 0) continue;
            if (_pruneFilter != null && !_pruneFilter.MightMatch(id => RowGroupStats(layout, groupFacts, id) ?? FileStats(file, spec, id)))
            {
                Metrics.RowGroupsSkipped++;
                continue;
            }
            Metrics.RowGroupsRead++;
            if (prefetch != null)
                await prefetch.PrefetchAsync(cursors.Select(c => ChunkRange(footer.RowGroups[g], c.Leaf)), ct).ConfigureAwait(false);
            using var rowGroup = reader.OpenRowGroupReader(g);
            foreach (var cursor in cursors)
                await cursor.LoadAsync(rowGroup, ct).ConfigureAwait(false);
            var rows = rowGroup.RowCount;
            for (long r = 0; r < rows; r++)
            {
                var values = new object?[_readFields.Length];
                for (var i = 0; i < values.Length; i++)
                    values[i] = readers[i] is { } columnReader ? columnReader.Read() : constants[i];
                Metrics.RowsRead++;
                if (_rowFilter != null && !_rowFilter.Test(c => ValueOf(values, c))) continue;
                var output = new object?[_outputPositions.Length];
                for (var i = 0; i < output.Length; i++) output[i] = values[_outputPositions[i]];
                yield return new TableRow(RowSchema, output, split);
            }
        }
    }

    /// <summary>A view that fetches each row group's column chunks concurrently, for hf:// files; null for local ones.</summary>
    private ChunkPrefetchStream? PrefetchingView(Stream stream)
    {
        if (stream is not HubFileStream remote) return null;
        var hub = (_io as FileIORouter)?.Resolve(HfUri.Scheme) as HubFileIO ?? _io as HubFileIO;
        if (hub == null) return null;
        // Opening the stream already fetched the file's tail; chunks in it need no request.
        return new ChunkPrefetchStream(stream, (offset, length, ct) => hub.Client.ReadRangeAsync(remote.RepoId, remote.Revision, remote.PathInRepo, offset, length, ct), remote.TailStart);
    }

    /// <summary>Where a leaf's column chunk lies in the file: from its dictionary page (if any) over its compressed size.</summary>
    private static (long Start, long Length) ChunkRange(Parquet.Meta.RowGroup group, ParquetNode leaf)
    {
        var chunk = leaf.LeafIndex < group.Columns.Count && group.Columns[leaf.LeafIndex].MetaData?.PathInSchema.SequenceEqual(leaf.Path) == true
            ? group.Columns[leaf.LeafIndex]
            : group.Columns.FirstOrDefault(c => c.MetaData?.PathInSchema.SequenceEqual(leaf.Path) == true);
        if (chunk?.MetaData is not { } md) return (0, 0);
        var start = md.DictionaryPageOffset is > 0 and var dictionary && dictionary < md.DataPageOffset ? dictionary : md.DataPageOffset;
        return (start, md.TotalCompressedSize);
    }

    private static bool IsPartitionSource(PartitionSpec spec, int fieldId) =>
        spec.Fields.Any(f => f.SourceId == fieldId && f.Transform.Kind == TransformKind.Identity);

    private object? ValueOf(object?[] values, BoundColumn column)
    {
        object? value = values[_readIndex[column.TopLevelFieldId]];
        foreach (var name in column.NestedPath)
        {
            if (value is not OrderedDictionary record) return null;
            value = record[name];
        }
        return value;
    }

    /// <summary>A column's statistics in one row group, from the footer (columns outside lists and maps only).</summary>
    private ColumnStats? RowGroupStats(ParquetColumnLayout layout, ParquetRowGroupFacts group, int fieldId)
    {
        if (Schema.FindField(fieldId)?.Type is not PrimitiveType type) return null;
        foreach (var leaf in layout.Leaves)
        {
            if (leaf.MappedId != fieldId || leaf.Rep > 0) continue;
            var chunk = group.Columns.FirstOrDefault(c => c.ParquetPath.SequenceEqual(leaf.Path));
            if (chunk == null) return null;
            try
            {
                return new ColumnStats(
                    chunk.Min == null ? null : DataValues.FromBound(type, chunk.Min),
                    chunk.Max == null ? null : DataValues.FromBound(type, chunk.Max),
                    chunk.NullCount, chunk.ValueCount);
            }
            catch (FacebergException)
            {
                return null;
            }
        }
        return null;
    }
}

/// <summary>Reads table rows: a shorthand for <see cref="TableScan"/>.</summary>
public static class TableReader
{
    public static IAsyncEnumerable<TableRow> ReadAsync(IcebergTable table, TableScanOptions? options = null, IFileIO? dataIO = null, CancellationToken cancellationToken = default) =>
        new TableScan(table, options, dataIO).ReadAsync(cancellationToken);
}
