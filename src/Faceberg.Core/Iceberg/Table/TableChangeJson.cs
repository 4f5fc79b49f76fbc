using System.Text.Json;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// JSON forms of <see cref="TableRequirement"/> and <see cref="TableUpdate"/> exactly as the Iceberg REST
/// OpenAPI document (<c>rest-catalog-open-api.yaml</c>) defines them, so a <c>CommitTableRequest</c>'s
/// <c>requirements</c> and <c>updates</c> arrays map one to one onto a catalog commit.
/// </summary>
public static class TableChangeJson
{
    public static void WriteRequirement(Utf8JsonWriter w, TableRequirement requirement)
    {
        w.WriteStartObject();
        w.WriteString("type", requirement.Type);
        switch (requirement)
        {
            case AssertCreate:
                break;
            case AssertTableUuid r:
                w.WriteString("uuid", r.Uuid.ToString("D"));
                break;
            case AssertRefSnapshotId r:
                w.WriteString("ref", r.Ref);
                if (r.SnapshotId is { } id) w.WriteNumber("snapshot-id", id);
                else w.WriteNull("snapshot-id");
                break;
            case AssertLastAssignedFieldId r:
                w.WriteNumber("last-assigned-field-id", r.LastAssignedFieldId);
                break;
            case AssertCurrentSchemaId r:
                w.WriteNumber("current-schema-id", r.CurrentSchemaId);
                break;
            case AssertLastAssignedPartitionId r:
                w.WriteNumber("last-assigned-partition-id", r.LastAssignedPartitionId);
                break;
            case AssertDefaultSpecId r:
                w.WriteNumber("default-spec-id", r.DefaultSpecId);
                break;
            case AssertDefaultSortOrderId r:
                w.WriteNumber("default-sort-order-id", r.DefaultSortOrderId);
                break;
            default:
                throw new InvalidOperationException($"Unknown requirement {requirement.GetType().Name}.");
        }
        w.WriteEndObject();
    }

