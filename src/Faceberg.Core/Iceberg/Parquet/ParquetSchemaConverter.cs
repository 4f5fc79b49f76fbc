using Faceberg.Core.Iceberg.Spec;
using Parquet.Meta;
using DecimalType = Faceberg.Core.Iceberg.Spec.DecimalType;
using ListType = Faceberg.Core.Iceberg.Spec.ListType;
using MapType = Faceberg.Core.Iceberg.Spec.MapType;
using PhysicalType = Parquet.Meta.Type;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>How a leaf column's physical Parquet values (and so its footer statistics) read as Iceberg values.</summary>
public enum ParquetValueKind
{
    Boolean, Int32, UInt32, Int64, UInt64, Float16, Float, Double, String, Binary, Fixed, Uuid,
    DecimalInt32, DecimalInt64, DecimalBytes, Date, TimeMillis, TimeMicros, TimeNanos,
    TimestampMillis, TimestampMicros, TimestampNanos, Int96,
}

/// <summary>One primitive leaf of a Parquet schema and the Iceberg column it became.</summary>
/// <param name="ParquetPath">The leaf's path as the footer's column chunks name it (ColumnMetaData.path_in_schema).</param>
/// <param name="IcebergPath">The same column as Iceberg field names: struct fields by name, then "element", "key" or "value".</param>
/// <param name="InRepeated">The leaf sits inside a list or map.</param>
/// <param name="AlwaysDefined">No level above or at the leaf is optional or repeated, so it can hold no nulls.</param>
/// <param name="Kind">How the leaf's physical values, and so its statistics, read as Iceberg values.</param>
public sealed record ParquetLeafColumn(
    IReadOnlyList<string> ParquetPath,
    IReadOnlyList<string> IcebergPath,
    PrimitiveType Type,
    ParquetValueKind Kind,
    bool InRepeated,
    bool AlwaysDefined)
{
    public string ParquetPathString => string.Join('.', ParquetPath);
}

/// <summary>The Iceberg schema of one Parquet file plus the map from its leaf columns to Iceberg columns.</summary>
public sealed record ParquetSchemaConversion(Schema Schema, IReadOnlyList<ParquetLeafColumn> Leaves, bool UsesFileFieldIds);

/// <summary>
/// Converts a Parquet footer schema (the thrift schema elements, not Parquet.Net's model, so every
/// annotation other writers use is visible) into an Iceberg schema.
/// <para>Field ids: when every field of the file carries a Parquet field_id (files written by Iceberg
/// engines), those ids are kept, because readers resolve such files by id. Otherwise ids are assigned by
/// <see cref="FieldIdAssigner"/>: top-level columns 1..n in file order, then nested ids depth first.
/// A file with ids on some fields only is rejected.</para>
/// <para>Type choices beyond the spec's Parquet table: ENUM and JSON → string; BSON → binary;
/// UINT8/UINT16 → int; UINT32 → long; UINT64 → long (values above 2^63-1 cannot be represented: engines
/// read them as negative numbers or fail, and Faceberg writes no bounds for a column whose maximum exceeds
/// long's range); INT96 → timestamp (no bounds: INT96 has no defined sort order); TIMESTAMP(NANOS) →
/// timestamp/timestamptz and TIME(NANOS) → time, since format v2 has no nanosecond types (bounds are
/// rounded outward to microseconds); FLOAT16 → float. Legacy converted types TIMESTAMP_MILLIS/MICROS mean
/// UTC-adjusted instants (Parquet's compatibility rule), so they become timestamptz.</para>
/// </summary>
public static class ParquetSchemaConverter
{
    public static ParquetSchemaConversion Convert(IReadOnlyList<SchemaElement> elements, string fileUri)
    {
        ArgumentNullException.ThrowIfNull(elements);
        if (elements.Count == 0)
            throw new FacebergException("InvalidParquetFooter", FacebergErrorKind.InvalidData, $"Parquet file '{fileUri}' has an empty schema.");

        var index = 0;
        var root = ReadNode(elements, ref index, parent: null, fileUri);
        if (index != elements.Count)
            throw new FacebergException("InvalidParquetFooter", FacebergErrorKind.InvalidData,
                $"Parquet file '{fileUri}' has {elements.Count - index} schema elements outside the root's children.");

        var context = new Context(fileUri);
        var fields = ConvertChildren(root, Array.Empty<string>(), inRepeated: false, context);

        if (context.IdsPresent && context.FirstWithoutId != null)
            throw new UnsupportedParquetSchemaException(fileUri, context.FirstWithoutId,
                "has no Parquet field id while other columns of the file have one; Iceberg needs ids on all columns or none.");

        Schema schema;
        if (context.IdsPresent)
        {
            try { schema = new Schema(0, fields); }
            catch (FacebergException e) when (e.ErrorId == "DuplicateFieldId")
            {
                throw new FacebergException("InvalidParquetFooter", FacebergErrorKind.InvalidData, $"Parquet file '{fileUri}': {e.Message}", e);
            }
        }
        else
        {
            schema = new Schema(0, FieldIdAssigner.AssignFresh(fields, 0, out _));
        }
        return new ParquetSchemaConversion(schema, context.Leaves, context.IdsPresent);
    }

