using System.Text.Json;

namespace Faceberg.Core.Tests.Interop;

// The typed view of dump.mjs's document. Key names are the Iceberg spec's (metadata JSON) and the
// Avro field names the writer used (manifest entries). Values icebird decodes to bytes arrive as
// base64, dates and timestamps as ISO-8601 strings, 64-bit integers as exact JSON numbers.

/// <summary>What icebird read from one table.</summary>
public sealed class IcebirdTableDump
{
    public required string TableUrl { get; init; }
    public required string MetadataFile { get; init; }
    public required int FormatVersion { get; init; }
    public required string TableUuid { get; init; }
    public required string Location { get; init; }
    public long? CurrentSnapshotId { get; init; }
    public required IcebirdSchema CurrentSchema { get; init; }
    public IcebirdPartitionSpec? DefaultPartitionSpec { get; init; }
    public required IReadOnlyDictionary<string, string> Properties { get; init; }

    /// <summary>The whole metadata file as written (64-bit ids exact).</summary>
    public required JsonElement Metadata { get; init; }

    public required IReadOnlyList<IcebirdSnapshot> Snapshots { get; init; }

    /// <summary>The snapshot <see cref="Rows"/> come from; null when the table has no snapshot.</summary>
    public long? RowsSnapshotId { get; init; }

    /// <summary>Rows as icebird's <c>icebergRead</c> returned them, keyed by current-schema column name.</summary>
    public required List<Dictionary<string, JsonElement>> Rows { get; init; }

    public IcebirdSnapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? Snapshot(id) : null;

    public IcebirdSnapshot Snapshot(long snapshotId) =>
        Snapshots.SingleOrDefault(s => s.SnapshotId == snapshotId)
        ?? throw new KeyNotFoundException($"Snapshot {snapshotId} is not in {MetadataFile}.");

    public static IcebirdTableDump Parse(string json)
    {
        var root = JsonSerializer.Deserialize<JsonElement>(json);
        return new IcebirdTableDump
        {
            TableUrl = root.GetProperty("tableUrl").GetString()!,
            MetadataFile = root.GetProperty("metadataFile").GetString()!,
            FormatVersion = root.GetProperty("formatVersion").GetInt32(),
            TableUuid = root.GetProperty("tableUuid").GetString()!,
            Location = root.GetProperty("location").GetString()!,
            CurrentSnapshotId = Json.OptionalInt64(root, "currentSnapshotId"),
            CurrentSchema = IcebirdSchema.Parse(root.GetProperty("currentSchema")),
            DefaultPartitionSpec = Json.Optional(root, "defaultPartitionSpec") is { } spec ? IcebirdPartitionSpec.Parse(spec) : null,
            Properties = Json.StringMap(root.GetProperty("properties")),
            Metadata = root.GetProperty("metadata"),
            Snapshots = root.GetProperty("snapshots").EnumerateArray().Select(IcebirdSnapshot.Parse).ToList(),
            RowsSnapshotId = Json.OptionalInt64(root, "rowsSnapshotId"),
            Rows = root.GetProperty("rows").EnumerateArray()
                .Select(row => row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value))
                .ToList(),
        };
    }
}

public sealed record IcebirdSchema(int SchemaId, IReadOnlyList<IcebirdField> Fields, IReadOnlyList<int> IdentifierFieldIds)
{
    public IcebirdField Field(string name) =>
        Fields.SingleOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"No field {name} in schema {SchemaId}.");

    public static IcebirdSchema Parse(JsonElement e) => new(
        e.GetProperty("schema-id").GetInt32(),
        e.GetProperty("fields").EnumerateArray().Select(IcebirdField.Parse).ToList(),
        Json.Optional(e, "identifier-field-ids") is { } ids ? ids.EnumerateArray().Select(i => i.GetInt32()).ToList() : []);
}

/// <summary>A schema field. <see cref="Type"/> is a string for primitives, an object for struct/list/map.</summary>
public sealed record IcebirdField(int Id, string Name, bool Required, JsonElement Type, string? Doc)
{
    /// <summary>"long", "decimal(10, 2)", … for primitives; "struct", "list" or "map" for nested types.</summary>
    public string TypeName => Type.ValueKind == JsonValueKind.String
        ? Type.GetString()!
        : Type.GetProperty("type").GetString()!;

