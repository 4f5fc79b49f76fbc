namespace Faceberg.LocalHub;

/// <summary>A failure the server produces instead of handling a request.</summary>
/// <param name="Status">Status to answer with (ignored when <paramref name="DropConnection"/>).</param>
/// <param name="RetryAfter">Sent as a Retry-After header in whole seconds, rounded up.</param>
/// <param name="DropConnection">Abort the connection without any response.</param>
/// <param name="AfterHandling">
/// Handle the request first (a commit is applied), then fail instead of sending the real answer: the
/// ambiguous outcome of a gateway timing out, or a connection lost after the server acted.
/// </param>
public sealed record LocalHubFault(int Status, TimeSpan? RetryAfter = null, bool DropConnection = false, bool AfterHandling = false)
{
    public static LocalHubFault Drop() => new(0, null, DropConnection: true);

    /// <summary>Applies the request, then answers <paramref name="status"/> instead of its real answer.</summary>
    public static LocalHubFault ApplyThenFail(int status = 503) => new(status, AfterHandling: true);

    /// <summary>Applies the request, then drops the connection without an answer.</summary>
    public static LocalHubFault ApplyThenDrop() => new(0, null, DropConnection: true, AfterHandling: true);
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
