using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Iceberg;

/// <summary>A scratch directory holding one table location, removed on dispose.</summary>
internal sealed class TempTableDir : IDisposable
{
    public TempTableDir()
    {
        Directory = Path.Combine(Path.GetTempPath(), "faceberg-iceberg-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Location = LocalFileIO.ToUri(Path.Combine(Directory, "table"));
    }

    public string Directory { get; }
    public string Location { get; }
    public string MetadataDir => Path.Combine(Directory, "table", "metadata");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

internal static class TableFixtures
{
    public static readonly Schema TestSchema = new(0, new[]
    {
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "text", PrimitiveType.String),
        NestedField.Optional(3, "split", PrimitiveType.String),
    });

    public static PartitionSpec SplitSpec => PartitionSpec.Identity(TestSchema, "split");

    public static DataFile File(string location, string name, string? split, long rows = 10, long size = 1000) => new()
    {
        FilePath = $"{location}/data/{name}.parquet",
        Partition = split == null ? Array.Empty<object?>() : new object?[] { split },
        RecordCount = rows,
        FileSizeInBytes = size,
        ValueCounts = new() { [1] = rows },
        NullValueCounts = new() { [1] = 0 },
        LowerBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, 0L) },
        UpperBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, rows - 1) },
    };
}
