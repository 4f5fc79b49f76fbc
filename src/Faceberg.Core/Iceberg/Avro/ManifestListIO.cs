using System.Globalization;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using static Faceberg.Core.Iceberg.Avro.AvroSchemas;
using static Faceberg.Core.Iceberg.Avro.AvroValues;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>Writes and reads v2 manifest lists (Avro files of manifest_file records).</summary>
public static class ManifestListIO
{
    internal static JsonObject FileSchema()
    {
        var summary = Record("r508", new JsonNode[]
        {
            Field("contains_null", "boolean", 509, false, "True if any file has a null partition value"),
            Field("contains_nan", "boolean", 518, true, "True if any file has a nan partition value"),
            Field("lower_bound", "bytes", 510, true, "Partition lower bound for all files"),
            Field("upper_bound", "bytes", 511, true, "Partition upper bound for all files"),
        });
        return Record("manifest_file", new JsonNode[]
        {
            Field("manifest_path", "string", 500, false, "Location URI with FS scheme"),
            Field("manifest_length", "long", 501, false, "Total file size in bytes"),
            Field("partition_spec_id", "int", 502, false, "Spec ID used to write"),
            Field("content", "int", 517, false, "Contents of the manifest: 0=data, 1=deletes"),
            Field("sequence_number", "long", 515, false, "Sequence number when the manifest was added"),
            Field("min_sequence_number", "long", 516, false, "Lowest sequence number in the manifest"),
            Field("added_snapshot_id", "long", 503, false, "Snapshot ID that added the manifest"),
            Field("added_files_count", "int", 504, false, "Added entry count"),
            Field("existing_files_count", "int", 505, false, "Existing entry count"),
            Field("deleted_files_count", "int", 506, false, "Deleted entry count"),
            Field("added_rows_count", "long", 512, false, "Added rows count"),
            Field("existing_rows_count", "long", 513, false, "Existing rows count"),
            Field("deleted_rows_count", "long", 514, false, "Deleted rows count"),
            Field("partitions", List(summary, 508), 507, true, "Summary for each partition"),
            Field("key_metadata", "bytes", 519, true, "Encryption key metadata blob"),
        });
    }

    public static byte[] Write(IEnumerable<ManifestFile> manifests, long snapshotId, long? parentSnapshotId, long sequenceNumber, AvroCodec codec = AvroCodec.Deflate)
    {
        var metadata = new Dictionary<string, string>
        {
            ["snapshot-id"] = snapshotId.ToString(CultureInfo.InvariantCulture),
            ["parent-snapshot-id"] = parentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "null",
            ["sequence-number"] = sequenceNumber.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = ManifestIO.FormatVersion.ToString(CultureInfo.InvariantCulture),
        };
        return AvroContainer.Write(FileSchema(), metadata, schema => manifests.Select(m =>
        {
            var summarySchema = ItemRecordOf(schema, "partitions");
            var r = new GenericRecord(schema);
            r.Add("manifest_path", m.ManifestPath);
            r.Add("manifest_length", m.ManifestLength);
            r.Add("partition_spec_id", m.PartitionSpecId);
            r.Add("content", (int)m.Content);
            r.Add("sequence_number", m.SequenceNumber);
            r.Add("min_sequence_number", m.MinSequenceNumber);
            r.Add("added_snapshot_id", m.AddedSnapshotId);
            r.Add("added_files_count", m.AddedFilesCount);
            r.Add("existing_files_count", m.ExistingFilesCount);
            r.Add("deleted_files_count", m.DeletedFilesCount);
            r.Add("added_rows_count", m.AddedRowsCount);
            r.Add("existing_rows_count", m.ExistingRowsCount);
            r.Add("deleted_rows_count", m.DeletedRowsCount);
            r.Add("partitions", m.Partitions?.Select(p =>
            {
                var s = new GenericRecord(summarySchema);
                s.Add("contains_null", p.ContainsNull);
                s.Add("contains_nan", p.ContainsNan);
                s.Add("lower_bound", p.LowerBound);
                s.Add("upper_bound", p.UpperBound);
                return s;
            }).ToArray());
            r.Add("key_metadata", m.KeyMetadata);
            return r;
        }), codec);
    }

    public static IReadOnlyList<ManifestFile> Read(byte[] bytes, string description)
    {
        var container = AvroContainer.Read(bytes, description);
        try
        {
            return container.Records.Select(r => new ManifestFile
            {
                ManifestPath = (string)r["manifest_path"],
                ManifestLength = GetLong(r, "manifest_length")!.Value,
                PartitionSpecId = GetInt(r, "partition_spec_id")!.Value,
                Content = (ManifestContent)(GetInt(r, "content") ?? 0),
                // v1 lists have no sequence numbers: read as 0.
                SequenceNumber = GetLong(r, "sequence_number") ?? 0,
                MinSequenceNumber = GetLong(r, "min_sequence_number") ?? 0,
                AddedSnapshotId = GetLong(r, "added_snapshot_id")!.Value,
                AddedFilesCount = GetInt(r, "added_files_count") ?? GetInt(r, "added_data_files_count") ?? 0,
                ExistingFilesCount = GetInt(r, "existing_files_count") ?? GetInt(r, "existing_data_files_count") ?? 0,
                DeletedFilesCount = GetInt(r, "deleted_files_count") ?? GetInt(r, "deleted_data_files_count") ?? 0,
                AddedRowsCount = GetLong(r, "added_rows_count") ?? 0,
                ExistingRowsCount = GetLong(r, "existing_rows_count") ?? 0,
                DeletedRowsCount = GetLong(r, "deleted_rows_count") ?? 0,
                Partitions = (Get(r, "partitions") as System.Collections.IEnumerable)?.Cast<GenericRecord>().Select(s => new PartitionFieldSummary(
                    (bool)s["contains_null"],
                    Get(s, "contains_nan") as bool?,
                    Get(s, "lower_bound") as byte[],
                    Get(s, "upper_bound") as byte[])).ToArray(),
                KeyMetadata = Get(r, "key_metadata") as byte[],
                FileCountsMissing = (GetInt(r, "added_files_count") ?? GetInt(r, "added_data_files_count")) == null
                    || (GetInt(r, "existing_files_count") ?? GetInt(r, "existing_data_files_count")) == null,
            }).ToArray();
        }
        catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or AvroException or NullReferenceException or InvalidOperationException)
        {
            throw new FacebergException("InvalidManifestList", FacebergErrorKind.InvalidData, $"{description} is not a valid Iceberg manifest list: {ex.Message}", ex);
        }
    }
}