    public static TableRequirement ReadRequirement(JsonElement e)
    {
        var type = Text(e, "type");
        return type switch
        {
            "assert-create" => new AssertCreate(),
            "assert-table-uuid" => new AssertTableUuid(Uuid(e, "uuid")),
            "assert-ref-snapshot-id" => new AssertRefSnapshotId(Text(e, "ref"),
                e.TryGetProperty("snapshot-id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt64() : null),
            "assert-last-assigned-field-id" => new AssertLastAssignedFieldId(Int(e, "last-assigned-field-id")),
            "assert-current-schema-id" => new AssertCurrentSchemaId(Int(e, "current-schema-id")),
            "assert-last-assigned-partition-id" => new AssertLastAssignedPartitionId(Int(e, "last-assigned-partition-id")),
            "assert-default-spec-id" => new AssertDefaultSpecId(Int(e, "default-spec-id")),
            "assert-default-sort-order-id" => new AssertDefaultSortOrderId(Int(e, "default-sort-order-id")),
            _ => throw new FacebergException("UnsupportedRequirement", FacebergErrorKind.NotSupported, $"Table requirement '{type}' is not supported."),
        };
    }

    public static void WriteUpdate(Utf8JsonWriter w, TableUpdate update)
    {
        w.WriteStartObject();
        w.WriteString("action", update.Action);
        switch (update)
        {
            case AssignUuid u:
                w.WriteString("uuid", u.Uuid.ToString("D"));
                break;
            case UpgradeFormatVersion u:
                w.WriteNumber("format-version", u.FormatVersion);
                break;
            case AddSchema u:
                w.WritePropertyName("schema");
                SpecJson.WriteSchema(w, u.Schema);
                if (u.LastColumnId is { } last) w.WriteNumber("last-column-id", last);
                break;
            case SetCurrentSchema u:
                w.WriteNumber("schema-id", u.SchemaId);
                break;
            case AddPartitionSpec u:
                w.WritePropertyName("spec");
                SpecJson.WritePartitionSpec(w, u.Spec);
                break;
            case SetDefaultSpec u:
                w.WriteNumber("spec-id", u.SpecId);
                break;
            case AddSortOrder u:
                w.WritePropertyName("sort-order");
                SpecJson.WriteSortOrder(w, u.SortOrder);
                break;
            case SetDefaultSortOrder u:
                w.WriteNumber("sort-order-id", u.SortOrderId);
                break;
            case AddSnapshot u:
                w.WritePropertyName("snapshot");
                SpecJson.WriteSnapshot(w, u.Snapshot);
                break;
            case SetSnapshotRef u:
                w.WriteString("ref-name", u.RefName);
                w.WriteString("type", u.Ref.Type);
                w.WriteNumber("snapshot-id", u.Ref.SnapshotId);
                if (u.Ref.MaxRefAgeMs is { } maxRef) w.WriteNumber("max-ref-age-ms", maxRef);
                if (u.Ref.MaxSnapshotAgeMs is { } maxAge) w.WriteNumber("max-snapshot-age-ms", maxAge);
                if (u.Ref.MinSnapshotsToKeep is { } min) w.WriteNumber("min-snapshots-to-keep", min);
                break;
            case RemoveSnapshots u:
                w.WriteStartArray("snapshot-ids");
                foreach (var id in u.SnapshotIds) w.WriteNumberValue(id);
                w.WriteEndArray();
                break;
            case RemoveSnapshotRef u:
                w.WriteString("ref-name", u.RefName);
                break;
            case SetLocation u:
                w.WriteString("location", u.Location);
                break;
            case SetProperties u:
                w.WriteStartObject("updates");
                foreach (var (k, v) in u.Updates) w.WriteString(k, v);
                w.WriteEndObject();
                break;
            case RemoveProperties u:
                w.WriteStartArray("removals");
                foreach (var k in u.Removals) w.WriteStringValue(k);
                w.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"Unknown update {update.GetType().Name}.");
        }
        w.WriteEndObject();
    }

    public static TableUpdate ReadUpdate(JsonElement e)
    {
        var action = Text(e, "action");
        return action switch
        {
            "assign-uuid" => new AssignUuid(Uuid(e, "uuid")),
            "upgrade-format-version" => new UpgradeFormatVersion(Int(e, "format-version")),
            "add-schema" => new AddSchema(SpecJson.ReadSchema(Property(e, "schema")),
                e.TryGetProperty("last-column-id", out var last) && last.ValueKind == JsonValueKind.Number ? last.GetInt32() : null),
            "set-current-schema" => new SetCurrentSchema(Int(e, "schema-id")),
            "add-spec" => new AddPartitionSpec(SpecJson.ReadPartitionSpec(Property(e, "spec"))),
            "set-default-spec" => new SetDefaultSpec(Int(e, "spec-id")),
            "add-sort-order" => new AddSortOrder(SpecJson.ReadSortOrder(Property(e, "sort-order"))),
            "set-default-sort-order" => new SetDefaultSortOrder(Int(e, "sort-order-id")),
            "add-snapshot" => new AddSnapshot(SpecJson.ReadSnapshot(Property(e, "snapshot"))),
            "set-snapshot-ref" => new SetSnapshotRef(Text(e, "ref-name"), new SnapshotRef(
                Long(e, "snapshot-id"), Text(e, "type"),
                e.TryGetProperty("min-snapshots-to-keep", out var min) && min.ValueKind == JsonValueKind.Number ? min.GetInt32() : null,
                OptionalLong(e, "max-snapshot-age-ms"), OptionalLong(e, "max-ref-age-ms"))),
            "remove-snapshots" => new RemoveSnapshots(Property(e, "snapshot-ids").EnumerateArray().Select(x => x.GetInt64()).ToArray()),
            "remove-snapshot-ref" => new RemoveSnapshotRef(Text(e, "ref-name")),
            "set-location" => new SetLocation(Text(e, "location")),
            "set-properties" => new SetProperties(Property(e, "updates").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)),
            "remove-properties" => new RemoveProperties(Property(e, "removals").EnumerateArray().Select(x => x.GetString() ?? "").ToArray()),
            _ => throw new FacebergException("UnsupportedTableUpdate", FacebergErrorKind.NotSupported, $"Table update '{action}' is not supported."),
        };
    }

    /// <summary>The <c>requirements</c> and <c>updates</c> of a REST <c>CommitTableRequest</c> body.</summary>
    public static (IReadOnlyList<TableRequirement> Requirements, IReadOnlyList<TableUpdate> Updates) ReadCommit(JsonElement request)
    {
        var requirements = request.TryGetProperty("requirements", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(ReadRequirement).ToArray() : [];
        var updates = request.TryGetProperty("updates", out var u) && u.ValueKind == JsonValueKind.Array
            ? u.EnumerateArray().Select(ReadUpdate).ToArray() : [];
        return (requirements, updates);
    }

    public static string ToJson(TableRequirement requirement) => SpecJson.Write(w => WriteRequirement(w, requirement), indented: false);
    public static string ToJson(TableUpdate update) => SpecJson.Write(w => WriteUpdate(w, update), indented: false);
    public static TableRequirement ParseRequirement(string json) => SpecJson.Parse(json, ReadRequirement);
    public static TableUpdate ParseUpdate(string json) => SpecJson.Parse(json, ReadUpdate);

    private static JsonElement Property(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new FacebergException("InvalidTableChange", FacebergErrorKind.InvalidArgument, $"A table change is missing '{name}'.");

    private static string Text(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw Wrong(name, "a string");

    private static int Int(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var n) ? n : throw Wrong(name, "a 32-bit integer");

    private static long Long(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : throw Wrong(name, "a 64-bit integer");

    private static long? OptionalLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static Guid Uuid(JsonElement e, string name) =>
        Guid.TryParse(Text(e, name), out var g) ? g : throw Wrong(name, "a uuid");

    private static FacebergException Wrong(string name, string what) =>
        new("InvalidTableChange", FacebergErrorKind.InvalidArgument, $"'{name}' of a table change must be {what}.");
}
