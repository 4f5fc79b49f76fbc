using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Schema = Faceberg.Core.Iceberg.Spec.Schema;
using Avro.Generic;
using Faceberg.Core.Iceberg.Spec;
using static Faceberg.Core.Iceberg.Avro.AvroSchemas;
using static Faceberg.Core.Iceberg.Avro.AvroValues;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>Writes and reads v2 manifests (Avro files of manifest_entry records).</summary>
public static class ManifestIO
{
    public const int FormatVersion = 2;

    /// <summary>The manifest_entry Avro schema for a partition type (spec "Manifests", v2 fields).</summary>
    internal static JsonObject EntrySchema(StructType partitionType)
    {
        var definedNames = new HashSet<string>(StringComparer.Ordinal);
        var partition = Record("r102", partitionType.Fields.Select(f => (JsonNode)Field(f.Name, Type(f.Type, definedNames), f.Id, optional: true)).ToArray());
        var dataFile = Record("r2", new JsonNode[]
        {
            Field("content", "int", 134, false, "Contents of the file: 0=data, 1=position deletes, 2=equality deletes"),
            Field("file_path", "string", 100, false, "Location URI with FS scheme"),
            Field("file_format", "string", 101, false, "File format name: avro, orc, or parquet"),
            Field("partition", partition, 102, false, "Partition data tuple, schema based on the partition spec"),
            Field("record_count", "long", 103, false, "Number of records in the file"),
            Field("file_size_in_bytes", "long", 104, false, "Total file size in bytes"),
            Field("column_sizes", KeyValueMap("int", 117, "long", 118, false), 108, true, "Map of column id to total size on disk"),
            Field("value_counts", KeyValueMap("int", 119, "long", 120, false), 109, true, "Map of column id to total count, including null and NaN"),
            Field("null_value_counts", KeyValueMap("int", 121, "long", 122, false), 110, true, "Map of column id to null value count"),
            Field("nan_value_counts", KeyValueMap("int", 138, "long", 139, false), 137, true, "Map of column id to number of NaN values in the column"),
            Field("lower_bounds", KeyValueMap("int", 126, "bytes", 127, false), 125, true, "Map of column id to lower bound"),
            Field("upper_bounds", KeyValueMap("int", 129, "bytes", 130, false), 128, true, "Map of column id to upper bound"),
            Field("key_metadata", "bytes", 131, true, "Encryption key metadata blob"),
            Field("split_offsets", List("long", 133), 132, true, "Splittable offsets"),
            Field("equality_ids", List("int", 136), 135, true, "Equality comparison field IDs"),
            Field("sort_order_id", "int", 140, true, "Sort order ID"),
        });
        return Record("manifest_entry", new JsonNode[]
        {
            Field("status", "int", 0, false),
            Field("snapshot_id", "long", 1, true),
            Field("sequence_number", "long", 3, true),
            Field("file_sequence_number", "long", 4, true),
            Field("data_file", dataFile, 2, false),
        });
    }

