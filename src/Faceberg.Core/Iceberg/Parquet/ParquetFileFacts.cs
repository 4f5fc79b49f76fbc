using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>Footer facts about one column chunk. Min/Max are decoded Iceberg values (decimals as unscaled BigInteger), untruncated; null when unusable.</summary>
public sealed record ParquetColumnChunkFacts(
    IReadOnlyList<string> ParquetPath,
    long CompressedSize,
    long UncompressedSize,
    long ValueCount,
    long? NullCount,
    object? Min,
    object? Max);

public sealed record ParquetRowGroupFacts(int Index, long RowCount, long StartOffset, long CompressedSize, IReadOnlyList<ParquetColumnChunkFacts> Columns);

/// <summary>
/// File-level metrics of one leaf column, ready for a manifest entry: bounds are in the spec's binary
/// encoding for <see cref="ParquetLeafColumn.Type"/>, strings and binary truncated per truncate(16).
/// </summary>
public sealed record ParquetColumnFacts(
    ParquetLeafColumn Leaf,
    long CompressedSize,
    long ValueCount,
    long? NullCount,
    byte[]? LowerBound,
    byte[]? UpperBound);

/// <summary>What a Parquet footer says about a file, in Iceberg terms.</summary>
public sealed class ParquetFileFacts
{
    public required string FileUri { get; init; }
    public required long FileSizeInBytes { get; init; }
    public required long RecordCount { get; init; }
    public string? CreatedBy { get; init; }

    /// <summary>The file's own Iceberg schema (ids per <see cref="ParquetSchemaConverter"/>, Hugging Face feature docs applied).</summary>
    public required Schema Schema { get; init; }
    public required IReadOnlyList<ParquetLeafColumn> Leaves { get; init; }
    public required IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; }
    public HuggingFaceFeatures? HuggingFaceFeatures { get; init; }
    public required IReadOnlyList<ParquetRowGroupFacts> RowGroups { get; init; }
    public required IReadOnlyList<ParquetColumnFacts> Columns { get; init; }

    /// <summary>
    /// The manifest entry for this file in a table whose schema is <paramref name="tableSchema"/>: see
    /// <see cref="ParquetFileStatistics.ToDataFile"/>, which keeps only what the entry needs.
    /// </summary>
    public DataFile ToDataFile(Schema tableSchema, IReadOnlyList<object?> partitionValues, string filePath) =>
        ParquetFileStatistics.Of(this).ToDataFile(tableSchema, partitionValues, filePath);

    /// <summary>Walks Iceberg name segments: struct fields by name, lists by "element", maps by "key"/"value".</summary>
    internal static NestedField? FindByPath(StructType root, IReadOnlyList<string> path)
    {
        IcebergType current = root;
        NestedField? field = null;
        foreach (var segment in path)
        {
            field = current switch
            {
                StructType s => s.Field(segment),
                Spec.ListType l when segment == "element" => l.ElementField,
                Spec.MapType m when segment == "key" => m.KeyField,
                Spec.MapType m when segment == "value" => m.ValueField,
                _ => null,
            };
            if (field == null) return null;
            current = field.Type;
        }
        return field;
    }
}
