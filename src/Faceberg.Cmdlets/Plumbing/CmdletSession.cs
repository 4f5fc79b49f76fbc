using System.Collections.Concurrent;
using System.Management.Automation;
using Faceberg.Core.Hub;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>
/// The services one cmdlet invocation uses, held by the cmdlet as a field: the Hub client (from -Token or
/// the environment, made on first use so local work never resolves a token), cancellation (Ctrl+C),
/// and the bridge that runs Core's async work on the thread pool while the pipeline thread — the only
/// one allowed to write to the pipeline — writes the progress and messages the work posts.
/// </summary>
public sealed class CmdletSession : IDisposable
{
    private readonly Cmdlet _cmdlet;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly List<ProgressPump> _pumps = [];
    private readonly List<IDisposable> _owned = [];
    private HubClient? _hub;

    public CmdletSession(Cmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>The access token given with -Token; null: HF_TOKEN, then the token file.</summary>
    public string? Token { get; set; }

    /// <summary>The fewest concurrent Hub requests the client allows (e.g. a cmdlet's -ThrottleLimit).</summary>
    public int MinConcurrency { get; set; }

    /// <summary>The Hub client of this invocation, configured like huggingface_hub (HF_ENDPOINT, token).</summary>
    public HubClient Hub => _hub ??= HubClient.FromEnvironment(Token,
        configure: options => options.MaxConcurrency = Math.Max(options.MaxConcurrency, MinConcurrency));

    /// <summary>Cancelled when the user presses Ctrl+C (PowerShell calls StopProcessing).</summary>
    public CancellationToken Cancellation => _stop.Token;

    public bool Stopping => _stop.IsCancellationRequested;

    /// <summary>Called from the cmdlet's StopProcessing, on another thread than the pipeline's.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _wake.Set();
    }

    /// <summary>Queues a pipeline write (verbose, warning, progress) from any thread; the pipeline thread
    /// performs it the next time it drains (while <see cref="Run{T}"/> waits, or in <see cref="Drain"/>).</summary>
    public void Post(Action write)
    {
        _posted.Enqueue(write);
        _wake.Set();
    }

    /// <summary>A progress bar whose reports may come from any thread. It stays hidden for work that ends
    /// within <see cref="ProgressPump.Delay"/> unless a report says the work is large.</summary>
    public IProgress<T> Progress<T>(string activity, Func<T, ProgressUpdate> describe)
    {
        var pump = new ProgressPump(activity, _pumps.Count + 1);
        _pumps.Add(pump);
        // Each step Core reports (resolving, reading footers, committing, uploading) is also a verbose
        // message, once: -Verbose tells what happens even when the work is too quick for a progress bar.
        var told = new HashSet<string>(StringComparer.Ordinal);
        return new Core.CallbackProgress<T>(value =>
        {
            var update = describe(value);
            Post(() =>
            {
                pump.Offer(update);
                if (told.Add(update.Status))
                    _cmdlet.WriteVerbose(update.Status);
            });
        });
    }

    /// <summary>Performs the posted writes and shows the progress that is due. Pipeline thread only.</summary>
    public void Drain()
    {
        while (_posted.TryDequeue(out var write))
            write();
        foreach (var pump in _pumps)
        {
            if (pump.Take() is { } record)
                _cmdlet.WriteProgress(record);
        }
    }

    /// <summary>Drains, then closes every progress bar that was shown. Pipeline thread only.</summary>
    public void CompleteProgress()
    {
        Drain();
        foreach (var pump in _pumps)
        {
            if (pump.Complete() is { } record)
                _cmdlet.WriteProgress(record);
        }
        _pumps.Clear();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, on this (the pipeline) thread, writes what it
    /// posts until it ends. Ctrl+C cancels it and stops the pipeline; its failures propagate unchanged.
    /// </summary>
    public T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        return Wait(Task.Run(() => work(_stop.Token)));
    }

    /// <summary>Waits for work already started (with <see cref="Cancellation"/>), running what it posts and showing its
    /// progress on the pipeline thread meanwhile; then its result, as <see cref="Run{T}"/>.</summary>
    public T Wait<T>(Task<T> task)
    {
        task.ContinueWith(_ => _wake.Set(), TaskScheduler.Default);
        // The timeout lets a held progress report show once the work has run long enough.
        while (!task.IsCompleted)
        {
            _wake.WaitOne(TimeSpan.FromMilliseconds(250));
            Drain();
        }
        CompleteProgress();
        return Await(task);
    }

    /// <summary><see cref="Run{T}"/> with a progress bar named <paramref name="activity"/> fed by the work's reports.</summary>
    public T Run<TProgress, T>(string activity, Func<TProgress, ProgressUpdate> describe,
        Func<IProgress<TProgress>, CancellationToken, Task<T>> work)
    {
        var progress = Progress(activity, describe);
        return Run(ct => work(progress, ct));
    }

    /// <summary>The result of a task the pipeline thread waits for; cancellation by Ctrl+C stops the pipeline.</summary>
    public T Await<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Waits for a task that returns nothing; cancellation by Ctrl+C stops the pipeline.</summary>
    public void Await(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Disposes <paramref name="resource"/> with the session, after <see cref="Stop"/> and before the Hub client,
    /// so work it runs on the thread pool is cancelled and ends while the client it uses still exists.</summary>
    public T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        _hub?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
