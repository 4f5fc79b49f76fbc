using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Faceberg.Core.Hub;

/// <summary>What a request is about, so errors can name the repo, revision and path.</summary>
internal sealed record HubRequestContext(string Action, string? RepoId = null, string? Revision = null, string? Path = null);

/// <summary>One logical request; a new HttpRequestMessage is built per attempt and per redirect hop.</summary>
internal sealed class HubRequest
{
    public required HttpMethod Method { get; init; }
    public required Uri Uri { get; init; }
    public required HubRequestContext Context { get; init; }
    public Func<HttpContent>? Content { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    /// <summary>
    /// Safe to repeat after a dropped connection, timeout or 5xx. A non-idempotent request (a commit, a repo
    /// creation) is retried only on 429, which the Hub answers before doing anything; any other failure after it
    /// was sent may have been applied, so it surfaces as a <see cref="HubUnavailableException"/> with
    /// <see cref="HubUnavailableException.MayHaveBeenApplied"/> set for the caller to verify.
    /// </summary>
    public bool Idempotent { get; init; } = true;
    /// <summary>False for HEAD on resolve URLs: a redirect to another host is the answer (it carries X-Linked-* headers).</summary>
    public bool FollowCrossOriginRedirects { get; init; } = true;
}

/// <summary>
/// The HTTP pipeline: concurrency gate, per-attempt timeout, manual redirects that drop the token when the
/// origin changes, retries with exponential backoff and jitter honouring Retry-After, and error mapping.
/// </summary>
internal sealed class HubTransport : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate;
    private readonly HubClientOptions _options;
    private readonly string? _token;

    public HubTransport(HubClientOptions options, Uri endpoint)
    {
        _options = options;
        Endpoint = endpoint;
        _token = string.IsNullOrWhiteSpace(options.Token) ? null : options.Token.Trim();
        if (options.MaxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConcurrency must be at least 1.");
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        var handler = options.HttpMessageHandler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = options.MaxConnectionsPerServer ?? options.MaxConcurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: options.HttpMessageHandler is null) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Endpoint { get; }
    public bool HasToken => _token is not null;

    public Uri Api(string relative) => new(Endpoint, relative);

    /// <summary>Sends the request and hands a successful response to <paramref name="read"/> (inside the gate).</summary>
    public Task<T> SendAsync<T>(HubRequest request, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        CancellationToken ct, Func<HttpResponseMessage, bool>? acceptStatus = null) =>
        SendCoreAsync(request, read, null, ct, acceptStatus).AsTask();

    /// <summary>
    /// The same pipeline run synchronously (HttpClient.Send, blocking waits on the gate and between retries),
    /// for callers that must answer synchronously (Stream.Read); nothing in it waits on asynchronous work.
    /// </summary>
    public T Send<T>(HubRequest request, Func<HttpResponseMessage, CancellationToken, T> read,
        CancellationToken ct, Func<HttpResponseMessage, bool>? acceptStatus = null)
    {
        var pending = SendCoreAsync(request, null, read, ct, acceptStatus);
        if (!pending.IsCompleted)
            throw new InvalidOperationException("The synchronous Hub pipeline awaited asynchronous work.");
        return pending.Result;
    }

    /// <summary>
    /// One pipeline for both forms: with <paramref name="readSync"/> set every step runs synchronously and the
    /// returned task is already complete; otherwise every step is awaited.
    /// </summary>
    private async ValueTask<T> SendCoreAsync<T>(HubRequest request, Func<HttpResponseMessage, CancellationToken, Task<T>>? read,
        Func<HttpResponseMessage, CancellationToken, T>? readSync, CancellationToken ct, Func<HttpResponseMessage, bool>? acceptStatus)
    {
        var synchronous = readSync is not null;
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan delay;
            if (synchronous) _gate.Wait(ct);
            else await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attemptCts.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var response = synchronous
                        ? SendFollowingRedirects(request, synchronous: true, attemptCts.Token).Result
                        : await SendFollowingRedirects(request, synchronous: false, attemptCts.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode || (acceptStatus?.Invoke(response) ?? false))
                        return synchronous ? readSync!(response, attemptCts.Token) : await read!(response, attemptCts.Token).ConfigureAwait(false);

                    var status = response.StatusCode;
                    var retryable = status == HttpStatusCode.TooManyRequests || (request.Idempotent && (int)status >= 500);
                    if (!retryable || attempt >= _options.MaxRetries)
                    {
                        var body = synchronous ? ReadErrorBody(response, ct) : await ReadErrorBodyAsync(response, ct).ConfigureAwait(false);
                        throw MapError(response, request, attempt, body);
                    }
                    delay = RetryDelay(attempt, RetryAfter(response));
                }
                catch (Exception e) when (IsTransient(e, ct) && request.Idempotent && attempt < _options.MaxRetries)
                {
                    delay = RetryDelay(attempt, null);
                }
                catch (Exception e) when (IsTransient(e, ct))
                {
                    throw new HubUnavailableException(
                        $"Could not {request.Context.Action}{Describe(request.Context)}: the connection to {Endpoint.Authority} failed " +
                        $"after {attempt + 1} attempt(s) ({Scrub(e.Message)}). Check the endpoint (HF_ENDPOINT) and network, then retry.",
                        null, e) { MayHaveBeenApplied = !request.Idempotent };
                }
            }
            finally
            {
                _gate.Release();
            }
            if (synchronous)
            {
                ct.WaitHandle.WaitOne(delay);
                ct.ThrowIfCancellationRequested();
            }
            else
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException or IOException or OperationCanceledException;

