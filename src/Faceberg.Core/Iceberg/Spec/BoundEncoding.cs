using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Faceberg.Core.Iceberg.Spec;

/// <summary>
/// The spec's binary single-value serialization (Appendix D), used for lower/upper bounds and
/// partition summaries, plus the truncate(L) metrics helpers.
/// Value representation, per type: boolean → bool; int, date (days since 1970-01-01) → int;
/// long, time (µs since midnight), timestamp/timestamptz (µs since epoch), timestamp_ns/timestamptz_ns
/// (ns since epoch) → long; float → float; double → double; decimal → decimal; string → string;
/// uuid → Guid; fixed, binary → byte[].
/// </summary>
public static class BoundEncoding
{
    /// <summary>The default metrics mode is truncate(16).</summary>
    public const int DefaultTruncateLength = 16;

    public static byte[] Encode(PrimitiveType type, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            switch (type.TypeId)
            {
                case TypeId.Boolean:
                    return new[] { (bool)value ? (byte)1 : (byte)0 };
                case TypeId.Int:
                case TypeId.Date:
                {
                    var b = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
                    return b;
                }
                case TypeId.Long:
                case TypeId.Time:
                case TypeId.Timestamp:
                case TypeId.TimestampTz:
                case TypeId.TimestampNs:
                case TypeId.TimestampTzNs:
                {
                    var b = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(b, (long)value);
                    return b;
                }
                case TypeId.Float:
                {
                    var b = new byte[4];
                    BinaryPrimitives.WriteSingleLittleEndian(b, (float)value);
                    return b;
                }
                case TypeId.Double:
                {
                    var b = new byte[8];
                    BinaryPrimitives.WriteDoubleLittleEndian(b, (double)value);
                    return b;
                }
                case TypeId.Decimal:
                    return EncodeDecimalUnscaled(ToUnscaled((decimal)value, ((DecimalType)type).Scale));
                case TypeId.String:
                    return Encoding.UTF8.GetBytes((string)value);
                case TypeId.Uuid:
                    return ((Guid)value).ToByteArray(bigEndian: true);
                case TypeId.Fixed:
                {
                    var bytes = (byte[])value;
                    var length = ((FixedType)type).Length;
                    if (bytes.Length != length)
                        throw new FacebergException("InvalidFixedValue", FacebergErrorKind.InvalidArgument, $"A {type} value must have {length} bytes, got {bytes.Length}.");
                    return (byte[])bytes.Clone();
                }
                case TypeId.Binary:
                    return (byte[])((byte[])value).Clone();
                default:
                    throw new FacebergException("NotPrimitive", FacebergErrorKind.InvalidArgument, $"Type {type} has no single-value encoding.");
            }
        }
        catch (InvalidCastException e)
        {
            throw new FacebergException("BoundValueType", FacebergErrorKind.InvalidArgument, $"A {type} value must be given as {ClrTypeName(type)}, got {value.GetType().Name}.", e);
        }
    }

    public static object Decode(PrimitiveType type, ReadOnlySpan<byte> bytes)
    {
        switch (type.TypeId)
        {
            case TypeId.Boolean:
                Expect(type, bytes, 1);
                return bytes[0] != 0;
            case TypeId.Int:
            case TypeId.Date:
                Expect(type, bytes, 4);
                return BinaryPrimitives.ReadInt32LittleEndian(bytes);
            case TypeId.Long:
            case TypeId.Time:
            case TypeId.Timestamp:
            case TypeId.TimestampTz:
            case TypeId.TimestampNs:
            case TypeId.TimestampTzNs:
                // A bound written before int→long or date→timestamp promotion keeps its 4-byte form.
                if (bytes.Length == 4 && type.TypeId is TypeId.Long) return (long)BinaryPrimitives.ReadInt32LittleEndian(bytes);
                Expect(type, bytes, 8);
                return BinaryPrimitives.ReadInt64LittleEndian(bytes);
            case TypeId.Float:
                Expect(type, bytes, 4);
                return BinaryPrimitives.ReadSingleLittleEndian(bytes);
            case TypeId.Double:
                if (bytes.Length == 4) return (double)BinaryPrimitives.ReadSingleLittleEndian(bytes);
                Expect(type, bytes, 8);
                return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
            case TypeId.Decimal:
                return FromUnscaled(DecodeDecimalUnscaled(bytes), ((DecimalType)type).Scale);
            case TypeId.String:
                return Encoding.UTF8.GetString(bytes);
            case TypeId.Uuid:
                Expect(type, bytes, 16);
                return new Guid(bytes, bigEndian: true);
            case TypeId.Fixed:
                Expect(type, bytes, ((FixedType)type).Length);
                return bytes.ToArray();
            case TypeId.Binary:
                return bytes.ToArray();
            default:
                throw new FacebergException("NotPrimitive", FacebergErrorKind.InvalidArgument, $"Type {type} has no single-value encoding.");
        }
    }

    /// <summary>Decimal bounds: the unscaled value as two's-complement big-endian in the minimum number of bytes.</summary>
    public static byte[] EncodeDecimalUnscaled(BigInteger unscaled) => unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);

    public static BigInteger DecodeDecimalUnscaled(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            throw new FacebergException("InvalidBound", FacebergErrorKind.InvalidData, "A decimal bound has no bytes.");
        return new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
    }

    /// <summary>The unscaled integer of <paramref name="value"/> at <paramref name="scale"/>; fails if that would lose digits.</summary>
    public static BigInteger ToUnscaled(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var valueScale = (bits[3] >> 16) & 0xFF;
        if ((bits[3] & int.MinValue) != 0) mantissa = -mantissa;
        if (valueScale <= scale) return mantissa * BigInteger.Pow(10, scale - valueScale);
        var divisor = BigInteger.Pow(10, valueScale - scale);
        var quotient = BigInteger.DivRem(mantissa, divisor, out var remainder);
        if (!remainder.IsZero)
            throw new FacebergException("DecimalScale", FacebergErrorKind.InvalidArgument, $"Decimal value {value} has more than {scale} fractional digits.");
        return quotient;
    }

    public static decimal FromUnscaled(BigInteger unscaled, int scale)
    {
        var magnitude = BigInteger.Abs(unscaled);
        if (scale > 28 || magnitude >= BigInteger.One << 96)
            throw new FacebergException("DecimalRange", FacebergErrorKind.NotSupported, $"Decimal with unscaled value {unscaled} and scale {scale} does not fit System.Decimal; use DecodeDecimalUnscaled.");
        var lo = (int)(uint)(magnitude & uint.MaxValue);
        var mid = (int)(uint)((magnitude >> 32) & uint.MaxValue);
        var hi = (int)(uint)((magnitude >> 64) & uint.MaxValue);
        return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
    }

    /// <summary>Orders two values of one primitive type the way Iceberg does (strings and binary by unsigned bytes).</summary>
    public static int Compare(PrimitiveType type, object a, object b) => type.TypeId switch
    {
        TypeId.Boolean => ((bool)a).CompareTo((bool)b),
        TypeId.Int or TypeId.Date => ((int)a).CompareTo((int)b),
        TypeId.Long or TypeId.Time or TypeId.Timestamp or TypeId.TimestampTz or TypeId.TimestampNs or TypeId.TimestampTzNs => ((long)a).CompareTo((long)b),
        TypeId.Float => ((float)a).CompareTo((float)b),
        TypeId.Double => ((double)a).CompareTo((double)b),
        TypeId.Decimal => ((decimal)a).CompareTo((decimal)b),
        // UTF-8 byte order is code point order, the order Iceberg defines for strings.
        TypeId.String => Encoding.UTF8.GetBytes((string)a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes((string)b)),
        TypeId.Uuid => ((Guid)a).ToByteArray(true).AsSpan().SequenceCompareTo(((Guid)b).ToByteArray(true)),
        TypeId.Fixed or TypeId.Binary => ((byte[])a).AsSpan().SequenceCompareTo((byte[])b),
        _ => throw new FacebergException("NotPrimitive", FacebergErrorKind.InvalidArgument, $"Type {type} is not ordered."),
    };

    /// <summary>Orders two encoded bounds of one type.</summary>
    public static int CompareEncoded(PrimitiveType type, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => type.TypeId switch
    {
        TypeId.String or TypeId.Fixed or TypeId.Binary or TypeId.Uuid => a.SequenceCompareTo(b),
        _ => Compare(type, Decode(type, a), Decode(type, b)),
    };

    /// <summary>Lower bound under truncate(L): the first L code points.</summary>
    public static string TruncateStringLower(string value, int length = DefaultTruncateLength) =>
        Encoding.UTF8.GetString(TruncateUtf8Lower(Encoding.UTF8.GetBytes(value), length));

    /// <summary>
    /// Upper bound under truncate(L): the value itself when it has at most L code points, otherwise the
    /// first L code points with the last one incremented (dropping trailing code points that cannot be
    /// incremented); null when no upper bound exists.
    /// </summary>
    public static string? TruncateStringUpper(string value, int length = DefaultTruncateLength)
    {
        var bytes = TruncateUtf8Upper(Encoding.UTF8.GetBytes(value), length);
        return bytes == null ? null : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>UTF-8 form of <see cref="TruncateStringLower"/>; cuts only at code point boundaries.</summary>
    public static byte[] TruncateUtf8Lower(ReadOnlySpan<byte> utf8, int length = DefaultTruncateLength)
    {
        CheckLength(length);
        var end = 0;
        for (var count = 0; count < length && end < utf8.Length; count++)
        {
            Rune.DecodeFromUtf8(utf8[end..], out _, out var consumed);
            end += consumed;
        }
        return utf8[..end].ToArray();
    }

    /// <summary>UTF-8 form of <see cref="TruncateStringUpper"/>.</summary>
    public static byte[]? TruncateUtf8Upper(ReadOnlySpan<byte> utf8, int length = DefaultTruncateLength)
    {
        CheckLength(length);
        var starts = new List<int>();
        var end = 0;
        while (end < utf8.Length && starts.Count < length)
        {
            starts.Add(end);
            Rune.DecodeFromUtf8(utf8[end..], out _, out var consumed);
            end += consumed;
        }
        if (end == utf8.Length) return utf8.ToArray();

        for (var i = starts.Count - 1; i >= 0; i--)
        {
            var unitStart = starts[i];
            var unitEnd = i + 1 < starts.Count ? starts[i + 1] : end;
            var status = Rune.DecodeFromUtf8(utf8[unitStart..unitEnd], out var rune, out _);
            byte[]? incremented = null;
            if (status == System.Buffers.OperationStatus.Done)
            {
                var next = rune.Value + 1;
                if (next is >= 0xD800 and <= 0xDFFF) next = 0xE000;
                if (next <= 0x10FFFF)
                {
                    incremented = new byte[4];
                    var n = new Rune(next).EncodeToUtf8(incremented);
                    Array.Resize(ref incremented, n);
                }
            }
            else if (utf8[unitStart] < 0xFF)
            {
                // An invalid byte sorts by its value; one more than it still bounds everything after this prefix.
                incremented = new[] { (byte)(utf8[unitStart] + 1) };
            }
            if (incremented == null) continue;
            var result = new byte[unitStart + incremented.Length];
            utf8[..unitStart].CopyTo(result);
            incremented.CopyTo(result.AsSpan(unitStart));
            return result;
        }
        return null;
    }

    /// <summary>Lower bound of binary under truncate(L): the first L bytes.</summary>
    public static byte[] TruncateBinaryLower(ReadOnlySpan<byte> value, int length = DefaultTruncateLength)
    {
        CheckLength(length);
        return value[..Math.Min(length, value.Length)].ToArray();
    }

    /// <summary>Upper bound of binary under truncate(L): the first L bytes with the last non-0xFF byte incremented; null if none.</summary>
    public static byte[]? TruncateBinaryUpper(ReadOnlySpan<byte> value, int length = DefaultTruncateLength)
    {
        CheckLength(length);
        if (value.Length <= length) return value.ToArray();
        for (var i = length - 1; i >= 0; i--)
        {
            if (value[i] == 0xFF) continue;
            var result = value[..(i + 1)].ToArray();
            result[i]++;
            return result;
        }
        return null;
    }

    private static void CheckLength(int length)
    {
        if (length < 1)
            throw new FacebergException("InvalidTruncateLength", FacebergErrorKind.InvalidArgument, $"Truncate length must be positive, got {length}.");
    }

    private static void Expect(PrimitiveType type, ReadOnlySpan<byte> bytes, int length)
    {
        if (bytes.Length != length)
            throw new FacebergException("InvalidBound", FacebergErrorKind.InvalidData, $"A {type} bound must have {length} bytes, got {bytes.Length}.");
    }

    private static string ClrTypeName(PrimitiveType type) => type.TypeId switch
    {
        TypeId.Boolean => "bool",
        TypeId.Int or TypeId.Date => "int",
        TypeId.Long or TypeId.Time or TypeId.Timestamp or TypeId.TimestampTz or TypeId.TimestampNs or TypeId.TimestampTzNs => "long",
        TypeId.Float => "float",
        TypeId.Double => "double",
        TypeId.Decimal => "decimal",
        TypeId.String => "string",
        TypeId.Uuid => "Guid",
        _ => "byte[]",
    };
}