    private sealed class Node(SchemaElement element, IReadOnlyList<string> path, bool alwaysDefined)
    {
        public SchemaElement Element { get; } = element;
        public IReadOnlyList<string> Path { get; } = path;
        public bool AlwaysDefined { get; } = alwaysDefined;
        public List<Node> Children { get; } = new();
        public bool IsGroup => Element.Type == null;
        public string Name => Element.Name;
        public string PathString => string.Join('.', Path);
        public FieldRepetitionType Repetition => Element.RepetitionType ?? FieldRepetitionType.OPTIONAL;
    }

    private sealed class Context(string fileUri)
    {
        public string FileUri { get; } = fileUri;
        public List<ParquetLeafColumn> Leaves { get; } = new();
        public bool IdsPresent { get; private set; }
        public string? FirstWithoutId { get; private set; }

        /// <summary>The id a field gets before fresh assignment: the file's own, or 0 as a placeholder.</summary>
        public int IdOf(Node node)
        {
            if (node.Element.FieldId is int id) { IdsPresent = true; return id; }
            return NoIdFor(node.PathString);
        }

        public int NoIdFor(string path)
        {
            FirstWithoutId ??= path;
            return 0;
        }

        public UnsupportedParquetSchemaException Unsupported(Node node, string reason) => new(FileUri, node.PathString, reason);
    }

    private static Node ReadNode(IReadOnlyList<SchemaElement> elements, ref int index, Node? parent, string fileUri)
    {
        var element = elements[index++];
        var path = parent == null ? Array.Empty<string>() : parent.Path.Append(element.Name).ToArray();
        var alwaysDefined = parent == null || (parent.AlwaysDefined && element.RepetitionType == FieldRepetitionType.REQUIRED);
        var node = new Node(element, path, alwaysDefined);
        if (element.Type == null)
        {
            var count = element.NumChildren ?? 0;
            for (var i = 0; i < count; i++)
            {
                if (index >= elements.Count)
                    throw new FacebergException("InvalidParquetFooter", FacebergErrorKind.InvalidData,
                        $"Parquet file '{fileUri}': group '{(parent == null ? "(root)" : node.PathString)}' declares {count} children but the schema ends early.");
                node.Children.Add(ReadNode(elements, ref index, node, fileUri));
            }
        }
        return node;
    }

    private static List<NestedField> ConvertChildren(Node group, IReadOnlyList<string> icebergPath, bool inRepeated, Context context)
    {
        var fields = new List<NestedField>(group.Children.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in group.Children)
        {
            if (!names.Add(child.Name))
                throw context.Unsupported(child, "appears twice in its group.");
            var id = context.IdOf(child);
            var (type, required) = ConvertElement(child, Append(icebergPath, child.Name), inRepeated, context);
            fields.Add(new NestedField(id, child.Name, type, required));
        }
        return fields;
    }

    /// <summary>A field's type and required-ness, honouring its repetition: a bare repeated field is a required list of required elements.</summary>
    private static (IcebergType Type, bool Required) ConvertElement(Node node, IReadOnlyList<string> icebergPath, bool inRepeated, Context context)
    {
        if (node.Repetition == FieldRepetitionType.REPEATED)
        {
            // A bare repeated field is the list and its element at once, so a file's ids cannot name the element.
            var elementId = context.NoIdFor(node.PathString + " (list element)");
            var element = ConvertType(node, Append(icebergPath, "element"), inRepeated: true, context);
            return (new ListType(elementId, element, elementRequired: true), true);
        }
        return (ConvertType(node, icebergPath, inRepeated, context), node.Repetition == FieldRepetitionType.REQUIRED);
    }

