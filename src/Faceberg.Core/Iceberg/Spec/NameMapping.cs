using System.Text.Json;

namespace Faceberg.Core.Iceberg.Spec;

/// <summary>One entry of a name mapping: the names a field may carry in files without field ids.</summary>
public sealed record MappedField(int? FieldId, IReadOnlyList<string> Names, IReadOnlyList<MappedField>? Fields = null);

/// <summary>
/// The table property schema.name-mapping.default: lets readers resolve columns of data files that
/// carry no field ids (Hub Parquet files) by name.
/// </summary>
public sealed class NameMapping
{
    public const string PropertyKey = "schema.name-mapping.default";

    public NameMapping(IReadOnlyList<MappedField> fields) => Fields = fields;

    public IReadOnlyList<MappedField> Fields { get; }

    /// <summary>Maps every field of the schema, at any depth, by its own name (lists: element, maps: key/value).</summary>
    public static NameMapping FromSchema(Schema schema) => new(MapStruct(schema.Fields));

    private static IReadOnlyList<MappedField> MapStruct(IReadOnlyList<NestedField> fields) =>
        fields.Select(f => new MappedField(f.Id, new[] { f.Name }, Children(f.Type))).ToArray();

    private static IReadOnlyList<MappedField>? Children(IcebergType type) => type switch
    {
        StructType s => MapStruct(s.Fields),
        ListType l => MapStruct(new[] { l.ElementField }),
        MapType m => MapStruct(new[] { m.KeyField, m.ValueField }),
        _ => null,
    };

    public string ToJson() => SpecJson.Write(w => WriteFields(w, Fields), indented: false);

    private static void WriteFields(Utf8JsonWriter w, IReadOnlyList<MappedField> fields)
    {
        w.WriteStartArray();
        foreach (var f in fields)
        {
            w.WriteStartObject();
            if (f.FieldId is { } id) w.WriteNumber("field-id", id);
            w.WriteStartArray("names");
            foreach (var n in f.Names) w.WriteStringValue(n);
            w.WriteEndArray();
            if (f.Fields is { Count: > 0 })
            {
                w.WritePropertyName("fields");
                WriteFields(w, f.Fields);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static NameMapping Parse(string json) => SpecJson.Parse(json, e => new NameMapping(ReadFields(e)));

    private static IReadOnlyList<MappedField> ReadFields(JsonElement array) => array.EnumerateArray().Select(f => new MappedField(
        f.TryGetProperty("field-id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : null,
        SpecJson.Required(f, "names").EnumerateArray().Select(n => n.GetString()!).ToArray(),
        f.TryGetProperty("fields", out var children) && children.ValueKind == JsonValueKind.Array ? ReadFields(children) : null)).ToArray();

    /// <summary>The field id a top-level-down path of names maps to, or null.</summary>
    public int? FindId(params string[] path)
    {
        IReadOnlyList<MappedField>? level = Fields;
        MappedField? found = null;
        foreach (var name in path)
        {
            found = level?.FirstOrDefault(f => f.Names.Contains(name));
            if (found == null) return null;
            level = found.Fields;
        }
        return found?.FieldId;
    }
}
