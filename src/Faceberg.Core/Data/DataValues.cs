using System.Globalization;
using System.Numerics;
using System.Text;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using DecimalType = Faceberg.Core.Iceberg.Spec.DecimalType;

namespace Faceberg.Core.Data;

/// <summary>
/// The value model: per Iceberg type, the one .NET value Faceberg uses for it — in rows read, values
/// written (after ValueCoercion), coerced filter literals and decoded bounds:
/// boolean → bool, int → int, long → long, float → float, double → double, decimal → decimal,
/// date → DateTime (midnight, Kind Unspecified), time → TimeSpan, timestamp/timestamp_ns → DateTime (Kind
/// Unspecified, the wall-clock value), timestamptz/timestamptz_ns → DateTimeOffset (UTC), string → string,
/// uuid → Guid, fixed/binary → byte[].
/// Here live its forms: Parquet (<see cref="FromParquet"/>), the spec's binary single-value serialization
/// (<see cref="ToBoundBytes"/>, over <see cref="BoundEncoding"/>, whose numeric form partition tuples use:
/// <see cref="FromBound"/>/<see cref="ToBound"/>), the spec's JSON single-value serialization
/// (<see cref="ToJson"/>/<see cref="FromJson"/>), filter literals (<see cref="CoerceLiteral"/>) and order (<see cref="Compare"/>).
/// </summary>
public static class DataValues
{
    private static readonly DateTime Epoch = DateTime.UnixEpoch;

    /// <summary>The .NET type rows carry for <paramref name="type"/>.</summary>
    public static Type ClrType(PrimitiveType type) => type.TypeId switch
    {
        TypeId.Boolean => typeof(bool),
        TypeId.Int => typeof(int),
        TypeId.Long => typeof(long),
        TypeId.Float => typeof(float),
        TypeId.Double => typeof(double),
        TypeId.Decimal => typeof(decimal),
        TypeId.Date or TypeId.Timestamp or TypeId.TimestampNs => typeof(DateTime),
        TypeId.Time => typeof(TimeSpan),
        TypeId.TimestampTz or TypeId.TimestampTzNs => typeof(DateTimeOffset),
        TypeId.String => typeof(string),
        TypeId.Uuid => typeof(Guid),
        _ => typeof(byte[]),
    };

    /// <summary>A value Parquet.Net read from a leaf of kind <paramref name="kind"/>, as the row value of <paramref name="type"/>.</summary>
    internal static object FromParquet(PrimitiveType type, ParquetValueKind kind, object raw)
    {
        switch (raw)
        {
            case ReadOnlyMemory<char> chars:
                return type.TypeId == TypeId.String ? new string(chars.Span) : FromBytes(type, Encoding.UTF8.GetBytes(chars.ToArray()));
            case ReadOnlyMemory<byte> bytes:
                return FromBytes(type, bytes.ToArray());
            case byte[] array:
                return FromBytes(type, array);
            case DateTime dt:
                // Parquet.Net marks values Utc or Local by the column's isAdjustedToUTC; the ticks are the stored value either way.
                return FromTicks(type, dt.Ticks);
            case DateTimeOffset dto:
                return FromTicks(type, dto.UtcTicks);
            case DateOnly d:
                return FromTicks(type, d.ToDateTime(TimeOnly.MinValue).Ticks);
            case TimeOnly t:
                return Convert(type, t.ToTimeSpan());
            case TimeSpan ts:
                return Convert(type, ts);
            case int i when kind == ParquetValueKind.Date:
                return FromBound(type, i);
            case int i when kind == ParquetValueKind.TimeMillis:
                return Convert(type, TimeSpan.FromTicks(i * TimeSpan.TicksPerMillisecond));
            case long l when kind == ParquetValueKind.TimeMicros:
                return Convert(type, TimeSpan.FromTicks(l * 10));
            case long l when kind == ParquetValueKind.TimeNanos:
                return Convert(type, TimeSpan.FromTicks(l / 100));
            case long l when kind == ParquetValueKind.TimestampMillis:
                return FromTicks(type, EpochTicks(l, TimeSpan.TicksPerMillisecond, 1, "TIMESTAMP_MILLIS", "milliseconds"));
            case long l when kind == ParquetValueKind.TimestampMicros:
                return FromTicks(type, EpochTicks(l, 10, 1, "TIMESTAMP_MICROS", "microseconds"));
            case long l when kind == ParquetValueKind.TimestampNanos:
                return FromTicks(type, EpochTicks(l, 1, 100, "TIMESTAMP_NANOS", "nanoseconds"));
            case ulong ul when kind == ParquetValueKind.UInt64:
                // Iceberg has no unsigned 64-bit type; the bit pattern is what other engines read.
                return Convert(type, unchecked((long)ul));
            default:
                return Convert(type, raw);
        }
    }

