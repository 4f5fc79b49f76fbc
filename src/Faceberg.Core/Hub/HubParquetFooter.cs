using System.Buffers.Binary;
using Parquet;
using Parquet.Meta;

namespace Faceberg.Core.Hub;

/// <summary>
/// The footer (Thrift FileMetaData) of a remote Parquet file, fetched with one ranged request for typical files:
/// the last <see cref="TailBytes"/> bytes, plus one more request only when the footer is larger than that.
/// </summary>
public sealed class HubParquetFooter
{
    public const int TailBytes = 64 * 1024;
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private HubParquetFooter(long fileSize, byte[] metadata, int requests)
    {
        FileSize = fileSize;
        Metadata = metadata;
        RequestCount = requests;
    }

    public long FileSize { get; }

    /// <summary>The Thrift-encoded FileMetaData.</summary>
    public ReadOnlyMemory<byte> Metadata { get; }

    /// <summary>Ranged GETs used (1 for typical files).</summary>
    public int RequestCount { get; }

    /// <summary>
    /// A minimal Parquet file (magic, footer, length, magic) with exactly this footer, for reading schema and
    /// statistics with Parquet.Net without further requests. Row group data is not in it.
    /// </summary>
    public Stream OpenFooterStream()
    {
        var bytes = new byte[Metadata.Length + 12];
        Magic.CopyTo(bytes, 0);
        Metadata.Span.CopyTo(bytes.AsSpan(4));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + Metadata.Length), Metadata.Length);
        Magic.CopyTo(bytes, 8 + Metadata.Length);
        return new MemoryStream(bytes, writable: false);
    }

    /// <summary>Decodes the footer with Parquet.Net (schema, row groups, statistics, key-value metadata).</summary>
    public async Task<FileMetaData> ReadFileMetaDataAsync(CancellationToken ct = default)
    {
        await using var reader = await ParquetReader.CreateAsync(OpenFooterStream(), cancellationToken: ct).ConfigureAwait(false);
        return reader.Metadata ?? throw new FacebergException("CorruptParquet", FacebergErrorKind.InvalidData,
            "The Parquet footer could not be decoded.");
    }

    /// <param name="size">File size from a tree listing; when null the tail request learns it.</param>
    public static async Task<HubParquetFooter> ReadAsync(HubClient client, string repoId, string revision, string path,
        long? size = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var where = $"'{path}' in '{repoId}' at '{revision}'";
        // A Parquet file is at least "PAR1", a footer length and "PAR1"; the Hub answers a tail read of an empty file with 416.
        if (size is < 12)
            throw TooShort(where, size.Value);
        byte[] tail;
        long fileSize;
        try
        {
            (tail, fileSize) = await client.ReadTailAsync(repoId, revision, path, TailBytes, size, ct).ConfigureAwait(false);
        }
        catch (HubException e) when (e.ErrorId == "HubRangeNotSatisfiable")
        {
            throw new FacebergException("NotParquet", FacebergErrorKind.InvalidData, $"{where} is not a Parquet file (it is empty).", e);
        }
        if (fileSize < 12 || tail.Length < 8 || !tail.AsSpan(tail.Length - 4).SequenceEqual(Magic))
            throw new FacebergException("NotParquet", FacebergErrorKind.InvalidData, $"{where} is not a Parquet file (no PAR1 footer).");
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(tail.AsSpan(tail.Length - 8, 4));
        if (metadataLength <= 0 || metadataLength > fileSize - 12)
            throw new FacebergException("CorruptParquet", FacebergErrorKind.InvalidData,
                $"{where} has an invalid footer length {metadataLength} for a {fileSize}-byte file.");

        var inTail = tail.Length - 8;
        if (metadataLength <= inTail)
            return new HubParquetFooter(fileSize, tail.AsSpan(inTail - metadataLength, metadataLength).ToArray(), 1);

        var missing = metadataLength - inTail;
        var head = await client.ReadRangeAsync(repoId, revision, path, fileSize - 8 - metadataLength, missing, ct).ConfigureAwait(false);
        var metadata = new byte[metadataLength];
        head.CopyTo(metadata, 0);
        tail.AsSpan(0, inTail).CopyTo(metadata.AsSpan(missing));
        return new HubParquetFooter(fileSize, metadata, 2);
    }

    private static FacebergException TooShort(string where, long size) =>
        new("NotParquet", FacebergErrorKind.InvalidData, $"{where} is not a Parquet file ({size} bytes; a Parquet file has at least 12).");
}
