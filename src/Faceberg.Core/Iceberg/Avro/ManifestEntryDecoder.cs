using System.Runtime.CompilerServices;
using Avro;
using Faceberg.Core.Iceberg.Spec;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>
/// Decodes manifest_entry records straight from Avro binary into <see cref="ManifestEntry"/> values, following
/// the writer's schema: fields are matched by name in whatever order the writer put them, fields Faceberg
/// does not use (v1's block_size_in_bytes, v3's first_row_id, …) are skipped, and int/long widening and
/// nullable unions are accepted as the spec allows. Avoids Apache.Avro's generic records, which box every
/// value and dominated the time to read a large table's manifests. The loops are compiled optimized from the
/// start: a sync reads a 10,000-entry manifest once per process, mostly before tiered compilation would
/// have promoted them, and unoptimized code was 3× slower there.
/// </summary>
internal sealed class ManifestEntryDecoder
{
    private enum EntryField { Skip, Status, SnapshotId, SequenceNumber, FileSequenceNumber, DataFile }

    private enum FileField
    {
        Skip, Content, FilePath, FileFormat, Partition, RecordCount, FileSizeInBytes, ColumnSizes, ValueCounts,
        NullValueCounts, NanValueCounts, LowerBounds, UpperBounds, KeyMetadata, SplitOffsets, EqualityIds, SortOrderId,
    }

    private readonly (EntryField Field, AvroSchema Schema)[] _entryFields;
    private readonly (FileField Field, AvroSchema Schema)[] _fileFields;
    private readonly AvroSchema[] _partitionFields;
    private readonly PrimitiveType[] _partitionTypes;

    public ManifestEntryDecoder(AvroSchema writerSchema, PrimitiveType[] partitionTypes)
    {
        var entry = writerSchema as RecordSchema ?? throw new InvalidDataException("the manifest's Avro schema is not a record");
        _partitionTypes = partitionTypes;
        _entryFields = entry.Fields.Select(f => (f.Name switch
        {
            "status" => EntryField.Status,
            "snapshot_id" => EntryField.SnapshotId,
            "sequence_number" => EntryField.SequenceNumber,
            "file_sequence_number" => EntryField.FileSequenceNumber,
            "data_file" => EntryField.DataFile,
            _ => EntryField.Skip,
        }, f.Schema)).ToArray();
        var dataFile = entry.Fields.FirstOrDefault(f => f.Name == "data_file")?.Schema as RecordSchema
            ?? throw new InvalidDataException("manifest entries have no data_file record");
        _fileFields = dataFile.Fields.Select(f => (f.Name switch
        {
            "content" => FileField.Content,
            "file_path" => FileField.FilePath,
            "file_format" => FileField.FileFormat,
            "partition" => FileField.Partition,
            "record_count" => FileField.RecordCount,
            "file_size_in_bytes" => FileField.FileSizeInBytes,
            "column_sizes" => FileField.ColumnSizes,
            "value_counts" => FileField.ValueCounts,
            "null_value_counts" => FileField.NullValueCounts,
            "nan_value_counts" => FileField.NanValueCounts,
            "lower_bounds" => FileField.LowerBounds,
            "upper_bounds" => FileField.UpperBounds,
            "key_metadata" => FileField.KeyMetadata,
            "split_offsets" => FileField.SplitOffsets,
            "equality_ids" => FileField.EqualityIds,
            "sort_order_id" => FileField.SortOrderId,
            _ => FileField.Skip,
        }, f.Schema)).ToArray();
        var partition = dataFile.Fields.FirstOrDefault(f => f.Name == "partition")?.Schema as RecordSchema
            ?? throw new InvalidDataException("data_file has no partition record");
        if (partition.Fields.Count != partitionTypes.Length)
            throw new FacebergException("InvalidManifest", FacebergErrorKind.InvalidData,
                $"Manifest partition struct has {partition.Fields.Count} fields but its partition spec has {partitionTypes.Length}.");
        _partitionFields = partition.Fields.Select(f => f.Schema).ToArray();
    }

