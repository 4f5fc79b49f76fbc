using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Data.Writing;

/// <summary>The column buffers a write stripes into are pooled and reused: no write may see another's rows.</summary>
public sealed class ParquetDataWriterTests
{
    private static readonly NestedField[] Columns =
    [
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "text", PrimitiveType.String),
        NestedField.Optional(3, "score", PrimitiveType.Double),
        NestedField.Optional(4, "tags", new ListType(5, PrimitiveType.String, false)),
        NestedField.Optional(6, "meta", new StructType(NestedField.Optional(7, "source", PrimitiveType.String), NestedField.Optional(8, "year", PrimitiveType.Int))),
    ];

    private static List<object?[]> Rows(int count, long start, string prefix) =>
        Enumerable.Range(0, count).Select(i => new object?[]
        {
            start + i,
            i % 4 == 0 ? null : $"{prefix} {start + i}",
            i % 3 == 0 ? null : i * 0.5,
            i % 5 == 0 ? null : Enumerable.Range(0, i % 4).Select(t => (object?)$"{prefix}{t}").ToList(),
            i % 7 == 0 ? null : new object?[] { prefix, i % 6 == 0 ? null : 2000 + i },
        }).ToList();

    [Fact]
    public async Task A_file_is_the_same_bytes_whatever_was_written_before_it_with_the_pooled_buffers()
    {
        var small = Rows(300, 0, "small");
        var first = await ParquetDataWriter.WriteAsync(Columns, small, rowGroupRows: 128, keyValueMetadata: null, CancellationToken.None);

        // A larger write leaves longer, different content in the buffers it returns to the pool.
        await ParquetDataWriter.WriteAsync(Columns, Rows(5000, 10_000, "a much longer text"), rowGroupRows: 4096, keyValueMetadata: null, CancellationToken.None);
        var again = await ParquetDataWriter.WriteAsync(Columns, small, rowGroupRows: 128, keyValueMetadata: null, CancellationToken.None);

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_disposed_writer_returns_its_buffers_and_later_writes_are_unaffected()
    {
        var rows = Rows(2000, 0, "x");
        var expected = await ParquetDataWriter.WriteAsync(Columns, rows, rowGroupRows: 1000, keyValueMetadata: null, CancellationToken.None);

        // Abandoned mid-group (as when a later row is invalid or the write is cancelled).
        var abandoned = new ParquetDataWriter(Columns, null, ParquetLayout.FixedRowGroups(1000), expectedRows: 2000);
        foreach (var row in Rows(1500, 50_000, "abandoned")) await abandoned.AddAsync(row, 0, CancellationToken.None);
        await abandoned.DisposeAsync();

        Assert.Equal(expected, await ParquetDataWriter.WriteAsync(Columns, rows, rowGroupRows: 1000, keyValueMetadata: null, CancellationToken.None));
    }
}
