using System.Threading.Channels;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Rows;

/// <summary>
/// Hands a scan's rows, already built as <see cref="Row"/> objects, to the pipeline thread in batches
/// (one per <see cref="TableRowBatch"/> the scan reads).
/// Reading ahead, the scan runs on the thread pool a bounded number of batches ahead: decoding the next
/// row group and building objects then overlap with PowerShell's own per-object work (writing to the
/// pipeline and whatever runs downstream), and the pipeline thread waits once per batch instead of once
/// per row. Without read-ahead, each batch is read when the pipeline thread asks for it, so a read that may
/// stop at any row loads no row group beyond the one holding its last row.
/// </summary>
internal sealed class RowReadAhead : IDisposable
{
    /// <summary>Batches built ahead of the one being written: enough that the pipeline thread rarely waits, and few: a row waiting in the queue through a garbage collection is promoted to an older generation.</summary>
    public const int BatchesAhead = 2;

    private readonly Func<TableRowBatch, Row[]> _build;
    private readonly CancellationTokenSource _stop;
    // Reading ahead: the producer and its batches. Otherwise: the scan's batches, pulled one at a time.
    private readonly Channel<Row[]>? _batches;
    private readonly Task? _producer;
    private readonly IAsyncEnumerator<TableRowBatch>? _pulled;

    /// <param name="batches">The scan's rows.</param>
    /// <param name="build">Builds the objects written for a batch's rows (thread-safe).</param>
    /// <param name="readAhead">Whether rows may be read before they are asked for (false for a read that may stop at any row).</param>
    public RowReadAhead(IAsyncEnumerable<TableRowBatch> batches, Func<TableRowBatch, Row[]> build, bool readAhead, CancellationToken cancellation)
    {
        _build = build;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = _stop.Token;
        if (!readAhead)
        {
            _pulled = batches.GetAsyncEnumerator(token);
            return;
        }
        _batches = Channel.CreateBounded<Row[]>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        _producer = Task.Run(() => ProduceAsync(batches, token));
    }

    private async Task ProduceAsync(IAsyncEnumerable<TableRowBatch> batches, CancellationToken ct)
    {
        try
        {
            await foreach (var batch in batches.WithCancellation(ct).ConfigureAwait(false))
            {
                if (batch.Count == 0) continue;
                await _batches!.Writer.WriteAsync(_build(batch), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // The scan's own failure stays the producer task's: the reader meets it after every row read before it.
            _batches!.Writer.TryComplete();
        }
    }

    /// <summary>The next rows (at least one), or null after the last; rethrows the scan's failure after the rows read before it. Pipeline thread only.</summary>
    public Row[]? Next(CmdletSession session)
    {
        if (_pulled != null)
        {
            // The batch asked for is already read: building all its rows reads nothing more.
            while (true)
            {
                var next = _pulled.MoveNextAsync();
                if (!(next.IsCompletedSuccessfully ? next.Result : session.Await(next.AsTask()))) return null;
                if (_pulled.Current.Count > 0) return _build(_pulled.Current);
            }
        }
        var reader = _batches!.Reader;
        while (true)
        {
            if (reader.TryRead(out var batch)) return batch;
            var more = reader.WaitToReadAsync(_stop.Token);
            if (!(more.IsCompletedSuccessfully ? more.Result : session.Await(more.AsTask())))
            {
                session.Await(_producer!);
                return null;
            }
        }
    }

    /// <summary>Ends the scan, also when the reader stopped early (-First, or a downstream Select-Object -First), and waits for it.</summary>
    public void Dispose()
    {
        if (_pulled != null)
        {
            _pulled.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        else
        {
            _stop.Cancel();
            try
            {
                _producer!.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OperationCanceledException || Failures.IsExpected(e))
            {
                // Rows read ahead that nobody asked for: their failure concerns nobody. A read that ran to
                // its end has already met the scan's failure in Next.
            }
        }
        _stop.Dispose();
    }
}
