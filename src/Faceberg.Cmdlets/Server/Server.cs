using System.Collections.Concurrent;
using Faceberg.Core.Hub;
using Faceberg.Core.Rest;

namespace Faceberg;

/// <summary>A running Iceberg REST catalog server as Start-FacebergServer emits it (type name Faceberg.Server).
/// Pipe it into Stop-FacebergServer.</summary>
public sealed class Server
{
    private const int KeptLogLines = 1000;

    private readonly ConcurrentQueue<RestRequestLog> _log = new();
    private RestCatalogServer? _rest;
    private HubClient? _hub;

    internal Server(string catalog, string catalogName)
    {
        Catalog = catalog;
        CatalogName = catalogName;
    }

    /// <summary>The REST base URI engines use as their catalog <c>uri</c>, e.g. http://127.0.0.1:8181.</summary>
    public string Endpoint => _rest!.Endpoint.ToString().TrimEnd('/');

    public int Port => _rest!.Port;

    /// <summary>The catalog served: its folder or hf://datasets/… URI.</summary>
    public string Catalog { get; }

    public string CatalogName { get; }

    /// <summary>True when the server refuses changes (started without -ClientToken, or with -ReadOnly).</summary>
    public bool ReadOnly => _rest!.ReadOnly;

    /// <summary>True when clients must send Authorization: Bearer with the -ClientToken.</summary>
    public bool RequiresToken => _rest!.RequiresToken;

    public bool IsRunning => _rest?.IsRunning ?? false;

    public DateTimeOffset StartTime => _rest!.StartTime;

    public override string ToString() => Endpoint;

    internal void Attach(RestCatalogServer rest, HubClient hub)
    {
        _rest = rest;
        _hub = hub;
    }

    /// <summary>Keeps the newest request log lines until a cmdlet writes them as verbose output.</summary>
    internal void Record(RestRequestLog entry)
    {
        _log.Enqueue(entry);
        while (_log.Count > KeptLogLines && _log.TryDequeue(out _)) { }
    }

    internal IEnumerable<RestRequestLog> DrainLog()
    {
        while (_log.TryDequeue(out var entry)) yield return entry;
    }

    internal void Stop()
    {
        _rest?.StopAsync().GetAwaiter().GetResult();
        _hub?.Dispose();
    }
}
