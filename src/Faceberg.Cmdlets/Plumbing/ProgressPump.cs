using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>One progress report, as the pipeline should show it.</summary>
/// <param name="Status">What is being done now.</param>
/// <param name="Done">Units done; with <paramref name="Total"/> &gt; 0 it gives the percentage.</param>
/// <param name="Total">Units in all; 0 when unknown.</param>
/// <param name="Unit">What is counted ("rows", "bytes", "files").</param>
/// <param name="Large">The work is known to be large: show progress at once instead of after the delay.</param>
public sealed record ProgressUpdate(string Status, long Done, long Total, string Unit, bool Large = false)
{
    public static ProgressUpdate From(Core.WorkProgress progress, bool large = false) =>
        new(progress.Activity, progress.Done, progress.Total, progress.Unit, large);

    /// <summary>Dataset work (footers read per config): large when it reads many files.</summary>
    public static ProgressUpdate From(Core.Datasets.DatasetProgress progress)
    {
        var where = progress.Config is null ? progress.Dataset : $"{progress.Dataset} ({progress.Config})";
        return new($"{where}: {progress.Activity}", progress.FilesDone, progress.FilesTotal, "files", progress.FilesTotal >= LargeFileCount);
    }

    /// <summary>Files enough (read over the network) to call the work long before it has run a second.</summary>
    public const int LargeFileCount = 50;
}

/// <summary>
/// Decides what one progress bar shows: nothing for work that ends within <see cref="Delay"/> (a bar that
/// flashes by is noise) unless the work is known to be large, then the latest report whenever the
/// display would change. Used on the pipeline thread only.
/// </summary>
public sealed class ProgressPump
{
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    private readonly string _activity;
    private readonly int _id;
    private readonly Func<TimeSpan> _elapsed;
    private ProgressUpdate? _held;
    private bool _large;
    private bool _shown;
    private string? _shownKey;

    public ProgressPump(string activity, int id, Func<TimeSpan>? elapsed = null)
    {
        _activity = activity;
        _id = id;
        if (elapsed is null)
        {
            var clock = Stopwatch.StartNew();
            elapsed = () => clock.Elapsed;
        }
        _elapsed = elapsed;
    }

    /// <summary>Keeps the latest report until it is due.</summary>
    public void Offer(ProgressUpdate update)
    {
        _held = update;
        _large |= update.Large;
    }

    /// <summary>The record to write now, or null: nothing new, or too early to show anything.</summary>
    public ProgressRecord? Take()
    {
        if (_held is null || (!_large && _elapsed() < Delay))
            return null;
        var update = _held;
        _held = null;
        var percent = update.Total > 0 ? (int)Math.Clamp(100 * update.Done / update.Total, 0, 100) : -1;
        // Thousands of reports would mean thousands of identical bars; write only what changes the display.
        var key = $"{update.Status}|{percent}|{(update.Total > 0 ? "" : update.Done.ToString(CultureInfo.InvariantCulture))}";
        if (key == _shownKey)
            return null;
        _shownKey = key;
        _shown = true;
        var record = new ProgressRecord(_id, _activity, update.Status)
        {
            PercentComplete = percent,
            CurrentOperation = update.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{update.Done:N0} of {update.Total:N0} {update.Unit}")
                : string.Create(CultureInfo.InvariantCulture, $"{update.Done:N0} {update.Unit}"),
        };
        return record;
    }

    /// <summary>The record that closes the bar, when one was shown.</summary>
    public ProgressRecord? Complete() => _shown
        ? new ProgressRecord(_id, _activity, "Done") { RecordType = ProgressRecordType.Completed }
        : null;
}