    private static IcebergType ConvertType(Node node, IReadOnlyList<string> icebergPath, bool inRepeated, Context context)
    {
        if (!node.IsGroup)
        {
            var (type, kind) = MapPrimitive(node, context);
            context.Leaves.Add(new ParquetLeafColumn(node.Path, icebergPath, type, kind, inRepeated, node.AlwaysDefined));
            return type;
        }

        var logical = node.Element.LogicalType;
        var converted = node.Element.ConvertedType;
        if (logical?.LIST != null || converted == ConvertedType.LIST)
            return ConvertList(node, icebergPath, context);
        if (logical?.MAP != null || converted is ConvertedType.MAP or ConvertedType.MAP_KEY_VALUE)
            return ConvertMap(node, icebergPath, context);
        if (node.Children.Count == 0)
            throw context.Unsupported(node, "is a group with no fields; Iceberg structs need at least one.");
        if (HasAnnotation(logical))
            throw context.Unsupported(node, $"is a group annotated {DescribeAnnotation(node.Element)}, which Faceberg cannot map.");
        return new StructType(ConvertChildren(node, icebergPath, inRepeated, context));
    }

    /// <summary>
    /// LIST groups in the standard three-level form and the legacy forms Parquet's backward-compatibility
    /// rules describe: a repeated primitive, a repeated group with several fields, or a repeated group
    /// named "array" or "&lt;list&gt;_tuple" is itself the (required) element.
    /// </summary>
    private static IcebergType ConvertList(Node list, IReadOnlyList<string> icebergPath, Context context)
    {
        if (list.Children.Count != 1 || list.Children[0].Repetition != FieldRepetitionType.REPEATED)
            throw context.Unsupported(list, "is annotated LIST but does not hold exactly one repeated field.");
        var repeated = list.Children[0];
        var elementPath = Append(icebergPath, "element");

        var repeatedIsElement = !repeated.IsGroup
            || repeated.Children.Count != 1
            || repeated.Name == "array"
            || repeated.Name == list.Name + "_tuple";
        if (repeatedIsElement)
        {
            var id = context.IdOf(repeated);
            var element = ConvertType(repeated, elementPath, inRepeated: true, context);
            return new ListType(id, element, elementRequired: true);
        }

        var elementNode = repeated.Children[0];
        var elementId = context.IdOf(elementNode);
        var (type, required) = ConvertElement(elementNode, elementPath, inRepeated: true, context);
        return new ListType(elementId, type, required);
    }

    private static IcebergType ConvertMap(Node map, IReadOnlyList<string> icebergPath, Context context)
    {
        if (map.Children.Count != 1 || map.Children[0].Repetition != FieldRepetitionType.REPEATED || !map.Children[0].IsGroup)
            throw context.Unsupported(map, "is annotated MAP but does not hold exactly one repeated key/value group.");
        var keyValue = map.Children[0];
        if (keyValue.Children.Count == 1)
            throw context.Unsupported(map, "is a MAP without values (a set), which Iceberg cannot represent.");
        if (keyValue.Children.Count != 2)
            throw context.Unsupported(map, $"is a MAP whose key/value group has {keyValue.Children.Count} fields instead of 2.");

        var keyNode = keyValue.Children[0];
        var valueNode = keyValue.Children[1];
        if (keyNode.Repetition == FieldRepetitionType.REPEATED)
            throw context.Unsupported(keyNode, "is a repeated map key, which Iceberg cannot represent.");
        var keyId = context.IdOf(keyNode);
        var valueId = context.IdOf(valueNode);
        // Iceberg map keys are always required; Parquet writers (and the Parquet spec) make keys required too.
        var key = ConvertType(keyNode, Append(icebergPath, "key"), inRepeated: true, context);
        var (value, valueRequired) = ConvertElement(valueNode, Append(icebergPath, "value"), inRepeated: true, context);
        return new MapType(keyId, key, valueId, value, valueRequired);
    }

