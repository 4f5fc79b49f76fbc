namespace Faceberg.Core.Data;

/// <summary>The codec of the Parquet files a write produces.</summary>
public enum ParquetCodec
{
    /// <summary>Fast to write and read, moderate size: what pyarrow, and so the `datasets` library and the Hub's Parquet converter, write by default.</summary>
    Snappy,
    /// <summary>Smaller files, slower to write at high levels.</summary>
    Zstd,
    Gzip,
    Brotli,
    /// <summary>Uncompressed pages.</summary>
    None,
}

/// <summary>How much effort a codec spends; Snappy and None have no levels.</summary>
public enum ParquetCompressionLevel
{
    Fastest,
    Optimal,
    SmallestSize,
}

/// <summary>Codec and level of written Parquet pages. The default matches the files the Hub's own converter writes (pyarrow: Snappy).</summary>
public sealed record ParquetCompression(ParquetCodec Codec = ParquetCodec.Snappy, ParquetCompressionLevel Level = ParquetCompressionLevel.Optimal)
{
    public static ParquetCompression Default { get; } = new();

    internal Parquet.CompressionMethod Method => Codec switch
    {
        ParquetCodec.Snappy => Parquet.CompressionMethod.Snappy,
        ParquetCodec.Zstd => Parquet.CompressionMethod.Zstd,
        ParquetCodec.Gzip => Parquet.CompressionMethod.Gzip,
        ParquetCodec.Brotli => Parquet.CompressionMethod.Brotli,
        ParquetCodec.None => Parquet.CompressionMethod.None,
        _ => throw new ArgumentOutOfRangeException(nameof(Codec), Codec, null),
    };

    internal System.IO.Compression.CompressionLevel IoLevel => Level switch
    {
        ParquetCompressionLevel.Fastest => System.IO.Compression.CompressionLevel.Fastest,
        ParquetCompressionLevel.Optimal => System.IO.Compression.CompressionLevel.Optimal,
        ParquetCompressionLevel.SmallestSize => System.IO.Compression.CompressionLevel.SmallestSize,
        _ => throw new ArgumentOutOfRangeException(nameof(Level), Level, null),
    };
}
