using System.Numerics;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Iceberg;

public class BoundEncodingTests
{
    public static TheoryData<string, object, string> Cases => new()
    {
        { "boolean", true, "01" },
        { "boolean", false, "00" },
        { "int", 1, "01000000" },
        { "int", -2, "FEFFFFFF" },
        { "long", 1L, "0100000000000000" },
        { "float", 1.0f, "0000803F" },
        { "double", -2.0d, "00000000000000C0" },
        { "date", 17486, "4E440000" },                       // 2017-11-16
        { "time", 81068000000L, "008307E012000000" },        // 22:31:08
        { "timestamp", 1510871468000000L, "00C3262D215E0500" },
        { "timestamptz", 1510871468000001L, "01C3262D215E0500" },
        { "timestamp_ns", 1510871468000000001L, "01B8695F98B1F714" },
        { "timestamptz_ns", -1L, "FFFFFFFFFFFFFFFF" },
        { "string", "iceberg", "69636562657267" },
        { "string", "é", "C3A9" },
        { "binary", new byte[] { 0, 1, 2, 3 }, "00010203" },
        { "fixed[4]", new byte[] { 0, 1, 2, 3 }, "00010203" },
        { "uuid", Guid.Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7"), "F79C3E09677C4BBDA4793F349CB785E7" },
        { "decimal(9,2)", 14.20m, "058C" },                   // unscaled 1420, minimal two's complement
        { "decimal(9,2)", -0.01m, "FF" },
        { "decimal(9,2)", 1.28m, "0080" },                    // needs a sign byte
        { "decimal(38,0)", 0m, "00" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_primitive_encodes_per_appendix_d_and_decodes_back(string typeName, object value, string hex)
    {
        var type = PrimitiveType.Parse(typeName);
        var bytes = BoundEncoding.Encode(type, value);
        Assert.Equal(hex, Convert.ToHexString(bytes));
        var decoded = BoundEncoding.Decode(type, bytes);
        if (value is byte[] b) Assert.Equal(b, (byte[])decoded);
        else Assert.Equal(value, decoded);
    }

    [Fact]
    public void Decimal_unscaled_helpers_handle_precision_38()
    {
        var big = BigInteger.Pow(10, 37) * 9;
        var bytes = BoundEncoding.EncodeDecimalUnscaled(big);
        Assert.Equal(16, bytes.Length);
        Assert.Equal(big, BoundEncoding.DecodeDecimalUnscaled(bytes));
        Assert.Equal(-129, (int)BoundEncoding.DecodeDecimalUnscaled(Convert.FromHexString("FF7F")));
        Assert.Throws<FacebergException>(() => BoundEncoding.Encode(new DecimalType(9, 1), 1.25m));
    }

    [Fact]
    public void Wrong_clr_type_or_length_is_a_clear_error()
    {
        var ex = Assert.Throws<FacebergException>(() => BoundEncoding.Encode(PrimitiveType.Long, 1));
        Assert.Contains("long", ex.Message);
        Assert.Throws<FacebergException>(() => BoundEncoding.Decode(PrimitiveType.Int, new byte[3]));
        Assert.Throws<FacebergException>(() => BoundEncoding.Encode(new FixedType(2), new byte[3]));
    }

    [Fact]
    public void Promoted_types_read_narrow_bounds()
    {
        Assert.Equal(5L, BoundEncoding.Decode(PrimitiveType.Long, BoundEncoding.Encode(PrimitiveType.Int, 5)));
        Assert.Equal(1.5d, BoundEncoding.Decode(PrimitiveType.Double, BoundEncoding.Encode(PrimitiveType.Float, 1.5f)));
    }

    [Fact]
    public void String_truncation_counts_code_points_not_bytes()
    {
        Assert.Equal("abc", BoundEncoding.TruncateStringLower("abc"));
        Assert.Equal("abcdefghijklmnop", BoundEncoding.TruncateStringLower("abcdefghijklmnopqrstuvwxyz"));
        Assert.Equal("abcdefghijklmnoq", BoundEncoding.TruncateStringUpper("abcdefghijklmnopqrstuvwxyz"));
        Assert.Equal("abc", BoundEncoding.TruncateStringUpper("abc"));
        // Multi-byte code points stay whole: 3 code points of 2 and 4 bytes.
        Assert.Equal("éé", BoundEncoding.TruncateStringLower("ééé", 2));
        Assert.Equal("😀😀", BoundEncoding.TruncateStringLower("😀😀😀", 2));
        Assert.Equal("😀😁", BoundEncoding.TruncateStringUpper("😀😀😀", 2));
        Assert.Equal("aê", BoundEncoding.TruncateStringUpper("aéz", 2));
    }

    [Fact]
    public void Upper_bound_increment_skips_surrogates_and_drops_maximal_code_points()
    {
        Assert.Equal("a\uE000", BoundEncoding.TruncateStringUpper("a\uD7FFz", 2));
        var max = char.ConvertFromUtf32(0x10FFFF);
        Assert.Equal("b", BoundEncoding.TruncateStringUpper("a" + max + "z", 2));
        Assert.Null(BoundEncoding.TruncateStringUpper(max + max + "z", 2));
        var upper = BoundEncoding.TruncateStringUpper("zzzzzzzzzzzzzzzzzzzz")!;
        Assert.True(string.CompareOrdinal(upper, "zzzzzzzzzzzzzzzzzzzz") > 0);
    }

    [Fact]
    public void Binary_truncation_increments_the_last_byte_below_ff()
    {
        var value = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        Assert.Equal(value[..16], BoundEncoding.TruncateBinaryLower(value));
        var upper = BoundEncoding.TruncateBinaryUpper(value)!;
        Assert.Equal(16, upper.Length);
        Assert.Equal(16, upper[15]);
        Assert.Equal(new byte[] { 1, 3 }, BoundEncoding.TruncateBinaryUpper(new byte[] { 1, 2, 0xFF, 0 }, 3));
        Assert.Null(BoundEncoding.TruncateBinaryUpper(new byte[] { 0xFF, 0xFF, 0 }, 2));
    }

    [Fact]
    public void Strings_compare_by_code_point_like_iceberg()
    {
        // UTF-16 ordinal order would put U+FF5E before U+1F600; code point order does not.
        Assert.True(BoundEncoding.Compare(PrimitiveType.String, "\uFF5E", "😀") < 0);
        Assert.True(BoundEncoding.CompareEncoded(PrimitiveType.Int, BoundEncoding.Encode(PrimitiveType.Int, -1), BoundEncoding.Encode(PrimitiveType.Int, 1)) < 0);
    }
}