    public static IcebirdField Parse(JsonElement e) => new(
        e.GetProperty("id").GetInt32(),
        e.GetProperty("name").GetString()!,
        e.GetProperty("required").GetBoolean(),
        e.GetProperty("type"),
        Json.Optional(e, "doc")?.GetString());
}

public sealed record IcebirdPartitionSpec(int SpecId, IReadOnlyList<IcebirdPartitionField> Fields)
{
    public static IcebirdPartitionSpec Parse(JsonElement e) => new(
        e.GetProperty("spec-id").GetInt32(),
        e.GetProperty("fields").EnumerateArray().Select(f => new IcebirdPartitionField(
            f.GetProperty("name").GetString()!,
            f.GetProperty("transform").GetString()!,
            f.GetProperty("source-id").GetInt32(),
            f.GetProperty("field-id").GetInt32())).ToList());
}

public sealed record IcebirdPartitionField(string Name, string Transform, int SourceId, int FieldId);

public sealed class IcebirdSnapshot
{
    public required long SnapshotId { get; init; }
    public long? ParentSnapshotId { get; init; }
    public required long SequenceNumber { get; init; }
    public required long TimestampMs { get; init; }
    public required string ManifestList { get; init; }
    public int? SchemaId { get; init; }
    public required IReadOnlyDictionary<string, string> Summary { get; init; }

    /// <summary>The manifest list file as icebird's Avro reader decoded it: header and one record per manifest.</summary>
    public required IcebirdAvroFile ManifestListFile { get; init; }

    /// <summary>Manifests as icebird's <c>icebergManifests</c> returned them for this snapshot.</summary>
    public required IReadOnlyList<IcebirdManifest> Manifests { get; init; }

    public IEnumerable<IcebirdManifestEntry> Entries => Manifests.SelectMany(m => m.Entries);

    /// <summary>Entries that are not deleted (status 2) and hold data (content 0), as icebird reads them.</summary>
    public IEnumerable<IcebirdDataFile> LiveDataFiles =>
        Entries.Where(e => e.Status != IcebirdManifestEntry.Deleted && e.DataFile.Content == 0).Select(e => e.DataFile);

    public static IcebirdSnapshot Parse(JsonElement e) => new()
    {
        SnapshotId = e.GetProperty("snapshot-id").GetInt64(),
        ParentSnapshotId = Json.OptionalInt64(e, "parent-snapshot-id"),
        SequenceNumber = Json.OptionalInt64(e, "sequence-number") ?? 0,
        TimestampMs = e.GetProperty("timestamp-ms").GetInt64(),
        ManifestList = e.GetProperty("manifest-list").GetString()!,
        SchemaId = Json.Optional(e, "schema-id")?.GetInt32(),
        Summary = Json.StringMap(e.GetProperty("summary")),
        ManifestListFile = IcebirdAvroFile.Parse(e.GetProperty("manifestListFile")),
        Manifests = e.GetProperty("manifests").EnumerateArray().Select(IcebirdManifest.Parse).ToList(),
    };
}

/// <summary>An Avro container file: its header metadata and its records.</summary>
public sealed record IcebirdAvroFile(string Path, IReadOnlyDictionary<string, JsonElement> Header, IReadOnlyList<JsonElement> Records)
{
    /// <summary>A header value as written (icebird parses <c>avro.schema</c>, <c>schema</c> and <c>iceberg.schema</c> into objects).</summary>
    public string? HeaderText(string key) => Header.TryGetValue(key, out var v)
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
        : null;

    public static IcebirdAvroFile Parse(JsonElement e) => new(
        e.GetProperty("path").GetString()!,
        e.GetProperty("header").EnumerateObject().ToDictionary(p => p.Name, p => p.Value),
        e.GetProperty("records").EnumerateArray().ToList());
}

public sealed record IcebirdManifest(string Path, IReadOnlyDictionary<string, JsonElement> Header, IReadOnlyList<IcebirdManifestEntry> Entries)
{
    public string? HeaderText(string key) => new IcebirdAvroFile(Path, Header, []).HeaderText(key);

    public static IcebirdManifest Parse(JsonElement e) => new(
        e.GetProperty("path").GetString()!,
        e.GetProperty("header").EnumerateObject().ToDictionary(p => p.Name, p => p.Value),
        e.GetProperty("entries").EnumerateArray().Select(IcebirdManifestEntry.Parse).ToList());
}

