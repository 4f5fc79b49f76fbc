using System.Globalization;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Iceberg.Spec;

/// <summary>Identifies the kind of an Iceberg type (spec "Schemas and Data Types").</summary>
public enum TypeId
{
    Boolean, Int, Long, Float, Double, Decimal, Date, Time, Timestamp, TimestampTz,
    TimestampNs, TimestampTzNs, String, Uuid, Fixed, Binary, Struct, List, Map,
}

/// <summary>Base of every Iceberg type. Equality is structural.</summary>
public abstract class IcebergType : IEquatable<IcebergType>
{
    private protected IcebergType(TypeId typeId) => TypeId = typeId;

    public TypeId TypeId { get; }
    public bool IsPrimitive => this is PrimitiveType;
    public bool IsNested => !IsPrimitive;

    public abstract bool Equals(IcebergType? other);
    public override bool Equals(object? obj) => obj is IcebergType t && Equals(t);
    public abstract override int GetHashCode();
    public static bool operator ==(IcebergType? a, IcebergType? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(IcebergType? a, IcebergType? b) => !(a == b);
}

/// <summary>
/// A primitive type. Parameterless primitives are singletons; decimal and fixed are
/// <see cref="DecimalType"/> and <see cref="FixedType"/>. <see cref="ToString"/> is the spec's JSON form.
/// </summary>
public class PrimitiveType : IcebergType
{
    private readonly string _name;

    private protected PrimitiveType(TypeId typeId, string name) : base(typeId) => _name = name;

    public static readonly PrimitiveType Boolean = new(TypeId.Boolean, "boolean");
    public static readonly PrimitiveType Int = new(TypeId.Int, "int");
    public static readonly PrimitiveType Long = new(TypeId.Long, "long");
    public static readonly PrimitiveType Float = new(TypeId.Float, "float");
    public static readonly PrimitiveType Double = new(TypeId.Double, "double");
    public static readonly PrimitiveType Date = new(TypeId.Date, "date");
    public static readonly PrimitiveType Time = new(TypeId.Time, "time");
    public static readonly PrimitiveType Timestamp = new(TypeId.Timestamp, "timestamp");
    public static readonly PrimitiveType TimestampTz = new(TypeId.TimestampTz, "timestamptz");
    public static readonly PrimitiveType TimestampNs = new(TypeId.TimestampNs, "timestamp_ns");
    public static readonly PrimitiveType TimestampTzNs = new(TypeId.TimestampTzNs, "timestamptz_ns");
    public static readonly PrimitiveType String = new(TypeId.String, "string");
    public static readonly PrimitiveType Uuid = new(TypeId.Uuid, "uuid");
    public static readonly PrimitiveType Binary = new(TypeId.Binary, "binary");

    private static readonly Dictionary<string, PrimitiveType> ByName = new[]
    {
        Boolean, Int, Long, Float, Double, Date, Time, Timestamp, TimestampTz, TimestampNs,
        TimestampTzNs, String, Uuid, Binary,
    }.ToDictionary(t => t._name, StringComparer.Ordinal);

    private static readonly Regex DecimalPattern = new(@"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$", RegexOptions.CultureInvariant);
    private static readonly Regex FixedPattern = new(@"^fixed\[\s*(\d+)\s*\]$", RegexOptions.CultureInvariant);

