using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Hub;

/// <summary>
/// Client of the Hugging Face Hub HTTP API for dataset repos, speaking the wire format of huggingface_hub.
/// Thread-safe; share one instance so connections are pooled and the concurrency limit applies to all calls.
/// </summary>
public sealed partial class HubClient : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HubTransport _transport;

    public HubClient(HubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _transport = new HubTransport(options, ParseEndpoint(options.Endpoint));
    }

    /// <summary>
    /// A client configured like huggingface_hub: endpoint from the argument, else HF_ENDPOINT, else
    /// https://huggingface.co; token from the argument, else HF_TOKEN, else the token file.
    /// </summary>
    public static HubClient FromEnvironment(string? token = null, string? endpoint = null, Action<HubClientOptions>? configure = null)
    {
        var options = new HubClientOptions
        {
            Endpoint = ResolveEndpoint(endpoint),
            Token = HubTokenResolver.Resolve(token),
        };
        configure?.Invoke(options);
        return new HubClient(options);
    }

    public static string ResolveEndpoint(string? endpoint = null)
    {
        if (!string.IsNullOrWhiteSpace(endpoint)) return endpoint.Trim();
        var fromEnv = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        return string.IsNullOrWhiteSpace(fromEnv) ? HubClientOptions.DefaultEndpoint : fromEnv.Trim();
    }

    private static Uri ParseEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint?.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FacebergException("InvalidHubEndpoint", FacebergErrorKind.InvalidArgument,
                $"'{endpoint}' is not a valid Hub endpoint; expected an http(s) URL such as https://huggingface.co.");
        return uri;
    }

    public HubClientOptions Options { get; }

    /// <summary>Base URL of the Hub this client talks to (ends with '/').</summary>
    public Uri Endpoint => _transport.Endpoint;

    public bool HasToken => _transport.HasToken;

    public override string ToString() => $"HubClient({Endpoint.GetLeftPart(UriPartial.Authority)}, token {(HasToken ? "set" : "none")})";

    // ---- repo metadata ---------------------------------------------------------------------------

    /// <summary>GET /api/datasets/{id}[/revision/{rev}]: sha, siblings, cardData, ….</summary>
    public Task<DatasetInfo> GetDatasetInfoAsync(string repoId, string? revision = null, CancellationToken ct = default)
    {
        HubRepoId.Validate(repoId);
        var path = revision is null ? $"api/datasets/{repoId}" : $"api/datasets/{repoId}/revision/{HubUrls.Revision(revision)}";
        return GetJsonAsync<DatasetInfo>(_transport.Api(path), new("read dataset info", repoId, revision), ct);
    }

    /// <summary>
    /// GET /api/datasets/{id}/revision/{rev}?expand=sha&amp;expand=cardData: the commit a revision points at and its card
    /// (<see cref="DatasetInfo.Sha"/> and <see cref="DatasetInfo.CardData"/>; the other properties are left unset), as
    /// huggingface_hub's <c>dataset_info(expand=["sha", "cardData"])</c> asks. Without the file list a full answer
    /// carries, which for a large dataset is most of its size.
    /// </summary>
    public Task<DatasetInfo> GetDatasetCommitAsync(string repoId, string revision, CancellationToken ct = default)
    {
        HubRepoId.Validate(repoId);
        var path = $"api/datasets/{repoId}/revision/{HubUrls.Revision(revision)}?expand=sha&expand=cardData";
        return GetJsonAsync<DatasetInfo>(_transport.Api(path), new("read dataset info", repoId, revision), ct);
    }

    /// <summary>GET /api/datasets/{id}/tree/{rev}[/{path}], following Link rel="next" across pages.</summary>
    public async Task<IReadOnlyList<HubTreeEntry>> ListTreeAsync(string repoId, string revision, string? path = null,
        bool recursive = false, CancellationToken ct = default)
    {
        return await GetPagedAsync(TreeUri(repoId, revision, path, recursive), new("list files", repoId, revision, path), HubTreePage.Parse, ct)
            .ConfigureAwait(false);
    }

    private Uri TreeUri(string repoId, string revision, string? path, bool recursive)
    {
        HubRepoId.Validate(repoId);
        var suffix = string.IsNullOrEmpty(path?.Trim('/')) ? "" : "/" + HubUrls.PathSegment(path!);
        return _transport.Api($"api/datasets/{repoId}/tree/{HubUrls.Revision(revision)}{suffix}" + (recursive ? "?recursive=true" : ""));
    }

    /// <summary>
    /// Every file of a revision: the recursive tree listing as <see cref="ListTreeAsync"/> pages it, without folders, each
    /// file made by <paramref name="file"/> from its path, size and content id (an LFS file's sha256 and size, else its git
    /// blob oid and size) in the page's parse, which runs while the next page is on its way.
    /// </summary>
    internal async Task<IReadOnlyList<T>> ListFilesAsync<T>(string repoId, string revision, Func<string, long, string, T> file,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return await GetPagedAsync(TreeUri(repoId, revision, null, recursive: true), new("list files", repoId, revision),
            body => HubTreePage.ParseFiles(body, file), ct).ConfigureAwait(false);
    }

    /// <summary>POST /api/datasets/{id}/paths-info/{rev}: entries for the given paths (missing ones are left out).</summary>
    public async Task<IReadOnlyList<HubTreeEntry>> GetPathsInfoAsync(string repoId, string revision, IEnumerable<string> paths,
        CancellationToken ct = default)
    {
        HubRepoId.Validate(repoId);
        var form = paths.Select(p => new KeyValuePair<string, string>("paths", HubUrls.CheckPath(p))).ToList();
        if (form.Count == 0) return [];
        var request = new HubRequest
        {
            Method = HttpMethod.Post,
            Uri = _transport.Api($"api/datasets/{repoId}/paths-info/{HubUrls.Revision(revision)}"),
            Context = new("read path info", repoId, revision),
            Content = () => new FormUrlEncodedContent(form),
        };
        return await _transport.SendAsync(request, ReadJsonAsync<List<HubTreeEntry>>, ct).ConfigureAwait(false);
    }

    /// <summary>GET /api/datasets/{id}/refs: branches, conversion refs (refs/convert/parquet) and tags.</summary>
    public Task<HubRefs> ListRefsAsync(string repoId, CancellationToken ct = default)
    {
        HubRepoId.Validate(repoId);
        return GetJsonAsync<HubRefs>(_transport.Api($"api/datasets/{repoId}/refs"), new("list refs", repoId), ct);
    }

    /// <summary>GET /api/datasets/{id}/commits/{rev}, newest first, all pages.</summary>
    public async Task<IReadOnlyList<HubCommit>> ListCommitsAsync(string repoId, string revision = "main", CancellationToken ct = default)
    {
        HubRepoId.Validate(repoId);
        var uri = _transport.Api($"api/datasets/{repoId}/commits/{HubUrls.Revision(revision)}");
        return await GetPagedAsync(uri, new("list commits", repoId, revision), static body => JsonSerializer.Deserialize<List<HubCommit>>(body, Json), ct)
            .ConfigureAwait(false);
    }

    // ---- file reads ------------------------------------------------------------------------------

    internal Uri ResolveUri(string repoId, string revision, string path) =>
        _transport.Api($"datasets/{HubRepoId.Validate(repoId)}/resolve/{HubUrls.Revision(revision)}/{HubUrls.FilePath(path)}");

    /// <summary>HEAD /datasets/{id}/resolve/{rev}/{path}: size, ETag and the commit the revision resolved to.</summary>
    public Task<HubFileMetadata> GetFileMetadataAsync(string repoId, string revision, string path, CancellationToken ct = default)
    {
        var request = new HubRequest
        {
            Method = HttpMethod.Head,
            Uri = ResolveUri(repoId, revision, path),
            Context = new("read file metadata of", repoId, revision, path),
            // Compressed sizes would be wrong; and a CDN redirect is the answer itself (X-Linked-* headers).
            Headers = new Dictionary<string, string> { ["Accept-Encoding"] = "identity" },
            FollowCrossOriginRedirects = false,
        };
        return _transport.SendAsync(request, (response, _) =>
        {
            var size = LongHeader(response, "X-Linked-Size") ?? response.Content.Headers.ContentLength
                ?? throw new HubException("HubMissingSize", FacebergErrorKind.InvalidData,
                    $"The Hub sent no size for '{path}' in '{repoId}' at '{revision}'.");
            var etag = Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag;
            return Task.FromResult(new HubFileMetadata(size, NormalizeEtag(etag), Header(response, "X-Repo-Commit"), response.Headers.Location));
        }, ct, acceptStatus: r => HubTransport.IsRedirect(r.StatusCode));
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> with one ranged GET (206).</summary>
    public async Task<byte[]> ReadRangeAsync(string repoId, string revision, string path, long offset, int length, CancellationToken ct = default)
    {
        if (offset < 0 || length < 0) throw new ArgumentOutOfRangeException(nameof(offset), "Offset and length must be non-negative.");
        if (length == 0) return [];
        var (bytes, _) = await ReadRangeCoreAsync(repoId, revision, path, new RangeHeaderValue(offset, offset + length - 1), offset, ct)
            .ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Reads the last <paramref name="length"/> bytes (fewer for a smaller file) and learns the file size.</summary>
    internal async Task<(byte[] Bytes, long FileSize)> ReadTailAsync(string repoId, string revision, string path, int length,
        long? knownSize, CancellationToken ct)
    {
        if (knownSize is { } size)
        {
            if (size == 0) return ([], 0);
            var start = Math.Max(0, size - length);
            var bytes = await ReadRangeAsync(repoId, revision, path, start, (int)(size - start), ct).ConfigureAwait(false);
            return (bytes, size);
        }
        // A suffix range returns the tail and, in Content-Range, the total size: one request instead of HEAD + GET.
        var range = new RangeHeaderValue();
        range.Ranges.Add(new RangeItemHeaderValue(null, length));
        return await ReadRangeCoreAsync(repoId, revision, path, range, null, ct).ConfigureAwait(false);
    }

    private Task<(byte[] Bytes, long FileSize)> ReadRangeCoreAsync(string repoId, string revision, string path,
        RangeHeaderValue range, long? expectedStart, CancellationToken ct) =>
        _transport.SendAsync(RangeRequest(repoId, revision, path, range), async (response, token) =>
            RangeAnswer(response, await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false), repoId, revision, path, range, expectedStart), ct);

    /// <summary>
    /// <see cref="ReadRangeAsync"/> answered synchronously (for Stream.Read): the same request, retries and
    /// errors, sent with HttpClient's synchronous API.
    /// </summary>
    public byte[] ReadRange(string repoId, string revision, string path, long offset, int length, CancellationToken ct = default)
    {
        if (offset < 0 || length < 0) throw new ArgumentOutOfRangeException(nameof(offset), "Offset and length must be non-negative.");
        if (length == 0) return [];
        var range = new RangeHeaderValue(offset, offset + length - 1);
        return _transport.Send(RangeRequest(repoId, revision, path, range), (response, token) =>
        {
            using var body = new MemoryStream();
            response.Content.ReadAsStream(token).CopyTo(body);
            return RangeAnswer(response, body.ToArray(), repoId, revision, path, range, offset).Bytes;
        }, ct);
    }

    private HubRequest RangeRequest(string repoId, string revision, string path, RangeHeaderValue range) => new()
    {
        Method = HttpMethod.Get,
        Uri = ResolveUri(repoId, revision, path),
        Context = new("read", repoId, revision, path),
        Headers = new Dictionary<string, string> { ["Range"] = range.ToString(), ["Accept-Encoding"] = "identity" },
    };

    /// <summary>The requested bytes and the file size from a ranged GET's answer: a 206, or a 200 carrying the whole file.</summary>
    private static (byte[] Bytes, long FileSize) RangeAnswer(HttpResponseMessage response, byte[] body, string repoId, string revision, string path,
        RangeHeaderValue range, long? expectedStart)
    {
        var item = range.Ranges.First();
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var contentRange = response.Content.Headers.ContentRange;
            if (contentRange?.From is not { } from || contentRange.Length is not { } total
                || (expectedStart is { } start && from != start) || contentRange.To - from + 1 != body.Length)
                throw new HubException("HubBadRange", FacebergErrorKind.InvalidData,
                    $"The Hub answered a range read of '{path}' in '{repoId}' with an inconsistent Content-Range '{contentRange}'.");
            return (body, total);
        }
        // 200: the server ignored Range and sent the whole file; cut the requested part out of it.
        var fileSize = body.LongLength;
        long first = item.From ?? Math.Max(0, fileSize - item.To!.Value);
        long last = item.From is null ? fileSize - 1 : Math.Min(item.To ?? fileSize - 1, fileSize - 1);
        if (item.From is not null && first >= fileSize)
            throw new HubException("HubRangeNotSatisfiable", FacebergErrorKind.InvalidArgument,
                $"Offset {first} is beyond the end of '{path}' in '{repoId}' at '{revision}' ({fileSize} bytes).");
        return (body.AsSpan((int)first, (int)Math.Max(0, last - first + 1)).ToArray(), fileSize);
    }

    /// <summary>Downloads a whole file into <paramref name="destination"/>.</summary>
    public Task DownloadFileAsync(string repoId, string revision, string path, Stream destination, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var request = new HubRequest
        {
            Method = HttpMethod.Get,
            Uri = ResolveUri(repoId, revision, path),
            Context = new("download", repoId, revision, path),
            Headers = new Dictionary<string, string> { ["Accept-Encoding"] = "identity" },
        };
        var startPosition = destination.CanSeek ? destination.Position : -1;
        return _transport.SendAsync(request, async (response, token) =>
        {
            // A retried attempt rewrites from the start rather than appending a second partial copy.
            if (startPosition >= 0) { destination.Position = startPosition; destination.SetLength(startPosition); }
            await response.Content.CopyToAsync(destination, token).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <summary>Downloads a whole file into memory.</summary>
    public async Task<byte[]> DownloadFileAsync(string repoId, string revision, string path, CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        await DownloadFileAsync(repoId, revision, path, buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>
    /// A seekable read-only stream over ranged reads. Opening fetches the file's tail (one request, which also
    /// learns the size when <paramref name="size"/> is null) so a Parquet footer needs no further request.
    /// Pin <paramref name="revision"/> to a commit sha so every range comes from the same file version.
    /// </summary>
    public async Task<HubFileStream> OpenReadAsync(string repoId, string revision, string path, long? size = null, CancellationToken ct = default)
    {
        var (tail, fileSize) = await ReadTailAsync(repoId, revision, path, Options.TailPrefetchBytes, size, ct).ConfigureAwait(false);
        return new HubFileStream(this, repoId, revision, path, fileSize, tail);
    }

    // ---- repo creation ---------------------------------------------------------------------------

    /// <summary>POST /api/repos/create for a dataset repo; returns its URL. A 409 is fine when <paramref name="existOk"/>.</summary>
    public async Task<string> CreateRepoAsync(string repoId, bool isPrivate = false, bool existOk = true, CancellationToken ct = default)
    {
        var (organization, name) = HubRepoId.Split(repoId);
        var payload = new Dictionary<string, object?> { ["name"] = name, ["type"] = "dataset", ["private"] = isPrivate };
        if (organization is not null) payload["organization"] = organization;
        var request = new HubRequest
        {
            Method = HttpMethod.Post,
            Uri = _transport.Api("api/repos/create"),
            Context = new("create dataset repo", repoId),
            Content = () => JsonContent(payload),
            Idempotent = false,
        };
        var repoUrl = new Uri(Endpoint, $"datasets/{repoId}").ToString();
        // Creating a repo is not idempotent, but resending it is harmless: a 409 to the resend means it exists.
        // With existOk that is success; without it, the 409 may be this call's own creation, so it says so.
        HubUnavailableException? ambiguous = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _transport.SendAsync(request, async (response, token) =>
                {
                    using var doc = await ReadJsonAsync<JsonDocument>(response, token).ConfigureAwait(false);
                    return doc.RootElement.TryGetProperty("url", out var url) && url.GetString() is { } u ? u : repoUrl;
                }, ct).ConfigureAwait(false);
            }
            catch (HubConflictException) when (existOk)
            {
                return repoUrl;
            }
            catch (HubConflictException e) when (ambiguous is not null)
            {
                throw new HubException("HubCreateOutcomeUnknown", FacebergErrorKind.Conflict,
                    $"Dataset repo '{repoId}' exists now, but the first request to create it got no clear answer ({(ambiguous.StatusCode is { } s ? $"HTTP {(int)s}" : "connection failed")}), "
                    + "so it may be this call that created it. Check the repo on the Hub before using it.", HttpStatusCode.Conflict, e.HubErrorCode, e);
            }
            catch (HubUnavailableException e) when (e.MayHaveBeenApplied && attempt < Options.MaxRetries)
            {
                ambiguous = e;
            }
            await Task.Delay(_transport.RetryDelay(attempt, null), ct).ConfigureAwait(false);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    internal HubTransport Transport => _transport;

    private Task<T> GetJsonAsync<T>(Uri uri, HubRequestContext context, CancellationToken ct) =>
        _transport.SendAsync(new HubRequest { Method = HttpMethod.Get, Uri = uri, Context = context }, ReadJsonAsync<T>, ct);

    /// <summary>
    /// Every page of a listing, in order. Each page's cursor is in the previous page's Link header, so the pages are
    /// requested one after another; a page is parsed while the next one is on its way.
    /// </summary>
    private async Task<List<T>> GetPagedAsync<T>(Uri first, HubRequestContext context, Func<byte[], List<T>?> parse, CancellationToken ct)
    {
        var pages = new List<Task<List<T>>>();
        try
        {
            for (Uri? next = first; next is not null;)
            {
                var current = next;
                var (body, source, link) = await _transport.SendAsync(new HubRequest { Method = HttpMethod.Get, Uri = current, Context = context },
                    async (response, token) => (await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false),
                        new JsonSource(response.RequestMessage?.Method, response.RequestMessage?.RequestUri, response.StatusCode), NextLink(response, current)),
                    ct).ConfigureAwait(false);
                pages.Add(Task.Run(() => ParseJson(body, source, parse), ct));
                next = link;
            }
        }
        finally
        {
            // Pages already parsing when a request failed are awaited, so none of their failures goes unobserved.
            if (pages.Count > 0)
                await Task.WhenAll(pages).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                    .ConfigureAwait(false);
        }
        var parsed = await Task.WhenAll(pages).ConfigureAwait(false);
        var all = new List<T>(parsed.Sum(p => p.Count));
        foreach (var page in parsed)
            all.AddRange(page);
        return all;
    }

    [GeneratedRegex("<([^>]+)>\\s*;[^,]*?rel\\s*=\\s*\"?next\"?", RegexOptions.IgnoreCase)]
    private static partial Regex NextLinkPattern();

    internal static Uri? NextLink(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        foreach (var value in values)
        {
            var match = NextLinkPattern().Match(value);
            if (match.Success) return new Uri(current, match.Groups[1].Value);
        }
        return null;
    }

    internal static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return ParseJson<T>(body, new JsonSource(response.RequestMessage?.Method, response.RequestMessage?.RequestUri, response.StatusCode));
    }

    /// <summary>The request an answer came from, for the error an unexpected answer raises.</summary>
    private readonly record struct JsonSource(HttpMethod? Method, Uri? Uri, HttpStatusCode Status);

    private static T ParseJson<T>(byte[] body, JsonSource source) => ParseJson(body, source, static b => JsonSerializer.Deserialize<T>(b, Json));

    private static T ParseJson<T>(byte[] body, JsonSource source, Func<byte[], T?> parse)
    {
        try
        {
            return parse(body) ?? throw new JsonException("empty JSON document");
        }
        catch (JsonException e)
        {
            throw new HubException("HubInvalidResponse", FacebergErrorKind.InvalidData,
                $"The Hub sent an unexpected answer to {source.Method} {source.Uri?.AbsolutePath}: {e.Message}",
                source.Status, null, e);
        }
    }

    internal static HttpContent JsonContent(object payload) =>
        new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(payload, Json))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static long? LongHeader(HttpResponseMessage response, string name) =>
        long.TryParse(Header(response, name), out var value) ? value : null;

    private static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        return etag.Trim('"');
    }

    public void Dispose() => _transport.Dispose();
}
