using Avro.File;
using Avro.Generic;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;
using Xunit;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Tests.Iceberg;

/// <summary>Files written by a stock Avro writer in the v1 shapes other tools produce, read by Faceberg's readers.</summary>
public class ForeignAvroTests
{
    private static byte[] WriteWithStockWriter(string schemaJson, IDictionary<string, string> meta, Func<AvroSchema, IEnumerable<GenericRecord>> records)
    {
        var schema = AvroSchema.Parse(schemaJson);
        using var stream = new MemoryStream();
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(schema), stream, Codec.CreateCodec(Codec.Type.Deflate)))
        {
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
}
