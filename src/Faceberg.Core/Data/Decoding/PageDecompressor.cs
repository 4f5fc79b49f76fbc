using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using Parquet.Meta;

namespace Faceberg.Core.Data.Decoding;

/// <summary>Decompresses one page body with its column chunk's codec.</summary>
internal static class PageDecompressor
{
    public static byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> data, int uncompressedSize)
    {
        if (uncompressedSize == 0) return [];
        switch (codec)
        {
            case CompressionCodec.UNCOMPRESSED:
                return data.ToArray();
            case CompressionCodec.SNAPPY:
                return Exact(Snappier.Snappy.DecompressToArray(data), uncompressedSize);
            case CompressionCodec.GZIP:
                return Inflate(new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress), uncompressedSize);
            case CompressionCodec.BROTLI:
                return Inflate(new BrotliStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress), uncompressedSize);
            case CompressionCodec.ZSTD:
            {
                using var zstd = new ZstdSharp.Decompressor();
                return Exact(zstd.Unwrap(data).ToArray(), uncompressedSize);
            }
            case CompressionCodec.LZ4_RAW:
                return Lz4Block(data, uncompressedSize);
            case CompressionCodec.LZ4:
                return HadoopLz4(data, uncompressedSize) ?? Lz4Block(data, uncompressedSize);
            default:
                throw new NotSupportedException($"compression {codec}");
        }
    }

    private static byte[] Inflate(Stream stream, int size)
    {
        using (stream)
        {
            var result = new byte[size];
            var read = 0;
            int n;
            while (read < size && (n = stream.Read(result, read, size - read)) > 0) read += n;
            return Exact(result, read == size ? size : throw new InvalidDataException($"a page inflates to {read} bytes, not {size}"));
        }
    }

    private static byte[] Lz4Block(ReadOnlySpan<byte> data, int size)
    {
        var result = new byte[size];
        var n = LZ4Codec.Decode(data, result);
        return n == size ? result : throw new InvalidDataException($"an LZ4 page decodes to {n} bytes, not {size}");
    }

    /// <summary>Hadoop's LZ4 framing (big-endian uncompressed and compressed lengths before each block), or null when the data is not so framed.</summary>
    private static byte[]? HadoopLz4(ReadOnlySpan<byte> data, int size)
    {
        var result = new byte[size];
        var written = 0;
        var pos = 0;
        while (pos < data.Length)
        {
            if (data.Length - pos < 8) return null;
            var blockSize = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var compressed = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 4)..]);
            pos += 8;
            if (blockSize > (uint)(size - written) || compressed > (uint)(data.Length - pos)) return null;
            var n = LZ4Codec.Decode(data.Slice(pos, (int)compressed), result.AsSpan(written, (int)blockSize));
            if (n != blockSize) return null;
            written += n;
            pos += (int)compressed;
        }
        return written == size ? result : null;
    }

    private static byte[] Exact(byte[] data, int size) =>
        data.Length == size ? data : throw new InvalidDataException($"a page decompresses to {data.Length} bytes, not {size}");
}