    private static (PrimitiveType Type, ParquetValueKind Kind) MapPrimitive(Node node, Context context)
    {
        var e = node.Element;
        var logical = HasAnnotation(e.LogicalType) ? e.LogicalType : null;
        var converted = e.ConvertedType;

        if (logical?.UNKNOWN != null)
            throw context.Unsupported(node, "has the Parquet UNKNOWN (always null) logical type, which Iceberg format v2 cannot represent.");
        if (logical?.DECIMAL != null || (logical == null && converted == ConvertedType.DECIMAL))
            return MapDecimal(node, context);

        switch (e.Type!.Value)
        {
            case PhysicalType.BOOLEAN:
                RequireNoAnnotation(node, context);
                return (PrimitiveType.Boolean, ParquetValueKind.Boolean);

            case PhysicalType.INT32:
                if (logical?.INTEGER is { } i32)
                {
                    if (i32.BitWidth is not (8 or 16 or 32))
                        throw context.Unsupported(node, $"is INT32 annotated as a {i32.BitWidth}-bit integer.");
                    if (i32.IsSigned) return (PrimitiveType.Int, ParquetValueKind.Int32);
                    return (i32.BitWidth == 32 ? PrimitiveType.Long : PrimitiveType.Int, ParquetValueKind.UInt32);
                }
                if (logical?.DATE != null) return (PrimitiveType.Date, ParquetValueKind.Date);
                if (logical?.TIME is { } t32)
                {
                    if (t32.Unit?.MICROS == null && t32.Unit?.NANOS == null)
                        return (PrimitiveType.Time, ParquetValueKind.TimeMillis);
                    throw context.Unsupported(node, "is INT32 annotated TIME with a unit finer than milliseconds.");
                }
                if (logical != null) throw UnsupportedAnnotation(node, context);
                return converted switch
                {
                    null or ConvertedType.INT_8 or ConvertedType.INT_16 or ConvertedType.INT_32 => (PrimitiveType.Int, ParquetValueKind.Int32),
                    ConvertedType.UINT_8 or ConvertedType.UINT_16 => (PrimitiveType.Int, ParquetValueKind.UInt32),
                    ConvertedType.UINT_32 => (PrimitiveType.Long, ParquetValueKind.UInt32),
                    ConvertedType.DATE => (PrimitiveType.Date, ParquetValueKind.Date),
                    ConvertedType.TIME_MILLIS => (PrimitiveType.Time, ParquetValueKind.TimeMillis),
                    _ => throw UnsupportedAnnotation(node, context),
                };

            case PhysicalType.INT64:
                if (logical?.INTEGER is { } i64)
                {
                    if (i64.BitWidth != 64)
                        throw context.Unsupported(node, $"is INT64 annotated as a {i64.BitWidth}-bit integer.");
                    return (PrimitiveType.Long, i64.IsSigned ? ParquetValueKind.Int64 : ParquetValueKind.UInt64);
                }
                if (logical?.TIME is { } t64)
                {
                    if (t64.Unit?.MICROS != null) return (PrimitiveType.Time, ParquetValueKind.TimeMicros);
                    if (t64.Unit?.NANOS != null) return (PrimitiveType.Time, ParquetValueKind.TimeNanos);
                    if (converted == ConvertedType.TIME_MICROS) return (PrimitiveType.Time, ParquetValueKind.TimeMicros);
                    throw context.Unsupported(node, "is INT64 annotated TIME without a microsecond or nanosecond unit.");
                }
                if (logical?.TIMESTAMP is { } ts)
                {
                    var type = ts.IsAdjustedToUTC ? PrimitiveType.TimestampTz : PrimitiveType.Timestamp;
                    if (ts.Unit?.MILLIS != null) return (type, ParquetValueKind.TimestampMillis);
                    if (ts.Unit?.MICROS != null) return (type, ParquetValueKind.TimestampMicros);
                    if (ts.Unit?.NANOS != null) return (type, ParquetValueKind.TimestampNanos);
                    if (converted == ConvertedType.TIMESTAMP_MILLIS) return (type, ParquetValueKind.TimestampMillis);
                    if (converted == ConvertedType.TIMESTAMP_MICROS) return (type, ParquetValueKind.TimestampMicros);
                    throw context.Unsupported(node, "is annotated TIMESTAMP without a unit.");
                }
                if (logical != null) throw UnsupportedAnnotation(node, context);
                return converted switch
                {
                    null or ConvertedType.INT_64 => (PrimitiveType.Long, ParquetValueKind.Int64),
                    ConvertedType.UINT_64 => (PrimitiveType.Long, ParquetValueKind.UInt64),
                    ConvertedType.TIME_MICROS => (PrimitiveType.Time, ParquetValueKind.TimeMicros),
                    ConvertedType.TIMESTAMP_MILLIS => (PrimitiveType.TimestampTz, ParquetValueKind.TimestampMillis),
                    ConvertedType.TIMESTAMP_MICROS => (PrimitiveType.TimestampTz, ParquetValueKind.TimestampMicros),
                    _ => throw UnsupportedAnnotation(node, context),
                };

            case PhysicalType.INT96:
                RequireNoAnnotation(node, context);
                return (PrimitiveType.Timestamp, ParquetValueKind.Int96);

            case PhysicalType.FLOAT:
                RequireNoAnnotation(node, context);
                return (PrimitiveType.Float, ParquetValueKind.Float);

            case PhysicalType.DOUBLE:
                RequireNoAnnotation(node, context);
                return (PrimitiveType.Double, ParquetValueKind.Double);

            case PhysicalType.BYTE_ARRAY:
                if (logical?.STRING != null || logical?.ENUM != null || logical?.JSON != null)
                    return (PrimitiveType.String, ParquetValueKind.String);
                if (logical?.BSON != null) return (PrimitiveType.Binary, ParquetValueKind.Binary);
                if (logical != null) throw UnsupportedAnnotation(node, context);
                return converted switch
                {
                    ConvertedType.UTF8 or ConvertedType.ENUM or ConvertedType.JSON => (PrimitiveType.String, ParquetValueKind.String),
                    null or ConvertedType.BSON => (PrimitiveType.Binary, ParquetValueKind.Binary),
                    _ => throw UnsupportedAnnotation(node, context),
                };

            case PhysicalType.FIXED_LEN_BYTE_ARRAY:
            {
                var length = e.TypeLength ?? 0;
                if (length < 1)
                    throw context.Unsupported(node, "is FIXED_LEN_BYTE_ARRAY without a positive length.");
                if (logical?.UUID != null)
                {
                    if (length != 16) throw context.Unsupported(node, $"is annotated UUID but is {length} bytes long instead of 16.");
                    return (PrimitiveType.Uuid, ParquetValueKind.Uuid);
                }
                if (logical?.FLOAT16 != null)
                {
                    if (length != 2) throw context.Unsupported(node, $"is annotated FLOAT16 but is {length} bytes long instead of 2.");
                    return (PrimitiveType.Float, ParquetValueKind.Float16);
                }
                if (logical != null || converted != null) throw UnsupportedAnnotation(node, context);
                return (new FixedType(length), ParquetValueKind.Fixed);
            }

            default:
                throw context.Unsupported(node, $"has the unknown physical type {e.Type}.");
        }
    }

