using Faceberg.Core.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using IcebergListType = Faceberg.Core.Iceberg.Spec.ListType;
using IcebergMapType = Faceberg.Core.Iceberg.Spec.MapType;
using IcebergStructType = Faceberg.Core.Iceberg.Spec.StructType;

namespace Faceberg.Core.Data;

/// <summary>Where a streamed write cuts row groups and files, by the caller's estimate of each row's uncompressed size.</summary>
internal sealed record ParquetLayout(long TargetRowGroupBytes, int MaxRowGroupRows, long TargetFileBytes)
{
    /// <summary>One file of row groups of <paramref name="rows"/> rows each.</summary>
    public static ParquetLayout FixedRowGroups(int rows) => new(long.MaxValue, Math.Max(1, rows), long.MaxValue);
}

/// <summary>
/// Streams rows of canonical values (see <see cref="ValueCoercion"/>) into Parquet files in memory (codec and level per
/// <see cref="ParquetCompression"/>) with Parquet.Net: each row is striped at once into its columns' typed buffers
/// (<see cref="ColumnStriper"/>) and not kept; a row group is encoded when the next row would take it past
/// <see cref="ParquetLayout.TargetRowGroupBytes"/> or <see cref="ParquetLayout.MaxRowGroupRows"/>, and a new file is begun
/// when the next row would take the file past <see cref="ParquetLayout.TargetFileBytes"/>. Columns carry the Iceberg field
/// names and no field ids, like the files the `datasets` library writes, so readers resolve them through the table's name
/// mapping as they do the dataset's own files. Timestamps are microseconds, decimals System.Decimal.
/// Without <c>encode</c> it only counts the files the rows would fill (a plan).
/// </summary>
internal sealed class ParquetDataWriter : IAsyncDisposable
{
    private readonly ParquetOptions _options;
    private readonly ParquetLayout _layout;
    private readonly ColumnStriper[]? _stripers;
    private readonly List<(ParquetWriter Writer, MemoryStream Stream)> _writers = [];
    private readonly int _expectedRows;
    private long _fileBytes;
    private long _fileRows;
    private long _groupBytes;
    private int _groupRows;
    private bool _finished;

    /// <param name="expectedRows">Rows the caller expects to add, if known: the first row group's buffers are sized for them.</param>
    public ParquetDataWriter(IReadOnlyList<NestedField> columns, ParquetCompression? compression, ParquetLayout layout, bool encode = true, int expectedRows = 0)
    {
        var codec = compression ?? ParquetCompression.Default;
        _options = new ParquetOptions { CompressionMethod = codec.Method, CompressionLevel = codec.IoLevel };
        _layout = layout;
        _expectedRows = expectedRows;
        var fields = columns.Select(c => ToParquetField(c.Name, c.Type, !c.Required)).ToArray();
        Schema = new ParquetSchema(fields);
        if (encode) _stripers = fields.Select(ColumnStriper.Create).ToArray();
    }

    public ParquetSchema Schema { get; }

    /// <summary>Whether rows are encoded, or only counted into files (a plan).</summary>
    public bool Encodes => _stripers is not null;

    /// <summary>Files begun so far; once every row is added, the number of files the write makes.</summary>
    public int FileCount { get; private set; }

    /// <summary>Rows added so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Adds one row (one canonical value per column, in column order) whose estimated uncompressed size is
    /// <paramref name="bytes"/>. Completes at once unless the row begins a new row group: the full one is encoded first.</summary>
    public ValueTask AddAsync(object?[] row, long bytes, CancellationToken ct)
    {
        if (_finished) throw new InvalidOperationException("The files are finished.");
        var newFile = _fileRows > 0 && _fileBytes + bytes > _layout.TargetFileBytes;
        var newGroup = newFile || (_groupRows > 0 && (_groupBytes + bytes > _layout.TargetRowGroupBytes || _groupRows >= _layout.MaxRowGroupRows));
        if (!newGroup)
        {
            Stripe(row, bytes);
            return default;
        }
        return FlushThenAddAsync(row, bytes, newFile, ct);
    }

    private async ValueTask FlushThenAddAsync(object?[] row, long bytes, bool newFile, CancellationToken ct)
    {
        await FlushGroupAsync(ct).ConfigureAwait(false);
        if (newFile)
        {
            _fileRows = 0;
            _fileBytes = 0;
        }
        Stripe(row, bytes);
    }

    private void Stripe(object?[] row, long bytes)
    {
        if (_fileRows == 0) FileCount++;
        if (_groupRows == 0 && _stripers is not null)
        {
            var rows = (int)Math.Clamp(_expectedRows - RowCount, 1, _layout.MaxRowGroupRows);
            foreach (var striper in _stripers) striper.Reserve(rows);
        }
        _fileRows++;
        _fileBytes += bytes;
        _groupRows++;
        _groupBytes += bytes;
        RowCount++;
        if (_stripers is null) return;
        for (var c = 0; c < _stripers.Length; c++) _stripers[c].Add(row[c]);
    }

