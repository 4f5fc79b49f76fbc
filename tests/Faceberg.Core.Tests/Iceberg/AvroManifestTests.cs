using System.Text;
using System.Text.Json;
using Avro.File;
using Avro.Generic;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Iceberg;

public class AvroManifestTests
{
    private static readonly Schema TableSchema = new(3, new[]
    {
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "name", PrimitiveType.String),
        NestedField.Optional(3, "day", PrimitiveType.Date),
        NestedField.Optional(4, "amount", new DecimalType(9, 2)),
        NestedField.Optional(5, "key", PrimitiveType.Uuid),
        NestedField.Optional(6, "flag", PrimitiveType.Boolean),
        NestedField.Optional(7, "ts", PrimitiveType.TimestampTz),
        NestedField.Optional(8, "blob", new FixedType(3)),
        NestedField.Optional(9, "ratio", PrimitiveType.Double),
        NestedField.Optional(10, "split", PrimitiveType.String),
    });

    private static readonly PartitionSpec AllTypesSpec = new(4, new[]
    {
        new PartitionField(10, 1000, "split", Transform.Identity),
        new PartitionField(3, 1001, "day", Transform.Identity),
        new PartitionField(4, 1002, "amount", Transform.Identity),
        new PartitionField(5, 1003, "key", Transform.Identity),
        new PartitionField(6, 1004, "flag", Transform.Identity),
        new PartitionField(7, 1005, "ts", Transform.Identity),
        new PartitionField(8, 1006, "blob", Transform.Identity),
        new PartitionField(9, 1007, "ratio", Transform.Identity),
        new PartitionField(1, 1008, "id", Transform.Identity),
    });

    private static DataFile File(string path, object?[] partition, long rows = 10) => new()
    {
        FilePath = path,
        Partition = partition,
        RecordCount = rows,
        FileSizeInBytes = 1234,
        ColumnSizes = new() { [1] = 100, [2] = 200 },
        ValueCounts = new() { [1] = rows, [2] = rows },
        NullValueCounts = new() { [1] = 0, [2] = 3 },
        NanValueCounts = new() { [9] = 1 },
        LowerBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, 1L), [2] = Encoding.UTF8.GetBytes("a") },
        UpperBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, 99L), [2] = Encoding.UTF8.GetBytes("z") },
        SplitOffsets = new long[] { 4 },
        SortOrderId = 0,
    };

    private static readonly object?[] SamplePartition =
    {
        "train", 17486, 14.20m, Guid.Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7"), true, 1510871468000000L, new byte[] { 1, 2, 3 }, 0.5d, 7L,
    };

    private static JsonDocument HeaderSchema(byte[] avro)
    {
        // The raw header bytes, not a re-serialised parse: that is what other readers see.
        var meta = AvroContainer.ReadHeaderMetadata(avro, "test");
        Assert.Equal("deflate", meta["avro.codec"]);
        return JsonDocument.Parse(meta["avro.schema"]);
    }

    private static JsonElement FieldNamed(JsonElement record, string name) =>
        record.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    private static JsonElement NonNull(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Single(t => t.ValueKind != JsonValueKind.String || t.GetString() != "null") : type;

    [Fact]
    public void Manifest_header_keeps_field_ids_and_map_logical_type()
    {
        var bytes = ManifestIO.Write(TableSchema, AllTypesSpec, new[] { new ManifestEntry(ManifestEntryStatus.Added, 5, null, null, File("file:///d/a.parquet", SamplePartition)) });
        using var doc = HeaderSchema(bytes);
        var entry = doc.RootElement;
        Assert.Equal("manifest_entry", entry.GetProperty("name").GetString());
        Assert.Equal(0, FieldNamed(entry, "status").GetProperty("field-id").GetInt32());
        Assert.Equal(1, FieldNamed(entry, "snapshot_id").GetProperty("field-id").GetInt32());
        Assert.Equal(3, FieldNamed(entry, "sequence_number").GetProperty("field-id").GetInt32());
        Assert.Equal(4, FieldNamed(entry, "file_sequence_number").GetProperty("field-id").GetInt32());
        var dataFileField = FieldNamed(entry, "data_file");
        Assert.Equal(2, dataFileField.GetProperty("field-id").GetInt32());
        var dataFile = dataFileField.GetProperty("type");
        var expected = new Dictionary<string, int>
        {
            ["content"] = 134, ["file_path"] = 100, ["file_format"] = 101, ["partition"] = 102, ["record_count"] = 103,
            ["file_size_in_bytes"] = 104, ["column_sizes"] = 108, ["value_counts"] = 109, ["null_value_counts"] = 110,
            ["nan_value_counts"] = 137, ["lower_bounds"] = 125, ["upper_bounds"] = 128, ["key_metadata"] = 131,
            ["split_offsets"] = 132, ["equality_ids"] = 135, ["sort_order_id"] = 140,
        };
        foreach (var (name, id) in expected)
            Assert.Equal(id, FieldNamed(dataFile, name).GetProperty("field-id").GetInt32());

        var maps = new Dictionary<string, (int, int)>
        {
            ["column_sizes"] = (117, 118), ["value_counts"] = (119, 120), ["null_value_counts"] = (121, 122),
            ["nan_value_counts"] = (138, 139), ["lower_bounds"] = (126, 127), ["upper_bounds"] = (129, 130),
        };
        foreach (var (name, (keyId, valueId)) in maps)
        {
            var array = NonNull(FieldNamed(dataFile, name).GetProperty("type"));
            Assert.Equal("array", array.GetProperty("type").GetString());
            Assert.Equal("map", array.GetProperty("logicalType").GetString());
            var kv = array.GetProperty("items");
            Assert.Equal($"k{keyId}_v{valueId}", kv.GetProperty("name").GetString());
            Assert.Equal(keyId, FieldNamed(kv, "key").GetProperty("field-id").GetInt32());
            Assert.Equal(valueId, FieldNamed(kv, "value").GetProperty("field-id").GetInt32());
        }
        Assert.Equal(133, NonNull(FieldNamed(dataFile, "split_offsets").GetProperty("type")).GetProperty("element-id").GetInt32());
        Assert.Equal(136, NonNull(FieldNamed(dataFile, "equality_ids").GetProperty("type")).GetProperty("element-id").GetInt32());

        var partition = FieldNamed(dataFile, "partition").GetProperty("type");
        Assert.Equal("r102", partition.GetProperty("name").GetString());
        Assert.Equal(Enumerable.Range(1000, 9), partition.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("field-id").GetInt32()));
        var amount = NonNull(FieldNamed(partition, "amount").GetProperty("type"));
        Assert.Equal("decimal", amount.GetProperty("logicalType").GetString());
        Assert.Equal(4, amount.GetProperty("size").GetInt32());
        Assert.Equal("date", NonNull(FieldNamed(partition, "day").GetProperty("type")).GetProperty("logicalType").GetString());
        Assert.True(NonNull(FieldNamed(partition, "ts").GetProperty("type")).GetProperty("adjust-to-utc").GetBoolean());
        Assert.Equal("uuid", NonNull(FieldNamed(partition, "key").GetProperty("type")).GetProperty("logicalType").GetString());
    }

    [Fact]
    public void Manifest_file_metadata_has_the_required_keys()
    {
        // Apache.Avro's stock reader rejects uuid on fixed(16) (the Iceberg mapping), so this spec has no uuid column.
        var spec = PartitionSpec.Identity(TableSchema, "split", "day", "amount");
        var bytes = ManifestIO.Write(TableSchema, spec, new[] { new ManifestEntry(ManifestEntryStatus.Added, 5, null, null, File("file:///d/a.parquet", new object?[] { "train", 1, 2.5m })) });
        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(bytes));
        Assert.Equal(TableSchema, SpecJson.ParseSchema(reader.GetMetaString("schema")));
        Assert.Equal("3", reader.GetMetaString("schema-id"));
        Assert.Equal("0", reader.GetMetaString("partition-spec-id"));
        Assert.Equal("2", reader.GetMetaString("format-version"));
        Assert.Equal("data", reader.GetMetaString("content"));
        using var specJson = JsonDocument.Parse(reader.GetMetaString("partition-spec"));
        Assert.Equal(JsonValueKind.Array, specJson.RootElement.ValueKind);
        Assert.Equal(1000, specJson.RootElement[0].GetProperty("field-id").GetInt32());
        // A stock Avro reader decodes the records too: the container is standard.
        var record = reader.Next();
        Assert.Equal(1, record["status"]);
        Assert.Equal("file:///d/a.parquet", ((GenericRecord)record["data_file"])["file_path"]);
    }

    [Theory]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Null)]
    public void Manifest_round_trips_every_partition_type_and_metric(AvroCodec codec)
    {
        var withNulls = new object?[SamplePartition.Length];
        var entries = new[]
        {
            new ManifestEntry(ManifestEntryStatus.Added, 5, null, null, File("file:///d/a.parquet", SamplePartition)),
            new ManifestEntry(ManifestEntryStatus.Existing, 4, 2, 2, File("file:///d/b.parquet", withNulls, 3) with { KeyMetadata = new byte[] { 9 }, NanValueCounts = null, SplitOffsets = null, SortOrderId = null }),
            new ManifestEntry(ManifestEntryStatus.Deleted, 5, 1, 1, File("file:///d/c.parquet", SamplePartition)),
        };
        var bytes = ManifestIO.Write(TableSchema, AllTypesSpec, entries, codec: codec);
        var source = new ManifestFile { ManifestPath = "m", ManifestLength = bytes.Length, PartitionSpecId = 4, SequenceNumber = 7, MinSequenceNumber = 1, AddedSnapshotId = 5 };
        var back = ManifestIO.Read(bytes, "test manifest", source);
        Assert.Equal(TableSchema, back.Schema);
        Assert.True(back.Spec.CompatibleWith(AllTypesSpec));
        Assert.Equal(4, back.Spec.SpecId);
        Assert.Equal(2, back.FormatVersion);
        Assert.Equal(3, back.Entries.Count);

        var a = back.Entries[0];
        Assert.Equal(ManifestEntryStatus.Added, a.Status);
        Assert.Equal(5, a.SnapshotId);
        Assert.Equal(7, a.SequenceNumber);        // inherited from the manifest list
        Assert.Equal(7, a.FileSequenceNumber);
        var expected = entries[0].DataFile;
        var f = a.DataFile;
        Assert.Equal(expected.FilePath, f.FilePath);
        Assert.Equal(FileFormat.Parquet, f.FileFormat);
        Assert.Equal(expected.RecordCount, f.RecordCount);
        Assert.Equal(expected.FileSizeInBytes, f.FileSizeInBytes);
        Assert.Equal(expected.ColumnSizes, f.ColumnSizes);
        Assert.Equal(expected.ValueCounts, f.ValueCounts);
        Assert.Equal(expected.NullValueCounts, f.NullValueCounts);
        Assert.Equal(expected.NanValueCounts, f.NanValueCounts);
        Assert.Equal(expected.LowerBounds!.Keys, f.LowerBounds!.Keys);
        Assert.Equal(expected.LowerBounds[2], f.LowerBounds[2]);
        Assert.Equal(expected.UpperBounds![1], f.UpperBounds![1]);
        Assert.Equal(expected.SplitOffsets, f.SplitOffsets);
        Assert.Equal(0, f.SortOrderId);
        for (var i = 0; i < SamplePartition.Length; i++)
        {
            if (SamplePartition[i] is byte[] b) Assert.Equal(b, (byte[])f.Partition[i]!);
            else Assert.Equal(SamplePartition[i], f.Partition[i]);
        }

        var b2 = back.Entries[1];
        Assert.Equal((ManifestEntryStatus.Existing, 4L, 2L, 2L), (b2.Status, b2.SnapshotId!.Value, b2.SequenceNumber!.Value, b2.FileSequenceNumber!.Value));
        Assert.All(b2.DataFile.Partition, Assert.Null);
        Assert.Equal(new byte[] { 9 }, b2.DataFile.KeyMetadata);
        Assert.Null(b2.DataFile.NanValueCounts);
        Assert.Null(b2.DataFile.SplitOffsets);
        Assert.Null(b2.DataFile.SortOrderId);
        Assert.Equal(ManifestEntryStatus.Deleted, back.Entries[2].Status);
        Assert.Equal(1, back.Entries[2].SequenceNumber); // explicit values are not overridden
    }

    [Theory]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Null)]
    public void A_large_manifest_is_written_in_blocks_that_Apache_Avro_and_the_own_decoder_read_alike(AvroCodec codec)
    {
        // Records are encoded one at a time into blocks of 4096: more than two blocks' worth, the last one partial.
        const int count = 2 * 4096 + 808;
        var spec = PartitionSpec.Identity(TableSchema, "split");
        var entries = Enumerable.Range(0, count).Select(i => new ManifestEntry(ManifestEntryStatus.Added, 5, null, null,
            File($"file:///d/f{i:00000}.parquet", [$"s{i % 7}"], rows: i + 1)));
        var bytes = ManifestIO.Write(TableSchema, spec, entries, codec: codec);

        Assert.Equal(new long[] { 4096, 4096, 808 }, AvroContainer.ReadBlocks(bytes, "test").Blocks.Select(b => b.Count));
        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(bytes));
        var generic = reader.NextEntries.ToList();
        var own = ManifestIO.Read(bytes, "test").Entries;
        Assert.Equal(count, generic.Count);
        Assert.Equal(count, own.Count);
        for (var i = 0; i < count; i += 997)
        {
            var file = (GenericRecord)generic[i]["data_file"];
            Assert.Equal($"file:///d/f{i:00000}.parquet", file["file_path"]);
            Assert.Equal(own[i].DataFile.FilePath, file["file_path"]);
            Assert.Equal((long)i + 1, file["record_count"]);
            Assert.Equal(own[i].DataFile.RecordCount, file["record_count"]);
            Assert.Equal($"s{i % 7}", ((GenericRecord)file["partition"])["split"]);
            Assert.Equal($"s{i % 7}", own[i].DataFile.Partition[0]);
            var bounds = ((object[])file["upper_bounds"]).Cast<GenericRecord>().ToDictionary(kv => (int)kv["key"], kv => (byte[])kv["value"]);
            Assert.Equal(own[i].DataFile.UpperBounds!.OrderBy(kv => kv.Key), bounds.OrderBy(kv => kv.Key));
        }
    }

    [Fact]
    public void Repeated_named_avro_types_are_defined_once_and_referenced()
    {
        var schema = new Schema(0, new[]
        {
            NestedField.Optional(1, "a", new DecimalType(9, 2)),
            NestedField.Optional(2, "b", new DecimalType(9, 2)),
            NestedField.Optional(3, "u", PrimitiveType.Uuid),
            NestedField.Optional(4, "v", PrimitiveType.Uuid),
        });
        var spec = PartitionSpec.Identity(schema, "a", "b", "u", "v");
        var partition = new object?[] { 1.5m, -2.25m, Guid.NewGuid(), Guid.NewGuid() };
        var bytes = ManifestIO.Write(schema, spec, new[] { new ManifestEntry(ManifestEntryStatus.Added, 1, null, null, new DataFile { FilePath = "x", RecordCount = 1, FileSizeInBytes = 1, Partition = partition }) });
        using var doc = HeaderSchema(bytes);
        var fields = FieldNamed(FieldNamed(doc.RootElement, "data_file").GetProperty("type"), "partition").GetProperty("type").GetProperty("fields");
        Assert.Equal(JsonValueKind.Object, NonNull(fields[0].GetProperty("type")).ValueKind);
        Assert.Equal("decimal_9_2", NonNull(fields[1].GetProperty("type")).GetString());
        Assert.Equal("uuid_fixed", NonNull(fields[3].GetProperty("type")).GetString());
        Assert.Equal(partition, ManifestIO.Read(bytes, "m").Entries[0].DataFile.Partition);
    }

    [Fact]
    public void Unpartitioned_manifest_round_trips()
    {
        var spec = PartitionSpec.Unpartitioned;
        var file = new DataFile { FilePath = "hf://datasets/o/n@abc/x.parquet", RecordCount = 1, FileSizeInBytes = 2 };
        var bytes = ManifestIO.Write(TableSchema, spec, new[] { new ManifestEntry(ManifestEntryStatus.Added, 1, null, null, file) });
        var back = ManifestIO.Read(bytes, "m");
        Assert.Empty(back.Entries[0].DataFile.Partition);
        Assert.Null(back.Entries[0].SequenceNumber); // nothing to inherit from without the list entry
        Assert.Null(back.Entries[0].DataFile.ColumnSizes);
    }

    [Fact]
    public void Wrong_partition_value_type_names_the_problem()
    {
        var spec = PartitionSpec.Identity(TableSchema, "id");
        var ex = Assert.Throws<Faceberg.Core.FacebergException>(() => ManifestIO.Write(TableSchema, spec,
            new[] { new ManifestEntry(ManifestEntryStatus.Added, 1, null, null, new DataFile { FilePath = "x", RecordCount = 1, FileSizeInBytes = 1, Partition = new object?[] { "seven" } }) }));
        Assert.Contains("long", ex.Message);
    }

    [Fact]
    public void Manifest_list_round_trips_with_partition_summaries_and_field_ids()
    {
        var spec = PartitionSpec.Identity(TableSchema, "split", "ratio");
        var files = new[]
        {
            new DataFile { FilePath = "a", RecordCount = 1, FileSizeInBytes = 1, Partition = new object?[] { "train", 1.5d } },
            new DataFile { FilePath = "b", RecordCount = 1, FileSizeInBytes = 1, Partition = new object?[] { "test", double.NaN } },
            new DataFile { FilePath = "c", RecordCount = 1, FileSizeInBytes = 1, Partition = new object?[] { null, -2.0d } },
        };
        var summaries = ManifestIO.Summarize(spec.PartitionType(TableSchema), files);
        Assert.True(summaries[0].ContainsNull);
        Assert.False(summaries[0].ContainsNan);
        Assert.Equal("test", Encoding.UTF8.GetString(summaries[0].LowerBound!));
        Assert.Equal("train", Encoding.UTF8.GetString(summaries[0].UpperBound!));
        Assert.False(summaries[1].ContainsNull);
        Assert.True(summaries[1].ContainsNan);
        Assert.Equal(-2.0d, BoundEncoding.Decode(PrimitiveType.Double, summaries[1].LowerBound!));
        Assert.Equal(1.5d, BoundEncoding.Decode(PrimitiveType.Double, summaries[1].UpperBound!));

        var manifests = new[]
        {
            new ManifestFile
            {
                ManifestPath = "file:///t/metadata/m1.avro", ManifestLength = 100, PartitionSpecId = 0, SequenceNumber = 3, MinSequenceNumber = 1,
                AddedSnapshotId = 77, AddedFilesCount = 1, ExistingFilesCount = 2, DeletedFilesCount = 3, AddedRowsCount = 10, ExistingRowsCount = 20,
                DeletedRowsCount = 30, Partitions = summaries,
            },
            new ManifestFile { ManifestPath = "file:///t/metadata/m2.avro", ManifestLength = 5, PartitionSpecId = 1, Content = ManifestContent.Deletes, SequenceNumber = 2, MinSequenceNumber = 2, AddedSnapshotId = 76 },
        };
        var bytes = ManifestListIO.Write(manifests, 77, 76, 3);
        var back = ManifestListIO.Read(bytes, "list");
        Assert.Equal(2, back.Count);
        var m = back[0];
        Assert.Equal(manifests[0] with { Partitions = null }, m with { Partitions = null });
        Assert.Equal(2, m.Partitions!.Count);
        Assert.Equal(summaries[0].LowerBound, m.Partitions[0].LowerBound);
        Assert.Equal(summaries[1].ContainsNan, m.Partitions[1].ContainsNan);
        Assert.Equal(ManifestContent.Deletes, back[1].Content);
        Assert.Null(back[1].Partitions);

        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(bytes));
        Assert.Equal("77", reader.GetMetaString("snapshot-id"));
        Assert.Equal("76", reader.GetMetaString("parent-snapshot-id"));
        Assert.Equal("3", reader.GetMetaString("sequence-number"));
        Assert.Equal("2", reader.GetMetaString("format-version"));
        using var doc = JsonDocument.Parse(reader.GetMetaString("avro.schema"));
        var expectedIds = new Dictionary<string, int>
        {
            ["manifest_path"] = 500, ["manifest_length"] = 501, ["partition_spec_id"] = 502, ["content"] = 517, ["sequence_number"] = 515,
            ["min_sequence_number"] = 516, ["added_snapshot_id"] = 503, ["added_files_count"] = 504, ["existing_files_count"] = 505,
            ["deleted_files_count"] = 506, ["added_rows_count"] = 512, ["existing_rows_count"] = 513, ["deleted_rows_count"] = 514,
            ["partitions"] = 507, ["key_metadata"] = 519,
        };
        foreach (var (name, id) in expectedIds)
            Assert.Equal(id, FieldNamed(doc.RootElement, name).GetProperty("field-id").GetInt32());
        var partitions = NonNull(FieldNamed(doc.RootElement, "partitions").GetProperty("type"));
        Assert.Equal(508, partitions.GetProperty("element-id").GetInt32());
        var summary = partitions.GetProperty("items");
        Assert.Equal(509, FieldNamed(summary, "contains_null").GetProperty("field-id").GetInt32());
        Assert.Equal(518, FieldNamed(summary, "contains_nan").GetProperty("field-id").GetInt32());
        Assert.Equal(510, FieldNamed(summary, "lower_bound").GetProperty("field-id").GetInt32());
        Assert.Equal(511, FieldNamed(summary, "upper_bound").GetProperty("field-id").GetInt32());
    }

    [Fact]
    public void Garbage_is_an_invalid_data_error()
    {
        var ex = Assert.Throws<Faceberg.Core.FacebergException>(() => ManifestListIO.Read(Encoding.UTF8.GetBytes("Obj\u0001garbage"), "list x"));
        Assert.Equal(Faceberg.Core.FacebergErrorKind.InvalidData, ex.Kind);
        Assert.Contains("list x", ex.Message);
        Assert.Throws<Faceberg.Core.FacebergException>(() => ManifestIO.Read(new byte[] { 1, 2, 3 }, "m"));
    }
}
