namespace Faceberg.Core.Iceberg.Spec;

/// <summary>data_file.content (field 134).</summary>
public enum FileContent { Data = 0, PositionDeletes = 1, EqualityDeletes = 2 }

/// <summary>data_file.file_format (field 101), written upper case.</summary>
public enum FileFormat { Avro, Orc, Parquet, Puffin }

public static class FileFormatNames
{
    public static string ToSpecString(this FileFormat format) => format.ToString().ToUpperInvariant();

    public static FileFormat Parse(string text) => text.ToUpperInvariant() switch
    {
        "AVRO" => FileFormat.Avro,
        "ORC" => FileFormat.Orc,
        "PARQUET" => FileFormat.Parquet,
        "PUFFIN" => FileFormat.Puffin,
        _ => throw new FacebergException("UnknownFileFormat", FacebergErrorKind.InvalidData, $"Unknown data file format '{text}'."),
    };
}

/// <summary>
/// A data (or delete) file as a manifest entry's data_file struct describes it.
/// <see cref="Partition"/> holds one value per partition field of the spec, in spec order, in the
/// value representation <see cref="BoundEncoding"/> documents (null for a null partition value).
/// Metric maps are keyed by field id; bounds are in the spec's single-value binary encoding.
/// </summary>
public sealed record DataFile
{
    public FileContent Content { get; init; } = FileContent.Data;
    public required string FilePath { get; init; }
    public FileFormat FileFormat { get; init; } = FileFormat.Parquet;
    public IReadOnlyList<object?> Partition { get; init; } = Array.Empty<object?>();
    public required long RecordCount { get; init; }
    public required long FileSizeInBytes { get; init; }
    public Dictionary<int, long>? ColumnSizes { get; init; }
    public Dictionary<int, long>? ValueCounts { get; init; }
    public Dictionary<int, long>? NullValueCounts { get; init; }
    public Dictionary<int, long>? NanValueCounts { get; init; }
    public Dictionary<int, byte[]>? LowerBounds { get; init; }
    public Dictionary<int, byte[]>? UpperBounds { get; init; }
    public byte[]? KeyMetadata { get; init; }
    public IReadOnlyList<long>? SplitOffsets { get; init; }
    /// <summary>Only for equality delete files.</summary>
    public IReadOnlyList<int>? EqualityIds { get; init; }
    public int? SortOrderId { get; init; }
}
