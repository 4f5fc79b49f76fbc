using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>A value that does not fit its column; the message names the problem, the caller adds row and column.</summary>
internal sealed class ValueMismatchException(string message, string? subPath = null) : Exception(message)
{
    /// <summary>The nested path below the column where the mismatch is (".meta.year", "[2]"), or null at the column itself.</summary>
    public string? SubPath { get; } = subPath;
}

/// <summary>
/// Turns user values (PowerShell numbers, strings from Import-Csv, DateTimeOffset, hashtables, arrays …)
/// into the value model's .NET value per Iceberg type (<see cref="DataValues"/>: the same values rows are
/// read as), refusing anything that would lose information. Containers take the writer's shapes:
/// list → List&lt;object?&gt;, map → List&lt;KeyValuePair&lt;object, object?&gt;&gt;, struct → object?[] in field order.
/// </summary>
internal static class ValueCoercion
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Types <see cref="ParquetDataWriter"/> cannot write with Parquet.Net 6.1, and why.</summary>
    public static string? UnsupportedReason(IcebergType type) => type switch
    {
        PrimitiveType { TypeId: TypeId.Time } => "time columns cannot be written: Parquet.Net 6.1 has no TIME logical type for writing",
        PrimitiveType { TypeId: TypeId.TimestampNs or TypeId.TimestampTzNs } => "nanosecond timestamps cannot be written (Iceberg v2 tables store microseconds)",
        FixedType => "fixed columns cannot be written: Parquet.Net 6.1 writes no FIXED_LEN_BYTE_ARRAY for them",
        DecimalType { Precision: > 28 } d => $"decimal({d.Precision},{d.Scale}) exceeds the 28 digits of System.Decimal",
        MapType m when !m.Key.IsPrimitive || !m.Value.IsPrimitive => "maps can be written only with primitive keys and values",
        ListType { Element: ListType or MapType } => "lists of lists or maps cannot be written (Parquet.Net 6.1 drops their null elements)",
        MapType m => UnsupportedReason(m.Key) ?? UnsupportedReason(m.Value),
        ListType l => UnsupportedReason(l.Element),
        StructType s => s.Fields.Select(f => UnsupportedReason(f.Type) is { } r ? $"field '{f.Name}': {r}" : null).FirstOrDefault(r => r != null),
        _ => null,
    };

    public static object? Coerce(object? value, IcebergType type, bool required)
    {
        // Import-Csv gives "" for an empty cell: for anything but a string column that means "no value".
        if (value is null || value is DBNull || (value is string { Length: 0 } && type is not PrimitiveType { TypeId: TypeId.String }))
        {
            if (required) throw new ValueMismatchException("is required but the value is null");
            return null;
        }
        return type switch
        {
            StructType s => CoerceStruct(value, s),
            ListType l => CoerceList(value, l),
            MapType m => CoerceMap(value, m),
            DecimalType d => CoerceDecimal(value, d),
            PrimitiveType p => CoercePrimitive(value, p),
            _ => throw new ValueMismatchException($"has unsupported type {type}"),
        };
    }

    private static object CoercePrimitive(object value, PrimitiveType type)
    {
        // A value already of the column's type (most values) is returned in its own box: no parsing, no allocation.
        switch (type.TypeId)
        {
            case TypeId.Long when value is long:
            case TypeId.Int when value is int:
            case TypeId.Double when value is double:
            case TypeId.String when value is string:
            case TypeId.Boolean when value is bool:
            case TypeId.Float when value is float:
                return value;
            case TypeId.Long when value is int i32:
                return (long)i32;
            case TypeId.Int when value is long i64 && i64 >= int.MinValue && i64 <= int.MaxValue:
                return (int)i64;
        }
        switch (type.TypeId)
        {
            case TypeId.Boolean:
                if (value is bool b) return b;
                if (value is string sb && bool.TryParse(sb.Trim(), out var pb)) return pb;
                break;
            case TypeId.Int:
                if (Integral(value) is { } i && i >= int.MinValue && i <= int.MaxValue) return (int)i;
                break;
            case TypeId.Long:
                if (Integral(value) is { } l && l >= long.MinValue && l <= long.MaxValue) return (long)l;
                break;
            case TypeId.Float:
                if (Floating(value) is { } f && (double.IsNaN(f) || double.IsInfinity(f) || Math.Abs(f) <= float.MaxValue)) return (float)f;
                break;
            case TypeId.Double:
                if (Floating(value) is { } d) return d;
                break;
            case TypeId.Date:
                switch (value)
                {
                    case DateOnly date: return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
                    case DateTime dt when dt.TimeOfDay == TimeSpan.Zero: return DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
                    case DateTimeOffset dto when dto.TimeOfDay == TimeSpan.Zero: return DateTime.SpecifyKind(dto.DateTime, DateTimeKind.Unspecified);
                    case string sd when DateOnly.TryParse(sd.Trim(), Invariant, DateTimeStyles.None, out var pd): return pd.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
                    case DateTime or DateTimeOffset: throw new ValueMismatchException($"is a date column but {Describe(value)} has a time of day");
                }
                break;
            case TypeId.Timestamp:
                switch (value)
                {
                    // A timestamp without zone is a wall-clock reading: keep the clock, drop any zone.
                    case DateTime dt: return DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
                    case DateTimeOffset dto: return dto.DateTime;
                    case string st when DateTime.TryParse(st.Trim(), Invariant, DateTimeStyles.None, out var pt): return DateTime.SpecifyKind(pt, DateTimeKind.Unspecified);
                }
                break;
            case TypeId.TimestampTz:
                switch (value)
                {
                    case DateTimeOffset dto: return dto.ToUniversalTime();
                    case DateTime { Kind: DateTimeKind.Local } local: return new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero);
                    // An unzoned reading for a zoned column is taken as UTC (docs/writing.md).
                    case DateTime dt: return new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc), TimeSpan.Zero);
                    case string st when DateTimeOffset.TryParse(st.Trim(), Invariant, DateTimeStyles.AssumeUniversal, out var pt): return pt.ToUniversalTime();
                }
                break;
            case TypeId.String:
                switch (value)
                {
                    case string s: return s;
                    case char c: return c.ToString();
                    case Guid g: return g.ToString();
                    case Enum e: return e.ToString();
                    case bool or sbyte or byte or short or ushort or int or uint or long or ulong or decimal or BigInteger:
                        return Convert.ToString(value, Invariant)!;
                }
                break;
            case TypeId.Uuid:
                switch (value)
                {
                    case Guid g: return g;
                    case string su when Guid.TryParse(su.Trim(), out var pg): return pg;
                    // Iceberg stores uuids big-endian, as written.
                    case byte[] { Length: 16 } bytes: return new Guid(bytes, bigEndian: true);
                }
                break;
            case TypeId.Binary:
                switch (value)
                {
                    case byte[] bytes: return bytes;
                    case ReadOnlyMemory<byte> rom: return rom.ToArray();
                    case Memory<byte> mem: return mem.ToArray();
                }
                break;
        }
        throw new ValueMismatchException($"is {type} but the value is {Describe(value)}");
    }

    private static object CoerceDecimal(object value, DecimalType type)
    {
        decimal? number = value switch
        {
            decimal m => m,
            sbyte or byte or short or ushort or int or uint or long or ulong => Convert.ToDecimal(value, Invariant),
            BigInteger big when big >= (BigInteger)decimal.MinValue && big <= (BigInteger)decimal.MaxValue => (decimal)big,
            // Binary floating point is converted through its shortest round-trip text, so 0.1 stays 0.1.
            double d when double.IsFinite(d) && decimal.TryParse(d.ToString("R", Invariant), NumberStyles.Float, Invariant, out var pd) => pd,
            float f when float.IsFinite(f) && decimal.TryParse(f.ToString("R", Invariant), NumberStyles.Float, Invariant, out var pf) => pf,
            string s when decimal.TryParse(s.Trim(), NumberStyles.Number | NumberStyles.AllowExponent, Invariant, out var ps) => ps,
            _ => null,
        };
        if (number is not { } n)
            throw new ValueMismatchException($"is {type} but the value is {Describe(value)}");
        var rounded = Math.Round(n, type.Scale);
        if (rounded != n)
            throw new ValueMismatchException($"is {type} but {n.ToString(Invariant)} has more than {type.Scale} decimal places");
        var integerDigits = Math.Truncate(Math.Abs(rounded)) == 0 ? 0 : Math.Truncate(Math.Abs(rounded)).ToString(Invariant).Length;
        if (integerDigits > type.Precision - type.Scale)
            throw new ValueMismatchException($"is {type} but {n.ToString(Invariant)} has more than {type.Precision - type.Scale} digits before the point");
        return rounded;
    }

    private static object?[] CoerceStruct(object value, StructType type)
    {
        if (value is not IDictionary dictionary)
            throw new ValueMismatchException($"is a struct but the value is {Describe(value)}");
        var keys = StructKeys.Match(dictionary, type);
        if (keys.Unknown.Count > 0)
            throw new ValueMismatchException($"has no field '{keys.Unknown[0]}' (fields: {string.Join(", ", type.Fields.Select(f => f.Name))})");
        var result = new object?[type.Fields.Count];
        for (var i = 0; i < type.Fields.Count; i++)
        {
            var field = type.Fields[i];
            var raw = keys.KeyOf[i] is { } key ? dictionary[key] : null;
            try
            {
                result[i] = Coerce(raw, field.Type, field.Required);
            }
            catch (ValueMismatchException e)
            {
                throw new ValueMismatchException(e.Message, "." + field.Name + e.SubPath);
            }
        }
        return result;
    }

    private static List<object?> CoerceList(object value, ListType type)
    {
        if (value is string or byte[] or IDictionary || value is not IEnumerable items)
            throw new ValueMismatchException($"is a list but the value is {Describe(value)}");
        if (items is IList indexed)
        {
            // Arrays and lists: sized once, read by index (no enumerator per value).
            var list = new List<object?>(indexed.Count);
            for (var i = 0; i < indexed.Count; i++)
            {
                try
                {
                    list.Add(Coerce(indexed[i], type.Element, type.ElementRequired));
                }
                catch (ValueMismatchException e)
                {
                    throw new ValueMismatchException(e.Message, $"[{i}]{e.SubPath}");
                }
            }
            return list;
        }
        var result = new List<object?>();
        foreach (var item in items)
        {
            try
            {
                result.Add(Coerce(item, type.Element, type.ElementRequired));
            }
            catch (ValueMismatchException e)
            {
                throw new ValueMismatchException(e.Message, $"[{result.Count}]{e.SubPath}");
            }
        }
        return result;
    }

    private static List<KeyValuePair<object, object?>> CoerceMap(object value, MapType type)
    {
        if (value is not IDictionary dictionary)
            throw new ValueMismatchException($"is a map but the value is {Describe(value)}");
        var result = new List<KeyValuePair<object, object?>>();
        foreach (DictionaryEntry entry in dictionary)
        {
            var label = $"[{entry.Key}]";
            try
            {
                var key = Coerce(entry.Key, type.Key, required: true)!;
                result.Add(new(key, Coerce(entry.Value, type.Value, type.ValueRequired)));
            }
            catch (ValueMismatchException e)
            {
                throw new ValueMismatchException(e.Message, label + e.SubPath);
            }
        }
        return result;
    }

    /// <summary>An exact integer, or null when the value is not one (fractions and non-numbers).</summary>
    private static BigInteger? Integral(object value) => value switch
    {
        sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(value, Invariant),
        ulong u => u,
        BigInteger big => big,
        decimal m when decimal.Truncate(m) == m => new BigInteger(m),
        double d when double.IsFinite(d) && Math.Truncate(d) == d => new BigInteger(d),
        float f when float.IsFinite(f) && MathF.Truncate(f) == f => new BigInteger(f),
        string s when BigInteger.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, Invariant, out var p) => p,
        _ => null,
    };

    private static double? Floating(object value) => value switch
    {
        double d => d,
        float f => f,
        sbyte or byte or short or ushort or int or uint or long or ulong or decimal => Convert.ToDouble(value, Invariant),
        BigInteger big => (double)big,
        string s when double.TryParse(s.Trim(), NumberStyles.Float | NumberStyles.AllowThousands, Invariant, out var p) => p,
        _ => null,
    };

    internal static string Describe(object value)
    {
        var text = value switch
        {
            string s => "'" + (s.Length > 40 ? s[..40] + "…" : s) + "'",
            IDictionary => null,
            IEnumerable and not string => null,
            IFormattable f => f.ToString(null, Invariant),
            _ => null,
        };
        var typeName = value.GetType().Name;
        return text is null ? $"a {typeName}" : $"{text} ({typeName})";
    }
}

