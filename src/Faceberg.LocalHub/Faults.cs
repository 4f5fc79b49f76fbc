namespace Faceberg.LocalHub;

/// <summary>A failure the server produces instead of handling a request.</summary>
/// <param name="Status">Status to answer with (ignored when <paramref name="DropConnection"/>).</param>
/// <param name="RetryAfter">Sent as a Retry-After header in whole seconds, rounded up.</param>
/// <param name="DropConnection">Abort the connection without any response.</param>
public sealed record LocalHubFault(int Status, TimeSpan? RetryAfter = null, bool DropConnection = false)
{
    public static LocalHubFault Drop() => new(0, null, DropConnection: true);
}

/// <summary>Armed faults: each matches requests and fires a limited number of times.</summary>
internal sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<Armed> _armed = [];

    public void Add(Func<LoggedRequest, bool>? match, LocalHubFault fault, int times)
    {
        if (times <= 0) return;
        lock (_gate) _armed.Add(new Armed(match ?? (_ => true), fault, times));
    }

    public void Clear()
    {
        lock (_gate) _armed.Clear();
    }

    /// <summary>Takes one firing of the first armed fault that matches, if any.</summary>
    public LocalHubFault? Take(LoggedRequest request)
    {
        lock (_gate)
        {
            foreach (var armed in _armed)
            {
                if (!armed.Match(request)) continue;
                if (--armed.Remaining <= 0) _armed.Remove(armed);
                return armed.Fault;
            }
            return null;
        }
    }

    private sealed class Armed(Func<LoggedRequest, bool> match, LocalHubFault fault, int remaining)
    {
        public Func<LoggedRequest, bool> Match { get; } = match;
        public LocalHubFault Fault { get; } = fault;
        public int Remaining { get; set; } = remaining;
    }
}
