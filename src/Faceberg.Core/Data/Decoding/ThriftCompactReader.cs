namespace Faceberg.Core.Data.Decoding;

/// <summary>
/// The part of Thrift's compact protocol Parquet page headers and offset indexes use: structs of integer,
/// boolean and nested-struct fields and lists of structs, with every other field type skipped.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data, int position)
{
    public const byte Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

    private const int MaxDepth = 32;
    private readonly ReadOnlySpan<byte> _data = data;
    private int _depth;

    public int Position { get; private set; } = position;

    public delegate void FieldReader(ref ThriftCompactReader reader, short id, byte type);

    /// <summary>Reads one struct, handing each field (id and compact type) to <paramref name="field"/>, which reads or skips it.</summary>
    public void ReadStruct(FieldReader field)
    {
        if (++_depth > MaxDepth) throw new InvalidDataException("a page header nests too deeply");
        short last = 0;
        while (true)
        {
            var b = ReadByte();
            var type = (byte)(b & 0x0F);
            if (type == Stop) break;
            var delta = b >> 4;
            var id = delta != 0 ? (short)(last + delta) : (short)ZigZag(ReadVarint());
            last = id;
            field(ref this, id, type);
        }
        _depth--;
    }

    public int ReadI32() => (int)ZigZag(ReadVarint());

    public long ReadI64() => ZigZag(ReadVarint());

    /// <summary>Reads a list's header: its element count and the compact type of its elements.</summary>
    public (int Size, byte ElementType) ReadListHeader()
    {
        var head = ReadByte();
        var size = head >> 4 == 15 ? checked((int)ReadVarint()) : head >> 4;
        return (size, (byte)(head & 0x0F));
    }

    public void Skip(byte type)
    {
        switch (type)
        {
            case True or False:
                return;
            case Byte:
                Position++;
                return;
            case I16 or I32 or I64:
                ReadVarint();
                return;
            case Double:
                Position += 8;
                return;
            case Binary:
            {
                var length = checked((int)ReadVarint());   // read before Position: `Position += ReadVarint()` would add to the stale position
                Position += length;
                return;
            }
            case List or Set:
            {
                var (size, element) = ReadListHeader();
                for (var i = 0; i < size; i++) SkipElement(element);
                return;
            }
            case Map:
            {
                var size = checked((int)ReadVarint());
                if (size == 0) return;
                var kinds = ReadByte();
                for (var i = 0; i < size; i++)
                {
                    SkipElement((byte)(kinds >> 4));
                    SkipElement((byte)(kinds & 0x0F));
                }
                return;
            }
            case Struct:
                ReadStruct((ref ThriftCompactReader r, short _, byte t) => r.Skip(t));
                return;
            default:
                throw new InvalidDataException($"a page header has an unknown Thrift field type {type}");
        }
    }

    // In lists, sets and maps a boolean takes one byte.
    private void SkipElement(byte type)
    {
        if (type is True or False) Position++;
        else Skip(type);
    }

    private byte ReadByte()
    {
        if (Position >= _data.Length) throw new InvalidDataException("a page header ends early");
        return _data[Position++];
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("a page header has an over-long varint");
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
}