    /// <summary>Encodes the rows striped since the last row group into a row group of the current file.</summary>
    private async Task FlushGroupAsync(CancellationToken ct)
    {
        if (_groupRows == 0) return;
        if (_stripers is not null)
        {
            ct.ThrowIfCancellationRequested();
            while (_writers.Count < FileCount)
            {
                var stream = new MemoryStream();
                _writers.Add((await ParquetWriter.CreateAsync(Schema, stream, _options, append: false, ct).ConfigureAwait(false), stream));
            }
            using var group = _writers[^1].Writer.CreateRowGroup();
            foreach (var striper in _stripers) await striper.FlushAsync(group, ct).ConfigureAwait(false);
            group.CompleteValidate();
        }
        _groupBytes = 0;
        _groupRows = 0;
    }

    /// <summary>Encodes the last row group and closes every file, with <paramref name="keyValueMetadata"/> in each footer.</summary>
    /// <returns>The files' bytes, in order.</returns>
    public async Task<IReadOnlyList<byte[]>> FinishAsync(IReadOnlyDictionary<string, string>? keyValueMetadata, CancellationToken ct)
    {
        if (_stripers is null) throw new InvalidOperationException("A plan has no files to finish.");
        await FlushGroupAsync(ct).ConfigureAwait(false);
        _finished = true;
        ReleaseBuffers();
        var files = new List<byte[]>(_writers.Count);
        foreach (var (writer, stream) in _writers)
        {
            if (keyValueMetadata is not null)
                writer.CustomMetadata = keyValueMetadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            // The footer is written when the writer is disposed.
            await writer.DisposeAsync().ConfigureAwait(false);
            files.Add(stream.ToArray());
        }
        _writers.Clear();
        return files;
    }

    private void ReleaseBuffers()
    {
        if (_stripers is null) return;
        foreach (var striper in _stripers) striper.Release();
    }

    public async ValueTask DisposeAsync()
    {
        _finished = true;
        ReleaseBuffers();
        foreach (var (writer, _) in _writers) await writer.DisposeAsync().ConfigureAwait(false);
        _writers.Clear();
    }

    /// <summary>One file of <paramref name="rows"/> (one canonical value per column, in column order) in row groups of
    /// <paramref name="rowGroupRows"/> rows.</summary>
    public static async Task<byte[]> WriteAsync(IReadOnlyList<NestedField> columns, IReadOnlyList<object?[]> rows, int rowGroupRows,
        IReadOnlyDictionary<string, string>? keyValueMetadata, CancellationToken ct, ParquetCompression? compression = null)
    {
        var writer = new ParquetDataWriter(columns, compression, ParquetLayout.FixedRowGroups(rowGroupRows), expectedRows: rows.Count);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var row in rows) await writer.AddAsync(row, 0, ct).ConfigureAwait(false);
            return (await writer.FinishAsync(keyValueMetadata, ct).ConfigureAwait(false)).Single();
        }
    }

    private static Field ToParquetField(string name, IcebergType type, bool nullable) => type switch
    {
        IcebergStructType s => new StructField(name, s.Fields.Select(f => ToParquetField(f.Name, f.Type, !f.Required)).ToArray()),
        IcebergListType l => new ListField(name, ToParquetField(ListField.ElementName, l.Element, !l.ElementRequired)),
        IcebergMapType m => new MapField(name, ToParquetField("key", m.Key, false), ToParquetField("value", m.Value, !m.ValueRequired)),
        DecimalType d => new DecimalDataField(name, d.Precision, d.Scale, forceByteArrayEncoding: false, isNullable: nullable),
        PrimitiveType { TypeId: TypeId.Date } => new DateTimeDataField(name, DateTimeFormat.Date, isAdjustedToUTC: true, unit: null, isNullable: nullable),
        PrimitiveType { TypeId: TypeId.Timestamp } => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, DateTimeTimeUnit.Micros, isNullable: nullable),
        PrimitiveType { TypeId: TypeId.TimestampTz } => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros, isNullable: nullable),
        PrimitiveType p => new DataField(name, ClrTypeOf(p), nullable),
        _ => throw new FacebergException("WriteUnsupportedType", FacebergErrorKind.NotSupported, $"Column '{name}' has type {type}, which cannot be written."),
    };

    private static Type ClrTypeOf(PrimitiveType type) => type.TypeId switch
    {
        TypeId.Boolean => typeof(bool),
        TypeId.Int => typeof(int),
        TypeId.Long => typeof(long),
        TypeId.Float => typeof(float),
        TypeId.Double => typeof(double),
        TypeId.String => typeof(string),
        TypeId.Uuid => typeof(Guid),
        TypeId.Binary => typeof(byte[]),
        _ => throw new FacebergException("WriteUnsupportedType", FacebergErrorKind.NotSupported, $"Type {type} cannot be written."),
    };
}
