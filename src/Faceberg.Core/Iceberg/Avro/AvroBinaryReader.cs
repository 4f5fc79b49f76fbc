using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Avro;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>
/// Reads Avro binary-encoded values from one decompressed container block, driven by the writer's schema.
/// For hot paths (manifests) that would otherwise box every value into Apache.Avro generic records.
/// Truncated or malformed data throws <see cref="InvalidDataException"/> or <see cref="IndexOutOfRangeException"/>.
/// </summary>
internal sealed class AvroBinaryReader(byte[] data)
{
    private readonly byte[] _data = data;
    private int _pos;

    public bool AtEnd => _pos >= _data.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long ReadLong()
    {
        ulong n = 0;
        var shift = 0;
        while (true)
        {
            var b = _data[_pos++];
            n |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
            if (shift > 63) throw new InvalidDataException("an Avro varint is longer than 10 bytes");
        }
        return (long)(n >> 1) ^ -(long)(n & 1);
    }

    public int ReadInt()
    {
        var value = ReadLong();
        return value is < int.MinValue or > int.MaxValue ? throw new InvalidDataException($"Avro int {value} is out of range") : (int)value;
    }

    public bool ReadBoolean() => _data[_pos++] != 0;

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public byte[] ReadBytes() => Take(Length()).ToArray();

    public string ReadString() => Encoding.UTF8.GetString(Take(Length()));

    public byte[] ReadFixed(int size) => Take(size).ToArray();

    /// <summary>The branch of a union value (the schema itself when it is no union).</summary>
    public AvroSchema Branch(AvroSchema schema)
    {
        if (schema is not UnionSchema union) return schema;
        var index = ReadLong();
        return index >= 0 && index < union.Count ? union[(int)index] : throw new InvalidDataException($"Avro union branch {index} does not exist");
    }

    /// <summary>The item count of the next array or map block (0 at the end); a block's byte size, when written, is skipped.</summary>
    public long BlockCount()
    {
        var count = ReadLong();
        if (count >= 0) return count;
        ReadLong();
        return -count;
    }

    /// <summary>A primitive value as Apache.Avro's generic reader returns it (fixed as its bytes); null for a null branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public object? ReadPrimitive(AvroSchema schema)
    {
        var branch = Branch(schema);
        return branch.Tag switch
        {
            AvroSchema.Type.Null => null,
            AvroSchema.Type.Boolean => ReadBoolean(),
            AvroSchema.Type.Int => ReadInt(),
            AvroSchema.Type.Long => ReadLong(),
            AvroSchema.Type.Float => ReadFloat(),
            AvroSchema.Type.Double => ReadDouble(),
            AvroSchema.Type.Bytes => ReadBytes(),
            AvroSchema.Type.String => ReadString(),
            AvroSchema.Type.Fixed => ReadFixed(((FixedSchema)branch).Size),
            AvroSchema.Type.Enumeration => ((EnumSchema)branch).Symbols[ReadInt()],
            _ => throw new InvalidDataException($"expected a primitive Avro value, found {branch.Tag}"),
        };
    }

    /// <summary>An int or long (either may be written where the other is read), or null.</summary>
    public long? ReadOptionalLong(AvroSchema schema) => ReadPrimitive(schema) switch
    {
        null => null,
        long l => l,
        int i => i,
        var other => throw new InvalidCastException($"expected an Avro int or long, found {other.GetType().Name}"),
    };

    /// <summary>Skips a value of any schema.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Skip(AvroSchema schema)
    {
        switch (schema.Tag)
        {
            case AvroSchema.Type.Null: break;
            case AvroSchema.Type.Boolean: _pos++; break;
            case AvroSchema.Type.Int or AvroSchema.Type.Long or AvroSchema.Type.Enumeration: ReadLong(); break;
            case AvroSchema.Type.Float: Take(4); break;
            case AvroSchema.Type.Double: Take(8); break;
            case AvroSchema.Type.Bytes or AvroSchema.Type.String: Take(Length()); break;
            case AvroSchema.Type.Fixed: Take(((FixedSchema)schema).Size); break;
            case AvroSchema.Type.Union: Skip(Branch(schema)); break;
            case AvroSchema.Type.Record or AvroSchema.Type.Error:
                foreach (var field in ((RecordSchema)schema).Fields) Skip(field.Schema);
                break;
            case AvroSchema.Type.Array:
                var items = ((ArraySchema)schema).ItemSchema;
                for (var n = BlockCount(); n > 0; n = BlockCount())
                    for (long i = 0; i < n; i++) Skip(items);
                break;
            case AvroSchema.Type.Map:
                var values = ((MapSchema)schema).ValueSchema;
                for (var n = BlockCount(); n > 0; n = BlockCount())
                    for (long i = 0; i < n; i++) { Take(Length()); Skip(values); }
                break;
            default:
                throw new InvalidDataException($"cannot skip an Avro {schema.Tag} value");
        }
    }

    private int Length()
    {
        var length = ReadLong();
        return length is < 0 or > int.MaxValue ? throw new InvalidDataException($"Avro length {length} is invalid") : (int)length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _pos) throw new InvalidDataException("the Avro block ends in the middle of a value");
        var span = _data.AsSpan(_pos, count);
        _pos += count;
        return span;
    }
}
