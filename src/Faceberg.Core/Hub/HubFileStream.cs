namespace Faceberg.Core.Hub;

/// <summary>
/// Seekable read-only stream over a Hub file, served from ranged GETs. The file's tail is fetched when the stream
/// opens (Parquet footers live there); other reads fetch at least <see cref="MinimumFetchBytes"/> so small
/// sequential reads do not each cost a request. Parquet.Net also checks the leading magic, so a
/// ParquetReader directly over this stream costs the tail plus one small head read unless the file fits in
/// the tail (the table reader's view answers the magic itself); <see cref="HubParquetFooter"/> reads a
/// footer with the tail request alone.
/// </summary>
public sealed class HubFileStream : Stream
{
    private readonly HubClient _client;
    private readonly byte[] _tail;
    private readonly long _tailStart;
    private byte[] _window = [];
    private long _windowStart;
    private long _position;
    private bool _disposed;

    internal HubFileStream(HubClient client, string repoId, string revision, string path, long length, byte[] tail)
    {
        _client = client;
        RepoId = repoId;
        Revision = revision;
        PathInRepo = path;
        Length = length;
        _tail = tail;
        _tailStart = length - tail.Length;
    }

    public string RepoId { get; }
    public string Revision { get; }
    public string PathInRepo { get; }

    public int MinimumFetchBytes { get; init; } = 64 * 1024;

    /// <summary>Where the tail fetched on opening starts (0 when it holds the whole file): bytes from here on cost no request.</summary>
    public long TailStart => _tailStart;

    /// <summary>Ranged GETs issued after opening (the tail prefetch is not counted).</summary>
    public int FetchCount { get; private set; }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !_disposed;
    public override bool CanWrite => false;
    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) =>
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads synchronously: bytes in memory are copied, others fetched with a synchronous ranged GET.</summary>
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (total < buffer.Length && _position < Length)
        {
            var copied = CopyCached(buffer[total..]);
            if (copied == 0)
            {
                var (start, length) = NextFetch(buffer.Length - total);
                Fill(start, _client.ReadRange(RepoId, Revision, PathInRepo, start, length));
                copied = CopyCachedOrFail(buffer[total..]);
            }
            total += copied;
            _position += copied;
        }
        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (total < buffer.Length && _position < Length)
        {
            var copied = CopyCached(buffer.Span[total..]);
            if (copied == 0)
            {
                var (start, length) = NextFetch(buffer.Length - total);
                Fill(start, await _client.ReadRangeAsync(RepoId, Revision, PathInRepo, start, length, cancellationToken).ConfigureAwait(false));
                copied = CopyCachedOrFail(buffer.Span[total..]);
            }
            total += copied;
            _position += copied;
        }
        return total;
    }

    private int CopyCachedOrFail(Span<byte> destination)
    {
        var copied = CopyCached(destination);
        if (copied == 0)
            throw new HubException("HubShortRead", FacebergErrorKind.InvalidData,
                $"'{PathInRepo}' in '{RepoId}' at '{Revision}' returned fewer bytes than its length {Length}; the file changed or the revision is not pinned to a commit.");
        return copied;
    }

    private int CopyCached(Span<byte> destination) =>
        CopyFrom(_tail, _tailStart, destination) is var fromTail and > 0 ? fromTail : CopyFrom(_window, _windowStart, destination);

    private int CopyFrom(byte[] source, long sourceStart, Span<byte> destination)
    {
        if (_position < sourceStart || _position >= sourceStart + source.Length) return 0;
        var available = source.AsSpan((int)(_position - sourceStart));
        var n = Math.Min(available.Length, destination.Length);
        available[..n].CopyTo(destination);
        return n;
    }

    /// <summary>The range to fetch for a read of <paramref name="wanted"/> bytes at the position: at least <see cref="MinimumFetchBytes"/>, never what the tail holds.</summary>
    private (long Start, int Length) NextFetch(int wanted)
    {
        var end = Math.Min(_tailStart, _position + Math.Max(wanted, MinimumFetchBytes));
        if (_position >= _tailStart) end = Length;
        return (_position, (int)Math.Min(end - _position, int.MaxValue));
    }

    private void Fill(long start, byte[] bytes)
    {
        _window = bytes;
        _windowStart = start;
        FetchCount++;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException("HubFileStream is read-only.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("HubFileStream is read-only.");

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _window = [];
        base.Dispose(disposing);
    }
}