/// <summary>A manifest entry; sequence numbers are after icebird's inheritance from the manifest list.</summary>
public sealed record IcebirdManifestEntry(int Status, long? SnapshotId, long? SequenceNumber, long? FileSequenceNumber, IcebirdDataFile DataFile)
{
    public const int Existing = 0;
    public const int Added = 1;
    public const int Deleted = 2;

    public static IcebirdManifestEntry Parse(JsonElement e) => new(
        e.GetProperty("status").GetInt32(),
        Json.OptionalInt64(e, "snapshot_id"),
        Json.OptionalInt64(e, "sequence_number"),
        Json.OptionalInt64(e, "file_sequence_number"),
        IcebirdDataFile.Parse(e.GetProperty("data_file")));
}

public sealed class IcebirdDataFile
{
    /// <summary>0 data, 1 position deletes, 2 equality deletes.</summary>
    public required int Content { get; init; }
    public required string FilePath { get; init; }
    public required string FileFormat { get; init; }

    /// <summary>Partition values keyed by partition field name, as decoded from the manifest.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Partition { get; init; }
    public required long RecordCount { get; init; }
    public required long FileSizeInBytes { get; init; }
    public IReadOnlyDictionary<int, long>? ColumnSizes { get; init; }
    public IReadOnlyDictionary<int, long>? ValueCounts { get; init; }
    public IReadOnlyDictionary<int, long>? NullValueCounts { get; init; }
    public IReadOnlyDictionary<int, long>? NanValueCounts { get; init; }
    public IReadOnlyDictionary<int, byte[]>? LowerBounds { get; init; }
    public IReadOnlyDictionary<int, byte[]>? UpperBounds { get; init; }
    public IReadOnlyList<long>? SplitOffsets { get; init; }
    public int? SortOrderId { get; init; }

    /// <summary>The whole data_file record, for fields not surfaced above.</summary>
    public required JsonElement Raw { get; init; }

    /// <summary>A partition value as a string (null when the manifest holds null).</summary>
    public string? PartitionString(string name) =>
        Partition.TryGetValue(name, out var v)
            ? v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : throw new KeyNotFoundException($"{FilePath} has no partition value {name}.");

    public static IcebirdDataFile Parse(JsonElement e) => new()
    {
        Content = e.GetProperty("content").GetInt32(),
        FilePath = e.GetProperty("file_path").GetString()!,
        FileFormat = e.GetProperty("file_format").GetString()!,
        Partition = e.GetProperty("partition").EnumerateObject().ToDictionary(p => p.Name, p => p.Value),
        RecordCount = e.GetProperty("record_count").GetInt64(),
        FileSizeInBytes = e.GetProperty("file_size_in_bytes").GetInt64(),
        ColumnSizes = Json.IdMap(e, "column_sizes", v => v.GetInt64()),
        ValueCounts = Json.IdMap(e, "value_counts", v => v.GetInt64()),
        NullValueCounts = Json.IdMap(e, "null_value_counts", v => v.GetInt64()),
        NanValueCounts = Json.IdMap(e, "nan_value_counts", v => v.GetInt64()),
        LowerBounds = Json.IdMap(e, "lower_bounds", v => v.GetBytesFromBase64()),
        UpperBounds = Json.IdMap(e, "upper_bounds", v => v.GetBytesFromBase64()),
        SplitOffsets = Json.Optional(e, "split_offsets") is { } offsets ? offsets.EnumerateArray().Select(o => o.GetInt64()).ToList() : null,
        SortOrderId = Json.Optional(e, "sort_order_id")?.GetInt32(),
        Raw = e,
    };
}

internal static class Json
{
    /// <summary>The property, or null when it is absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static long? OptionalInt64(JsonElement e, string name) => Optional(e, name)?.GetInt64();

    public static IReadOnlyDictionary<string, string> StringMap(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>An Iceberg map stored in Avro as an array of key/value records, keyed by field id.</summary>
    public static IReadOnlyDictionary<int, T>? IdMap<T>(JsonElement e, string name, Func<JsonElement, T> value) =>
        Optional(e, name) is { } list
            ? list.EnumerateArray().ToDictionary(kv => kv.GetProperty("key").GetInt32(), kv => value(kv.GetProperty("value")))
            : null;
}
