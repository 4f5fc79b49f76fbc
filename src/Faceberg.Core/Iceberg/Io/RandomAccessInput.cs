namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// A file opened for random access: its length, a seekable stream over it (for readers that want one)
/// and ranged reads. Storage where each read is a request (the Hub) says so with
/// <see cref="PrefersPrefetch"/>, so readers fetch the ranges they need ahead and concurrently instead
/// of one read at a time.
/// </summary>
public abstract class RandomAccessInput : IAsyncDisposable
{
    public abstract string Path { get; }

    public abstract long Length { get; }

    /// <summary>A seekable read-only stream over the whole file, owned by this input.</summary>
    public abstract Stream Stream { get; }

    /// <summary>True when a read costs a round trip: fetch needed ranges ahead, concurrently, merged.</summary>
    public virtual bool PrefersPrefetch => false;

    /// <summary>Bytes at and after this offset are already held in memory (a tail fetched on opening); reading them costs nothing.</summary>
    public virtual long CachedFrom => Length;

    /// <summary>Reads exactly <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    public abstract Task<byte[]> ReadRangeAsync(long offset, int length, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    /// <summary>An input over a seekable stream (local files, memory); ranged reads seek and read it one at a time.</summary>
    public static RandomAccessInput OverStream(string path, Stream stream) => new StreamInput(path, stream);

    private sealed class StreamInput(string path, Stream stream) : RandomAccessInput
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public override string Path => path;
        public override long Length => stream.Length;
        public override Stream Stream => stream;

        public override async Task<byte[]> ReadRangeAsync(long offset, int length, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            var buffer = new byte[length];
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // The stream's position belongs to whoever reads it as a stream; ranged reads restore it.
                var position = stream.Position;
                stream.Position = offset;
                await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
                stream.Position = position;
            }
            catch (EndOfStreamException e)
            {
                throw new FacebergException("ShortRead", FacebergErrorKind.InvalidData,
                    $"'{path}' ends before byte {offset + length} ({stream.Length} bytes).", e);
            }
            finally
            {
                _gate.Release();
            }
            return buffer;
        }

        public override async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _gate.Dispose();
        }
    }
}