    public static byte[] Write(Schema schema, PartitionSpec spec, IEnumerable<ManifestEntry> entries, ManifestContent content = ManifestContent.Data, AvroCodec codec = AvroCodec.Deflate)
    {
        var partitionType = spec.PartitionType(schema);
        var partitionTypes = partitionType.Fields.Select(f => (PrimitiveType)f.Type).ToArray();
        var metadata = new Dictionary<string, string>
        {
            ["schema"] = SpecJson.ToJson(schema),
            ["schema-id"] = schema.SchemaId.ToString(CultureInfo.InvariantCulture),
            ["partition-spec"] = SpecJson.PartitionFieldsToJson(spec),
            ["partition-spec-id"] = spec.SpecId.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["content"] = content == ManifestContent.Data ? "data" : "deletes",
        };

        return AvroContainer.Write(EntrySchema(partitionType), metadata, entrySchema => entries.Select(entry =>
        {
            var fileSchema = RecordOf(entrySchema, "data_file");
            var partitionSchema = RecordOf(fileSchema, "partition");
            var f = entry.DataFile;
            RequirePartitionArity(f, spec, partitionTypes.Length);

            var partition = new GenericRecord(partitionSchema);
            for (var i = 0; i < partitionTypes.Length; i++)
                partition.Add(partitionSchema.Fields[i].Name, ToAvro(partitionTypes[i], f.Partition[i], partitionSchema.Fields[i].Schema));

            var file = new GenericRecord(fileSchema);
            file.Add("content", (int)f.Content);
            file.Add("file_path", f.FilePath);
            file.Add("file_format", f.FileFormat.ToSpecString());
            file.Add("partition", partition);
            file.Add("record_count", f.RecordCount);
            file.Add("file_size_in_bytes", f.FileSizeInBytes);
            file.Add("column_sizes", f.ColumnSizes == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "column_sizes"), f.ColumnSizes));
            file.Add("value_counts", f.ValueCounts == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "value_counts"), f.ValueCounts));
            file.Add("null_value_counts", f.NullValueCounts == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "null_value_counts"), f.NullValueCounts));
            file.Add("nan_value_counts", f.NanValueCounts == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "nan_value_counts"), f.NanValueCounts));
            file.Add("lower_bounds", f.LowerBounds == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "lower_bounds"), f.LowerBounds));
            file.Add("upper_bounds", f.UpperBounds == null ? null : KeyValueRecords(ItemRecordOf(fileSchema, "upper_bounds"), f.UpperBounds));
            file.Add("key_metadata", f.KeyMetadata);
            file.Add("split_offsets", f.SplitOffsets?.ToArray());
            file.Add("equality_ids", f.EqualityIds?.ToArray());
            file.Add("sort_order_id", f.SortOrderId);

            var record = new GenericRecord(entrySchema);
            record.Add("status", (int)entry.Status);
            record.Add("snapshot_id", entry.SnapshotId);
            record.Add("sequence_number", entry.SequenceNumber);
            record.Add("file_sequence_number", entry.FileSequenceNumber);
            record.Add("data_file", file);
            return record;
        }), codec);
    }

    /// <exception cref="FacebergException"><c>PartitionArity</c> when the file has not one partition value per field of the spec.</exception>
    internal static void RequirePartitionArity(DataFile file, PartitionSpec spec, int fields)
    {
        if (file.Partition.Count != fields)
            throw new FacebergException("PartitionArity", FacebergErrorKind.InvalidArgument,
                $"Data file '{file.FilePath}' has {file.Partition.Count} partition values but spec {spec.SpecId} has {fields} fields.");
    }

    /// <summary>
    /// Reads a manifest. With <paramref name="source"/> (its manifest-list entry) null snapshot ids and
    /// sequence numbers are inherited as the spec prescribes.
    /// </summary>
    public static ManifestContents Read(byte[] bytes, string description, ManifestFile? source = null)
    {
        var container = AvroContainer.ReadBlocks(bytes, description);
        try
        {
            var meta = container.Metadata;
            if (!meta.TryGetValue("schema", out var schemaJson))
                throw new FacebergException("InvalidManifest", FacebergErrorKind.InvalidData, $"{description} has no 'schema' metadata.");
            var schema = SpecJson.ParseSchema(schemaJson);
            var specId = meta.TryGetValue("partition-spec-id", out var sid) ? int.Parse(sid, CultureInfo.InvariantCulture) : source?.PartitionSpecId ?? 0;
            IReadOnlyList<PartitionField> partitionFields = Array.Empty<PartitionField>();
            if (meta.TryGetValue("partition-spec", out var specJson))
            {
                using var doc = JsonDocument.Parse(specJson);
                partitionFields = doc.RootElement.ValueKind == JsonValueKind.Array
                    ? SpecJson.ReadPartitionFieldList(doc.RootElement)
                    : SpecJson.ReadPartitionSpec(doc.RootElement).Fields;
            }
            var spec = new PartitionSpec(specId, partitionFields);
            var partitionTypes = spec.PartitionType(schema).Fields.Select(f => (PrimitiveType)f.Type).ToArray();
            var formatVersion = meta.TryGetValue("format-version", out var fv) ? int.Parse(fv, CultureInfo.InvariantCulture) : 1;
            var content = meta.TryGetValue("content", out var c) && c == "deletes" ? ManifestContent.Deletes : ManifestContent.Data;

            var decoder = new ManifestEntryDecoder(container.Schema, partitionTypes);
            var entries = new List<ManifestEntry>((int)Math.Min(container.Blocks.Sum(b => b.Count), int.MaxValue));
            foreach (var block in container.Blocks)
            {
                var reader = new AvroBinaryReader(block.Data);
                for (long i = 0; i < block.Count; i++)
                {
                    var entry = decoder.Read(reader);
                    // v1 manifests have no sequence numbers: they default to 0.
                    var sequence = formatVersion == 1 ? 0 : entry.SequenceNumber;
                    var fileSequence = formatVersion == 1 ? 0 : entry.FileSequenceNumber;
                    var snapshotId = entry.SnapshotId;
                    if (source != null)
                    {
                        snapshotId ??= source.AddedSnapshotId;
                        if (entry.Status == ManifestEntryStatus.Added)
                        {
                            sequence ??= source.SequenceNumber;
                            fileSequence ??= source.SequenceNumber;
                        }
                    }
                    entries.Add(entry with { SnapshotId = snapshotId, SequenceNumber = sequence, FileSequenceNumber = fileSequence });
                }
            }
            return new ManifestContents(schema, spec, formatVersion, content, entries);
        }
        catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or FormatException or AvroException or NullReferenceException
            or InvalidOperationException or InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new FacebergException("InvalidManifest", FacebergErrorKind.InvalidData, $"{description} is not a valid Iceberg manifest: {ex.Message}", ex);
        }
    }

    /// <summary>Per partition field: whether any value is null or NaN, and the bounds of the others (field_summary).</summary>
    public static IReadOnlyList<PartitionFieldSummary> Summarize(StructType partitionType, IEnumerable<DataFile> files)
    {
        var summary = new PartitionSummaryBuilder(partitionType);
        foreach (var file in files)
            summary.Add(file.Partition);
        return summary.Build();
    }
}

