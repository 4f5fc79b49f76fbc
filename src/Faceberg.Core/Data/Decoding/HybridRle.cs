namespace Faceberg.Core.Data.Decoding;

/// <summary>Parquet's RLE / bit-packed hybrid encoding (levels, dictionary indexes, RLE booleans).</summary>
internal static class HybridRle
{
    /// <summary>
    /// Decodes <paramref name="dest"/>.Length values of <paramref name="bitWidth"/> bits from <paramref name="data"/>
    /// (runs without a length prefix). A bit width of 0 means every value is 0.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> dest)
    {
        if (bitWidth is < 0 or > 32) throw new InvalidDataException($"an RLE/bit-packed run has bit width {bitWidth}");
        if (bitWidth == 0)
        {
            dest.Clear();
            return;
        }
        var pos = 0;
        var n = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (n < dest.Length)
        {
            var header = ReadVarint(data, ref pos);
            if ((header & 1) == 0)
            {
                var count = (int)Math.Min(header >> 1, (ulong)(dest.Length - n));
                if (pos + byteWidth > data.Length) throw new InvalidDataException("an RLE run ends early");
                var value = 0;
                for (var i = 0; i < byteWidth; i++) value |= data[pos + i] << (8 * i);
                pos += byteWidth;
                dest.Slice(n, count).Fill(value);
                n += count;
            }
            else
            {
                var groups = header >> 1;
                if (groups == 0) throw new InvalidDataException("a bit-packed run is empty");
                var bytes = checked((int)groups * bitWidth);
                var run = data.Slice(pos, Math.Min(bytes, data.Length - pos));
                var values = (int)Math.Min(groups * 8, (ulong)(dest.Length - n));
                var mask = bitWidth == 32 ? -1L : (1L << bitWidth) - 1;
                for (var i = 0; i < values; i++)
                {
                    var bit = (long)i * bitWidth;
                    long word = 0;
                    for (var b = 0; b * 8 < bitWidth + 7 && (int)(bit / 8) + b < run.Length; b++)
                        word |= (long)run[(int)(bit / 8) + b] << (8 * b);
                    dest[n + i] = (int)((word >> (int)(bit % 8)) & mask);
                }
                if (bytes > run.Length && (long)values * bitWidth > run.Length * 8L) throw new InvalidDataException("a bit-packed run ends early");
                pos += run.Length;
                n += values;
            }
        }
    }

    /// <summary>The number of bits needed for levels up to <paramref name="maxLevel"/>.</summary>
    public static int BitWidth(int maxLevel) => maxLevel == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)maxLevel);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("RLE/bit-packed data ends early");
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("RLE/bit-packed data has an over-long varint");
    }
}
