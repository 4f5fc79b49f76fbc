using Faceberg.Core.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using IcebergListType = Faceberg.Core.Iceberg.Spec.ListType;
using IcebergMapType = Faceberg.Core.Iceberg.Spec.MapType;
using IcebergStructType = Faceberg.Core.Iceberg.Spec.StructType;

namespace Faceberg.Core.Data;

/// <summary>
/// Writes rows of canonical values (see <see cref="ValueCoercion"/>) as a Parquet file (codec and level per
/// <see cref="ParquetCompression"/>) with Parquet.Net. Columns carry the Iceberg field names and no field ids, like the files the
/// `datasets` library writes, so readers resolve them through the table's name mapping as they do the
/// dataset's own files. Timestamps are microseconds, decimals System.Decimal.
/// </summary>
internal sealed class ParquetDataWriter
{
    private readonly Field[] _fields;
    private readonly ParquetCompression _compression;

    public ParquetDataWriter(IReadOnlyList<NestedField> columns, ParquetCompression? compression = null)
    {
        _compression = compression ?? ParquetCompression.Default;
        _fields = columns.Select(c => ToParquetField(c.Name, c.Type, !c.Required)).ToArray();
        Schema = new ParquetSchema(_fields);
    }

    public ParquetSchema Schema { get; }

    /// <summary>Serializes <paramref name="rows"/> (one canonical value per column, in column order).</summary>
    /// <param name="rowsConverted">Hears how many rows are converted to Parquet values, every 1000 rows and at the end.</param>
    public async Task<byte[]> WriteAsync(IReadOnlyList<object?[]> rows, int rowGroupRows, IReadOnlyDictionary<string, string>? keyValueMetadata, CancellationToken ct,
        Action<int>? rowsConverted = null)
    {
        var options = new ParquetOptions
        {
            CompressionMethod = _compression.Method,
            CompressionLevel = _compression.IoLevel,
        };
        var groupRows = Math.Max(1, rowGroupRows);
        using var stream = new MemoryStream();
        var writer = await ParquetWriter.CreateAsync(Schema, stream, options, append: false, ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            if (keyValueMetadata is not null)
                writer.CustomMetadata = keyValueMetadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var stripers = _fields.Select(ColumnStriper.Create).ToArray();
            for (var start = 0; start < rows.Count; start += groupRows)
            {
                var end = Math.Min(rows.Count, start + groupRows);
                for (var r = start; r < end; r++)
                {
                    var row = rows[r];
                    for (var c = 0; c < stripers.Length; c++) stripers[c].Add(row[c]);
                    if ((r + 1) % 1000 == 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        rowsConverted?.Invoke(r + 1);
                    }
                }
                using var group = writer.CreateRowGroup();
                foreach (var striper in stripers) await striper.FlushAsync(group, ct).ConfigureAwait(false);
                group.CompleteValidate();
            }
            rowsConverted?.Invoke(rows.Count);
        }
        return stream.ToArray();
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
