using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Rest;

/// <summary>
/// An Iceberg REST catalog server (the routes of <c>rest-catalog-open-api.yaml</c>) over an <see cref="Catalog.ICatalog"/>,
/// on an <see cref="HttpListener"/>. Every request is handled on the thread pool, so many clients load tables at once;
/// <see cref="RestCatalogRoutes"/> maps each route onto one catalog call. With a client token every request must carry
/// it; without one the server only reads. The server holds no Hub token of its own to hand out: table configs name
/// the Hub endpoint only.
/// </summary>
public sealed class RestCatalogServer : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly HttpListener _listener;
    private readonly RestServerOptions _options;
    private readonly RestCatalogRoutes _routes;
    private readonly byte[]? _tokenHash;
    private readonly Task _acceptLoop;
    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;

    private RestCatalogServer(HttpListener listener, int port, Catalog.ICatalog catalog, RestServerOptions options)
    {
        _listener = listener;
        _options = options;
        Port = port;
        Catalog = catalog;
        ReadOnly = options.ReadOnly || string.IsNullOrEmpty(options.ClientToken);
        _tokenHash = string.IsNullOrEmpty(options.ClientToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.ClientToken));
        var host = options.ListenAddress.Contains(':') ? $"[{options.ListenAddress}]" : options.ListenAddress;
        Endpoint = new Uri($"http://{(host is "0.0.0.0" or "[::]" or "*" or "+" ? "127.0.0.1" : host)}:{port}");
        StartTime = DateTimeOffset.Now;
        _routes = new RestCatalogRoutes(catalog, options.Prefix, ReadOnly, options.HubEndpoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The REST base URI clients use as their catalog <c>uri</c>.</summary>
    public Uri Endpoint { get; }
    public int Port { get; }
    public Catalog.ICatalog Catalog { get; }

    /// <summary>True when the server refuses changes (no client token, or read-only was asked for).</summary>
    public bool ReadOnly { get; }

    public bool RequiresToken => _tokenHash is not null;
    public DateTimeOffset StartTime { get; }
    public bool IsRunning => Volatile.Read(ref _stopped) == 0;

    /// <summary>Starts listening; fails with FacebergException ServerPortUnavailable when the address cannot be bound.</summary>
    public static RestCatalogServer Start(Catalog.ICatalog catalog, RestServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.Prefix) && (options.Prefix.Contains('/') || Uri.EscapeDataString(options.Prefix) != options.Prefix))
            throw new FacebergException("InvalidServerPrefix", FacebergErrorKind.InvalidArgument, $"The prefix '{options.Prefix}' must be one URL path segment.");
        var host = options.ListenAddress switch
        {
            "0.0.0.0" or "::" or "*" => "+",
            var a when a.Contains(':') => $"[{a}]",
            var a => a,
        };
        // HttpListener cannot bind port 0, so ask the OS for a free port and retry if another process takes it
        // between the probe and the bind.
        for (var attempt = 0; ; attempt++)
        {
            var candidate = options.Port != 0 ? options.Port : FreePort(options.ListenAddress);
            var listener = new HttpListener { IgnoreWriteExceptions = true };
            listener.Prefixes.Add($"http://{host}:{candidate}/");
            try
            {
                listener.Start();
                return new RestCatalogServer(listener, candidate, catalog, options);
            }
            catch (HttpListenerException) when (options.Port == 0 && attempt < 20)
            {
                listener.Close();
            }
            catch (HttpListenerException e)
            {
                listener.Close();
                throw new FacebergException("ServerPortUnavailable", FacebergErrorKind.Unavailable,
                    $"Cannot listen on {options.ListenAddress}:{candidate}: {e.Message}. Choose another port, or 0 for a free one.", e);
            }
        }
    }

    private static int FreePort(string address)
    {
        var ip = IPAddress.TryParse(address, out var parsed) ? parsed : IPAddress.Loopback;
        var probe = new TcpListener(ip, 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
        finally { probe.Stop(); }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _inFlight);
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var clock = Stopwatch.StartNew();
        var request = context.Request;
        var response = context.Response;
        var path = (request.RawUrl ?? "/").Split('?', 2)[0];
        var status = 500;
        string? failure = null;
        try
        {
            RestResponse answer;
            try
            {
                Authorize(request);
                answer = await _routes.HandleAsync(request, path, _stopping.Token).ConfigureAwait(false);
            }
            catch (RestError e)
            {
                answer = RestResponse.Error(e);
            }
            catch (FacebergException e)
            {
                answer = RestResponse.Error(RestError.From(e, tableRoute: path.Contains("/tables/", StringComparison.Ordinal)));
            }
            catch (JsonException e)
            {
                answer = RestResponse.Error(RestError.BadRequest($"The request body is not valid JSON for this route: {e.Message}"));
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                answer = RestResponse.Error(new RestError(503, "ServiceUnavailableException", "The server is stopping."));
            }
            catch (Exception e)
            {
                // Unexpected failures are not described to clients: their messages can name server internals.
                failure = $"{e.GetType().FullName}: {e.Message}";
                answer = RestResponse.Error(new RestError(500, "InternalServerError", "The server failed to handle the request."));
            }
            status = answer.Status;
            await answer.WriteAsync(response, request.HttpMethod == "HEAD").ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client went away while the answer was written; nothing is left to tell it.
        }
        finally
        {
            try { response.Close(); } catch (Exception) { }
            clock.Stop();
            try { _options.Log?.Invoke(new RestRequestLog(DateTimeOffset.Now, request.HttpMethod, path, status, clock.Elapsed.TotalMilliseconds, failure)); }
            catch (Exception) { }
            if (Interlocked.Decrement(ref _inFlight) == 0 && !IsRunning) _drained.TrySetResult();
        }
    }

    private void Authorize(HttpListenerRequest request)
    {
        if (_tokenHash is null) return;
        var header = request.Headers["Authorization"];
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw RestError.NotAuthorized("This server requires 'Authorization: Bearer <token>' with the token it was started with.");
        // Hashing first makes the comparison constant-time regardless of the lengths.
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(offered, _tokenHash))
            throw RestError.NotAuthorized("The bearer token is not the one this server accepts.");
    }

    /// <summary>Stops accepting requests and waits (up to ten seconds) for the ones being answered.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (_listener.IsListening) _listener.Stop();
        }
        catch (HttpListenerException) { }
        if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
        var drained = await Task.WhenAny(_drained.Task, Task.Delay(StopGrace)).ConfigureAwait(false) == _drained.Task;
        if (!drained) _stopping.Cancel();
        try { _listener.Close(); } catch (HttpListenerException) { }
        try { await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } catch (Exception) { }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