/// <summary>
/// The field_summary list of a manifest built one data file at a time, so a writer that streams its entries needs no
/// second pass over them: per partition field, whether any value is null or NaN, and the bounds of the others.
/// </summary>
public sealed class PartitionSummaryBuilder
{
    private readonly PrimitiveType[] _types;
    private readonly bool[] _containsNull;
    private readonly bool[] _containsNan;
    private readonly object?[] _lower;
    private readonly object?[] _upper;

    public PartitionSummaryBuilder(StructType partitionType)
    {
        ArgumentNullException.ThrowIfNull(partitionType);
        _types = partitionType.Fields.Select(f => (PrimitiveType)f.Type).ToArray();
        _containsNull = new bool[_types.Length];
        _containsNan = new bool[_types.Length];
        _lower = new object?[_types.Length];
        _upper = new object?[_types.Length];
    }

    /// <summary>Adds one file's partition values (one per partition field, in spec order).</summary>
    public void Add(IReadOnlyList<object?> partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        for (var i = 0; i < _types.Length; i++)
        {
            var v = partition[i];
            if (v == null) { _containsNull[i] = true; continue; }
            if (v is double d && double.IsNaN(d) || v is float fl && float.IsNaN(fl)) { _containsNan[i] = true; continue; }
            if (_lower[i] == null || BoundEncoding.Compare(_types[i], v, _lower[i]!) < 0) _lower[i] = v;
            if (_upper[i] == null || BoundEncoding.Compare(_types[i], v, _upper[i]!) > 0) _upper[i] = v;
        }
    }

    public IReadOnlyList<PartitionFieldSummary> Build() => _types.Select((t, i) => new PartitionFieldSummary(
        _containsNull[i],
        _containsNan[i],
        _lower[i] == null ? null : BoundEncoding.Encode(t, _lower[i]!),
        _upper[i] == null ? null : BoundEncoding.Encode(t, _upper[i]!))).ToArray();
}
