using System.Buffers.Binary;
using System.Numerics;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Meta;
using static Faceberg.Core.Tests.Iceberg.Parquet.Footer;
using PhysicalType = Parquet.Meta.Type;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

/// <summary>Footer statistics as pyarrow/parquet-mr write them, turned into Iceberg metrics.</summary>
public class ParquetStatisticsTests
{
    private const string Uri = "hf://datasets/org/repo@abc/data/train-0.parquet";

    private static byte[] I32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }
    private static byte[] I64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }
    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
    private static byte[] U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }
    private static byte[] F32(float v) { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }
    private static byte[] F64(double v) { var b = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(b, v); return b; }
    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>One column "c" (plus nothing else) with the given chunks, described and turned into a DataFile against its own schema.</summary>
    private static (ParquetColumnFacts Column, DataFile File, Schema Schema) One(N column, params (long Values, long? Nulls, byte[]? Min, byte[]? Max)[] chunks)
    {
        var schema = Schema(column);
        var groups = chunks.Select(c => Group(c.Values, Chunk(column.Element.Name, c.Values, c.Nulls, c.Min, c.Max))).ToArray();
        var facts = ParquetFileInspector.Describe(File(schema, groups), Uri, 12345);
        return (Assert.Single(facts.Columns), facts.ToDataFile(facts.Schema, Array.Empty<object?>(), Uri), facts.Schema);
    }

    private static object? Lower(DataFile file, Schema schema) =>
        file.LowerBounds!.TryGetValue(1, out var b) ? BoundEncoding.Decode((PrimitiveType)schema.Fields[0].Type, b) : null;

    private static object? Upper(DataFile file, Schema schema) =>
        file.UpperBounds!.TryGetValue(1, out var b) ? BoundEncoding.Decode((PrimitiveType)schema.Fields[0].Type, b) : null;

    [Fact]
    public void Aggregates_counts_sizes_and_bounds_over_row_groups()
    {
        var (column, file, schema) = One(P("c", PhysicalType.INT32), (10, 2, I32(5), I32(9)), (20, 0, I32(-3), I32(7)), (5, 5, null, null));
        Assert.Equal(35, column.ValueCount);
        Assert.Equal(300, column.CompressedSize);
        Assert.Equal(7, column.NullCount);
        Assert.Equal(-3, Lower(file, schema));
        Assert.Equal(9, Upper(file, schema));
        Assert.Equal(35, file.RecordCount);
        Assert.Equal(12345, file.FileSizeInBytes);
        Assert.Equal(300, file.ColumnSizes![1]);
        Assert.Equal(35, file.ValueCounts![1]);
        Assert.Equal(7, file.NullValueCounts![1]);
        Assert.Null(file.NanValueCounts);
        Assert.Equal(Uri, file.FilePath);
        Assert.Equal(FileFormat.Parquet, file.FileFormat);
    }

    [Fact]
    public void A_row_group_without_statistics_drops_the_file_bounds_and_null_count()
    {
        var (column, file, _) = One(P("c", PhysicalType.INT32), (10, 0, I32(5), I32(9)), (10, null, null, null));
        Assert.Null(column.LowerBound);
        Assert.Null(column.UpperBound);
        Assert.Null(column.NullCount);
        Assert.False(file.NullValueCounts!.ContainsKey(1));
        Assert.Equal(20, file.ValueCounts![1]);
    }

    [Fact]
    public void A_required_column_without_null_counts_has_none()
    {
        var (column, _, _) = One(P("c", PhysicalType.INT32, Required), (10, null, I32(1), I32(2)));
        Assert.Equal(0, column.NullCount);
    }

    [Fact]
    public void Deprecated_min_max_count_only_for_signed_orders()
    {
        var (_, intFile, intSchema) = One(P("c", PhysicalType.INT64), (3, 0, I64(-5), I64(5)));
        Assert.Equal(-5L, Lower(intFile, intSchema));
        var schema = Schema(P("c", PhysicalType.INT64));
        var deprecated = ParquetFileInspector.Describe(File(schema, Group(3, Chunk("c", 3, 0, I64(-5), I64(5), deprecatedOnly: true))), Uri, 1);
        Assert.Equal(-5L, BoundEncoding.Decode(PrimitiveType.Long, deprecated.Columns[0].LowerBound));

        var strings = ParquetFileInspector.Describe(File(Schema(String("c")), Group(3, Chunk("c", 3, 0, Utf8("a"), Utf8("z"), deprecatedOnly: true))), Uri, 1);
        Assert.Null(strings.Columns[0].LowerBound);
        var unsigned = ParquetFileInspector.Describe(File(Schema(P("c", PhysicalType.INT32, logical: Int(32, false))),
            Group(3, Chunk("c", 3, 0, U32(1), U32(3_000_000_000), deprecatedOnly: true))), Uri, 1);
        Assert.Null(unsigned.Columns[0].LowerBound);
    }

    [Fact]
    public void Unsigned_integers_widen_without_wrapping()
    {
        var (_, file, schema) = One(P("c", PhysicalType.INT32, logical: Int(32, false)), (3, 0, U32(7), U32(4_000_000_000)));
        Assert.Equal(PrimitiveType.Long, schema.Fields[0].Type);
        Assert.Equal(7L, Lower(file, schema));
        Assert.Equal(4_000_000_000L, Upper(file, schema));

        var (_, small, smallSchema) = One(P("c", PhysicalType.INT32, logical: Int(16, false)), (3, 0, U32(1), U32(65535)));
        Assert.Equal(65535, Upper(small, smallSchema));

        var (_, fits, fitsSchema) = One(P("c", PhysicalType.INT64, logical: Int(64, false)), (3, 0, U64(2), U64(long.MaxValue)));
        Assert.Equal(long.MaxValue, Upper(fits, fitsSchema));

        // Above long's range a reader would see negative numbers, so no bound at all is safe.
        var (big, _, _) = One(P("c", PhysicalType.INT64, logical: Int(64, false)), (3, 0, U64(2), U64(ulong.MaxValue)));
        Assert.Null(big.LowerBound);
        Assert.Null(big.UpperBound);
    }

    [Fact]
    public void Int96_timestamps_get_counts_but_no_bounds()
    {
        var twelve = new byte[12];
        var (column, file, schema) = One(P("c", PhysicalType.INT96), (4, 1, twelve, twelve));
        Assert.Equal(PrimitiveType.Timestamp, schema.Fields[0].Type);
        Assert.Null(column.LowerBound);
        Assert.Null(column.UpperBound);
        Assert.Empty(file.LowerBounds!);
        Assert.Equal(1, file.NullValueCounts![1]);
    }

    [Fact]
    public void Timestamps_and_times_become_microseconds()
    {
        var (_, ms, msSchema) = One(P("c", PhysicalType.INT64, logical: Timestamp("ms", true)), (2, 0, I64(1_700_000_000_123), I64(1_700_000_000_999)));
        Assert.Equal(1_700_000_000_123_000L, Lower(ms, msSchema));
        Assert.Equal(1_700_000_000_999_000L, Upper(ms, msSchema));

        // Nanoseconds round outward: the lower bound down, the upper bound up.
        var (_, ns, nsSchema) = One(P("c", PhysicalType.INT64, logical: Timestamp("ns", false)), (2, 0, I64(-1_500), I64(2_000_001)));
        Assert.Equal(-2L, Lower(ns, nsSchema));
        Assert.Equal(2_001L, Upper(ns, nsSchema));

        var (_, time, timeSchema) = One(P("c", PhysicalType.INT32, logical: Time("ms")), (2, 0, I32(1_000), I32(86_399_999)));
        Assert.Equal(1_000_000L, Lower(time, timeSchema));
        Assert.Equal(86_399_999_000L, Upper(time, timeSchema));

        var (_, date, dateSchema) = One(P("c", PhysicalType.INT32, logical: new LogicalType { DATE = new DateType() }), (2, 0, I32(-10), I32(19_000)));
        Assert.Equal(-10, Lower(date, dateSchema));
    }

    [Fact]
    public void Decimals_of_every_physical_encoding_bound_by_unscaled_value()
    {
        var (_, i32, i32Schema) = One(P("c", PhysicalType.INT32, logical: Decimal(9, 2)), (2, 0, I32(-12_345), I32(99_999)));
        Assert.Equal(-123.45m, Lower(i32, i32Schema));
        Assert.Equal(999.99m, Upper(i32, i32Schema));

        var (_, i64, i64Schema) = One(P("c", PhysicalType.INT64, logical: Decimal(18, 4)), (2, 0, I64(-1), I64(123_456_789_012)));
        Assert.Equal(-0.0001m, Lower(i64, i64Schema));
        Assert.Equal(12_345_678.9012m, Upper(i64, i64Schema));

        // 38 digits do not fit System.Decimal, so compare the unscaled two's-complement bytes.
        var big = BigInteger.Parse("-12345678901234567890123456789012345678");
        var max = BigInteger.Parse("99999999999999999999999999999999999999");
        var min16 = big.ToByteArray(isUnsigned: false, isBigEndian: true);
        var padded = new byte[16];
        Array.Fill(padded, (byte)0xFF);
        min16.CopyTo(padded, 16 - min16.Length);
        var maxBytes = max.ToByteArray(isUnsigned: false, isBigEndian: true);
        var (column, _, _) = One(P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: Decimal(38, 10), length: 16), (2, 0, padded, maxBytes));
        Assert.Equal(big, BoundEncoding.DecodeDecimalUnscaled(column.LowerBound));
        Assert.Equal(max, BoundEncoding.DecodeDecimalUnscaled(column.UpperBound));
        Assert.Equal(BoundEncoding.EncodeDecimalUnscaled(big), column.LowerBound);

        var (bin, binFile, binSchema) = One(P("c", PhysicalType.BYTE_ARRAY, logical: Decimal(20, 0)), (2, 0, new byte[] { 0x80 }, new byte[] { 0x01, 0x00 }));
        Assert.Equal(-128m, Lower(binFile, binSchema));
        Assert.Equal(256m, Upper(binFile, binSchema));
    }

    [Fact]
    public void Strings_truncate_to_sixteen_code_points()
    {
        var longMin = "abcdefghijklmnopqrstuvwxyz";
        var longMax = "zzzzzzzzzzzzzzz\U0001F600tail";   // 15 'z', an emoji, then more
        var (_, file, schema) = One(String("c"), (2, 0, Utf8(longMin), Utf8(longMax)));
        Assert.Equal("abcdefghijklmnop", Lower(file, schema));
        Assert.Equal("zzzzzzzzzzzzzzz\U0001F601", Upper(file, schema));

        var (_, shortFile, shortSchema) = One(String("c"), (2, 0, Utf8("héllo"), Utf8("wörld")));
        Assert.Equal("héllo", Lower(shortFile, shortSchema));
        Assert.Equal("wörld", Upper(shortFile, shortSchema));
    }

    [Fact]
    public void Invalid_utf8_statistics_are_dropped()
    {
        var (column, _, _) = One(String("c"), (2, 0, new byte[] { 0xC3 }, Utf8("z")));
        Assert.Null(column.LowerBound);
        Assert.Null(column.UpperBound);
    }

    [Fact]
    public void Binary_truncates_and_an_all_ff_prefix_has_no_upper_bound()
    {
        var min = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        var max = Enumerable.Repeat((byte)0xFF, 20).ToArray();
        var (column, _, _) = One(P("c", PhysicalType.BYTE_ARRAY), (2, 0, min, max));
        Assert.Equal(min.Take(16).ToArray(), column.LowerBound);
        Assert.Null(column.UpperBound);

        var (fixedColumn, _, _) = One(P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, length: 20), (2, 0, min, max));
        Assert.Equal(min, fixedColumn.LowerBound);     // fixed is not truncated
        Assert.Equal(max, fixedColumn.UpperBound);
    }

    [Fact]
    public void Float_bounds_skip_nan_and_widen_zeros()
    {
        var (nan, _, _) = One(P("c", PhysicalType.DOUBLE), (2, 0, F64(double.NaN), F64(3)));
        Assert.Null(nan.LowerBound);

        var (_, zero, zeroSchema) = One(P("c", PhysicalType.FLOAT), (2, 0, F32(0f), F32(-0f)));
        var lower = (float)Lower(zero, zeroSchema)!;
        var upper = (float)Upper(zero, zeroSchema)!;
        Assert.True(float.IsNegative(lower) && lower == 0);
        Assert.True(!float.IsNegative(upper) && upper == 0);

        var half = new byte[2];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5);
        var (_, f16, f16Schema) = One(P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: new LogicalType { FLOAT16 = new Float16Type() }, length: 2), (2, 0, half, half));
        Assert.Equal(1.5f, Lower(f16, f16Schema));
    }

    [Fact]
    public void Uuid_and_boolean_bounds()
    {
        var a = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var (_, uuid, uuidSchema) = One(P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: new LogicalType { UUID = new UUIDType() }, length: 16),
            (2, 0, a.ToByteArray(bigEndian: true), a.ToByteArray(bigEndian: true)));
        Assert.Equal(a, Lower(uuid, uuidSchema));

        var (_, boolean, boolSchema) = One(P("c", PhysicalType.BOOLEAN), (2, 0, new byte[] { 0 }, new byte[] { 1 }));
        Assert.Equal(false, Lower(boolean, boolSchema));
        Assert.Equal(true, Upper(boolean, boolSchema));
    }

    [Fact]
    public void Leaves_inside_lists_get_counts_but_no_bounds()
    {
        var schema = Schema(List("tags", Optional, String("element")), G("s", Optional, P("x", PhysicalType.INT32)));
        var facts = ParquetFileInspector.Describe(File(schema, Group(3,
            Chunk("tags.list.element", 7, 1, Utf8("a"), Utf8("b")),
            Chunk("s.x", 3, 1, I32(1), I32(2)))), Uri, 1);
        var file = facts.ToDataFile(facts.Schema, Array.Empty<object?>(), Uri);
        var elementId = facts.Schema.FindField("tags.element")!.Id;
        var xId = facts.Schema.FindField("s.x")!.Id;
        Assert.Equal(7, file.ValueCounts![elementId]);
        Assert.False(file.LowerBounds!.ContainsKey(elementId));
        Assert.Equal(1, BoundEncoding.Decode(PrimitiveType.Int, file.LowerBounds[xId]));
        Assert.Equal(new long[] { 4 }, file.SplitOffsets);
    }

    [Fact]
    public void Metrics_map_by_column_name_onto_another_table_schema()
    {
        var schema = Schema(P("b", PhysicalType.INT64), String("a"));
        var facts = ParquetFileInspector.Describe(File(schema, Group(2, Chunk("b", 2, 0, I64(1), I64(2)), Chunk("a", 2, 1, Utf8("x"), Utf8("y")))), Uri, 1);
        // The table knows "a" as id 7 and "b" as id 3, with b a different type: counts map, bounds do not.
        var table = new Schema(1, NestedField.Optional(7, "a", PrimitiveType.String), NestedField.Optional(3, "b", PrimitiveType.Int), NestedField.Optional(9, "z", PrimitiveType.Int));
        var file = facts.ToDataFile(table, new object?[] { "train" }, "hf://x.parquet");
        Assert.Equal(new object?[] { "train" }, file.Partition);
        Assert.Equal("x", BoundEncoding.Decode(PrimitiveType.String, file.LowerBounds![7]));
        Assert.Equal(1, file.NullValueCounts![7]);
        Assert.Equal(2, file.ValueCounts![3]);
        Assert.False(file.LowerBounds.ContainsKey(3));
        Assert.False(file.ValueCounts.ContainsKey(9));
    }
}
