namespace Faceberg.Core.Data;

/// <summary>
/// A read-only view of a remote Parquet file that serves the column chunks of the row group being read from
/// memory, fetched ahead all at once with concurrent ranged reads, so a row group costs one round trip
/// instead of one per column. Reads outside the fetched ranges (the footer) go to the inner stream.
/// Holds one row group's chunks at a time.
/// </summary>
/// <remarks>
/// The view also answers the file's first four bytes with Parquet's leading magic "PAR1" instead of fetching
/// them: Parquet.Net reads them when it opens a file, and a request for 4 bytes would cost a round trip per
/// file. This is sound because nothing is decided on those bytes. In the same open, Parquet.Net checks the
/// trailing magic and decodes the footer from the real bytes (the inner stream's tail), so a file that is
/// not Parquet still fails to open; after that, every byte read is located by the footer's column chunk
/// offsets, which start after the leading magic, and each chunk is validated by reading it (page headers,
/// sizes, decoding), so a corrupt file fails on its chunks. The leading magic only identifies the format to
/// someone reading from the start; the footer defines the file. Fetched bytes take precedence, so a
/// (corrupt) chunk claimed to start at offset 0 is served as stored.
/// </remarks>
/// <param name="servedFrom">Bytes at and after this offset are served well by the inner stream (a cached tail) and are not fetched.</param>
internal sealed class ChunkPrefetchStream(Stream inner, Func<long, int, CancellationToken, Task<byte[]>> readRange, long servedFrom) : Stream
{
    /// <summary>Ranges closer than this are fetched as one, trading a few unneeded bytes for a request.</summary>
    public const int MergeGapBytes = 64 * 1024;

    private static readonly byte[] LeadingMagic = "PAR1"u8.ToArray();

    private (long Start, byte[] Data)[] _segments = [];
    private long _position;

    /// <summary>Requests issued by <see cref="PrefetchAsync"/> so far.</summary>
    public int RangeRequests { get; private set; }

    public async Task PrefetchAsync(IEnumerable<(long Start, long Length)> ranges, CancellationToken ct)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var (start, length) in ranges.Where(r => r.Length > 0).OrderBy(r => r.Start))
        {
            var end = Math.Min(start + length, servedFrom);
            if (end <= start) continue;
            if (merged.Count > 0 && start - merged[^1].End <= MergeGapBytes)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            else
                merged.Add((start, end));
        }
        _segments = [];
        RangeRequests += merged.Count;
        _segments = await Task.WhenAll(merged.Select(async r =>
            (r.Start, await readRange(r.Start, checked((int)(r.End - r.Start)), ct).ConfigureAwait(false)))).ConfigureAwait(false);
    }

    private int CopyCached(Span<byte> destination)
    {
        foreach (var (start, data) in _segments)
        {
            if (CopyFrom(data, start, destination) is var n and >= 0) return n;
        }
        return CopyFrom(LeadingMagic, 0, destination);
    }

    private int CopyFrom(byte[] data, long start, Span<byte> destination)
    {
        if (_position < start || _position >= start + data.Length) return -1;
        var available = data.AsSpan((int)(_position - start));
        var n = Math.Min(available.Length, destination.Length);
        available[..n].CopyTo(destination);
        _position += n;
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = CopyCached(buffer);
        if (n >= 0) return n;
        inner.Position = _position;
        n = inner.Read(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = CopyCached(buffer.Span);
        if (n >= 0) return n;
        inner.Position = _position;
        n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _segments = [];
        base.Dispose(disposing);
    }
}
