using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Faceberg.Core.Iceberg.Spec;
using DecimalType = Faceberg.Core.Iceberg.Spec.DecimalType;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// Turns a column chunk's raw min/max statistics (Parquet's plain encoding of one value) into the
/// Iceberg value <see cref="BoundEncoding"/> expects for the column's Iceberg type, except decimals,
/// which stay an unscaled <see cref="BigInteger"/> because System.Decimal holds only 28 digits.
/// A null result means "no usable bound": Iceberg readers prune files with bounds, so a doubtful
/// bound is dropped rather than guessed.
/// </summary>
internal static class ParquetStatisticsDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="lower">Whether the value is a minimum; values that must be rounded to microseconds round outward.</param>
    public static object? Decode(ParquetLeafColumn leaf, byte[]? raw, bool lower)
    {
        if (raw == null) return null;
        switch (leaf.Kind)
        {
            case ParquetValueKind.Boolean:
                return raw.Length == 1 ? raw[0] != 0 : null;
            case ParquetValueKind.Int32:
            case ParquetValueKind.Date:
                return raw.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(raw) : null;
            case ParquetValueKind.UInt32:
            {
                if (raw.Length != 4) return null;
                var value = BinaryPrimitives.ReadUInt32LittleEndian(raw);
                if (leaf.Type.TypeId == TypeId.Long) return (long)value;
                return value <= int.MaxValue ? (int)value : null;
            }
            case ParquetValueKind.Int64:
            case ParquetValueKind.TimeMicros:
            case ParquetValueKind.TimestampMicros:
                return raw.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(raw) : null;
            case ParquetValueKind.UInt64:
            {
                if (raw.Length != 8) return null;
                var value = BinaryPrimitives.ReadUInt64LittleEndian(raw);
                return value <= long.MaxValue ? (long)value : null;
            }
            case ParquetValueKind.Float16:
                return raw.Length == 2 ? FloatBound((float)BinaryPrimitives.ReadHalfLittleEndian(raw), lower) : null;
            case ParquetValueKind.Float:
                return raw.Length == 4 ? FloatBound(BinaryPrimitives.ReadSingleLittleEndian(raw), lower) : null;
            case ParquetValueKind.Double:
            {
                if (raw.Length != 8) return null;
                var value = BinaryPrimitives.ReadDoubleLittleEndian(raw);
                if (double.IsNaN(value)) return null;
                // Parquet: a zero min may hide -0.0 and a zero max may hide +0.0, so widen both.
                if (value == 0) return lower ? -0.0 : 0.0;
                return value;
            }
            case ParquetValueKind.String:
                try { return StrictUtf8.GetString(raw); }
                catch (DecoderFallbackException) { return null; }
            case ParquetValueKind.Binary:
                return raw;
            case ParquetValueKind.Fixed:
                return raw.Length == ((FixedType)leaf.Type).Length ? raw : null;
            case ParquetValueKind.Uuid:
                return raw.Length == 16 ? new Guid(raw, bigEndian: true) : null;
            case ParquetValueKind.DecimalInt32:
                return raw.Length == 4 ? new BigInteger(BinaryPrimitives.ReadInt32LittleEndian(raw)) : null;
            case ParquetValueKind.DecimalInt64:
                return raw.Length == 8 ? new BigInteger(BinaryPrimitives.ReadInt64LittleEndian(raw)) : null;
            case ParquetValueKind.DecimalBytes:
                return raw.Length == 0 ? null : new BigInteger(raw, isUnsigned: false, isBigEndian: true);
            case ParquetValueKind.TimeMillis:
                return raw.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(raw) * 1000L : null;
            case ParquetValueKind.TimestampMillis:
            {
                if (raw.Length != 8) return null;
                var millis = BinaryPrimitives.ReadInt64LittleEndian(raw);
                return millis is > long.MaxValue / 1000 or < long.MinValue / 1000 ? null : millis * 1000;
            }
            case ParquetValueKind.TimeNanos:
            case ParquetValueKind.TimestampNanos:
            {
                if (raw.Length != 8) return null;
                var nanos = BinaryPrimitives.ReadInt64LittleEndian(raw);
                var micros = Math.DivRem(nanos, 1000, out var rest);
                if (rest < 0) micros--;                       // floor
                if (!lower && rest != 0) micros++;            // ceiling for maxima
                return micros;
            }
            default:
                // INT96 has no defined sort order, so its statistics bound nothing.
                return null;
        }
    }

    private static object? FloatBound(float value, bool lower)
    {
        if (float.IsNaN(value)) return null;
        if (value == 0) return lower ? -0.0f : 0.0f;
        return value;
    }

    /// <summary>Orders two decoded values of the leaf's type.</summary>
    public static int Compare(PrimitiveType type, object a, object b) =>
        type is DecimalType ? ((BigInteger)a).CompareTo((BigInteger)b) : BoundEncoding.Compare(type, a, b);

    /// <summary>A lower bound in the spec's binary form, strings and binary truncated per truncate(16).</summary>
    public static byte[] EncodeLower(PrimitiveType type, object value) => type.TypeId switch
    {
        TypeId.Decimal => BoundEncoding.EncodeDecimalUnscaled((BigInteger)value),
        TypeId.String => BoundEncoding.TruncateUtf8Lower(Encoding.UTF8.GetBytes((string)value)),
        TypeId.Binary => BoundEncoding.TruncateBinaryLower((byte[])value),
        _ => BoundEncoding.Encode(type, value),
    };

    /// <summary>An upper bound in the spec's binary form; null when truncation leaves no valid upper bound.</summary>
    public static byte[]? EncodeUpper(PrimitiveType type, object value) => type.TypeId switch
    {
        TypeId.Decimal => BoundEncoding.EncodeDecimalUnscaled((BigInteger)value),
        TypeId.String => BoundEncoding.TruncateUtf8Upper(Encoding.UTF8.GetBytes((string)value)),
        TypeId.Binary => BoundEncoding.TruncateBinaryUpper((byte[])value),
        _ => BoundEncoding.Encode(type, value),
    };
}
