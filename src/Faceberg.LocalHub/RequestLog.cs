using System.Collections.Concurrent;

namespace Faceberg.LocalHub;

/// <summary>One request the local Hub (or its CDN listener) answered.</summary>
/// <param name="Server">"hub" or "cdn".</param>
/// <param name="PathAndQuery">The raw request target, percent-encoding kept.</param>
/// <param name="Headers">Request headers; the Authorization value is never kept.</param>
/// <param name="HasAuthorization">Whether an Authorization header was sent.</param>
/// <param name="Status">Status sent; 0 when the connection was dropped on purpose.</param>
public sealed record LoggedRequest(
    string Server,
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    bool HasAuthorization,
    int Status,
    DateTimeOffset Timestamp)
{
    public string? Range => Headers.TryGetValue("Range", out var range) ? range : null;

    /// <summary>The path without the query string.</summary>
    public string Path => PathAndQuery.Split('?', 2)[0];
}

/// <summary>Thread-safe, append-only log of requests, for assertions in tests.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<LoggedRequest> _entries = new();

    public IReadOnlyList<LoggedRequest> Entries => _entries.ToArray();

    public int Count => _entries.Count;

    public void Clear() => _entries.Clear();

    internal void Add(LoggedRequest entry) => _entries.Enqueue(entry);
}
