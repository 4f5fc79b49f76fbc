using System.Collections.Concurrent;
using System.Management.Automation;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;

namespace Faceberg.Cmdlets;

/// <summary>What the cmdlets that read datasets from the Hub share: -ThrottleLimit and -Token, one Hub
/// client per invocation, and running Core's async work while the pipeline thread writes its progress.</summary>
public abstract class DatasetCmdlet : FacebergCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HubClient? _hub;
    private DatasetTables? _tables;

    /// <summary>Most Parquet footers read from the Hub at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = DatasetTables.DefaultThrottleLimit;

    /// <summary>Hugging Face access token; default HF_TOKEN, then the token file. Never written anywhere.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    /// <summary>The dataset service over a Hub client configured like huggingface_hub (HF_ENDPOINT, token).</summary>
    protected DatasetTables Tables => _tables ??= new DatasetTables(_hub = HubClient.FromEnvironment(Token,
        configure: options => options.MaxConcurrency = Math.Max(options.MaxConcurrency, ThrottleLimit)));

    protected override HubClient? CatalogHub => Tables.Hub;

    /// <summary>True when -WhatIf was given (as opposed to a declined -Confirm prompt).</summary>
    protected bool WhatIfRequested =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && value is SwitchParameter { IsPresent: true };

    /// <summary>The activity name shown in progress bars.</summary>
    protected abstract string ProgressActivity { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and writes the progress it reports from this (the
    /// pipeline) thread, which is the only thread allowed to write to the pipeline. Ctrl+C cancels it.
    /// </summary>
    protected T Run<T>(Func<IProgress<DatasetProgress>, CancellationToken, Task<T>> work)
    {
        using var reports = new BlockingCollection<DatasetProgress>();
        var progress = new QueueProgress(reports);
        var task = Task.Run(() => work(progress, _stopping.Token));
        task.ContinueWith(_ => reports.CompleteAdding(), TaskScheduler.Default);
        string? shown = null;
        foreach (var report in reports.GetConsumingEnumerable())
        {
            // Thousands of footers would mean thousands of identical bars; write only what changes the display.
            var record = ToProgressRecord(report);
            var key = $"{record.StatusDescription}|{record.PercentComplete}";
            if (key == shown)
                continue;
            shown = key;
            WriteProgress(record);
        }
        WriteProgress(new ProgressRecord(1, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    private ProgressRecord ToProgressRecord(DatasetProgress report)
    {
        var where = report.Config is null ? report.Dataset : $"{report.Dataset} ({report.Config})";
        var record = new ProgressRecord(1, ProgressActivity, $"{where}: {report.Activity}");
        if (report.FilesTotal > 0)
        {
            record.PercentComplete = (int)(100L * report.FilesDone / report.FilesTotal);
            record.CurrentOperation = $"{report.FilesDone} of {report.FilesTotal} files";
        }
        return record;
    }

    /// <summary>Hands reports from worker threads to the pipeline thread.</summary>
    private sealed class QueueProgress(BlockingCollection<DatasetProgress> queue) : IProgress<DatasetProgress>
    {
        public void Report(DatasetProgress value)
        {
            try { queue.TryAdd(value); }
            catch (InvalidOperationException) { } // the work already finished; a late report has nowhere to go
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _hub?.Dispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
