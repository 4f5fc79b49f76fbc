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

    /// <summary>
    /// This mapping extended to <paramref name="schema"/>: every field of the schema maps its id to its
    /// current name, and names the mapping already had for that id stay as aliases (so files written
    /// before a rename still resolve). Entries for ids the schema no longer has are kept: files written
    /// before a drop still carry those columns and must not resolve them to another field.
    /// </summary>
    public NameMapping Extend(Schema schema) => new(ExtendStruct(Fields, schema.Fields));

    private static IReadOnlyList<MappedField> ExtendStruct(IReadOnlyList<MappedField>? existing, IReadOnlyList<NestedField> fields)
    {
        var result = new List<MappedField>();
        var byId = (existing ?? Array.Empty<MappedField>()).Where(f => f.FieldId != null).ToDictionary(f => f.FieldId!.Value);
        foreach (var field in fields)
        {
            if (!byId.TryGetValue(field.Id, out var old))
            {
                result.Add(new MappedField(field.Id, new[] { field.Name }, Children(field.Type)));
                continue;
            }
            var names = old.Names.Contains(field.Name) ? old.Names : old.Names.Append(field.Name).ToArray();
            var children = field.Type switch
            {
                StructType s => ExtendStruct(old.Fields, s.Fields),
                ListType l => ExtendStruct(old.Fields, new[] { l.ElementField }),
                MapType m => ExtendStruct(old.Fields, new[] { m.KeyField, m.ValueField }),
                _ => null,
            };
            result.Add(new MappedField(field.Id, names, children));
        }
        var kept = fields.Select(f => f.Id).ToHashSet();
        result.AddRange((existing ?? Array.Empty<MappedField>()).Where(f => f.FieldId is not { } id || !kept.Contains(id)));
        return result;
    }

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
