using System.Threading.Channels;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Rows;

/// <summary>
/// Runs a scan on the thread pool and hands its rows, already built as <see cref="Row"/> objects, to the
/// pipeline thread in batches, a bounded number of batches ahead. Decoding the next row group and building
/// objects then overlap with PowerShell's own per-object work (writing to the pipeline and whatever runs
/// downstream), and the pipeline thread waits once per batch instead of once per row.
/// </summary>
internal sealed class RowReadAhead : IDisposable
{
    /// <summary>Rows per batch for a read that is consumed to its end.</summary>
    public const int DefaultBatchSize = 1024;

    /// <summary>Batches built ahead of the one being written: enough to cover a row group's decoding, bounded in memory.</summary>
    public const int DefaultBatchesAhead = 4;

    private readonly Channel<Row[]> _batches;
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    /// <param name="rows">The scan's rows; enumerated on the thread pool only.</param>
    /// <param name="toRow">Builds the object written for a row (thread-safe).</param>
    /// <param name="batchSize">Rows per batch: 1 with <paramref name="batchesAhead"/> 1 reads as few rows ahead as possible (a read that may stop at any row).</param>
    public RowReadAhead(IAsyncEnumerable<TableRow> rows, Func<TableRow, Row> toRow, CancellationToken cancellation,
        int batchSize = DefaultBatchSize, int batchesAhead = DefaultBatchesAhead)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchesAhead);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _batches = Channel.CreateBounded<Row[]>(new BoundedChannelOptions(batchesAhead) { SingleReader = true, SingleWriter = true });
        var token = _stop.Token;
        _producer = Task.Run(() => ProduceAsync(rows, toRow, batchSize, token));
    }

    private async Task ProduceAsync(IAsyncEnumerable<TableRow> rows, Func<TableRow, Row> toRow, int batchSize, CancellationToken ct)
    {
        try
        {
            var batch = new Row[batchSize];
            var count = 0;
            await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                batch[count++] = toRow(row);
                if (count < batchSize) continue;
                await _batches.Writer.WriteAsync(batch, ct).ConfigureAwait(false);
                batch = new Row[batchSize];
                count = 0;
            }
            if (count > 0)
            {
                Array.Resize(ref batch, count);
                await _batches.Writer.WriteAsync(batch, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // The scan's own failure is the producer task's; the reader learns of it once it has every row before it.
            _batches.Writer.TryComplete();
        }
    }

    /// <summary>The next batch of rows, or null after the last one; rethrows the scan's failure after the rows read before it. Pipeline thread only.</summary>
    public Row[]? Next(CmdletSession session)
    {
        var reader = _batches.Reader;
        while (true)
        {
            if (reader.TryRead(out var batch)) return batch;
            var more = reader.WaitToReadAsync(_stop.Token);
            if (!(more.IsCompletedSuccessfully ? more.Result : session.Await(more.AsTask())))
            {
                session.Await(_producer);
                return null;
            }
        }
    }

    /// <summary>Stops the scan if the reader stopped early (e.g. -First, or a downstream Select-Object -First) and waits for it to end.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or FacebergException or IOException or HttpRequestException)
        {
            // Rows read ahead that nobody asked for: their failure concerns nobody. A read that ran to its end
            // already surfaced the scan's failure from Next.
        }
        _stop.Dispose();
    }
}
