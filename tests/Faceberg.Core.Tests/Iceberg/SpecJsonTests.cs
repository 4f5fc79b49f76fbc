using System.Text.Json;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Iceberg;

public class SpecJsonTests
{
    public static TheoryData<string> PrimitiveNames => new()
    {
        "boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz",
        "timestamp_ns", "timestamptz_ns", "string", "uuid", "binary", "decimal(9,2)", "decimal(38,0)", "fixed[16]", "fixed[1]",
    };

    [Theory]
    [MemberData(nameof(PrimitiveNames))]
    public void Primitive_types_have_their_spec_json_string(string name)
    {
        var type = SpecJson.ParseType(JsonSerializer.Serialize(name));
        Assert.True(type.IsPrimitive);
        Assert.Equal(JsonSerializer.Serialize(name), SpecJson.ToJson(type));
        Assert.Equal(name, type.ToString());
    }

    [Fact]
    public void Decimal_and_fixed_parse_with_their_parameters()
    {
        var d = Assert.IsType<DecimalType>(PrimitiveType.Parse("decimal(9, 2)"));
        Assert.Equal((9, 2), (d.Precision, d.Scale));
        Assert.Equal("decimal(9,2)", d.ToString());
        Assert.Equal(16, Assert.IsType<FixedType>(PrimitiveType.Parse("fixed[16]")).Length);
        Assert.Equal(new DecimalType(9, 2), PrimitiveType.Parse("decimal(9,2)"));
        Assert.NotEqual<IcebergType>(new DecimalType(9, 2), new DecimalType(9, 3));
        var ex = Assert.Throws<FacebergException>(() => PrimitiveType.Parse("varchar"));
        Assert.Equal(FacebergErrorKind.NotSupported, ex.Kind);
        Assert.Throws<FacebergException>(() => new DecimalType(39, 0));
    }

