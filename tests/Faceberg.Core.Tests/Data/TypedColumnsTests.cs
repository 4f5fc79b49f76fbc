using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Schema;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Data;

/// <summary>Scan batches hold each column in an array of its row type: unboxed values, nulls where the column is optional.</summary>
public sealed class TypedColumnsTests : IDisposable
{
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    private async Task<List<TableRowBatch>> ReadBatches(ParquetSchema schema, List<IDictionary<string, object?>> rows, string name)
    {
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeUntypedAsync(rows, schema, buffer);
        var path = Path.Combine(_f.Root, name + ".parquet");
        await File.WriteAllBytesAsync(path, buffer.ToArray());
        var uri = LocalFileIO.ToUri(path);
        var facts = await ReadFixture.Inspect(buffer.ToArray(), uri);
        var table = await _f.CreateTable(name, facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();
        var batches = new List<TableRowBatch>();
        await foreach (var batch in new TableScan(table).ReadBatchesAsync()) batches.Add(batch);
        return batches;
    }

    [Fact]
    public async Task Optional_columns_are_nullable_arrays_of_their_row_type_and_keep_nulls()
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
            ["date"] = new DateTime(2024, 2, 29), ["ts"] = new DateTime(2024, 2, 29, 13, 14, 15),
            ["tstz"] = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc), ["t"] = 3_723_000_001L,
            ["s"] = "héllo", ["bin"] = new ReadOnlyMemory<byte>([0, 1, 255]),
        };
        var empty = schema.DataFields.ToDictionary(f => f.Name, _ => (object?)null);

        var batch = Assert.Single(await ReadBatches(schema, [full, empty, full], "optional"));

        var expected = new[]
        {
            typeof(bool?[]), typeof(int?[]), typeof(long?[]), typeof(float?[]), typeof(double?[]), typeof(decimal?[]),
            typeof(DateTime?[]), typeof(DateTime?[]), typeof(DateTimeOffset?[]), typeof(TimeSpan?[]), typeof(string[]), typeof(byte[][]),
        };
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(c => batch.Column(c).GetType()));
        Assert.Equal(new long?[] { 1L << 40, null, 1L << 40 }, ((long?[])batch.Column(2)).Take(3));
        Assert.Equal(new[] { "héllo", null, "héllo" }, ((string?[])batch.Column(10)).Take(3));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.Zero), ((DateTimeOffset?[])batch.Column(8))[0]);
        Assert.All(Enumerable.Range(0, expected.Length), c => Assert.Null(batch.Value(c, 1)));
        Assert.Equal(2.25, batch.Value(4, 2));
    }

    [Fact]
    public async Task Required_columns_are_arrays_of_the_value_type_and_nested_columns_are_objects()
    {
        var schema = new ParquetSchema(new DataField<long>("id"), new DataField<double>("x"), new DataField<bool>("flag"),
            new StructField("point", new DataField<int>("px")));
        var rows = Enumerable.Range(0, 5000).Select(i => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["id"] = (long)i, ["x"] = i / 2.0, ["flag"] = i % 3 == 0, ["point"] = new Dictionary<string, object?> { ["px"] = i },
        }).ToList();

        var batches = await ReadBatches(schema, rows, "required");

        Assert.Equal([TableScan.BatchRows, 5000 - TableScan.BatchRows], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.Equal([typeof(long[]), typeof(double[]), typeof(bool[]), typeof(object[])],
            Enumerable.Range(0, 4).Select(c => b.Column(c).GetType())));
        var ids = batches.SelectMany(b => ((long[])b.Column(0)).Take(b.Count)).ToList();
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), ids);
        var second = batches[1];
        Assert.Equal((TableScan.BatchRows + 7) / 2.0, ((double[])second.Column(1))[7]);
        Assert.Equal((TableScan.BatchRows + 7) % 3 == 0, ((bool[])second.Column(2))[7]);
        Assert.Equal(TableScan.BatchRows + 7, ((System.Collections.Specialized.OrderedDictionary)second.Value(3, 7)!)["px"]);
    }

    [Fact]
    public void A_null_in_a_column_of_a_non_nullable_type_turns_its_array_nullable_with_the_values_kept()
    {
        var field = new NestedField(1, "n", PrimitiveType.Long, Required: true);
        Assert.Equal(typeof(long), TypedColumns.ElementType(field));
        Assert.Equal(typeof(long?), TypedColumns.ElementType(field with { Required = false }));
        var column = TypedColumns.New(typeof(long), 3);
        TypedColumns.Set(ref column, 0, 7L);
        TypedColumns.Set(ref column, 1, null);
        TypedColumns.Set(ref column, 2, 9L);

        Assert.Equal(new long?[] { 7, null, 9 }, Assert.IsType<long?[]>(column));
    }
}