    /// <summary>The next entry, with snapshot ids and sequence numbers as written (inheritance is the caller's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ManifestEntry Read(AvroBinaryReader reader)
    {
        int? status = null;
        long? snapshotId = null, sequence = null, fileSequence = null;
        DataFile? file = null;
        foreach (var (field, schema) in _entryFields)
        {
            switch (field)
            {
                case EntryField.Status: status = checked((int?)reader.ReadOptionalLong(schema)); break;
                case EntryField.SnapshotId: snapshotId = reader.ReadOptionalLong(schema); break;
                case EntryField.SequenceNumber: sequence = reader.ReadOptionalLong(schema); break;
                case EntryField.FileSequenceNumber: fileSequence = reader.ReadOptionalLong(schema); break;
                case EntryField.DataFile: file = ReadDataFile(reader, reader.Branch(schema)); break;
                default: reader.Skip(schema); break;
            }
        }
        return new ManifestEntry(
            (ManifestEntryStatus)(status ?? throw new InvalidDataException("a manifest entry has no status")),
            snapshotId, sequence, fileSequence, file ?? throw new InvalidDataException("a manifest entry has no data_file"));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DataFile ReadDataFile(AvroBinaryReader reader, AvroSchema branch)
    {
        if (branch.Tag == AvroSchema.Type.Null) throw new InvalidDataException("a manifest entry's data_file is null");
        int content = 0;
        string? path = null, format = null;
        object?[]? partition = null;
        long? records = null, size = null;
        Dictionary<int, long>? columnSizes = null, valueCounts = null, nullCounts = null, nanCounts = null;
        Dictionary<int, byte[]>? lower = null, upper = null;
        byte[]? keyMetadata = null;
        long[]? splitOffsets = null;
        int[]? equalityIds = null;
        int? sortOrderId = null;
        foreach (var (field, schema) in _fileFields)
        {
            switch (field)
            {
                case FileField.Content: content = checked((int)(reader.ReadOptionalLong(schema) ?? 0)); break;
                case FileField.FilePath: path = reader.ReadPrimitive(schema) as string; break;
                case FileField.FileFormat: format = reader.ReadPrimitive(schema) as string; break;
                case FileField.Partition: partition = ReadPartition(reader, reader.Branch(schema)); break;
                case FileField.RecordCount: records = reader.ReadOptionalLong(schema); break;
                case FileField.FileSizeInBytes: size = reader.ReadOptionalLong(schema); break;
                case FileField.ColumnSizes: columnSizes = ReadLongMap(reader, schema); break;
                case FileField.ValueCounts: valueCounts = ReadLongMap(reader, schema); break;
                case FileField.NullValueCounts: nullCounts = ReadLongMap(reader, schema); break;
                case FileField.NanValueCounts: nanCounts = ReadLongMap(reader, schema); break;
                case FileField.LowerBounds: lower = ReadBytesMap(reader, schema); break;
                case FileField.UpperBounds: upper = ReadBytesMap(reader, schema); break;
                case FileField.KeyMetadata: keyMetadata = reader.ReadPrimitive(schema) as byte[]; break;
                case FileField.SplitOffsets: splitOffsets = ReadList(reader, schema, v => v); break;
                case FileField.EqualityIds: equalityIds = ReadList(reader, schema, v => checked((int)v)); break;
                case FileField.SortOrderId: sortOrderId = checked((int?)reader.ReadOptionalLong(schema)); break;
                default: reader.Skip(schema); break;
            }
        }
        return new DataFile
        {
            Content = (FileContent)content,
            FilePath = path ?? throw new InvalidDataException("a data_file has no file_path"),
            FileFormat = FileFormatNames.Parse(format ?? throw new InvalidDataException("a data_file has no file_format")),
            Partition = partition ?? throw new InvalidDataException("a data_file has no partition"),
            RecordCount = records ?? throw new InvalidDataException("a data_file has no record_count"),
            FileSizeInBytes = size ?? throw new InvalidDataException("a data_file has no file_size_in_bytes"),
            ColumnSizes = columnSizes,
            ValueCounts = valueCounts,
            NullValueCounts = nullCounts,
            NanValueCounts = nanCounts,
            LowerBounds = lower,
            UpperBounds = upper,
            KeyMetadata = keyMetadata,
            SplitOffsets = splitOffsets,
            EqualityIds = equalityIds,
            SortOrderId = sortOrderId,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private object?[] ReadPartition(AvroBinaryReader reader, AvroSchema branch)
    {
        if (branch.Tag == AvroSchema.Type.Null) throw new InvalidDataException("a data_file's partition is null");
        var values = new object?[_partitionFields.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = AvroValues.FromAvro(_partitionTypes[i], reader.ReadPrimitive(_partitionFields[i]));
        return values;
    }

    private static Dictionary<int, long>? ReadLongMap(AvroBinaryReader reader, AvroSchema schema) =>
        ReadIntKeyedMap(reader, schema, static (r, s) => r.ReadOptionalLong(s) ?? throw new InvalidDataException("a metric map holds a null count"));

    private static Dictionary<int, byte[]>? ReadBytesMap(AvroBinaryReader reader, AvroSchema schema) =>
        ReadIntKeyedMap(reader, schema, static (r, s) => r.ReadPrimitive(s) as byte[] ?? throw new InvalidDataException("a bound map holds a value that is not bytes"));

    /// <summary>Iceberg's int-keyed maps: arrays of key/value records (the fields in either order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<int, T>? ReadIntKeyedMap<T>(AvroBinaryReader reader, AvroSchema schema, Func<AvroBinaryReader, AvroSchema, T> readValue)
    {
        var branch = reader.Branch(schema);
        if (branch.Tag == AvroSchema.Type.Null) return null;
        var item = (branch as ArraySchema)?.ItemSchema as RecordSchema
            ?? throw new InvalidDataException($"an int-keyed map is stored as {branch.Tag}, not an array of key/value records");
        var result = new Dictionary<int, T>();
        for (var n = reader.BlockCount(); n > 0; n = reader.BlockCount())
        {
            for (long i = 0; i < n; i++)
            {
                int? key = null;
                T value = default!;
                foreach (var field in item.Fields)
                {
                    switch (field.Name)
                    {
                        case "key": key = checked((int?)reader.ReadOptionalLong(field.Schema)); break;
                        case "value": value = readValue(reader, field.Schema); break;
                        default: reader.Skip(field.Schema); break;
                    }
                }
                result[key ?? throw new InvalidDataException("a map entry has no key")] = value;
            }
        }
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T[]? ReadList<T>(AvroBinaryReader reader, AvroSchema schema, Func<long, T> convert)
    {
        var branch = reader.Branch(schema);
        if (branch.Tag == AvroSchema.Type.Null) return null;
        var items = (branch as ArraySchema)?.ItemSchema ?? throw new InvalidDataException($"a list is stored as {branch.Tag}, not an array");
        var result = new List<T>();
        for (var n = reader.BlockCount(); n > 0; n = reader.BlockCount())
            for (long i = 0; i < n; i++)
                result.Add(convert(reader.ReadOptionalLong(items) ?? throw new InvalidDataException("a list holds a null")));
        return result.ToArray();
    }
}