    /// <summary>Parses a primitive type's JSON form: "int", "decimal(9,2)", "fixed[16]", ….</summary>
    public static PrimitiveType Parse(string text)
    {
        var s = text.Trim();
        if (ByName.TryGetValue(s, out var p)) return p;
        var m = DecimalPattern.Match(s);
        if (m.Success)
            return new DecimalType(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        m = FixedPattern.Match(s);
        if (m.Success) return new FixedType(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        throw new FacebergException("UnknownIcebergType", FacebergErrorKind.NotSupported, $"Unknown or unsupported Iceberg primitive type '{text}'.");
    }

    public override string ToString() => _name;
    public override bool Equals(IcebergType? other) => other is PrimitiveType p && p.GetType() == GetType() && p.ToString() == ToString();
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>decimal(P,S): precision at most 38, scale fixed.</summary>
public sealed class DecimalType : PrimitiveType
{
    public DecimalType(int precision, int scale)
        : base(TypeId.Decimal, string.Create(CultureInfo.InvariantCulture, $"decimal({precision},{scale})"))
    {
        if (precision < 1 || precision > 38)
            throw new FacebergException("InvalidDecimalPrecision", FacebergErrorKind.InvalidArgument, $"Decimal precision must be between 1 and 38, got {precision}.");
        if (scale < 0 || scale > precision)
            throw new FacebergException("InvalidDecimalScale", FacebergErrorKind.InvalidArgument, $"Decimal scale must be between 0 and the precision {precision}, got {scale}.");
        Precision = precision;
        Scale = scale;
    }

    public int Precision { get; }
    public int Scale { get; }
}

/// <summary>fixed(L): a byte array of exactly L bytes; JSON form "fixed[L]".</summary>
public sealed class FixedType : PrimitiveType
{
    public FixedType(int length) : base(TypeId.Fixed, string.Create(CultureInfo.InvariantCulture, $"fixed[{length}]"))
    {
        if (length < 1)
            throw new FacebergException("InvalidFixedLength", FacebergErrorKind.InvalidArgument, $"Fixed length must be positive, got {length}.");
        Length = length;
    }

    public int Length { get; }
}

/// <summary>A named struct field with a table-unique id.</summary>
public sealed record NestedField(int Id, string Name, IcebergType Type, bool Required, string? Doc = null)
{
    public static NestedField Optional(int id, string name, IcebergType type, string? doc = null) => new(id, name, type, false, doc);
    public static NestedField Require(int id, string name, IcebergType type, string? doc = null) => new(id, name, type, true, doc);
}

public sealed class StructType : IcebergType
{
    public StructType(IEnumerable<NestedField> fields) : base(TypeId.Struct)
    {
        Fields = fields.ToArray();
        var duplicate = Fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new FacebergException("DuplicateFieldName", FacebergErrorKind.InvalidArgument, $"Struct has more than one field named '{duplicate.Key}'.");
    }

    public StructType(params NestedField[] fields) : this((IEnumerable<NestedField>)fields) { }

    public IReadOnlyList<NestedField> Fields { get; }

    public NestedField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
    public NestedField? Field(int id) => Fields.FirstOrDefault(f => f.Id == id);

    public override string ToString() => "struct<" + string.Join(", ", Fields.Select(f => $"{f.Id}: {f.Name}: {(f.Required ? "required" : "optional")} {f.Type}")) + ">";
    public override bool Equals(IcebergType? other) => other is StructType s && Fields.SequenceEqual(s.Fields);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var f in Fields) h.Add(f);
        return h.ToHashCode();
    }
}

public sealed class ListType : IcebergType
{
    public ListType(int elementId, IcebergType element, bool elementRequired) : base(TypeId.List)
    {
        ElementId = elementId;
        Element = element;
        ElementRequired = elementRequired;
    }

    public int ElementId { get; }
    public IcebergType Element { get; }
    public bool ElementRequired { get; }

    /// <summary>The element as a field named "element", the name the spec's name mapping and Avro use.</summary>
    public NestedField ElementField => new(ElementId, "element", Element, ElementRequired);

    public override string ToString() => $"list<{Element}>";
    public override bool Equals(IcebergType? other) =>
        other is ListType l && l.ElementId == ElementId && l.ElementRequired == ElementRequired && l.Element.Equals(Element);
    public override int GetHashCode() => HashCode.Combine(ElementId, Element, ElementRequired);
}

public sealed class MapType : IcebergType
{
    public MapType(int keyId, IcebergType key, int valueId, IcebergType value, bool valueRequired) : base(TypeId.Map)
    {
        KeyId = keyId;
        Key = key;
        ValueId = valueId;
        Value = value;
        ValueRequired = valueRequired;
    }

    public int KeyId { get; }
    public IcebergType Key { get; }
    public int ValueId { get; }
    public IcebergType Value { get; }
    public bool ValueRequired { get; }

    /// <summary>Map keys are always required.</summary>
    public NestedField KeyField => new(KeyId, "key", Key, true);
    public NestedField ValueField => new(ValueId, "value", Value, ValueRequired);

    public override string ToString() => $"map<{Key}, {Value}>";
    public override bool Equals(IcebergType? other) =>
        other is MapType m && m.KeyId == KeyId && m.ValueId == ValueId && m.ValueRequired == ValueRequired && m.Key.Equals(Key) && m.Value.Equals(Value);
    public override int GetHashCode() => HashCode.Combine(KeyId, Key, ValueId, Value, ValueRequired);
}
