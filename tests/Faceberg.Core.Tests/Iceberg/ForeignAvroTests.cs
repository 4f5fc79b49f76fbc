using Avro.File;
using Avro.Generic;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Tests.Iceberg;

/// <summary>Files written by a stock Avro writer in the v1 shapes other tools produce, read by Faceberg's readers.</summary>
public class ForeignAvroTests
{
    private static byte[] WriteWithStockWriter(string schemaJson, IDictionary<string, string> meta, Func<AvroSchema, IEnumerable<GenericRecord>> records,
        int? syncInterval = null)
    {
        var schema = AvroSchema.Parse(schemaJson);
        using var stream = new MemoryStream();
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(schema), stream, Codec.CreateCodec(Codec.Type.Deflate)))
        {
            // A small interval splits the records over many blocks.
            if (syncInterval is { } interval) writer.SetSyncInterval(interval);
            foreach (var (k, v) in meta) writer.SetMeta(k, v);
            foreach (var r in records(schema)) writer.Append(r);
        }
        return stream.ToArray();
    }

    [Fact]
    public void A_v1_manifest_list_with_missing_counts_reads_as_possibly_live()
    {
        const string schema = """
        {"type":"record","name":"manifest_file","fields":[
          {"name":"manifest_path","type":"string","field-id":500},
          {"name":"manifest_length","type":"long","field-id":501},
          {"name":"partition_spec_id","type":"int","field-id":502},
          {"name":"added_snapshot_id","type":["null","long"],"default":null,"field-id":503},
          {"name":"added_data_files_count","type":["null","int"],"default":null,"field-id":504},
          {"name":"existing_data_files_count","type":["null","int"],"default":null,"field-id":505},
          {"name":"deleted_data_files_count","type":["null","int"],"default":null,"field-id":506}]}
        """;
        var bytes = WriteWithStockWriter(schema, new Dictionary<string, string> { ["snapshot-id"] = "9", ["format-version"] = "1" }, s =>
        {
            var known = new GenericRecord((Avro.RecordSchema)s);
            known.Add("manifest_path", "s3://b/m1.avro");
            known.Add("manifest_length", 10L);
            known.Add("partition_spec_id", 0);
            known.Add("added_snapshot_id", 9L);
            known.Add("added_data_files_count", 0);
            known.Add("existing_data_files_count", 0);
            known.Add("deleted_data_files_count", 3);
            var unknown = new GenericRecord((Avro.RecordSchema)s);
            unknown.Add("manifest_path", "s3://b/m2.avro");
            unknown.Add("manifest_length", 11L);
            unknown.Add("partition_spec_id", 0);
            unknown.Add("added_snapshot_id", 9L);
            unknown.Add("added_data_files_count", null);
            unknown.Add("existing_data_files_count", null);
            unknown.Add("deleted_data_files_count", null);
            return new[] { known, unknown };
        });

        var list = ManifestListIO.Read(bytes, "v1 list");
        Assert.Equal(2, list.Count);
        Assert.False(list[0].HasLiveFiles);
        Assert.Equal(3, list[0].DeletedFilesCount);
        Assert.Equal(0, list[0].SequenceNumber);
        Assert.True(list[1].FileCountsMissing);
        Assert.True(list[1].HasLiveFiles);
        Assert.Equal(ManifestContent.Data, list[1].Content);
    }

    [Fact]
    public void A_manifest_list_is_read_by_field_name_whatever_the_order_and_unknown_fields_are_skipped()
    {
        const string schema = """
        {"type":"record","name":"manifest_file","fields":[
          {"name":"extra","type":{"type":"record","name":"extra_r","fields":[{"name":"x","type":{"type":"array","items":"long"}},{"name":"y","type":"string"}]}},
          {"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[
            {"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511},
            {"name":"note","type":"string"},
            {"name":"contains_null","type":"boolean","field-id":509},
            {"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510}]},"element-id":508}],"default":null,"field-id":507},
          {"name":"added_snapshot_id","type":"long","field-id":503},
          {"name":"manifest_length","type":"long","field-id":501},
          {"name":"content","type":"int","field-id":517},
          {"name":"partition_spec_id","type":"int","field-id":502},
          {"name":"added_files_count","type":"int","field-id":504},
          {"name":"existing_files_count","type":"int","field-id":505},
          {"name":"deleted_files_count","type":"int","field-id":506},
          {"name":"sequence_number","type":"long","field-id":515},
          {"name":"min_sequence_number","type":"long","field-id":516},
          {"name":"added_rows_count","type":"long","field-id":512},
          {"name":"existing_rows_count","type":"long","field-id":513},
          {"name":"deleted_rows_count","type":"long","field-id":514},
          {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519},
          {"name":"manifest_path","type":"string","field-id":500}]}
        """;
        var bytes = WriteWithStockWriter(schema, new Dictionary<string, string> { ["format-version"] = "2" }, s =>
        {
            var record = (Avro.RecordSchema)s;
            var extra = new GenericRecord((Avro.RecordSchema)record["extra"].Schema);
            extra.Add("x", new object[] { 1L, 2L, 3L });
            extra.Add("y", "skipped");
            var summarySchema = (Avro.RecordSchema)((Avro.ArraySchema)((Avro.UnionSchema)record["partitions"].Schema)[1]).ItemSchema;
            var summary = new GenericRecord(summarySchema);
            summary.Add("upper_bound", new byte[] { 9 });
            summary.Add("note", "skipped too");
            summary.Add("contains_null", true);
            summary.Add("lower_bound", null);
            GenericRecord Manifest(string path, object?[]? partitions)
            {
                var m = new GenericRecord(record);
                m.Add("extra", extra);
                m.Add("partitions", partitions);
                m.Add("added_snapshot_id", 5L);
                m.Add("manifest_length", 123L);
                m.Add("content", 1);
                m.Add("partition_spec_id", 2);
                m.Add("added_files_count", 3);
                m.Add("existing_files_count", 4);
                m.Add("deleted_files_count", 5);
                m.Add("sequence_number", 6L);
                m.Add("min_sequence_number", 7L);
                m.Add("added_rows_count", 8L);
                m.Add("existing_rows_count", 9L);
                m.Add("deleted_rows_count", 10L);
                m.Add("key_metadata", new byte[] { 1, 2 });
                m.Add("manifest_path", path);
                return m;
            }
            return new[] { Manifest("s3://b/m1.avro", new object[] { summary, summary }), Manifest("s3://b/m2.avro", null) };
        }, syncInterval: 32);

        var list = ManifestListIO.Read(bytes, "reordered list");
        Assert.Equal(["s3://b/m1.avro", "s3://b/m2.avro"], list.Select(m => m.ManifestPath));
        var first = list[0];
        Assert.Equal((123L, 2, ManifestContent.Deletes, 6L, 7L, 5L), (first.ManifestLength, first.PartitionSpecId, first.Content, first.SequenceNumber, first.MinSequenceNumber, first.AddedSnapshotId));
        Assert.Equal((3, 4, 5, 8L, 9L, 10L), (first.AddedFilesCount, first.ExistingFilesCount, first.DeletedFilesCount, first.AddedRowsCount, first.ExistingRowsCount, first.DeletedRowsCount));
        Assert.False(first.FileCountsMissing);
        Assert.Equal([1, 2], first.KeyMetadata!);
        Assert.Equal(2, first.Partitions!.Count);
        Assert.All(first.Partitions, p => Assert.Equal((true, (bool?)null, (byte[]?)null, 9), (p.ContainsNull, p.ContainsNan, p.LowerBound, p.UpperBound![0])));
        Assert.Null(list[1].Partitions);
    }

    [Fact]
    public void A_manifest_list_entry_without_its_path_is_invalid()
    {
        const string schema = """
        {"type":"record","name":"manifest_file","fields":[
          {"name":"manifest_length","type":"long","field-id":501},
          {"name":"partition_spec_id","type":"int","field-id":502},
          {"name":"added_snapshot_id","type":"long","field-id":503}]}
        """;
        var bytes = WriteWithStockWriter(schema, new Dictionary<string, string>(), s =>
        {
            var m = new GenericRecord((Avro.RecordSchema)s);
            m.Add("manifest_length", 1L);
            m.Add("partition_spec_id", 0);
            m.Add("added_snapshot_id", 1L);
            return new[] { m };
        });
        var error = Assert.Throws<FacebergException>(() => ManifestListIO.Read(bytes, "pathless list"));
        Assert.Equal("InvalidManifestList", error.ErrorId);
    }

    [Fact]
    public void A_v1_manifest_reads_with_sequence_number_zero()
    {
        const string schema = """
        {"type":"record","name":"manifest_entry","fields":[
          {"name":"status","type":"int","field-id":0},
          {"name":"snapshot_id","type":"long","field-id":1},
          {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
            {"name":"file_path","type":"string","field-id":100},
            {"name":"file_format","type":"string","field-id":101},
            {"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[
              {"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}]}},
            {"name":"record_count","type":"long","field-id":103},
            {"name":"file_size_in_bytes","type":"long","field-id":104},
            {"name":"block_size_in_bytes","type":"long","field-id":105},
            {"name":"value_counts","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k119_v120","fields":[
              {"name":"key","type":"int","field-id":119},{"name":"value","type":"long","field-id":120}]}}],"default":null,"field-id":109}]}}]}
        """;
        var tableSchema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long), NestedField.Optional(2, "day", PrimitiveType.Date));
        var meta = new Dictionary<string, string>
        {
            ["schema"] = SpecJson.ToJson(tableSchema),
            ["partition-spec"] = "[{\"name\":\"day\",\"transform\":\"identity\",\"source-id\":2}]",
            ["format-version"] = "1",
        };
        var bytes = WriteWithStockWriter(schema, meta, s =>
        {
            var rs = (Avro.RecordSchema)s;
            var fileSchema = (Avro.RecordSchema)rs["data_file"].Schema;
            var partition = new GenericRecord((Avro.RecordSchema)fileSchema["partition"].Schema);
            // The stock writer wants a DateTime for a date-annotated int.
            partition.Add("day", new DateTime(2022, 1, 1));
            var counts = ((Avro.ArraySchema)((Avro.UnionSchema)fileSchema["value_counts"].Schema).Schemas[1]).ItemSchema;
            var kv = new GenericRecord((Avro.RecordSchema)counts);
            kv.Add("key", 1);
            kv.Add("value", 5L);
            var file = new GenericRecord(fileSchema);
            file.Add("file_path", "s3://b/d.parquet");
            file.Add("file_format", "parquet");
            file.Add("partition", partition);
            file.Add("record_count", 5L);
            file.Add("file_size_in_bytes", 99L);
            file.Add("block_size_in_bytes", 67108864L);
            file.Add("value_counts", new object[] { kv });
            var entry = new GenericRecord(rs);
            entry.Add("status", 1);
            entry.Add("snapshot_id", 9L);
            entry.Add("data_file", file);
            return new[] { entry };
        });

        var manifest = ManifestIO.Read(bytes, "v1 manifest");
        Assert.Equal(1, manifest.FormatVersion);
        var e = Assert.Single(manifest.Entries);
        Assert.Equal((ManifestEntryStatus.Added, 9L, 0L, 0L), (e.Status, e.SnapshotId!.Value, e.SequenceNumber!.Value, e.FileSequenceNumber!.Value));
        Assert.Equal(FileFormat.Parquet, e.DataFile.FileFormat);
        Assert.Equal(FileContent.Data, e.DataFile.Content);
        Assert.Equal(1000, manifest.Spec.Fields[0].FieldId);
        Assert.Equal(18993, e.DataFile.Partition[0]); // 2022-01-01 as days since epoch
        Assert.Equal(5L, e.DataFile.ValueCounts![1]);
    }

    [Fact]
    public void A_manifest_with_reordered_unions_fields_and_unknown_fields_reads_by_field_name()
    {
        // Another writer's v2 manifest: data_file before status, union branches with null last, key/value records
        // with the value first, a fixed decimal partition, and fields Faceberg does not know (a map, an array, a
        // nested record, v3's first_row_id) that must be skipped.
        const string schema = """
        {"type":"record","name":"manifest_entry","fields":[
          {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
            {"name":"extra_tags","type":{"type":"map","values":"string"}},
            {"name":"file_path","type":"string","field-id":100},
            {"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[
              {"name":"price","type":["null",{"type":"fixed","name":"dec","size":5}],"field-id":1000}]}},
            {"name":"file_format","type":"string","field-id":101},
            {"name":"record_count","type":["long","null"],"field-id":103},
            {"name":"file_size_in_bytes","type":"long","field-id":104},
            {"name":"lower_bounds","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k126_v127","fields":[
              {"name":"value","type":"bytes","field-id":127},{"name":"key","type":"int","field-id":126}]}}],"field-id":125},
            {"name":"split_offsets","type":["null",{"type":"array","items":"long"}],"field-id":132},
            {"name":"first_row_id","type":["null","long"],"field-id":142},
            {"name":"nested","type":{"type":"record","name":"other","fields":[{"name":"a","type":{"type":"array","items":"double"}},{"name":"b","type":"boolean"}]}}]}},
          {"name":"status","type":"int","field-id":0},
          {"name":"snapshot_id","type":["long","null"],"field-id":1},
          {"name":"sequence_number","type":["null","long"],"field-id":3},
          {"name":"file_sequence_number","type":["null","long"],"field-id":4}]}
        """;
        var tableSchema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long), NestedField.Optional(2, "price", new DecimalType(10, 2)));
        var meta = new Dictionary<string, string>
        {
            ["schema"] = SpecJson.ToJson(tableSchema),
            ["partition-spec"] = "[{\"name\":\"price\",\"transform\":\"identity\",\"source-id\":2,\"field-id\":1000}]",
            ["partition-spec-id"] = "0",
            ["format-version"] = "2",
            ["content"] = "data",
        };
        const int count = 300;
        var bytes = WriteWithStockWriter(schema, meta, s =>
        {
            var rs = (Avro.RecordSchema)s;
            var fileSchema = (Avro.RecordSchema)rs["data_file"].Schema;
            var partitionSchema = (Avro.RecordSchema)fileSchema["partition"].Schema;
            var decimalSchema = (Avro.FixedSchema)((Avro.UnionSchema)partitionSchema["price"].Schema).Schemas[1];
            var boundSchema = (Avro.RecordSchema)((Avro.ArraySchema)((Avro.UnionSchema)fileSchema["lower_bounds"].Schema).Schemas[1]).ItemSchema;
            var nestedSchema = (Avro.RecordSchema)fileSchema["nested"].Schema;
            return Enumerable.Range(0, count).Select(i =>
            {
                var partition = new GenericRecord(partitionSchema);
                // 123.45 as a 5-byte big-endian two's-complement unscaled value; every other file has a null price. (The
                // schema leaves out the decimal annotation, which changes no bytes, because the stock writer would want an AvroDecimal.)
                partition.Add("price", i % 2 == 0 ? new GenericFixed(decimalSchema, [0, 0, 0, 0x30, 0x39]) : null);
                var bound = new GenericRecord(boundSchema);
                bound.Add("value", BitConverter.GetBytes((long)i));
                bound.Add("key", 1);
                var nested = new GenericRecord(nestedSchema);
                nested.Add("a", new object[] { 1.5, 2.5 });
                nested.Add("b", true);
                var file = new GenericRecord(fileSchema);
                file.Add("extra_tags", new Dictionary<string, object> { ["writer"] = "other", ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                file.Add("file_path", $"s3://b/{i}.parquet");
                file.Add("partition", partition);
                file.Add("file_format", "PARQUET");
                file.Add("record_count", (long)i);
                file.Add("file_size_in_bytes", 1000L + i);
                file.Add("lower_bounds", new object[] { bound });
                file.Add("split_offsets", new object[] { 4L, 100L });
                file.Add("first_row_id", i % 3 == 0 ? null : (object)(long)i);
                file.Add("nested", nested);
                var entry = new GenericRecord(rs);
                entry.Add("data_file", file);
                entry.Add("status", i % 2 == 0 ? 1 : 0);
                entry.Add("snapshot_id", i % 2 == 0 ? null : (object)7L);
                entry.Add("sequence_number", i % 2 == 0 ? null : (object)3L);
                entry.Add("file_sequence_number", i % 2 == 0 ? null : (object)2L);
                return entry;
            }).ToArray();
        }, syncInterval: 512);
        var source = new ManifestFile { ManifestPath = "s3://b/m.avro", ManifestLength = bytes.Length, PartitionSpecId = 0, SequenceNumber = 9, MinSequenceNumber = 9, AddedSnapshotId = 42 };

        var manifest = ManifestIO.Read(bytes, "foreign manifest", source);

        Assert.Equal(count, manifest.Entries.Count);
        for (var i = 0; i < count; i++)
        {
            var e = manifest.Entries[i];
            var f = e.DataFile;
            Assert.Equal($"s3://b/{i}.parquet", f.FilePath);
            Assert.Equal((FileFormat.Parquet, (long)i, 1000L + i), (f.FileFormat, f.RecordCount, f.FileSizeInBytes));
            Assert.Equal(i % 2 == 0 ? 123.45m : null, (decimal?)f.Partition[0]);
            Assert.Equal((long)i, BitConverter.ToInt64(f.LowerBounds![1]));
            Assert.Equal([4L, 100L], f.SplitOffsets);
            Assert.Null(f.ValueCounts);
            // Added entries without ids inherit them from the manifest list; existing ones keep theirs.
            Assert.Equal(i % 2 == 0 ? (ManifestEntryStatus.Added, 42L, 9L, 9L) : (ManifestEntryStatus.Existing, 7L, 3L, 2L),
                (e.Status, e.SnapshotId!.Value, e.SequenceNumber!.Value, e.FileSequenceNumber!.Value));
        }
    }

    [Fact]
    public void A_truncated_manifest_block_is_an_invalid_manifest()
    {
        var schema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long));
        var spec = new PartitionSpec(0, Array.Empty<PartitionField>());
        var file = new DataFile { FilePath = "s3://b/a.parquet", RecordCount = 1, FileSizeInBytes = 10 };
        var bytes = ManifestIO.Write(schema, spec, [new ManifestEntry(ManifestEntryStatus.Added, 1, 1, 1, file)], codec: AvroCodec.Null);
        // The block after the header (which ends with the file's sync marker) claims two records but holds one.
        var sync = bytes.AsSpan(bytes.Length - 16).ToArray();
        var blockStart = bytes.AsSpan().IndexOf(sync) + 16;
        Assert.Equal(0x02, bytes[blockStart]); // zigzag varint 1
        var broken = bytes.ToArray();
        broken[blockStart] = 0x04;

        var ex = Assert.Throws<FacebergException>(() => ManifestIO.Read(broken, "broken manifest"));
        Assert.Contains(ex.ErrorId, new[] { "InvalidManifest", "InvalidAvroFile" });
    }
}