/// <summary>The key match of a struct's last value: the values of one struct column share their keys, so
/// <see cref="FieldLookup.Match"/> runs once per distinct key list instead of once per value.</summary>
internal static class StructKeys
{
    private sealed record Memo(string[] Keys, FieldLookup.Result Match);

    /// <summary>Per struct type (by reference); a memo is replaced whole, so concurrent writes never see a torn one.</summary>
    private static readonly ConditionalWeakTable<StructType, StrongBox<Memo?>> Memos = new();

    public static FieldLookup.Result Match(IDictionary dictionary, StructType type)
    {
        var box = Memos.GetValue(type, _ => new StrongBox<Memo?>());
        var memo = box.Value;
        if (memo is not null && SameKeys(dictionary, memo.Keys)) return memo.Match;
        var keys = new string[dictionary.Count];
        var i = 0;
        foreach (var key in dictionary.Keys) keys[i++] = key?.ToString() ?? "";
        memo = new Memo(keys, FieldLookup.Match(keys, type.Fields));
        box.Value = memo;
        return memo.Match;
    }

    private static bool SameKeys(IDictionary dictionary, string[] keys)
    {
        if (dictionary.Count != keys.Length) return false;
        var i = 0;
        // A generic dictionary's own key enumerator is a struct: no allocation per value.
        if (dictionary is Dictionary<string, object?> generic)
        {
            foreach (var name in generic.Keys)
            {
                if (!string.Equals(name, keys[i++], StringComparison.Ordinal)) return false;
            }
            return true;
        }
        foreach (var key in dictionary.Keys)
        {
            if (key is not string name || !string.Equals(name, keys[i++], StringComparison.Ordinal)) return false;
        }
        return true;
    }
}

/// <summary>Matches user-supplied names (row keys, hashtable keys) to schema fields by <see cref="ColumnResolver"/>'s
/// rule: exactly, else case-insensitively when that is unambiguous (PowerShell hashtables and objects are
/// case-insensitive); a key matching several fields ignoring case is an AmbiguousColumn error.</summary>
internal static class FieldLookup
{
    public sealed record Result(string?[] KeyOf, IReadOnlyList<string> Unknown);

    public static Result Match(IReadOnlyList<string> keys, IReadOnlyList<NestedField> fields)
    {
        var names = fields.Select(f => f.Name).ToArray();
        var keyOf = new string?[fields.Count];
        var unknown = new List<string>();
        // Exact keys first, so "text" keeps field "text" even when a key "Text" comes before it.
        foreach (var key in keys.OrderBy(k => names.Contains(k, StringComparer.Ordinal) ? 0 : 1))
        {
            var i = ColumnResolver.IndexOf(names, key);
            if (i < 0 || keyOf[i] is not null) unknown.Add(key);
            else keyOf[i] = key;
        }
        return new Result(keyOf, keys.Where(unknown.Contains).ToList());
    }
}