    private static (PrimitiveType, ParquetValueKind) MapDecimal(Node node, Context context)
    {
        var e = node.Element;
        var precision = e.LogicalType?.DECIMAL?.Precision ?? e.Precision ?? 0;
        var scale = e.LogicalType?.DECIMAL?.Scale ?? e.Scale ?? 0;
        if (precision < 1 || precision > 38)
            throw context.Unsupported(node, $"is a decimal with precision {precision}; Iceberg decimals hold 1 to 38 digits.");
        if (scale < 0 || scale > precision)
            throw context.Unsupported(node, $"is a decimal with scale {scale} outside 0..{precision}.");
        var kind = e.Type switch
        {
            PhysicalType.INT32 => ParquetValueKind.DecimalInt32,
            PhysicalType.INT64 => ParquetValueKind.DecimalInt64,
            PhysicalType.FIXED_LEN_BYTE_ARRAY or PhysicalType.BYTE_ARRAY => ParquetValueKind.DecimalBytes,
            _ => throw context.Unsupported(node, $"is a decimal stored as {e.Type}, which Parquet does not allow."),
        };
        return (new DecimalType(precision, scale), kind);
    }

    private static void RequireNoAnnotation(Node node, Context context)
    {
        if (HasAnnotation(node.Element.LogicalType) || node.Element.ConvertedType != null)
            throw UnsupportedAnnotation(node, context);
    }

    private static UnsupportedParquetSchemaException UnsupportedAnnotation(Node node, Context context) =>
        context.Unsupported(node, $"is {node.Element.Type} annotated {DescribeAnnotation(node.Element)}, which Faceberg cannot map to an Iceberg type.");

    // LogicalType is a thrift union: exactly one of its properties is set when it is present at all.
    private static readonly System.Reflection.PropertyInfo[] LogicalTypeMembers = typeof(LogicalType).GetProperties();

    private static bool HasAnnotation(LogicalType? logical) =>
        logical != null && LogicalTypeMembers.Any(p => p.GetValue(logical) != null);

    /// <summary>The annotation's name as Parquet documents it, e.g. "INTERVAL" or "GEOMETRY".</summary>
    internal static string DescribeAnnotation(SchemaElement element)
    {
        if (element.LogicalType != null)
        {
            var set = LogicalTypeMembers.FirstOrDefault(p => p.GetValue(element.LogicalType) != null);
            if (set != null) return set.Name;
        }
        return element.ConvertedType?.ToString() ?? "(none)";
    }

    private static IReadOnlyList<string> Append(IReadOnlyList<string> path, string name)
    {
        var result = new string[path.Count + 1];
        for (var i = 0; i < path.Count; i++) result[i] = path[i];
        result[^1] = name;
        return result;
    }
}