    /// <summary>DateTime ticks of a Parquet timestamp (units since the epoch), or the out-of-range error naming the value.</summary>
    private static long EpochTicks(long value, long ticksPerUnit, long unitsPerTick, string annotation, string unit)
    {
        var ticks = (BigInteger)value * ticksPerUnit / unitsPerTick + Epoch.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            throw new Decoding.TimestampOutOfRangeException($"{annotation} value {value} ({unit} since 1970-01-01)");
        return (long)ticks;
    }

    private static object FromBytes(PrimitiveType type, byte[] bytes) => type.TypeId switch
    {
        TypeId.String => Encoding.UTF8.GetString(bytes),
        TypeId.Uuid when bytes.Length == 16 => new Guid(bytes, bigEndian: true),
        TypeId.Decimal => BoundEncoding.FromUnscaled(new BigInteger(bytes, isUnsigned: false, isBigEndian: true), ((DecimalType)type).Scale),
        TypeId.Fixed or TypeId.Binary => bytes,
        _ => throw Mismatch(type, typeof(byte[])),
    };

    private static object FromTicks(PrimitiveType type, long ticks) => type.TypeId switch
    {
        // Arms typed object: DateTime converts implicitly to DateTimeOffset, which would otherwise become the switch's type.
        TypeId.Date => (object)new DateTime(ticks - ticks % TimeSpan.TicksPerDay, DateTimeKind.Unspecified),
        TypeId.Timestamp or TypeId.TimestampNs => (object)new DateTime(ticks, DateTimeKind.Unspecified),
        TypeId.TimestampTz or TypeId.TimestampTzNs => (object)new DateTimeOffset(ticks, TimeSpan.Zero),
        _ => throw Mismatch(type, typeof(DateTime)),
    };

    /// <summary>A value in <see cref="BoundEncoding"/>'s representation (partition values, decoded bounds) as a row value.</summary>
    public static object FromBound(PrimitiveType type, object bound)
    {
        switch (type.TypeId)
        {
            case TypeId.Date:
                return new DateTime(Epoch.Ticks + System.Convert.ToInt64(bound, CultureInfo.InvariantCulture) * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
            case TypeId.Time:
                return TimeSpan.FromTicks(System.Convert.ToInt64(bound, CultureInfo.InvariantCulture) * 10);
            case TypeId.Timestamp:
            case TypeId.TimestampTz:
                return FromTicks(type, Epoch.Ticks + System.Convert.ToInt64(bound, CultureInfo.InvariantCulture) * 10);
            case TypeId.TimestampNs:
            case TypeId.TimestampTzNs:
                return FromTicks(type, Epoch.Ticks + System.Convert.ToInt64(bound, CultureInfo.InvariantCulture) / 100);
            case TypeId.Decimal when bound is BigInteger unscaled:
                return BoundEncoding.FromUnscaled(unscaled, ((DecimalType)type).Scale);
            default:
                return Convert(type, bound);
        }
    }

    /// <summary>
    /// A row value or coerced literal in <see cref="BoundEncoding"/>'s representation (for partition
    /// filters), or null when it has no exact one (1.5 for an int column, a time of day for a date).
    /// </summary>
    public static object? ToBound(PrimitiveType type, object value)
    {
        switch (type.TypeId)
        {
            case TypeId.Boolean:
                return value as bool?;
            case TypeId.Int or TypeId.Long:
            {
                if (!IsNumber(value)) return null;
                var d = ToDecimalOrNull(value);
                if (d is not { } m || decimal.Truncate(m) != m) return null;
                if (type.TypeId == TypeId.Int) return m is >= int.MinValue and <= int.MaxValue ? (int)m : null;
                return m is >= long.MinValue and <= long.MaxValue ? (long)m : null;
            }
            case TypeId.Float:
                return IsNumber(value) ? System.Convert.ToSingle(value, CultureInfo.InvariantCulture) : null;
            case TypeId.Double:
                return IsNumber(value) ? System.Convert.ToDouble(value, CultureInfo.InvariantCulture) : null;
            case TypeId.Decimal:
                return IsNumber(value) ? ToDecimalOrNull(value) : null;
            case TypeId.Date when value is DateTime dt && dt.TimeOfDay == TimeSpan.Zero:
                return (int)((dt.Ticks - Epoch.Ticks) / TimeSpan.TicksPerDay);
            case TypeId.Timestamp when value is DateTime dt && dt.Ticks % 10 == 0:
                return (dt.Ticks - Epoch.Ticks) / 10;
            case TypeId.TimestampTz when value is DateTimeOffset dto && dto.UtcTicks % 10 == 0:
                return (dto.UtcTicks - Epoch.Ticks) / 10;
            case TypeId.TimestampNs when value is DateTime dt:
                return (dt.Ticks - Epoch.Ticks) * 100;
            case TypeId.TimestampTzNs when value is DateTimeOffset dto:
                return (dto.UtcTicks - Epoch.Ticks) * 100;
            case TypeId.Time when value is TimeSpan ts && ts.Ticks % 10 == 0:
                return ts.Ticks / 10;
            case TypeId.String:
                return value as string;
            case TypeId.Uuid:
                return value as Guid?;
            case TypeId.Fixed or TypeId.Binary:
                return value as byte[];
            default:
                return null;
        }
    }

