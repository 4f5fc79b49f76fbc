using System.Buffers.Binary;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

/// <summary>Real Parquet files written by Parquet.Net, inspected end to end.</summary>
public class ParquetFileInspectorTests
{
    private const string Uri = "hf://datasets/org/repo@abc/data/train-0.parquet";

    internal static async Task<MemoryStream> WriteAsync(ParquetSchema schema, IReadOnlyCollection<IDictionary<string, object?>> rows,
        IReadOnlyDictionary<string, string>? metadata = null, int? rowGroupSize = null)
    {
        var stream = new MemoryStream();
        var options = new ParquetOptions();
        if (rowGroupSize is int size) options.RowGroupSize = size;
        await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, options, metadata);
        stream.Position = 0;
        return stream;
    }

    private static readonly DateTime T1 = new(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2025, 6, 7, 8, 9, 10, 111, DateTimeKind.Utc);
    private static long Micros(DateTime t) => (t - DateTime.UnixEpoch).Ticks / 10;

    private static ParquetSchema AllTypes() => new(
        new DataField<bool>("flag"),
        new DataField<sbyte>("i8"),
        new DataField<byte>("u8"),
        new DataField<short>("i16"),
        new DataField<ushort>("u16"),
        new DataField<int>("i32"),
        new DataField<uint>("u32"),
        new DataField<long?>("i64"),
        new DataField<ulong>("u64"),
        new DataField<float>("f32"),
        new DataField<double>("f64"),
        new DataField<string>("text"),
        new DataField<byte[]>("blob"),
        new DecimalDataField("d9", 9, 2),
        new DecimalDataField("d18", 18, 4),
        new DecimalDataField("d30", 30, 5),
        new DateTimeDataField("day", DateTimeFormat.Date),
        new DateTimeDataField("ts_ms", DateTimeFormat.DateAndTime),
        new DateTimeDataField("ts_us", DateTimeFormat.DateAndTimeMicros),
        new DateTimeDataField("ts_local", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Millis),
        new DateTimeDataField("ts_ns", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos),
        new DateTimeDataField("legacy", DateTimeFormat.Impala),
        new TimeDataField("t_ms", TimeUnitPrecision.Millis),
        new TimeDataField("t_us", TimeUnitPrecision.Micros),
        new DataField<Guid>("id"));

    private static Dictionary<string, object?> Row(int n, DateTime t, long? i64, string text) => new()
    {
        ["flag"] = n % 2 == 0,
        ["i8"] = (sbyte)(n == 0 ? -100 : 100),
        ["u8"] = (byte)(n == 0 ? 1 : 250),
        ["i16"] = (short)(n == 0 ? -30000 : 30000),
        ["u16"] = (ushort)(n == 0 ? 2 : 65000),
        ["i32"] = n == 0 ? int.MinValue : int.MaxValue,
        ["u32"] = n == 0 ? 3u : 4_000_000_000u,
        ["i64"] = i64,
        ["u64"] = n == 0 ? 5ul : ulong.MaxValue,
        ["f32"] = n == 0 ? -1.5f : 2.25f,
        ["f64"] = n == 0 ? -1e300 : 1e300,
        ["text"] = text,
        ["blob"] = new ReadOnlyMemory<byte>(new byte[] { (byte)n, 0xAB }),
        ["d9"] = n == 0 ? -1234567.89m : 1234567.89m,
        ["d18"] = n == 0 ? -12345678901234.5678m : 0.0001m,
        ["d30"] = n == 0 ? -12345.6789m : 98765432101234567.12345m,
        ["day"] = t.Date,
        ["ts_ms"] = t,
        ["ts_us"] = t,
        ["ts_local"] = t,
        ["ts_ns"] = t,
        ["legacy"] = t,
        ["t_ms"] = n == 0 ? 1_000 : 86_399_000,
        ["t_us"] = n == 0 ? 5L : 86_399_000_000L,
        ["id"] = n == 0 ? Guid.Parse("00000000-0000-0000-0000-000000000001") : Guid.Parse("ffffffff-0000-0000-0000-000000000000"),
    };

    private static async Task<ParquetFileFacts> AllTypesFactsAsync()
    {
        var rows = new[] { Row(0, T1, 7, "apple"), Row(1, T2, null, "zebra") };
        using var stream = await WriteAsync(AllTypes(), rows);
        return await ParquetFileInspector.InspectAsync(stream, Uri);
    }

    [Fact]
    public async Task Converts_the_schema_of_every_type_parquet_net_writes()
    {
        var facts = await AllTypesFactsAsync();
        var types = facts.Schema.Fields.ToDictionary(f => f.Name, f => f.Type.ToString()!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["flag"] = "boolean", ["i8"] = "int", ["u8"] = "int", ["i16"] = "int", ["u16"] = "int", ["i32"] = "int",
            ["u32"] = "long", ["i64"] = "long", ["u64"] = "long", ["f32"] = "float", ["f64"] = "double",
            ["text"] = "string", ["blob"] = "binary", ["d9"] = "decimal(9,2)", ["d18"] = "decimal(18,4)",
            ["d30"] = "decimal(30,5)", ["day"] = "date", ["ts_ms"] = "timestamptz", ["ts_us"] = "timestamptz",
            ["ts_local"] = "timestamp", ["ts_ns"] = "timestamptz", ["legacy"] = "timestamp", ["t_ms"] = "time",
            ["t_us"] = "time", ["id"] = "uuid",
        }, types);
        Assert.Equal(Enumerable.Range(1, 25), facts.Schema.Fields.Select(f => f.Id));
        Assert.Equal(2, facts.RecordCount);
        Assert.True(facts.FileSizeInBytes > 100);
        Assert.StartsWith("Parquet.Net", facts.CreatedBy);
    }

    public sealed class Point { public double X { get; set; } }
    public sealed class Meta { public int A { get; set; } public List<Point>? B { get; set; } }
    public sealed class NestedRow
    {
        public long Id { get; set; }
        public List<string>? Tags { get; set; }
        public Meta? Meta { get; set; }
        public Dictionary<string, int?>? Attrs { get; set; }
        public List<List<int>>? Matrix { get; set; }
    }

    [Fact]
    public async Task Nested_columns_convert_and_count()
    {
        var rows = new[]
        {
            new NestedRow { Id = 1, Tags = new() { "x", "y" }, Meta = new Meta { A = 10, B = new() { new Point { X = 0.5 } } }, Attrs = new() { ["k"] = 1 }, Matrix = new() { new() { 1, 2 }, new() { 3 } } },
            new NestedRow { Id = 2, Tags = new(), Meta = new Meta { A = 11, B = new() }, Attrs = new() { ["a"] = null, ["b"] = 2 }, Matrix = new() },
        };
        using var stream = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, stream);
        stream.Position = 0;
        var facts = await ParquetFileInspector.InspectAsync(stream, Uri);

        Assert.Equal(new[] { "Id", "Tags", "Meta", "Attrs", "Matrix" }, facts.Schema.Fields.Select(f => f.Name));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, facts.Schema.Fields.Select(f => f.Id));
        Assert.Equal("long", facts.Schema.FindField("Id")!.Type.ToString());
        Assert.Equal("list<string>", facts.Schema.FindField("Tags")!.Type.ToString());
        Assert.Equal("map<string, int>", facts.Schema.FindField("Attrs")!.Type.ToString());
        Assert.Equal("list<list<int>>", facts.Schema.FindField("Matrix")!.Type.ToString());
        Assert.Equal(PrimitiveType.Double, facts.Schema.FindField("Meta.B.element.X")!.Type);
        Assert.Equal(6, facts.Schema.FindField("Tags.element")!.Id);
        Assert.Equal(new[] { 7, 8 }, ((StructType)facts.Schema.FindField("Meta")!.Type).Fields.Select(f => f.Id));

        var file = facts.ToDataFile(facts.Schema, Array.Empty<object?>(), Uri);
        int Id(string name) => facts.Schema.FindField(name)!.Id;
        Assert.Equal(3, file.ValueCounts![Id("Tags.element")]);         // x, y and the empty list's slot
        Assert.Equal(3, file.ValueCounts[Id("Attrs.key")]);
        Assert.Equal(1, file.NullValueCounts![Id("Attrs.value")]);
        Assert.Equal(4, file.ValueCounts[Id("Matrix.element.element")]);
        Assert.Equal(10, BoundEncoding.Decode(PrimitiveType.Int, file.LowerBounds![Id("Meta.A")]));
        Assert.Equal(11, BoundEncoding.Decode(PrimitiveType.Int, file.UpperBounds![Id("Meta.A")]));
        Assert.False(file.LowerBounds.ContainsKey(Id("Tags.element")));
        Assert.Equal(new[] { "Id", "Tags.list.element", "Meta.A", "Meta.B.list.element.X", "Attrs.key_value.key", "Attrs.key_value.value", "Matrix.list.element.list.element" },
            facts.Leaves.Select(l => l.ParquetPathString));
    }

    [Fact]
    public async Task Statistics_decode_back_to_the_values_written()
    {
        var facts = await AllTypesFactsAsync();
        var file = facts.ToDataFile(facts.Schema, Array.Empty<object?>(), Uri);
        object? Lower(string name) => Bound(file.LowerBounds!, name);
        object? Upper(string name) => Bound(file.UpperBounds!, name);
        object? Bound(Dictionary<int, byte[]> bounds, string name)
        {
            var field = facts.Schema.FindField(name)!;
            return bounds.TryGetValue(field.Id, out var b) ? BoundEncoding.Decode((PrimitiveType)field.Type, b) : null;
        }

        Assert.Equal((-100, 100), (Lower("i8"), Upper("i8")));
        Assert.Equal((1, 250), (Lower("u8"), Upper("u8")));
        Assert.Equal((-30000, 30000), (Lower("i16"), Upper("i16")));
        Assert.Equal((2, 65000), (Lower("u16"), Upper("u16")));
        Assert.Equal((int.MinValue, int.MaxValue), (Lower("i32"), Upper("i32")));
        Assert.Equal((3L, 4_000_000_000L), (Lower("u32"), Upper("u32")));
        Assert.Equal((7L, 7L), (Lower("i64"), Upper("i64")));
        Assert.Equal((-1.5f, 2.25f), (Lower("f32"), Upper("f32")));
        Assert.Equal((-1e300, 1e300), (Lower("f64"), Upper("f64")));
        Assert.Equal(("apple", "zebra"), (Lower("text"), Upper("text")));
        Assert.Equal((-1234567.89m, 1234567.89m), (Lower("d9"), Upper("d9")));
        Assert.Equal((-12345678901234.5678m, 0.0001m), (Lower("d18"), Upper("d18")));
        Assert.Equal((-12345.6789m, 98765432101234567.12345m), (Lower("d30"), Upper("d30")));
        Assert.Equal(((int)(T1.Date - DateTime.UnixEpoch).TotalDays, (int)(T2.Date - DateTime.UnixEpoch).TotalDays), (Lower("day"), Upper("day")));
        Assert.Equal((Micros(T1), Micros(T2)), (Lower("ts_ms"), Upper("ts_ms")));
        Assert.Equal((Micros(T1), Micros(T2)), (Lower("ts_local"), Upper("ts_local")));
        Assert.Equal((1_000_000L, 86_399_000_000L), (Lower("t_ms"), Upper("t_ms")));
        Assert.Equal((5L, 86_399_000_000L), (Lower("t_us"), Upper("t_us")));

        // No bounds where they would be wrong or meaningless: Parquet.Net's micro/nano timestamp and uuid
        // statistics (see ParquetWriterQuirks), INT96, a uint64 maximum beyond long, booleans (Parquet.Net writes none).
        foreach (var name in new[] { "ts_us", "ts_ns", "id", "legacy", "u64", "flag" })
        {
            Assert.Null(Lower(name));
            Assert.Null(Upper(name));
        }

        Assert.Equal(1, file.NullValueCounts![facts.Schema.FindField("i64")!.Id]);
        Assert.Equal(0, file.NullValueCounts[facts.Schema.FindField("text")!.Id]);
        Assert.Equal(2, file.ValueCounts![facts.Schema.FindField("i64")!.Id]);
        Assert.All(facts.Leaves, l => Assert.True(file.ColumnSizes!.ContainsKey(facts.Schema.FindField(string.Join('.', l.IcebergPath))!.Id)));
        Assert.All(file.ColumnSizes!.Values, size => Assert.True(size > 0));
    }

    [Fact]
    public async Task Parquet_net_writes_micro_and_nano_timestamp_statistics_in_milliseconds()
    {
        // Verifies the writer quirk the inspector guards against; if a Parquet.Net upgrade fixes it, this fails.
        var schema = new ParquetSchema(
            new DateTimeDataField("us", DateTimeFormat.DateAndTimeMicros),
            new DateTimeDataField("ns", DateTimeFormat.Timestamp, unit: DateTimeTimeUnit.Nanos));
        using var stream = await WriteAsync(schema, new[] { new Dictionary<string, object?> { ["us"] = T1, ["ns"] = T1 } });
        await using var reader = await ParquetReader.CreateAsync(stream);
        var millis = (T1 - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
        foreach (var chunk in reader.Metadata!.RowGroups[0].Columns)
            Assert.Equal(millis, BinaryPrimitives.ReadInt64LittleEndian(chunk.MetaData!.Statistics!.MinValue));
    }

    [Fact]
    public async Task Parquet_net_string_bounds_are_dropped_where_utf16_order_differs_from_utf8()
    {
        var schema = new ParquetSchema(new DataField<string>("s"), new DataField<string>("plain"));
        var rows = new[]
        {
            new Dictionary<string, object?> { ["s"] = "\uE000", ["plain"] = "b" },
            new Dictionary<string, object?> { ["s"] = "\U0001F600", ["plain"] = "a" },
        };
        using var stream = await WriteAsync(schema, rows);
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            // Parquet.Net reports min "😀" (its surrogates sort below U+E000), but in UTF-8 order U+E000 is smaller.
            var raw = reader.Metadata!.RowGroups[0].Columns[0].MetaData!.Statistics!.MinValue!;
            Assert.Equal("\U0001F600", System.Text.Encoding.UTF8.GetString(raw));
        }
        stream.Position = 0;
        var facts = await ParquetFileInspector.InspectAsync(stream, Uri);
        Assert.Null(facts.Columns[0].LowerBound);
        Assert.Null(facts.Columns[0].UpperBound);
        Assert.Equal("a", BoundEncoding.Decode(PrimitiveType.String, facts.Columns[1].LowerBound));
    }

    [Fact]
    public async Task Several_row_groups_aggregate_and_give_split_offsets()
    {
        var schema = new ParquetSchema(new DataField<int>("n"), new DataField<string>("s"));
        var rows = Enumerable.Range(0, 10).Select(i => (IDictionary<string, object?>)new Dictionary<string, object?> { ["n"] = i * 3 - 5, ["s"] = new string((char)('a' + i), 20) }).ToArray();
        using var stream = await WriteAsync(schema, rows, rowGroupSize: 4);
        var facts = await ParquetFileInspector.InspectAsync(stream, Uri);

        Assert.Equal(3, facts.RowGroups.Count);
        Assert.Equal(new long[] { 4, 4, 2 }, facts.RowGroups.Select(g => g.RowCount));
        Assert.Equal(10, facts.RecordCount);
        var file = facts.ToDataFile(facts.Schema, Array.Empty<object?>(), Uri);
        Assert.Equal(-5, BoundEncoding.Decode(PrimitiveType.Int, file.LowerBounds![1]));
        Assert.Equal(22, BoundEncoding.Decode(PrimitiveType.Int, file.UpperBounds![1]));
        Assert.Equal(10, file.ValueCounts![1]);
        Assert.Equal(facts.RowGroups.Sum(g => g.Columns[0].CompressedSize), file.ColumnSizes![1]);
        // 20-character strings: the lower bound is cut to 16, the upper bound cut and incremented.
        Assert.Equal(new string('a', 16), BoundEncoding.Decode(PrimitiveType.String, file.LowerBounds[2]));
        Assert.Equal(new string('j', 15) + "k", BoundEncoding.Decode(PrimitiveType.String, file.UpperBounds![2]));
        Assert.Equal(3, file.SplitOffsets!.Count);
        Assert.Equal(file.SplitOffsets.Order(), file.SplitOffsets);
        Assert.Equal(4, file.SplitOffsets[0]);
    }

    [Fact]
    public async Task Hugging_face_features_become_column_docs()
    {
        var schema = new ParquetSchema(new DataField<string>("text"), new DataField<long>("label"));
        const string features = """{"info":{"features":{"text":{"dtype":"string","_type":"Value"},"label":{"names":["neg","pos"],"_type":"ClassLabel"}}}}""";
        using var stream = await WriteAsync(schema, new[] { new Dictionary<string, object?> { ["text"] = "t", ["label"] = 1L } },
            new Dictionary<string, string> { ["huggingface"] = features });
        var facts = await ParquetFileInspector.InspectAsync(stream, Uri);
        Assert.Equal("Value (string)", facts.Schema.FindField("text")!.Doc);
        Assert.Equal("ClassLabel: 0=neg, 1=pos", facts.Schema.FindField("label")!.Doc);
        Assert.Equal(features, facts.KeyValueMetadata["huggingface"]);
        Assert.Equal(new[] { "neg", "pos" }, facts.HuggingFaceFeatures!.ClassLabelNames["label"]);
    }

    [Fact]
    public async Task Files_inspected_separately_map_onto_one_table_schema()
    {
        var first = new ParquetSchema(new DataField<string>("text"), new DataField<long>("n"));
        var second = new ParquetSchema(new DataField<long>("n"), new DataField<double>("score"), new DataField<string>("text"));
        using var s1 = await WriteAsync(first, new[] { new Dictionary<string, object?> { ["text"] = "a", ["n"] = 1L } });
        using var s2 = await WriteAsync(second, new[] { new Dictionary<string, object?> { ["n"] = 2L, ["score"] = 0.5, ["text"] = "b" } });
        var f1 = await ParquetFileInspector.InspectAsync(s1, "hf://one.parquet");
        var f2 = await ParquetFileInspector.InspectAsync(s2, "hf://two.parquet");

        var table = SchemaUnion.Union(new[] { (f1.FileUri, f1.Schema), (f2.FileUri, f2.Schema) });
        Assert.Equal(new[] { (1, "text"), (2, "n"), (3, "score") }, table.Fields.Select(f => (f.Id, f.Name)));
        var d2 = f2.ToDataFile(table, Array.Empty<object?>(), f2.FileUri);
        Assert.Equal(2L, BoundEncoding.Decode(PrimitiveType.Long, d2.LowerBounds![2]));
        Assert.Equal(0.5, BoundEncoding.Decode(PrimitiveType.Double, d2.LowerBounds[3]));
        Assert.Equal("b", BoundEncoding.Decode(PrimitiveType.String, d2.LowerBounds[1]));
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_fails_naming_the_file()
    {
        using var stream = new MemoryStream(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var e = await Assert.ThrowsAsync<FacebergException>(() => ParquetFileInspector.InspectAsync(stream, Uri));
        Assert.Equal("InvalidParquetFile", e.ErrorId);
        Assert.Equal(FacebergErrorKind.InvalidData, e.Kind);
        Assert.Contains(Uri, e.Message);
    }
}
