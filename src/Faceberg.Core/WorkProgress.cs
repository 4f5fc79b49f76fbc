namespace Faceberg.Core;

/// <summary>
/// How far a long piece of work has come, reported through <see cref="IProgress{T}"/> by Core's
/// long operations (writes, publishes, pulls, scans). <see cref="Total"/> is 0 when unknown.
/// </summary>
/// <param name="Activity">What is being done, e.g. "Encoding rows".</param>
/// <param name="Done">Units done so far.</param>
/// <param name="Total">Units in all; 0 when not known.</param>
/// <param name="Unit">What is counted: "rows", "bytes", "files".</param>
public sealed record WorkProgress(string Activity, long Done, long Total, string Unit);

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (unlike
/// <see cref="Progress{T}"/>, which posts each report to the thread pool).</summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
