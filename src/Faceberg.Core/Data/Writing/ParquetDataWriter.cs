using Faceberg.Core.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
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
    private readonly IReadOnlyList<NestedField> _columns;
    private readonly Field[] _fields;
    private readonly ParquetCompression _compression;

    public ParquetDataWriter(IReadOnlyList<NestedField> columns, ParquetCompression? compression = null)
    {
        _columns = columns;
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
        var data = new List<IDictionary<string, object?>>(rows.Count);
        foreach (var row in rows)
        {
            var record = new Dictionary<string, object?>(_columns.Count, StringComparer.Ordinal);
            for (var i = 0; i < _columns.Count; i++)
                record[_columns[i].Name] = ToParquetValue(row[i], _fields[i]);
            data.Add(record);
            if (data.Count % 1000 == 0)
            {
                ct.ThrowIfCancellationRequested();
                rowsConverted?.Invoke(data.Count);
            }
        }
        rowsConverted?.Invoke(data.Count);
        var options = new ParquetOptions
        {
            CompressionMethod = _compression.Method,
            CompressionLevel = _compression.IoLevel,
            RowGroupSize = Math.Max(1, rowGroupRows),
        };
        using var stream = new MemoryStream();
        await ParquetSerializer.SerializeUntypedAsync(data, Schema, stream, options, keyValueMetadata, ct).ConfigureAwait(false);
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

    /// <summary>
    /// The value in the shape Parquet.Net's untyped serializer stripes: strings and bytes as
    /// ReadOnlyMemory, lists as arrays of the element's CLR type, maps as typed dictionaries, structs
    /// as dictionaries.
    /// </summary>
    private static object? ToParquetValue(object? value, Field field)
    {
        if (value is null) return null;
        switch (field)
        {
            case StructField s:
            {
                var values = (object?[])value;
                var record = new Dictionary<string, object?>(s.Fields.Count, StringComparer.Ordinal);
                for (var i = 0; i < s.Fields.Count; i++) record[s.Fields[i].Name] = ToParquetValue(values[i], s.Fields[i]);
                return record;
            }
            case ListField l:
            {
                var items = (List<object?>)value;
                var array = Array.CreateInstance(ElementClrType(l.Item), items.Count);
                for (var i = 0; i < items.Count; i++) array.SetValue(ToParquetValue(items[i], l.Item), i);
                return array;
            }
            case MapField m:
            {
                var key = (DataField)m.Key;
                var entries = (List<KeyValuePair<object, object?>>)value;
                var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(
                    typeof(Dictionary<,>).MakeGenericType(key.ClrType, ElementClrType(m.Value)))!;
                foreach (var (k, v) in entries) dictionary[ToParquetValue(k, key)!] = ToParquetValue(v, m.Value);
                return dictionary;
            }
            default:
                return value switch
                {
                    string s => s.AsMemory(),
                    byte[] b => new ReadOnlyMemory<byte>(b),
                    // Parquet.Net writes timestamptz from a UTC DateTime.
                    DateTimeOffset dto => dto.UtcDateTime,
                    _ => value,
                };
        }
    }

    private static Type ElementClrType(Field field) => field switch
    {
        DataField d => d.ClrNullableIfHasNullsType,
        StructField => typeof(IDictionary<string, object?>),
        _ => typeof(object),
    };
}
