using System.Net;
using System.Security.Cryptography;
using System.Text;
using Faceberg.LocalHub.Server;
using Faceberg.LocalHub.Store;

namespace Faceberg.LocalHub;

/// <summary>
/// Serves a <see cref="LocalHubStore"/> over HTTP on 127.0.0.1 with the Hugging Face Hub's API
/// shapes, plus test hooks: a request log, per-request latency and injected faults.
/// </summary>
public sealed class LocalHubServer : IDisposable
{
    private readonly HttpEndpoint _hub;
    private readonly HttpEndpoint? _cdn;
    private readonly FaultInjector _faults = new();
    private readonly HubApi _api;
    private int _disposed;

    private LocalHubServer(LocalHubOptions options)
    {
        Options = options;
        Token = options.RequiredToken ?? options.Token ?? "hf_local_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        Store = new LocalHubStore(options.RootPath, new LfsPolicy(options.LfsThresholdBytes)) { DefaultAuthor = options.UserName };
        if (options.ImportPlainFolders) Store.ImportPlainFolders();
        Latency = options.Latency;
        _api = new HubApi(this);
        _hub = HttpEndpoint.Start(options.Port, context => HandleAsync(context, "hub"));
        try
        {
            if (options.RedirectLfsToCdn) _cdn = HttpEndpoint.Start(0, context => HandleAsync(context, "cdn"));
        }
        catch
        {
            _hub.Dispose();
            throw;
        }
    }

    public static LocalHubServer Start(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LocalHubServer(options);
    }

    public LocalHubOptions Options { get; }

    /// <summary>The token that grants writes and private reads (see <see cref="LocalHubOptions.Token"/>).</summary>
    public string Token { get; }

    /// <summary>Signs LFS upload URLs, as the Hub presigns them: the object host accepts only what a batch call handed out.</summary>
    private readonly byte[] _uploadKey = RandomNumberGenerator.GetBytes(32);

    internal string SignUpload(string repoId, string oid, long size) =>
        Convert.ToHexString(HMACSHA256.HashData(_uploadKey, Encoding.UTF8.GetBytes($"{repoId}\n{oid}\n{size}"))).ToLowerInvariant();

    internal bool UploadSignatureMatches(string repoId, string oid, long size, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(SignUpload(repoId, oid, size)), Encoding.UTF8.GetBytes(signature));

    /// <summary>Base URL to use as HF_ENDPOINT, e.g. http://127.0.0.1:5123 (no trailing slash).</summary>
    public string Endpoint => _hub.BaseUrl;

    public int Port => _hub.Port;

    /// <summary>Base URL of the CDN listener that LFS downloads redirect to; null unless RedirectLfsToCdn.</summary>
    public string? CdnEndpoint => _cdn?.BaseUrl;

    public LocalHubStore Store { get; }

    public RequestLog RequestLog { get; } = new();

    /// <summary>Delay before each request is handled; change it at any time.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Delay before each request to the CDN listener (see RedirectLfsToCdn) is handled; null: <see cref="Latency"/>.</summary>
    public TimeSpan? CdnLatency { get; set; }

    public bool IsRunning => Volatile.Read(ref _disposed) == 0;

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> (and Retry-After).</summary>
    public void FailNext(int count, int status, TimeSpan? retryAfter = null) =>
        _faults.Add(null, new LocalHubFault(status, retryAfter), count);

    /// <summary>Closes the next <paramref name="count"/> connections without a response.</summary>
    public void DropNextConnections(int count) => _faults.Add(null, LocalHubFault.Drop(), count);

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="times"/> requests that match.</summary>
    public void InjectFault(Func<LoggedRequest, bool> match, LocalHubFault fault, int times = 1) => _faults.Add(match, fault, times);

    public void ClearFaults() => _faults.Clear();

    public void Stop() => Dispose();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _cdn?.Dispose();
        _hub.Dispose();
    }

    internal bool TokenMatches(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(Token));

    private async Task HandleAsync(HttpListenerContext context, string server)
    {
        var request = context.Request;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in request.Headers.AllKeys)
        {
            // Tokens must never reach a log.
            if (name is null || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue;
            headers[name] = request.Headers[name] ?? "";
        }
        var entry = new LoggedRequest(server, request.HttpMethod, request.RawUrl ?? "/", headers,
            request.Headers["Authorization"] is not null, 0, DateTimeOffset.UtcNow);
        var hubRequest = new HubRequest(context);
        var logged = 0;
        void Log(int status)
        {
            if (Interlocked.Exchange(ref logged, 1) == 0) RequestLog.Add(entry with { Status = status });
        }
        hubRequest.Responding = Log;
        try
        {
            var latency = server == "cdn" ? CdnLatency ?? Latency : Latency;
            if (latency > TimeSpan.Zero) await Task.Delay(latency).ConfigureAwait(false);
            var fault = _faults.Take(entry);
            if (fault is { AfterHandling: true })
            {
                hubRequest.Discard = true;
                try
                {
                    if (server == "cdn") await _api.HandleCdnAsync(hubRequest).ConfigureAwait(false);
                    else await _api.HandleAsync(hubRequest).ConfigureAwait(false);
                }
                catch (LocalHubException)
                {
                    // The request failed on its own; the client still sees only the injected fault.
                }
                hubRequest.Discard = false;
            }
            if (fault is { DropConnection: true })
            {
                Log(0);
                ConnectionDropper.Drop(context);
                return;
            }
            if (fault is not null)
                hubRequest.Error(fault.Status, fault.Status == 429 ? "Rate limit exceeded" : $"Injected failure {fault.Status}", retryAfter: fault.RetryAfter);
            else if (server == "cdn")
                await _api.HandleCdnAsync(hubRequest).ConfigureAwait(false);
            else
                await _api.HandleAsync(hubRequest).ConfigureAwait(false);
        }
        catch (LocalHubException e) when (!hubRequest.HasResponded)
        {
            TryRespond(() => hubRequest.Error(e.StatusCode, e.Message, e.ErrorCode));
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The client went away mid-response; nothing left to answer.
        }
        catch (Exception e) when (!hubRequest.HasResponded)
        {
            TryRespond(() => hubRequest.Error(500, $"Internal error: {e.GetType().Name}: {e.Message}"));
        }
        catch (Exception)
        {
            // Failed after the status line went out: the client sees a truncated response, which is all we can do.
            TryRespond(context.Response.Abort);
        }
        finally
        {
            Log(hubRequest.HasResponded ? context.Response.StatusCode : 0);
        }
    }

    private static void TryRespond(Action respond)
    {
        try { respond(); }
        catch (Exception e) when (e is HttpListenerException or InvalidOperationException or ObjectDisposedException or IOException)
        {
            // Headers already sent: the connection closes with whatever was written.
        }
    }
}
