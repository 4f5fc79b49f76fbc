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

    /// <summary>
    /// Reads a manifest list straight from Avro binary, following the writer's schema: fields are matched by name in
    /// whatever order the writer put them, v1 names (added_data_files_count, …) are accepted, unknown fields skipped.
    /// Apache.Avro's generic reader is not used: building its reader tree is most of the cost of the one list a commit reads.
    /// </summary>
    public static IReadOnlyList<ManifestFile> Read(byte[] bytes, string description)
    {
        var container = AvroContainer.ReadBlocks(bytes, description);
        try
        {
            var decoder = new ManifestFileDecoder(container.Schema);
            var manifests = new List<ManifestFile>();
            foreach (var block in container.Blocks)
            {
                var reader = new AvroBinaryReader(block.Data);
                for (long i = 0; i < block.Count; i++)
                    manifests.Add(decoder.Read(reader));
            }
            return manifests;
        }
        catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or AvroException or NullReferenceException or InvalidOperationException
            or InvalidDataException or IndexOutOfRangeException or OverflowException)
        {
            throw new FacebergException("InvalidManifestList", FacebergErrorKind.InvalidData, $"{description} is not a valid Iceberg manifest list: {ex.Message}", ex);
        }
    }

    /// <summary>Decodes manifest_file records against the writer's schema.</summary>
    private sealed class ManifestFileDecoder
    {
        private enum Field
        {
            Skip, Path, Length, SpecId, Content, SequenceNumber, MinSequenceNumber, AddedSnapshotId, AddedFiles, ExistingFiles,
            DeletedFiles, AddedFilesV1, ExistingFilesV1, DeletedFilesV1, AddedRows, ExistingRows, DeletedRows, Partitions, KeyMetadata,
        }

        private enum SummaryField { Skip, ContainsNull, ContainsNan, LowerBound, UpperBound }

        // Plain arrays and loops, no tuples or LINQ over these enums: each new generic instantiation costs a process type
        // loading and compiling on its first use, which for a list of a few manifests is most of the time spent.
        private readonly Field[] _fields;
        private readonly global::Avro.Schema[] _schemas;
        private RecordSchema? _summarySchema;
        private SummaryField[] _summaryFields = [];

        public ManifestFileDecoder(global::Avro.Schema writerSchema)
        {
            var record = writerSchema as RecordSchema ?? throw new InvalidDataException("the manifest list's Avro schema is not a record");
            _fields = new Field[record.Fields.Count];
            _schemas = new global::Avro.Schema[record.Fields.Count];
            for (var i = 0; i < _fields.Length; i++)
            {
                _schemas[i] = record.Fields[i].Schema;
                _fields[i] = FieldOf(record.Fields[i].Name);
            }
        }

        private static Field FieldOf(string name) => name switch
        {
                "manifest_path" => Field.Path,
                "manifest_length" => Field.Length,
                "partition_spec_id" => Field.SpecId,
                "content" => Field.Content,
                "sequence_number" => Field.SequenceNumber,
                "min_sequence_number" => Field.MinSequenceNumber,
                "added_snapshot_id" => Field.AddedSnapshotId,
                "added_files_count" => Field.AddedFiles,
                "existing_files_count" => Field.ExistingFiles,
                "deleted_files_count" => Field.DeletedFiles,
                "added_data_files_count" => Field.AddedFilesV1,
                "existing_data_files_count" => Field.ExistingFilesV1,
                "deleted_data_files_count" => Field.DeletedFilesV1,
                "added_rows_count" => Field.AddedRows,
                "existing_rows_count" => Field.ExistingRows,
                "deleted_rows_count" => Field.DeletedRows,
                "partitions" => Field.Partitions,
                "key_metadata" => Field.KeyMetadata,
                _ => Field.Skip,
        };

        public ManifestFile Read(AvroBinaryReader reader)
        {
            string? path = null;
            long? length = null, sequence = null, minSequence = null, snapshotId = null, addedRows = null, existingRows = null, deletedRows = null;
            long? specId = null, content = null, addedFiles = null, existingFiles = null, deletedFiles = null;
            long? addedFilesV1 = null, existingFilesV1 = null, deletedFilesV1 = null;
            IReadOnlyList<PartitionFieldSummary>? partitions = null;
            byte[]? keyMetadata = null;
            for (var f = 0; f < _fields.Length; f++)
            {
                var schema = _schemas[f];
                switch (_fields[f])
                {
                    case Field.Path: path = (string?)reader.ReadPrimitive(schema); break;
                    case Field.Length: length = reader.ReadOptionalLong(schema); break;
                    case Field.SpecId: specId = reader.ReadOptionalLong(schema); break;
                    case Field.Content: content = reader.ReadOptionalLong(schema); break;
                    case Field.SequenceNumber: sequence = reader.ReadOptionalLong(schema); break;
                    case Field.MinSequenceNumber: minSequence = reader.ReadOptionalLong(schema); break;
                    case Field.AddedSnapshotId: snapshotId = reader.ReadOptionalLong(schema); break;
                    case Field.AddedFiles: addedFiles = reader.ReadOptionalLong(schema); break;
                    case Field.ExistingFiles: existingFiles = reader.ReadOptionalLong(schema); break;
                    case Field.DeletedFiles: deletedFiles = reader.ReadOptionalLong(schema); break;
                    case Field.AddedFilesV1: addedFilesV1 = reader.ReadOptionalLong(schema); break;
                    case Field.ExistingFilesV1: existingFilesV1 = reader.ReadOptionalLong(schema); break;
                    case Field.DeletedFilesV1: deletedFilesV1 = reader.ReadOptionalLong(schema); break;
                    case Field.AddedRows: addedRows = reader.ReadOptionalLong(schema); break;
                    case Field.ExistingRows: existingRows = reader.ReadOptionalLong(schema); break;
                    case Field.DeletedRows: deletedRows = reader.ReadOptionalLong(schema); break;
                    case Field.Partitions: partitions = ReadSummaries(reader, schema); break;
                    case Field.KeyMetadata: keyMetadata = reader.ReadPrimitive(schema) as byte[]; break;
                    default: reader.Skip(schema); break;
                }
            }
            addedFiles ??= addedFilesV1;
            existingFiles ??= existingFilesV1;
            deletedFiles ??= deletedFilesV1;
            return new ManifestFile
            {
                ManifestPath = path ?? throw new InvalidDataException("a manifest without manifest_path"),
                ManifestLength = length ?? throw new InvalidDataException("a manifest without manifest_length"),
                PartitionSpecId = Int(specId ?? throw new InvalidDataException("a manifest without partition_spec_id")),
                Content = (ManifestContent)Int(content ?? 0),
                // v1 lists have no sequence numbers: read as 0.
                SequenceNumber = sequence ?? 0,
                MinSequenceNumber = minSequence ?? 0,
                AddedSnapshotId = snapshotId ?? throw new InvalidDataException("a manifest without added_snapshot_id"),
                AddedFilesCount = Int(addedFiles ?? 0),
                ExistingFilesCount = Int(existingFiles ?? 0),
                DeletedFilesCount = Int(deletedFiles ?? 0),
                AddedRowsCount = addedRows ?? 0,
                ExistingRowsCount = existingRows ?? 0,
                DeletedRowsCount = deletedRows ?? 0,
                Partitions = partitions,
                KeyMetadata = keyMetadata,
                FileCountsMissing = addedFiles is null || existingFiles is null,
            };
        }

        private static int Int(long value) => checked((int)value);

        private PartitionFieldSummary[]? ReadSummaries(AvroBinaryReader reader, global::Avro.Schema schema)
        {
            if (reader.Branch(schema) is not ArraySchema array)
                return null;
            var item = array.ItemSchema as RecordSchema ?? throw new InvalidDataException("partition summaries are not records");
            if (!ReferenceEquals(item, _summarySchema))
            {
                _summaryFields = new SummaryField[item.Fields.Count];
                for (var i = 0; i < _summaryFields.Length; i++)
                    _summaryFields[i] = item.Fields[i].Name switch
                    {
                        "contains_null" => SummaryField.ContainsNull,
                        "contains_nan" => SummaryField.ContainsNan,
                        "lower_bound" => SummaryField.LowerBound,
                        "upper_bound" => SummaryField.UpperBound,
                        _ => SummaryField.Skip,
                    };
                _summarySchema = item;
            }
            var summaries = new List<PartitionFieldSummary>();
            for (var n = reader.BlockCount(); n > 0; n = reader.BlockCount())
                for (long i = 0; i < n; i++)
                {
                    bool? containsNull = null, containsNan = null;
                    byte[]? lower = null, upper = null;
                    for (var f = 0; f < _summaryFields.Length; f++)
                    {
                        var fieldSchema = item.Fields[f].Schema;
                        switch (_summaryFields[f])
                        {
                            case SummaryField.ContainsNull: containsNull = reader.ReadPrimitive(fieldSchema) as bool?; break;
                            case SummaryField.ContainsNan: containsNan = reader.ReadPrimitive(fieldSchema) as bool?; break;
                            case SummaryField.LowerBound: lower = reader.ReadPrimitive(fieldSchema) as byte[]; break;
                            case SummaryField.UpperBound: upper = reader.ReadPrimitive(fieldSchema) as byte[]; break;
                            default: reader.Skip(fieldSchema); break;
                        }
                    }
                    summaries.Add(new PartitionFieldSummary(containsNull ?? throw new InvalidDataException("a partition summary without contains_null"),
                        containsNan, lower, upper));
                }
            return summaries.ToArray();
        }
    }
}
