using Avro;
using Avro.Generic;
using Faceberg.Core.Iceberg.Spec;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>Conversions between Faceberg's value representation and Apache.Avro generic values.</summary>
internal static class AvroValues
{
    public static AvroSchema NonNull(AvroSchema schema) =>
        schema is UnionSchema u ? u.Schemas.First(s => s.Tag != AvroSchema.Type.Null) : schema;

    public static AvroSchema FieldSchema(RecordSchema record, string name) =>
        NonNull(record.Fields.First(f => f.Name == name).Schema);

    public static RecordSchema RecordOf(RecordSchema record, string name) => (RecordSchema)FieldSchema(record, name);

    public static RecordSchema ItemRecordOf(RecordSchema record, string name) => (RecordSchema)((ArraySchema)FieldSchema(record, name)).ItemSchema;

    /// <summary>A partition value (see <see cref="BoundEncoding"/> for the representation) as an Avro generic value.</summary>
    public static object? ToAvro(PrimitiveType type, object? value, AvroSchema fieldSchema)
    {
        if (value == null) return null;
        var schema = NonNull(fieldSchema);
        return type.TypeId switch
        {
            TypeId.Decimal => new GenericFixed((FixedSchema)schema, SignExtend(BoundEncoding.Encode(type, value), ((FixedSchema)schema).Size)),
            TypeId.Uuid or TypeId.Fixed => new GenericFixed((FixedSchema)schema, BoundEncoding.Encode(type, value)),
            // Round-trip through the bound encoding so a wrongly typed value fails with a clear message.
            _ => BoundEncoding.Decode(type, BoundEncoding.Encode(type, value)),
        };
    }

    /// <summary>A partition value from its Avro value: Apache.Avro's generic one, or <see cref="AvroBinaryReader"/>'s (fixed as bytes).</summary>
    public static object? FromAvro(PrimitiveType type, object? value)
    {
        if (value == null) return null;
        return type.TypeId switch
        {
            TypeId.Decimal => BoundEncoding.FromUnscaled(BoundEncoding.DecodeDecimalUnscaled(FixedBytes(value)), ((DecimalType)type).Scale),
            TypeId.Uuid => new Guid(FixedBytes(value), bigEndian: true),
            TypeId.Fixed => FixedBytes(value).ToArray(),
            TypeId.Float => value is double d ? (float)d : (float)value,
            TypeId.Long or TypeId.Time or TypeId.Timestamp or TypeId.TimestampTz or TypeId.TimestampNs or TypeId.TimestampTzNs => value is int i ? (long)i : (long)value,
            _ => value,
        };
    }

    private static byte[] FixedBytes(object value) => value is GenericFixed generic ? generic.Value : (byte[])value;

    private static byte[] SignExtend(byte[] bigEndian, int size)
    {
        if (bigEndian.Length > size)
            throw new FacebergException("DecimalOverflow", FacebergErrorKind.InvalidArgument, $"Decimal value needs {bigEndian.Length} bytes, more than the {size} its precision allows.");
        var result = new byte[size];
        var fill = (bigEndian[0] & 0x80) != 0 ? (byte)0xFF : (byte)0;
        Array.Fill(result, fill, 0, size - bigEndian.Length);
        bigEndian.CopyTo(result, size - bigEndian.Length);
        return result;
    }

    public static object? Get(GenericRecord record, string name) => record.TryGetValue(name, out var v) ? v : null;

    public static long? GetLong(GenericRecord record, string name) => Get(record, name) switch
    {
        null => null,
        long l => l,
        int i => i,
        var other => throw new InvalidCastException($"field {name} is {other.GetType().Name}, expected long"),
    };

    public static int? GetInt(GenericRecord record, string name) => Get(record, name) switch
    {
        null => null,
        int i => i,
        long l => checked((int)l),
        var other => throw new InvalidCastException($"field {name} is {other.GetType().Name}, expected int"),
    };

    public static GenericRecord[] KeyValueRecords<TValue>(RecordSchema kvSchema, IReadOnlyDictionary<int, TValue> map) =>
        map.OrderBy(kv => kv.Key).Select(kv =>
        {
            var r = new GenericRecord(kvSchema);
            r.Add("key", kv.Key);
            r.Add("value", kv.Value);
            return r;
        }).ToArray();
}
