using System.Collections.Specialized;
using System.Text.Json.Serialization;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Parquet.Schema;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Data;

/// <summary>Every Iceberg type comes back as the documented .NET value, from local files.</summary>
public sealed class ValueTypesReadTests : IDisposable
{
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    private async Task<List<TableRow>> ReadFile(byte[] bytes, string name)
    {
        var path = Path.Combine(_f.Root, name);
        await File.WriteAllBytesAsync(path, bytes);
        var uri = LocalFileIO.ToUri(path);
        var facts = await ReadFixture.Inspect(bytes, uri);
        var table = await _f.CreateTable(Path.GetFileNameWithoutExtension(name), facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();
        return await ReadFixture.ReadAll(new TableScan(table));
    }

    [Fact]
    public async Task Primitive_columns_read_as_their_documented_dotnet_types()
    {
        var schema = new ParquetSchema(
            new DataField<bool?>("b"), new DataField<int?>("i"), new DataField<long?>("l"), new DataField<float?>("f"),
            new DataField<double?>("d"), new DecimalDataField("dec", 10, 2, isNullable: true),
            new DateTimeDataField("date", DateTimeFormat.Date, isNullable: true),
            new DateTimeDataField("ts", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true),
            new DateTimeDataField("tstz", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
            new TimeDataField("t", TimeUnitPrecision.Micros, isNullable: true),
            new DataField<string>("s", true), new DataField<byte[]>("bin", true));
        var full = new Dictionary<string, object?>
        {
            ["b"] = true, ["i"] = -5, ["l"] = 1L << 40, ["f"] = 1.5f, ["d"] = 2.25, ["dec"] = 123.45m,
            ["date"] = new DateTime(2024, 2, 29), ["ts"] = new DateTime(2024, 2, 29, 13, 14, 15, 123).AddTicks(4560),
            ["tstz"] = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc), ["t"] = 3_723_000_001L,
            ["s"] = "héllo ✓", ["bin"] = new ReadOnlyMemory<byte>([0, 1, 255]),
        };
        var empty = schema.DataFields.ToDictionary(f => f.Name, _ => (object?)null);
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeUntypedAsync(new List<IDictionary<string, object?>> { full, empty }, schema, buffer);

        var rows = await ReadFile(buffer.ToArray(), "primitives.parquet");

        var row = rows[0];
        Assert.Equal(true, row["b"]);
        Assert.Equal(-5, row["i"]);
        Assert.Equal(1L << 40, row["l"]);
        Assert.Equal(1.5f, row["f"]);
        Assert.Equal(2.25, row["d"]);
        Assert.Equal(123.45m, row["dec"]);
        Assert.Equal(new DateTime(2024, 2, 29), row["date"]);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)row["date"]!).Kind);
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15, 123).AddTicks(4560), row["ts"]);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)row["ts"]!).Kind);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.Zero), row["tstz"]);
        Assert.Equal(TimeSpan.FromTicks(3_723_000_001L * 10), row["t"]);
        Assert.Equal("héllo ✓", row["s"]);
        Assert.Equal(new byte[] { 0, 1, 255 }, row["bin"]);
        Assert.All(rows[1], Assert.Null);
    }

    public sealed class Point
    {
        [JsonPropertyName("x")] public int X { get; set; }
        [JsonPropertyName("label")] public string? Label { get; set; }
    }

    public sealed class Nested
    {
        [JsonPropertyName("id")] public int Id { get; set; }
        [JsonPropertyName("tags")] public List<string>? Tags { get; set; }
        [JsonPropertyName("point")] public Point? Point { get; set; }
        [JsonPropertyName("attrs")] public Dictionary<string, int>? Attrs { get; set; }
        [JsonPropertyName("points")] public List<Point>? Points { get; set; }
    }

    [Fact]
    public async Task Structs_lists_and_maps_read_as_dictionaries_and_arrays()
    {
        var rows = new List<Nested>
        {
            new() { Id = 1, Tags = ["a", "b"], Point = new Point { X = 3, Label = "p" }, Attrs = new() { ["k"] = 1, ["m"] = 2 }, Points = [new Point { X = 1 }, new Point { X = 2, Label = "two" }] },
            new() { Id = 2, Tags = [], Point = null, Attrs = new(), Points = [] },
            new() { Id = 3, Tags = null, Point = new Point { X = 0, Label = null }, Attrs = null, Points = null },
        };
        var read = await ReadFile(await ReadFixture.ParquetBytes(rows), "nested.parquet");

        Assert.Equal(3, read.Count);
        var first = read[0];
        Assert.Equal(new object?[] { "a", "b" }, (object?[])first["tags"]!);
        var point = Assert.IsType<OrderedDictionary>(first["point"]);
        Assert.Equal(3, point["x"]);
        Assert.Equal("p", point["label"]);
        var attrs = Assert.IsType<Dictionary<object, object?>>(first["attrs"]);
        Assert.Equal(1, attrs["k"]);
        Assert.Equal(2, attrs["m"]);
        var points = (object?[])first["points"]!;
        Assert.Equal(2, points.Length);
        Assert.Equal(1, ((OrderedDictionary)points[0]!)["x"]);
        Assert.Null(((OrderedDictionary)points[0]!)["label"]);
        Assert.Equal("two", ((OrderedDictionary)points[1]!)["label"]);

        var second = read[1];
        Assert.Empty((object?[])second["tags"]!);
        Assert.Null(second["point"]);
        Assert.Empty((Dictionary<object, object?>)second["attrs"]!);
        Assert.Empty((object?[])second["points"]!);

        var third = read[2];
        Assert.Null(third["tags"]);
        Assert.Equal(0, ((OrderedDictionary)third["point"]!)["x"]);
        Assert.Null(((OrderedDictionary)third["point"]!)["label"]);
        Assert.Null(third["attrs"]);
        Assert.Null(third["points"]);
    }
}
