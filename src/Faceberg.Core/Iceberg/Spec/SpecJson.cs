using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Iceberg.Spec;

/// <summary>JSON forms of schemas, types, partition specs, sort orders and table metadata (spec Appendix C).</summary>
public static class SpecJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    // ---- types and schemas ----

    public static void WriteType(Utf8JsonWriter w, IcebergType type)
    {
        switch (type)
        {
            case PrimitiveType p:
                w.WriteStringValue(p.ToString());
                break;
            case StructType s:
                w.WriteStartObject();
                w.WriteString("type", "struct");
                WriteFields(w, s.Fields);
                w.WriteEndObject();
                break;
            case ListType l:
                w.WriteStartObject();
                w.WriteString("type", "list");
                w.WriteNumber("element-id", l.ElementId);
                w.WritePropertyName("element");
                WriteType(w, l.Element);
                w.WriteBoolean("element-required", l.ElementRequired);
                w.WriteEndObject();
                break;
            case MapType m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WriteNumber("key-id", m.KeyId);
                w.WritePropertyName("key");
                WriteType(w, m.Key);
                w.WriteNumber("value-id", m.ValueId);
                w.WritePropertyName("value");
                WriteType(w, m.Value);
                w.WriteBoolean("value-required", m.ValueRequired);
                w.WriteEndObject();
                break;
            default:
                throw new InvalidOperationException($"Unknown type {type.GetType().Name}.");
        }
    }

    private static void WriteFields(Utf8JsonWriter w, IReadOnlyList<NestedField> fields)
    {
        w.WriteStartArray("fields");
        foreach (var f in fields)
        {
            w.WriteStartObject();
            w.WriteNumber("id", f.Id);
            w.WriteString("name", f.Name);
            w.WriteBoolean("required", f.Required);
            w.WritePropertyName("type");
            WriteType(w, f.Type);
            if (f.Doc != null) w.WriteString("doc", f.Doc);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static IcebergType ReadType(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String) return PrimitiveType.Parse(e.GetString()!);
        if (e.ValueKind != JsonValueKind.Object) throw Invalid($"a type must be a string or an object, got {e.ValueKind}");
        var kind = RequiredString(e, "type");
        return kind switch
        {
            "struct" => new StructType(ReadFields(e)),
            "list" => new ListType(RequiredInt(e, "element-id"), ReadType(Required(e, "element")), RequiredBool(e, "element-required")),
            "map" => new MapType(RequiredInt(e, "key-id"), ReadType(Required(e, "key")), RequiredInt(e, "value-id"), ReadType(Required(e, "value")), RequiredBool(e, "value-required")),
            _ => throw Invalid($"unknown nested type '{kind}'"),
        };
    }

    private static List<NestedField> ReadFields(JsonElement e)
    {
        var fields = new List<NestedField>();
        foreach (var f in Required(e, "fields").EnumerateArray())
        {
            fields.Add(new NestedField(
                RequiredInt(f, "id"),
                RequiredString(f, "name"),
                ReadType(Required(f, "type")),
                RequiredBool(f, "required"),
                OptionalString(f, "doc")));
        }
        return fields;
    }

    public static void WriteSchema(Utf8JsonWriter w, Schema schema)
    {
        w.WriteStartObject();
        w.WriteString("type", "struct");
        w.WriteNumber("schema-id", schema.SchemaId);
        if (schema.IdentifierFieldIds.Count > 0)
        {
            w.WriteStartArray("identifier-field-ids");
            foreach (var id in schema.IdentifierFieldIds) w.WriteNumberValue(id);
            w.WriteEndArray();
        }
        WriteFields(w, schema.Fields);
        w.WriteEndObject();
    }

    public static Schema ReadSchema(JsonElement e)
    {
        var schemaId = e.TryGetProperty("schema-id", out var sid) ? sid.GetInt32() : 0;
        IEnumerable<int>? ids = e.TryGetProperty("identifier-field-ids", out var idsElement) && idsElement.ValueKind == JsonValueKind.Array
            ? idsElement.EnumerateArray().Select(x => x.GetInt32()).ToArray()
            : null;
        return new Schema(schemaId, ReadFields(e), ids);
    }

    public static string ToJson(Schema schema) => Write(w => WriteSchema(w, schema), indented: false);
    public static Schema ParseSchema(string json) => Parse(json, ReadSchema);
    public static string ToJson(IcebergType type) => Write(w => WriteType(w, type), indented: false);
    public static IcebergType ParseType(string json) => Parse(json, ReadType);

    // ---- partition specs ----

    public static void WritePartitionFields(Utf8JsonWriter w, PartitionSpec spec)
    {
        w.WriteStartArray();
        foreach (var f in spec.Fields)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteString("transform", f.Transform.ToString());
            w.WriteNumber("source-id", f.SourceId);
            w.WriteNumber("field-id", f.FieldId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WritePartitionSpec(Utf8JsonWriter w, PartitionSpec spec)
    {
        w.WriteStartObject();
        w.WriteNumber("spec-id", spec.SpecId);
        w.WritePropertyName("fields");
        WritePartitionFields(w, spec);
        w.WriteEndObject();
    }

    public static PartitionSpec ReadPartitionSpec(JsonElement e) =>
        new(RequiredInt(e, "spec-id"), ReadPartitionFieldList(Required(e, "fields")));

    /// <summary>Reads a bare partition field array; v1 files may omit field-id, which then counts from 1000.</summary>
    public static IReadOnlyList<PartitionField> ReadPartitionFieldList(JsonElement array)
    {
        var fields = new List<PartitionField>();
        var next = PartitionSpec.FirstFieldId;
        foreach (var f in array.EnumerateArray())
        {
            var fieldId = f.TryGetProperty("field-id", out var fid) ? fid.GetInt32() : next;
            next = fieldId + 1;
            fields.Add(new PartitionField(RequiredInt(f, "source-id"), fieldId, RequiredString(f, "name"), Transform.Parse(RequiredString(f, "transform"))));
        }
        return fields;
    }

    public static string ToJson(PartitionSpec spec) => Write(w => WritePartitionSpec(w, spec), indented: false);
    public static string PartitionFieldsToJson(PartitionSpec spec) => Write(w => WritePartitionFields(w, spec), indented: false);
    public static PartitionSpec ParsePartitionSpec(string json) => Parse(json, ReadPartitionSpec);

    // ---- sort orders ----

    public static void WriteSortOrder(Utf8JsonWriter w, SortOrder order)
    {
        w.WriteStartObject();
        w.WriteNumber("order-id", order.OrderId);
        w.WriteStartArray("fields");
        foreach (var f in order.Fields)
        {
            w.WriteStartObject();
            w.WriteString("transform", f.Transform.ToString());
            w.WriteNumber("source-id", f.SourceId);
            w.WriteString("direction", f.Direction);
            w.WriteString("null-order", f.NullOrder);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static SortOrder ReadSortOrder(JsonElement e) => new(
        RequiredInt(e, "order-id"),
        Required(e, "fields").EnumerateArray().Select(f => new SortField(
            Transform.Parse(RequiredString(f, "transform")),
            RequiredInt(f, "source-id"),
            RequiredString(f, "direction"),
            RequiredString(f, "null-order"))).ToArray());

    // ---- snapshots ----

    public static void WriteSnapshot(Utf8JsonWriter w, Snapshot s)
    {
        w.WriteStartObject();
        w.WriteNumber("snapshot-id", s.SnapshotId);
        if (s.ParentSnapshotId is { } parent) w.WriteNumber("parent-snapshot-id", parent);
        w.WriteNumber("sequence-number", s.SequenceNumber);
        w.WriteNumber("timestamp-ms", s.TimestampMs);
        w.WriteString("manifest-list", s.ManifestList);
        w.WriteStartObject("summary");
        // operation first: it is the one required key and humans look for it.
        w.WriteString(SummaryKeys.Operation, s.Operation);
        foreach (var (k, v) in s.Summary)
            if (k != SummaryKeys.Operation) w.WriteString(k, v);
        w.WriteEndObject();
        if (s.SchemaId is { } schemaId) w.WriteNumber("schema-id", schemaId);
        w.WriteEndObject();
    }

    public static Snapshot ReadSnapshot(JsonElement s)
    {
        var summary = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s.TryGetProperty("summary", out var sum) && sum.ValueKind == JsonValueKind.Object)
            foreach (var p in sum.EnumerateObject()) summary[p.Name] = p.Value.GetString() ?? "";
        return new Snapshot(
            RequiredLong(s, "snapshot-id"),
            OptionalLong(s, "parent-snapshot-id"),
            OptionalLong(s, "sequence-number") ?? 0,
            RequiredLong(s, "timestamp-ms"),
            OptionalString(s, "manifest-list")
                ?? throw new FacebergException("UnsupportedManifests", FacebergErrorKind.NotSupported, "Snapshots without a manifest-list (v1 'manifests') are not supported."),
            summary,
            s.TryGetProperty("schema-id", out var ssid) && ssid.ValueKind == JsonValueKind.Number ? ssid.GetInt32() : null);
    }

    // ---- table metadata ----

    public static string ToJson(TableMetadata m)
    {
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("format-version", m.FormatVersion);
            w.WriteString("table-uuid", m.TableUuid.ToString("D"));
            w.WriteString("location", m.Location);
            w.WriteNumber("last-sequence-number", m.LastSequenceNumber);
            w.WriteNumber("last-updated-ms", m.LastUpdatedMs);
            w.WriteNumber("last-column-id", m.LastColumnId);
            w.WriteNumber("current-schema-id", m.CurrentSchemaId);
            w.WriteStartArray("schemas");
            foreach (var s in m.Schemas) WriteSchema(w, s);
            w.WriteEndArray();
            w.WriteNumber("default-spec-id", m.DefaultSpecId);
            w.WriteStartArray("partition-specs");
            foreach (var p in m.PartitionSpecs) WritePartitionSpec(w, p);
            w.WriteEndArray();
            w.WriteNumber("last-partition-id", m.LastPartitionId);
            w.WriteNumber("default-sort-order-id", m.DefaultSortOrderId);
            w.WriteStartArray("sort-orders");
            foreach (var o in m.SortOrders) WriteSortOrder(w, o);
            w.WriteEndArray();
            w.WriteStartObject("properties");
            foreach (var (k, v) in m.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            // -1 rather than omission: the reference implementation writes it this way and older readers expect the key.
            w.WriteNumber("current-snapshot-id", m.CurrentSnapshotId ?? -1);
            w.WriteStartObject("refs");
            foreach (var (name, r) in m.Refs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(name);
                w.WriteNumber("snapshot-id", r.SnapshotId);
                w.WriteString("type", r.Type);
                if (r.MinSnapshotsToKeep is { } min) w.WriteNumber("min-snapshots-to-keep", min);
                if (r.MaxSnapshotAgeMs is { } maxAge) w.WriteNumber("max-snapshot-age-ms", maxAge);
                if (r.MaxRefAgeMs is { } maxRef) w.WriteNumber("max-ref-age-ms", maxRef);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("snapshots");
            foreach (var s in m.Snapshots) WriteSnapshot(w, s);
            w.WriteEndArray();
            w.WriteStartArray("snapshot-log");
            foreach (var e in m.SnapshotLog)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp-ms", e.TimestampMs);
                w.WriteNumber("snapshot-id", e.SnapshotId);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("metadata-log");
            foreach (var e in m.MetadataLog)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp-ms", e.TimestampMs);
                w.WriteString("metadata-file", e.MetadataFile);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }, indented: true);
    }

    public static TableMetadata ParseTableMetadata(string json) => Parse(json, ReadTableMetadata);

    public static TableMetadata ReadTableMetadata(JsonElement e)
    {
        var formatVersion = RequiredInt(e, "format-version");
        if (formatVersion is < 1 or > 2)
            throw new FacebergException("UnsupportedFormatVersion", FacebergErrorKind.NotSupported, $"Iceberg format version {formatVersion} is not supported (1 and 2 are).");

        List<Schema> schemas;
        int currentSchemaId;
        if (e.TryGetProperty("schemas", out var schemasElement))
        {
            schemas = schemasElement.EnumerateArray().Select(ReadSchema).ToList();
            currentSchemaId = RequiredInt(e, "current-schema-id");
        }
        else
        {
            var single = ReadSchema(Required(e, "schema"));
            schemas = new List<Schema> { single };
            currentSchemaId = single.SchemaId;
        }

        List<PartitionSpec> specs;
        int defaultSpecId;
        if (e.TryGetProperty("partition-specs", out var specsElement))
        {
            specs = specsElement.EnumerateArray().Select(ReadPartitionSpec).ToList();
            defaultSpecId = RequiredInt(e, "default-spec-id");
        }
        else
        {
            specs = new List<PartitionSpec> { new(0, ReadPartitionFieldList(Required(e, "partition-spec"))) };
            defaultSpecId = 0;
        }

        var lastPartitionId = e.TryGetProperty("last-partition-id", out var lpi)
            ? lpi.GetInt32()
            : specs.Select(s => s.LastAssignedFieldId).DefaultIfEmpty(PartitionSpec.UnpartitionedLastAssignedFieldId).Max();

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            foreach (var p in props.EnumerateObject()) properties[p.Name] = p.Value.GetString() ?? "";

        long? currentSnapshotId = e.TryGetProperty("current-snapshot-id", out var csi) && csi.ValueKind == JsonValueKind.Number && csi.GetInt64() != -1
            ? csi.GetInt64()
            : null;

        var snapshots = new List<Snapshot>();
        if (e.TryGetProperty("snapshots", out var snaps) && snaps.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in snaps.EnumerateArray()) snapshots.Add(ReadSnapshot(s));
        }

        var refs = new Dictionary<string, SnapshotRef>(StringComparer.Ordinal);
        if (e.TryGetProperty("refs", out var refsElement) && refsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var r in refsElement.EnumerateObject())
            {
                refs[r.Name] = new SnapshotRef(
                    RequiredLong(r.Value, "snapshot-id"),
                    RequiredString(r.Value, "type"),
                    r.Value.TryGetProperty("min-snapshots-to-keep", out var min) ? min.GetInt32() : null,
                    OptionalLong(r.Value, "max-snapshot-age-ms"),
                    OptionalLong(r.Value, "max-ref-age-ms"));
            }
        }
        else if (currentSnapshotId is { } current)
        {
            // Metadata written before refs existed implies main at the current snapshot.
            refs[SnapshotRef.MainBranch] = new SnapshotRef(current, SnapshotRef.Branch);
        }

        var sortOrders = e.TryGetProperty("sort-orders", out var so) && so.ValueKind == JsonValueKind.Array
            ? so.EnumerateArray().Select(ReadSortOrder).ToList()
            : new List<SortOrder> { SortOrder.Unsorted };

        return new TableMetadata
        {
            FormatVersion = formatVersion,
            TableUuid = e.TryGetProperty("table-uuid", out var uuid) ? Guid.Parse(uuid.GetString()!) : Guid.Empty,
            Location = RequiredString(e, "location"),
            LastSequenceNumber = OptionalLong(e, "last-sequence-number") ?? 0,
            LastUpdatedMs = RequiredLong(e, "last-updated-ms"),
            LastColumnId = RequiredInt(e, "last-column-id"),
            Schemas = schemas,
            CurrentSchemaId = currentSchemaId,
            PartitionSpecs = specs,
            DefaultSpecId = defaultSpecId,
            LastPartitionId = lastPartitionId,
            Properties = properties,
            CurrentSnapshotId = currentSnapshotId,
            Snapshots = snapshots,
            SnapshotLog = ReadList(e, "snapshot-log", x => new SnapshotLogEntry(RequiredLong(x, "snapshot-id"), RequiredLong(x, "timestamp-ms"))),
            MetadataLog = ReadList(e, "metadata-log", x => new MetadataLogEntry(RequiredString(x, "metadata-file"), RequiredLong(x, "timestamp-ms"))),
            SortOrders = sortOrders,
            DefaultSortOrderId = e.TryGetProperty("default-sort-order-id", out var dso) ? dso.GetInt32() : 0,
            Refs = refs,
        };
    }

    // ---- helpers ----

    internal static string Write(Action<Utf8JsonWriter> write, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, indented ? Indented : default))
            write(w);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static T Parse<T>(string json, Func<JsonElement, T> read)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return read(doc.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FacebergException("InvalidIcebergJson", FacebergErrorKind.InvalidData, $"Invalid Iceberg JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new FacebergException("InvalidIcebergJson", FacebergErrorKind.InvalidData, $"Invalid Iceberg JSON: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new FacebergException("InvalidIcebergJson", FacebergErrorKind.InvalidData, $"Invalid Iceberg JSON: {ex.Message}", ex);
        }
    }

    private static List<T> ReadList<T>(JsonElement e, string name, Func<JsonElement, T> read) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(read).ToList() : new List<T>();

    internal static JsonElement Required(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : throw Invalid($"missing required key '{name}'");

    internal static string RequiredString(JsonElement e, string name) => Required(e, name).GetString()!;
    internal static int RequiredInt(JsonElement e, string name) => Required(e, name).GetInt32();
    internal static long RequiredLong(JsonElement e, string name) => Required(e, name).GetInt64();
    internal static bool RequiredBool(JsonElement e, string name) => Required(e, name).GetBoolean();

    internal static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static long? OptionalLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    internal static FacebergException Invalid(string what) =>
        new("InvalidIcebergJson", FacebergErrorKind.InvalidData, $"Invalid Iceberg JSON: {what}.");
}