    /// <summary>Sends with manual redirects; with <paramref name="synchronous"/> the returned task is already complete.</summary>
    private async Task<HttpResponseMessage> SendFollowingRedirects(HubRequest request, bool synchronous, CancellationToken ct)
    {
        var uri = request.Uri;
        var method = request.Method;
        var withBody = request.Content is not null;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, uri);
            if (withBody) message.Content = request.Content!();
            message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            if (request.Headers is not null)
                foreach (var (name, value) in request.Headers)
                    if (!message.Headers.TryAddWithoutValidation(name, value))
                        message.Content?.Headers.TryAddWithoutValidation(name, value);
            // The token belongs to the Hub only: a CDN or any other origin never sees it.
            if (_token is not null && SameOrigin(uri, Endpoint))
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);

            var response = synchronous
                ? _http.Send(message, HttpCompletionOption.ResponseHeadersRead, ct)
                : await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var location = response.Headers.Location;
            if (!IsRedirect(response.StatusCode) || location is null || hop >= MaxRedirects) return response;
            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (!request.FollowCrossOriginRedirects && !SameOrigin(next, Endpoint)) return response;
            response.Dispose();
            if (response.StatusCode == HttpStatusCode.SeeOther || ((int)response.StatusCode is 301 or 302 && method == HttpMethod.Post))
            {
                method = HttpMethod.Get;
                withBody = false;
            }
            uri = next;
        }
    }

    internal static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }

    internal TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } server)
            return server < TimeSpan.Zero ? TimeSpan.Zero : server > _options.MaxRetryDelay ? _options.MaxRetryDelay : server;
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        // Equal jitter: half fixed, half random, so parallel readers hitting one fault do not retry in lockstep.
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }

    private HubException MapError(HttpResponseMessage response, HubRequest request, int attempt, string? body)
    {
        var status = response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var serverMessage = Header(response, "X-Error-Message") ?? body;
        var c = request.Context;
        var what = $"Could not {c.Action}{Describe(c)}";
        var detail = string.IsNullOrWhiteSpace(serverMessage) ? "" : $" The Hub said: {Scrub(serverMessage!.Trim())}";
        var tokenHint = _token is null
            ? $" If it is private or gated, set HF_TOKEN, pass -Token, or save a token to {HubTokenResolver.TokenFilePath()}."
            : " If it is private or gated, make sure the token in use has access to it.";

        switch (code)
        {
            case "RepoNotFound":
                return new RepositoryNotFoundException(c.RepoId ?? "", $"{what}: dataset repo '{c.RepoId}' was not found at {Endpoint.GetLeftPart(UriPartial.Authority)}.{tokenHint}{detail}", status, code);
            case "RevisionNotFound":
                return new RevisionNotFoundException($"{what}: revision '{c.Revision}' does not exist in '{c.RepoId}'. List branches and tags with refs, or use a commit sha.{detail}", status, code);
            case "EntryNotFound":
                return new EntryNotFoundException($"{what}: '{c.Path}' does not exist in '{c.RepoId}' at revision '{c.Revision}'.{detail}", status, code);
            case "GatedRepo":
                return new HubAuthenticationException($"{what}: '{c.RepoId}' is gated; accept its conditions on the Hub with the account whose token you use (HF_TOKEN or -Token).{detail}", HttpStatusCode.Forbidden, code);
        }

        switch ((int)status)
        {
            case 401:
                return new HubAuthenticationException(_token is null
                    ? $"{what}: the Hub requires authentication. Set HF_TOKEN, pass -Token, or save a token to {HubTokenResolver.TokenFilePath()}.{detail}"
                    : $"{what}: the Hub rejected the token (401). Check that HF_TOKEN / -Token holds a valid, unexpired access token.{detail}",
                    status, code);
            case 403:
                return new HubAuthenticationException(
                    $"{what}: access denied (403). The token in use (HF_TOKEN or -Token) lacks the needed permission; writes need a token with write access.{detail}",
                    status, code);
            case 404:
                return new HubException("HubNotFound", FacebergErrorKind.NotFound, $"{what}: not found (404).{detail}", status, code);
            case 409:
                return new HubConflictException($"{what}: conflict (409).{detail}", code);
            case 412:
                return new HubCommitConflictException(
                    $"{what}: branch '{c.Revision}' of '{c.RepoId}' moved since the parent commit this change was based on (412). Reload and retry.{detail}", code);
            case 416:
                return new HubException("HubRangeNotSatisfiable", FacebergErrorKind.InvalidArgument, $"{what}: the requested byte range is outside the file (416).{detail}", status, code);
            case 429:
                return new HubRateLimitException(
                    $"{what}: rate limited by the Hub (429) after {attempt + 1} attempt(s). Wait and retry, or lower the concurrency.{detail}", RetryAfter(response));
            case >= 500:
                return new HubUnavailableException(
                    $"{what}: the Hub failed with {(int)status} {response.ReasonPhrase} after {attempt + 1} attempt(s). Retry later.{detail}", status)
                    { MayHaveBeenApplied = !request.Idempotent };
            case 400 or 422:
                return new HubException("HubBadRequest", FacebergErrorKind.InvalidArgument, $"{what}: the Hub rejected the request ({(int)status}).{detail}", status, code);
            default:
                return new HubException("HubRequestFailed", FacebergErrorKind.InvalidData, $"{what}: unexpected HTTP {(int)status} {response.ReasonPhrase}.{detail}", status, code);
        }
    }

    private static string Describe(HubRequestContext c)
    {
        var parts = new List<string>();
        if (c.Path is not null) parts.Add($"'{c.Path}'");
        if (c.RepoId is not null) parts.Add($"in '{c.RepoId}'");
        if (c.Revision is not null) parts.Add($"at '{c.Revision}'");
        return parts.Count == 0 ? "" : " " + string.Join(' ', parts);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return ErrorText(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return null;
        }
    }

    private static string? ReadErrorBody(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var reader = new StreamReader(response.Content.ReadAsStream(ct));
            return ErrorText(reader.ReadToEnd());
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The "error" of a JSON error body, else the (shortened) text.</summary>
    private static string? ErrorText(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
                return error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetRawText();
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }
        return body.Length > 300 ? body[..300] + "…" : body;
    }

    /// <summary>Defence in depth: a server echoing the token back must not leak it into a message.</summary>
    internal string Scrub(string text) =>
        _token is null || text.Length == 0 ? text : text.Replace(_token, "***", StringComparison.Ordinal);

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}
