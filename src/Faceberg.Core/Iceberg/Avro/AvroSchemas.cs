using System.Text.Json.Nodes;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>Iceberg types as Avro schemas (spec Appendix A), carrying field-id / element-id / key-id / value-id.</summary>
internal static class AvroSchemas
{
    public static JsonObject Field(string name, JsonNode type, int fieldId, bool optional, string? doc = null)
    {
        var field = new JsonObject
        {
            ["name"] = name,
            ["type"] = optional ? new JsonArray("null", type) : type,
        };
        if (optional) field["default"] = null;
        if (doc != null) field["doc"] = doc;
        field["field-id"] = fieldId;
        return field;
    }

    public static JsonObject Record(string name, IEnumerable<JsonNode> fields) => new()
    {
        ["type"] = "record",
        ["name"] = name,
        ["fields"] = new JsonArray(fields.ToArray()),
    };

    public static JsonObject List(JsonNode element, int elementId) => new()
    {
        ["type"] = "array",
        ["items"] = element,
        ["element-id"] = elementId,
    };

    /// <summary>A map as an array of key/value records, the form Iceberg uses for non-string keys.</summary>
    public static JsonObject KeyValueMap(JsonNode key, int keyId, JsonNode value, int valueId, bool valueOptional) => new()
    {
        ["type"] = "array",
        ["items"] = Record($"k{keyId}_v{valueId}", new JsonNode[]
        {
            Field("key", key, keyId, optional: false),
            Field("value", value, valueId, valueOptional),
        }),
        ["logicalType"] = "map",
    };

    /// <summary>
    /// The Avro schema of an Iceberg type. Named Avro types (fixed) may be defined only once per
    /// schema: <paramref name="definedNames"/> tracks them and later uses become name references.
    /// </summary>
    public static JsonNode Type(IcebergType type, ISet<string> definedNames)
    {
        switch (type)
        {
            case DecimalType d when !definedNames.Add($"decimal_{d.Precision}_{d.Scale}"):
                return $"decimal_{d.Precision}_{d.Scale}";
            case FixedType f when !definedNames.Add($"fixed_{f.Length}"):
                return $"fixed_{f.Length}";
            case PrimitiveType { TypeId: TypeId.Uuid } when !definedNames.Add("uuid_fixed"):
                return "uuid_fixed";
            case DecimalType d:
                return new JsonObject
                {
                    ["type"] = "fixed",
                    ["name"] = $"decimal_{d.Precision}_{d.Scale}",
                    ["size"] = DecimalBytes(d.Precision),
                    ["logicalType"] = "decimal",
                    ["precision"] = d.Precision,
                    ["scale"] = d.Scale,
                };
            case FixedType f:
                return new JsonObject { ["type"] = "fixed", ["name"] = $"fixed_{f.Length}", ["size"] = f.Length };
            case PrimitiveType p:
                return p.TypeId switch
                {
                    TypeId.Boolean => "boolean",
                    TypeId.Int => "int",
                    TypeId.Long => "long",
                    TypeId.Float => "float",
                    TypeId.Double => "double",
                    TypeId.Date => new JsonObject { ["type"] = "int", ["logicalType"] = "date" },
                    TypeId.Time => new JsonObject { ["type"] = "long", ["logicalType"] = "time-micros" },
                    TypeId.Timestamp => Timestamp("timestamp-micros", false),
                    TypeId.TimestampTz => Timestamp("timestamp-micros", true),
                    TypeId.TimestampNs => Timestamp("timestamp-nanos", false),
                    TypeId.TimestampTzNs => Timestamp("timestamp-nanos", true),
                    TypeId.String => "string",
                    TypeId.Uuid => new JsonObject { ["type"] = "fixed", ["name"] = "uuid_fixed", ["size"] = 16, ["logicalType"] = "uuid" },
                    TypeId.Binary => "bytes",
                    _ => throw new InvalidOperationException($"Unexpected primitive {p}."),
                };
            case StructType s:
                throw new InvalidOperationException("Structs need a record name; use StructRecord.");
            case ListType l:
                return List(Nested(l.Element, l.ElementId, !l.ElementRequired, definedNames), l.ElementId);
            case MapType m:
                return KeyValueMap(Nested(m.Key, m.KeyId, false, definedNames), m.KeyId, Nested(m.Value, m.ValueId, false, definedNames), m.ValueId, !m.ValueRequired);
            default:
                throw new InvalidOperationException($"Unknown type {type}.");
        }
    }

    /// <summary>A struct as a record named r&lt;fieldId&gt;, the reference implementation's naming.</summary>
    public static JsonObject StructRecord(StructType s, string name, ISet<string> definedNames) =>
        Record(name, s.Fields.Select(f => (JsonNode)Field(f.Name, f.Type is StructType inner ? StructRecord(inner, $"r{f.Id}", definedNames) : Type(f.Type, definedNames), f.Id, !f.Required, f.Doc)));

    private static JsonNode Nested(IcebergType type, int id, bool optional, ISet<string> definedNames)
    {
        var node = type is StructType s ? StructRecord(s, $"r{id}", definedNames) : Type(type, definedNames);
        return optional ? new JsonArray("null", node) : node;
    }

    private static JsonObject Timestamp(string logicalType, bool adjustToUtc) => new()
    {
        ["type"] = "long",
        ["logicalType"] = logicalType,
        ["adjust-to-utc"] = adjustToUtc,
    };

    /// <summary>Minimum fixed size holding any unscaled value of the precision (as the reference implementation sizes it).</summary>
    public static int DecimalBytes(int precision)
    {
        for (var bytes = 1; ; bytes++)
        {
            // Largest magnitude representable in 'bytes' two's-complement bytes has floor(log10(2^(8*bytes-1)-1)) digits.
            var digits = Math.Floor(Math.Log10(Math.Pow(2, 8 * bytes - 1) - 1));
            if (digits >= precision) return bytes;
        }
    }
}