    /// <summary>The spec's binary single-value serialization of a value (bounds, partition summaries).</summary>
    public static byte[] ToBoundBytes(PrimitiveType type, object value) =>
        BoundEncoding.Encode(type, ToBound(type, value) ?? throw new FacebergException("ValueOutOfRange", FacebergErrorKind.InvalidArgument,
            $"Value {value} has no exact {type} form."));

    /// <summary>A value from the spec's binary single-value serialization.</summary>
    public static object FromBoundBytes(PrimitiveType type, ReadOnlySpan<byte> bytes) => FromBound(type, BoundEncoding.Decode(type, bytes));

    /// <summary>
    /// The spec's JSON single-value serialization (Appendix D): numbers for int/long/float/double, a string
    /// for decimal ("14.20"), date ("2017-11-16"), time ("22:31:08.123456"), timestamp ("2017-11-16T22:31:08.123456"),
    /// timestamptz ("…+00:00"), uuid, and hexadecimal for fixed and binary.
    /// </summary>
    public static string ToJson(PrimitiveType type, object value)
    {
        var v = Convert(type, value);
        var text = type.TypeId switch
        {
            TypeId.Boolean => (bool)v ? "true" : "false",
            TypeId.Int or TypeId.Long => System.Convert.ToString(v, CultureInfo.InvariantCulture)!,
            TypeId.Float => ((float)v).ToString("R", CultureInfo.InvariantCulture),
            TypeId.Double => ((double)v).ToString("R", CultureInfo.InvariantCulture),
            TypeId.Decimal => Quote(((decimal)v).ToString("F" + ((DecimalType)type).Scale, CultureInfo.InvariantCulture)),
            TypeId.Date => Quote(((DateTime)v).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            TypeId.Time => Quote(new DateTime(((TimeSpan)v).Ticks).ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            TypeId.Timestamp => Quote(((DateTime)v).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            TypeId.TimestampNs => Quote(((DateTime)v).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00"),
            TypeId.TimestampTz => Quote(((DateTimeOffset)v).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00:00"),
            TypeId.TimestampTzNs => Quote(((DateTimeOffset)v).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00+00:00"),
            TypeId.String => System.Text.Json.JsonSerializer.Serialize((string)v),
            TypeId.Uuid => Quote(((Guid)v).ToString("D")),
            _ => Quote(System.Convert.ToHexString((byte[])v)),
        };
        return text;
    }

    /// <summary>A value from its JSON single-value serialization (<see cref="ToJson"/>).</summary>
    public static object FromJson(PrimitiveType type, System.Text.Json.JsonElement json)
    {
        try
        {
            switch (type.TypeId)
            {
                case TypeId.Boolean: return json.GetBoolean();
                case TypeId.Int: return json.GetInt32();
                case TypeId.Long: return json.GetInt64();
                case TypeId.Float: return json.GetSingle();
                case TypeId.Double: return json.GetDouble();
            }
            var s = json.GetString()!;
            switch (type.TypeId)
            {
                case TypeId.Decimal: return decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
                case TypeId.Date: return DateTime.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None);
                case TypeId.Time: return TimeSpan.ParseExact(TrimNanos(s), [@"hh\:mm\:ss", @"hh\:mm\:ss\.FFFFFFF"], CultureInfo.InvariantCulture);
                case TypeId.Timestamp or TypeId.TimestampNs:
                    return DateTime.SpecifyKind(DateTime.Parse(TrimNanos(s), CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Unspecified);
                case TypeId.TimestampTz or TypeId.TimestampTzNs:
                    return DateTimeOffset.Parse(TrimNanos(s), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
                case TypeId.String: return s;
                case TypeId.Uuid: return Guid.Parse(s);
                default:
                    var bytes = System.Convert.FromHexString(s);
                    if (type is FixedType f && bytes.Length != f.Length) throw new FormatException($"{type} needs {f.Length} bytes");
                    return bytes;
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new FacebergException("InvalidJsonValue", FacebergErrorKind.InvalidData, $"JSON {json.GetRawText()} is not a {type} value: {e.Message}", e);
        }
    }

    private static string Quote(string s) => "\"" + s + "\"";

    /// <summary>.NET keeps 100 ns ticks: the last two of nine fractional digits are dropped.</summary>
    private static string TrimNanos(string s)
    {
        var dot = s.IndexOf('.');
        if (dot < 0) return s;
        var end = dot + 1;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        return end - dot - 1 > 7 ? s[..(dot + 8)] + s[end..] : s;
    }

    private static decimal? ToDecimalOrNull(object value)
    {
        try { return System.Convert.ToDecimal(value, CultureInfo.InvariantCulture); }
        catch (OverflowException) { return null; }
    }

    /// <summary>Converts a value of another .NET type to the row type of <paramref name="type"/> (widening and exact conversions only).</summary>
    private static object Convert(PrimitiveType type, object value)
    {
        try
        {
            switch (type.TypeId)
            {
                case TypeId.Boolean when value is bool:
                    return value;
                case TypeId.Int when IsInteger(value):
                    return System.Convert.ToInt32(value, CultureInfo.InvariantCulture);
                case TypeId.Long when IsInteger(value):
                    return System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case TypeId.Float when value is float or Half or int or long:
                    return value is Half h ? (float)h : System.Convert.ToSingle(value, CultureInfo.InvariantCulture);
                case TypeId.Double when value is double or float or Half or int or long:
                    return value is Half half ? (double)(float)half : System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                case TypeId.Decimal when value is decimal d:
                    return d;
                case TypeId.Decimal when IsInteger(value):
                    return System.Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                case TypeId.Time when value is TimeSpan:
                    return value;
                case TypeId.String when value is string:
                    return value;
                case TypeId.Uuid when value is Guid:
                    return value;
                case TypeId.Fixed or TypeId.Binary when value is byte[]:
                    return value;
                case TypeId.Date or TypeId.Timestamp or TypeId.TimestampNs when value is DateTime dt:
                    return FromTicks(type, dt.Ticks);
                case TypeId.TimestampTz or TypeId.TimestampTzNs when value is DateTimeOffset dto:
                    return dto.ToUniversalTime();
            }
        }
        catch (OverflowException e)
        {
            throw new FacebergException("ValueOutOfRange", FacebergErrorKind.InvalidData, $"Value {value} does not fit Iceberg type {type}.", e);
        }
        throw Mismatch(type, value.GetType());
    }

    private static bool IsInteger(object value) => value is int or long or short or ushort or byte or sbyte or uint;

    private static FacebergException Mismatch(PrimitiveType type, Type clr) =>
        new("ColumnTypeMismatch", FacebergErrorKind.InvalidData, $"A {clr.Name} value from a data file cannot be read as Iceberg type {type}.");

    /// <summary>
    /// A filter literal for a column of <paramref name="type"/>: numbers stay numbers (compared by value);
    /// strings become the column's type when it is not a string (invariant culture, ISO dates); DateTime and
    /// DateTimeOffset literals meet date and timestamp columns (a DateTime without kind is taken as UTC
    /// for timestamptz columns).
    /// </summary>
    public static object CoerceLiteral(PrimitiveType type, object literal, string column)
    {
        ArgumentNullException.ThrowIfNull(literal);
        var target = ClrType(type);
        if (target.IsInstanceOfType(literal)) return literal;
        try
        {
            switch (literal)
            {
                case string s when type.TypeId != TypeId.String:
                    return ParseLiteral(type, s.Trim());
                case DateTime dt when type.TypeId is TypeId.TimestampTz or TypeId.TimestampTzNs:
                    return new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt).ToUniversalTime();
                case DateTimeOffset dto when type.TypeId is TypeId.Date or TypeId.Timestamp or TypeId.TimestampNs:
                    return FromTicks(type, dto.UtcTicks);
                case DateTime dt when type.TypeId is TypeId.Date or TypeId.Timestamp or TypeId.TimestampNs:
                    return dt;
                case var number when IsNumber(number) && IsNumber(Default(target)):
                    return number;
                case IFormattable formattable when type.TypeId == TypeId.String:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                case bool b when type.TypeId == TypeId.Boolean:
                    return b;
            }
        }
        catch (FormatException e)
        {
            throw BadLiteral(type, literal, column, e);
        }
        throw BadLiteral(type, literal, column, null);
    }

    private static object ParseLiteral(PrimitiveType type, string s)
    {
        // Each arm returns object on its own: a switch expression would convert them all to one common type.
        switch (type.TypeId)
        {
            case TypeId.Boolean:
                return bool.Parse(s);
            case TypeId.Int or TypeId.Long or TypeId.Float or TypeId.Double or TypeId.Decimal:
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
                if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)) return m;
                return double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            case TypeId.Date or TypeId.Timestamp or TypeId.TimestampNs:
                return DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.None);
            case TypeId.TimestampTz or TypeId.TimestampTzNs:
                return DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
            case TypeId.Time:
                return TimeSpan.Parse(s, CultureInfo.InvariantCulture);
            case TypeId.Uuid:
                return Guid.Parse(s);
            default:
                throw new FormatException($"no text form for {type}");
        }
    }

    private static object? Default(Type t) => t.IsValueType ? Activator.CreateInstance(t) : null;

    private static FacebergException BadLiteral(PrimitiveType type, object literal, string column, Exception? inner) =>
        new("FilterLiteralType", FacebergErrorKind.InvalidArgument,
            $"The filter value '{literal}' ({literal.GetType().Name}) cannot be compared with column '{column}' of type {type}.", inner);

    /// <summary>True for a float or double NaN (unordered: equal to nothing, itself included).</summary>
    internal static bool IsNaN(object? value) => value is double d ? double.IsNaN(d) : value is float f ? float.IsNaN(f) : value is Half h && Half.IsNaN(h);

    internal static bool IsNumber(object? value) =>
        value is int or long or short or ushort or byte or sbyte or uint or ulong or float or double or decimal or Half;

    /// <summary>Orders two row values (or a row value and a coerced literal). Null sorts first.</summary>
    public static int Compare(object? a, object? b, bool ignoreCase = false)
    {
        if (a is null) return b is null ? 0 : -1;
        if (b is null) return 1;
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double or float or Half || b is double or float or Half)
                return ToDouble(a).CompareTo(ToDouble(b));
            return ToDecimal(a).CompareTo(ToDecimal(b));
        }
        switch (a)
        {
            case string sa when b is string sb:
                return ignoreCase ? string.Compare(sa, sb, StringComparison.OrdinalIgnoreCase) : CompareCodePoints(sa, sb);
            case DateTimeOffset da:
                return da.CompareTo(b is DateTime db ? new DateTimeOffset(DateTime.SpecifyKind(db, db.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : db.Kind)) : (DateTimeOffset)b);
            case DateTime dta when b is DateTimeOffset:
                return -Compare(b, a);
            case byte[] ba when b is byte[] bb:
                return ba.AsSpan().SequenceCompareTo(bb);
            case Guid ga when b is Guid gb:
                return ga.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(gb.ToByteArray(bigEndian: true));
            case IComparable ca when a.GetType() == b.GetType():
                return ca.CompareTo(b);
        }
        throw new FacebergException("FilterIncomparable", FacebergErrorKind.InvalidArgument,
            $"A {a.GetType().Name} value cannot be compared with a {b.GetType().Name} value.");
    }

    private static double ToDouble(object v) => v is Half h ? (double)(float)h : System.Convert.ToDouble(v, CultureInfo.InvariantCulture);

    private static decimal ToDecimal(object v) => System.Convert.ToDecimal(v, CultureInfo.InvariantCulture);

    /// <summary>Code point order, which is the UTF-8 byte order Iceberg bounds use (UTF-16 ordinal order differs above U+FFFF).</summary>
    private static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var ca = a[i];
            var cb = b[i];
            if (ca == cb) continue;
            if (char.IsSurrogate(ca) != char.IsSurrogate(cb))
                return char.IsSurrogate(ca) ? 1 : -1;  // a supplementary code point is above every BMP one
            return ca.CompareTo(cb);
        }
        return a.Length.CompareTo(b.Length);
    }
}