    [Fact]
    public void Struct_list_and_map_use_the_spec_object_forms()
    {
        var type = new StructType(
            NestedField.Require(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "tags", new ListType(3, PrimitiveType.String, elementRequired: true), "labels"),
            NestedField.Optional(4, "attrs", new MapType(5, PrimitiveType.String, 6, PrimitiveType.Double, valueRequired: false)));
        var json = SpecJson.ToJson(type);
        Assert.Equal(
            "{\"type\":\"struct\",\"fields\":[" +
            "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"}," +
            "{\"id\":2,\"name\":\"tags\",\"required\":false,\"type\":{\"type\":\"list\",\"element-id\":3,\"element\":\"string\",\"element-required\":true},\"doc\":\"labels\"}," +
            "{\"id\":4,\"name\":\"attrs\",\"required\":false,\"type\":{\"type\":\"map\",\"key-id\":5,\"key\":\"string\",\"value-id\":6,\"value\":\"double\",\"value-required\":false}}]}",
            json);
        Assert.Equal(type, SpecJson.ParseType(json));
    }

    internal static Schema NestedSchema() => new(0, new[]
    {
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "name", PrimitiveType.String),
        NestedField.Optional(3, "price", new DecimalType(10, 2)),
        NestedField.Optional(4, "point", new StructType(
            NestedField.Require(5, "x", PrimitiveType.Double),
            NestedField.Optional(6, "y", PrimitiveType.Double))),
        NestedField.Optional(7, "tags", new ListType(8, PrimitiveType.String, false)),
        NestedField.Optional(9, "attrs", new MapType(10, PrimitiveType.String, 11, new StructType(NestedField.Optional(12, "v", PrimitiveType.Int)), true)),
        NestedField.Optional(13, "split", PrimitiveType.String),
    }, identifierFieldIds: new[] { 1 });

    [Fact]
    public void Schema_round_trips_with_id_and_identifier_fields()
    {
        var schema = NestedSchema();
        var json = SpecJson.ToJson(schema);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("struct", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("schema-id").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("identifier-field-ids")[0].GetInt32());
        Assert.Equal(schema, SpecJson.ParseSchema(json));
        Assert.Equal(13, schema.HighestFieldId);
        Assert.Equal("x", schema.FindField(5)!.Name);
        Assert.Equal(5, schema.FindField("point.x")!.Id);
        Assert.Equal(8, schema.FindField("tags.element")!.Id);
        Assert.Equal(12, schema.FindField("attrs.value.v")!.Id);
        Assert.Equal("attrs.key", schema.FindColumnName(10));
    }

    [Fact]
    public void Schema_rejects_duplicate_ids()
    {
        var ex = Assert.Throws<FacebergException>(() => new Schema(0, NestedField.Optional(1, "a", PrimitiveType.Int), NestedField.Optional(1, "b", PrimitiveType.Int)));
        Assert.Equal("DuplicateFieldId", ex.ErrorId);
    }

    [Fact]
    public void Partition_spec_json_and_identity_ids_start_at_1000()
    {
        var schema = NestedSchema();
        var spec = PartitionSpec.Identity(schema, "split", "name");
        Assert.Equal(new[] { 1000, 1001 }, spec.Fields.Select(f => f.FieldId));
        var json = SpecJson.ToJson(spec);
        Assert.Equal("{\"spec-id\":0,\"fields\":[{\"name\":\"split\",\"transform\":\"identity\",\"source-id\":13,\"field-id\":1000},{\"name\":\"name\",\"transform\":\"identity\",\"source-id\":2,\"field-id\":1001}]}", json);
        Assert.Equal(spec, SpecJson.ParsePartitionSpec(json));
        Assert.Equal(1001, spec.LastAssignedFieldId);
        Assert.Equal(999, PartitionSpec.Unpartitioned.LastAssignedFieldId);
        foreach (var t in new[] { "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void" })
            Assert.Equal(t, Transform.Parse(t).ToString());
    }

    [Fact]
    public void Table_metadata_writes_every_v2_key_and_round_trips()
    {
        var schema = NestedSchema();
        var spec = PartitionSpec.Identity(schema, "split");
        var m = TableMetadata.NewTable("file:///tmp/t", schema, spec, new Dictionary<string, string> { ["k"] = "v" }, 1_700_000_000_000);
        var snapshot = new Snapshot(42, null, 1, 1_700_000_000_100, "file:///tmp/t/metadata/snap-42.avro",
            new Dictionary<string, string> { ["operation"] = "append", ["added-data-files"] = "1", ["total-records"] = "10" }, 0);
        m = m with
        {
            LastSequenceNumber = 1,
            CurrentSnapshotId = 42,
            Snapshots = new[] { snapshot },
            SnapshotLog = new[] { new SnapshotLogEntry(42, 1_700_000_000_100) },
            MetadataLog = new[] { new MetadataLogEntry("file:///tmp/t/metadata/v1.metadata.json", 1_700_000_000_000) },
            Refs = new Dictionary<string, SnapshotRef> { ["main"] = new(42, "branch") },
        };
        var json = SpecJson.ToJson(m);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        foreach (var key in new[] { "format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms", "last-column-id",
                     "schemas", "current-schema-id", "partition-specs", "default-spec-id", "last-partition-id", "properties",
                     "current-snapshot-id", "snapshots", "snapshot-log", "metadata-log", "sort-orders", "default-sort-order-id", "refs" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(2, root.GetProperty("format-version").GetInt32());
        Assert.Equal(13, root.GetProperty("last-column-id").GetInt32());
        Assert.Equal(1000, root.GetProperty("last-partition-id").GetInt32());
        Assert.Equal(0, root.GetProperty("sort-orders")[0].GetProperty("order-id").GetInt32());
        Assert.Equal(0, root.GetProperty("sort-orders")[0].GetProperty("fields").GetArrayLength());
        Assert.Equal("branch", root.GetProperty("refs").GetProperty("main").GetProperty("type").GetString());
        var s = root.GetProperty("snapshots")[0];
        Assert.Equal(1, s.GetProperty("sequence-number").GetInt64());
        Assert.Equal("append", s.GetProperty("summary").GetProperty("operation").GetString());
        Assert.False(s.TryGetProperty("parent-snapshot-id", out _));
        Assert.Equal("file:///tmp/t/metadata/v1.metadata.json", root.GetProperty("metadata-log")[0].GetProperty("metadata-file").GetString());

        var back = SpecJson.ParseTableMetadata(json);
        Assert.Equal(m.TableUuid, back.TableUuid);
        Assert.Equal(schema, back.CurrentSchema);
        Assert.Equal(spec, back.DefaultSpec);
        Assert.Equal(42, back.CurrentSnapshotId);
        Assert.Equal(snapshot.ManifestList, back.CurrentSnapshot!.ManifestList);
        Assert.Equal("10", back.CurrentSnapshot.Summary["total-records"]);
        Assert.Equal(m.MetadataLog, back.MetadataLog);
        Assert.Equal(m.SnapshotLog, back.SnapshotLog);
        Assert.Equal(SpecJson.ToJson(m), SpecJson.ToJson(back));
    }

    [Fact]
    public void Table_without_snapshots_writes_minus_one_and_reads_none()
    {
        var m = TableMetadata.NewTable("file:///tmp/t", NestedSchema(), PartitionSpec.Unpartitioned, null, 1);
        var json = SpecJson.ToJson(m);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(-1, doc.RootElement.GetProperty("current-snapshot-id").GetInt64());
        Assert.Null(SpecJson.ParseTableMetadata(json).CurrentSnapshot);
        Assert.Equal(999, doc.RootElement.GetProperty("last-partition-id").GetInt32());
    }

    [Fact]
    public void Invalid_metadata_json_is_an_invalid_data_error()
    {
        var ex = Assert.Throws<FacebergException>(() => SpecJson.ParseTableMetadata("{\"format-version\":2}"));
        Assert.Equal(FacebergErrorKind.InvalidData, ex.Kind);
        Assert.Throws<FacebergException>(() => SpecJson.ParseTableMetadata("{not json"));
    }

    [Fact]
    public void Name_mapping_covers_every_field_with_nested_element_key_value()
    {
        var mapping = NameMapping.FromSchema(NestedSchema());
        var json = mapping.ToJson();
        Assert.StartsWith("[{\"field-id\":1,\"names\":[\"id\"]},{\"field-id\":2,\"names\":[\"name\"]}", json);
        Assert.Contains("{\"field-id\":4,\"names\":[\"point\"],\"fields\":[{\"field-id\":5,\"names\":[\"x\"]},{\"field-id\":6,\"names\":[\"y\"]}]}", json);
        Assert.Contains("{\"field-id\":7,\"names\":[\"tags\"],\"fields\":[{\"field-id\":8,\"names\":[\"element\"]}]}", json);
        var back = NameMapping.Parse(json);
        Assert.Equal(12, back.FindId("attrs", "value", "v"));
        Assert.Equal(10, back.FindId("attrs", "key"));
        Assert.Null(back.FindId("missing"));
    }

    [Fact]
    public void Snapshot_as_of_follows_the_snapshot_log()
    {
        var m = TableMetadata.NewTable("file:///t", NestedSchema(), PartitionSpec.Unpartitioned, null, 1) with
        {
            Snapshots = new[]
            {
                new Snapshot(1, null, 1, 100, "l1", new Dictionary<string, string> { ["operation"] = "append" }, 0),
                new Snapshot(2, 1, 2, 200, "l2", new Dictionary<string, string> { ["operation"] = "append" }, 0),
            },
            SnapshotLog = new[] { new SnapshotLogEntry(1, 100), new SnapshotLogEntry(2, 200) },
            CurrentSnapshotId = 2,
        };
        Assert.Null(m.SnapshotAsOf(99));
        Assert.Equal(1, m.SnapshotAsOf(150)!.SnapshotId);
        Assert.Equal(2, m.SnapshotAsOf(200)!.SnapshotId);
        Assert.Equal(new long[] { 2, 1 }, m.History().Select(s => s.SnapshotId));
    }
}
