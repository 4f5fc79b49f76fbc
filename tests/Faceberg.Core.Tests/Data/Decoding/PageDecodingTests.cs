using Faceberg.Core.Data.Decoding;

namespace Faceberg.Core.Tests.Data.Decoding;

/// <summary>The building blocks of Faceberg's own Parquet page decoder, on bytes laid out by hand from the Parquet spec.</summary>
public sealed class PageDecodingTests
{
    [Fact]
    public void Hybrid_runs_decode_rle_and_bit_packed_runs_in_order()
    {
        // RLE run: header 3<<1 = 6, value 1 (one byte for bit width 1); then one bit-packed group: header (1<<1)|1 = 3,
        // eight 1-bit values 1,0,1,1,0,0,0,1 packed LSB first = 0b1000_1101.
        byte[] data = [0x06, 0x01, 0x03, 0b1000_1101];
        var values = new int[11];
        HybridRle.Decode(data, 1, values);
        Assert.Equal([1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1], values);
    }

    [Fact]
    public void Hybrid_runs_of_wider_values_and_bit_width_zero()
    {
        // Bit width 3, one bit-packed group of 0..7: bits 000 001 010 011 100 101 110 111 → 0x88 0xC6 0xFA.
        var values = new int[8];
        HybridRle.Decode([0x03, 0x88, 0xC6, 0xFA], 3, values);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], values);

        var zeros = new int[4] { 9, 9, 9, 9 };
        HybridRle.Decode([], 0, zeros);
        Assert.Equal([0, 0, 0, 0], zeros);
        Assert.Equal(2, HybridRle.BitWidth(3));
        Assert.Equal(0, HybridRle.BitWidth(0));
    }

    [Fact]
    public void Truncated_runs_fail_as_invalid_data()
    {
        Assert.Throws<InvalidDataException>(() => HybridRle.Decode([0x06], 8, new int[3]));
        Assert.Throws<InvalidDataException>(() => HybridRle.Decode([], 1, new int[1]));
    }

    [Fact]
    public void A_v2_page_header_is_read_in_thrift_compact_form_skipping_unknown_fields()
    {
        byte[] header =
        [
            0x15, 0x06,             // 1: type = 3 (DATA_PAGE_V2)
            0x15, 0x28,             // 2: uncompressed_page_size = 20
            0x15, 0x20,             // 3: compressed_page_size = 16
            0x15, 0x02,             // 4: crc = 1 (skipped)
            0x4C,                   // 8 (delta 4, struct): data_page_header_v2
            0x15, 0x14,             //   1: num_values = 10
            0x15, 0x04,             //   2: num_nulls = 2
            0x15, 0x14,             //   3: num_rows = 10
            0x15, 0x06,             //   4: encoding = 3 (RLE)
            0x15, 0x08,             //   5: definition_levels_byte_length = 4
            0x15, 0x00,             //   6: repetition_levels_byte_length = 0
            0x12,                   //   7: is_compressed = false
            0x1C, 0x18, 0x01, 0x7F, 0x00,   // 8: statistics { 1: binary [0x7F] } (skipped)
            0x00,                   //   stop
            0x00,                   // stop
            0xAA,                   // the page body
        ];
        var pos = 0;
        var page = PageHeader.Read(header, ref pos);
        Assert.Equal(header.Length - 1, pos);
        Assert.Equal(PageKind.DataPageV2, page.Kind);
        Assert.Equal((20, 16, 10, 2, ParquetEncodings.Rle, 4, 0, false),
            (page.UncompressedSize, page.CompressedSize, page.NumValues, page.NumNulls, page.Encoding, page.DefinitionLevelsLength, page.RepetitionLevelsLength, page.IsCompressed));
    }

    [Fact]
    public void A_truncated_page_header_fails_as_invalid_data()
    {
        Assert.Throws<InvalidDataException>(() =>
        {
            var pos = 0;
            PageHeader.Read([0x15, 0x06, 0x15], ref pos);
        });
    }
}
