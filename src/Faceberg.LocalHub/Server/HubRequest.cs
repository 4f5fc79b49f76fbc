using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;

namespace Faceberg.LocalHub.Server;

/// <summary>One request: raw path segments (still percent-encoded), query, body helpers and responses.</summary>
internal sealed class HubRequest
{
    private static readonly JsonSerializerOptions CompactJson = new() { WriteIndented = false };

    public HubRequest(HttpListenerContext context)
    {
        Context = context;
        var raw = context.Request.RawUrl ?? "/";
        var parts = raw.Split('?', 2);
        RawPath = parts[0];
        Segments = RawPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Query = HttpUtility.ParseQueryString(parts.Length > 1 ? parts[1] : "");
    }

    public HttpListenerContext Context { get; }

    /// <summary>Called once with the status just before a response starts, so logs are complete when clients see it.</summary>
    public Action<int>? Responding { get; set; }

    public bool HasResponded { get; private set; }

    /// <summary>Handle without answering: responses are dropped (their status kept) so a fault can answer instead.</summary>
    public bool Discard { get; set; }

    /// <summary>Status of the answer dropped while <see cref="Discard"/> was set.</summary>
    public int? DiscardedStatus { get; private set; }

    private bool Discarding(int status)
    {
        if (!Discard) return false;
        DiscardedStatus ??= status;
        return true;
    }

    private void Commit(int status)
    {
        if (HasResponded) return;
        HasResponded = true;
        Responding?.Invoke(status);
    }

    public HttpListenerResponse Response => Context.Response;

    public string Method => Context.Request.HttpMethod;

    public bool IsHead => Method == "HEAD";

    public string RawPath { get; }

    /// <summary>Path segments as sent (percent-encoded), so an encoded '/' inside a revision stays inside it.</summary>
    public string[] Segments { get; }

    public NameValueCollection Query { get; }

    public string Segment(int index) => Uri.UnescapeDataString(Segments[index]);

    /// <summary>Decoded segments from <paramref name="start"/> joined with '/': a repo path.</summary>
    public string Rest(int start) => string.Join('/', Segments.Skip(start).Select(Uri.UnescapeDataString));

    /// <summary>
    /// Reads a revision at <paramref name="index"/>: one (percent-encoded) segment, or an unencoded
    /// refs/x/y spread over three segments, which the Hub also accepts.
    /// </summary>
    public string Revision(int index, out int next)
    {
        var first = Segment(index);
        if (first == "refs" && Segments.Length > index + 2)
        {
            next = index + 3;
            return $"refs/{Segment(index + 1)}/{Segment(index + 2)}";
        }
        next = index + 1;
        return first;
    }

    public bool QueryFlag(string name) =>
        Query[name] is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    public string? BearerToken
    {
        get
        {
            var header = Context.Request.Headers["Authorization"];
            return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        }
    }

    public async Task<byte[]> ReadBodyAsync()
    {
        using var buffer = new MemoryStream();
        await Context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public async Task<JsonNode> ReadJsonAsync()
    {
        var body = await ReadBodyAsync().ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(body) ?? throw LocalHubException.BadRequest("Expected a JSON body");
        }
        catch (JsonException e)
        {
            throw LocalHubException.BadRequest($"Invalid JSON body: {e.Message}");
        }
    }

    public void Json(int status, JsonNode? body, string contentType = "application/json; charset=utf-8") =>
        Bytes(status, Encoding.UTF8.GetBytes(body?.ToJsonString(CompactJson) ?? "null"), contentType);

    public void Bytes(int status, byte[] body, string contentType)
    {
        if (Discarding(status)) return;
        Response.StatusCode = status;
        Response.ContentType = contentType;
        Response.ContentLength64 = body.Length;
        Commit(status);
        if (!IsHead) Response.OutputStream.Write(body);
        Response.Close();
    }

    public void Empty(int status)
    {
        if (Discarding(status)) return;
        Response.StatusCode = status;
        Response.ContentLength64 = 0;
        Commit(status);
        Response.Close();
    }

    public void Error(int status, string message, string? errorCode = null, TimeSpan? retryAfter = null)
    {
        if (Discarding(status)) return;
        if (errorCode is not null)
        {
            Response.Headers["X-Error-Code"] = errorCode;
            Response.Headers["X-Error-Message"] = message;
        }
        if (retryAfter is { } delay)
            Response.Headers["Retry-After"] = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        Json(status, new JsonObject { ["error"] = message });
    }

    /// <summary>Serves stored content honouring a single-range Range header (206/416), as the Hub and its CDN do.</summary>
    public async Task ServeContentAsync(Func<Stream> open, long size, string etag)
    {
        if (Discarding(200)) return;
        Response.Headers["Accept-Ranges"] = "bytes";
        Response.Headers["ETag"] = etag;
        Response.ContentType = "application/octet-stream";
        var range = ParseRange(Context.Request.Headers["Range"], size, out var unsatisfiable);
        if (unsatisfiable)
        {
            Response.Headers["Content-Range"] = $"bytes */{size}";
            Error(416, "Requested Range Not Satisfiable");
            return;
        }
        var (start, length) = range ?? (0, size);
        Response.StatusCode = range is null ? 200 : 206;
        if (range is not null) Response.Headers["Content-Range"] = $"bytes {start}-{start + length - 1}/{size}";
        Response.ContentLength64 = length;
        Commit(Response.StatusCode);
        if (!IsHead && length > 0)
        {
            await using var stream = open();
            stream.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[(int)Math.Min(length, 81920)];
            var remaining = length;
            while (remaining > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining))).ConfigureAwait(false);
                if (read == 0) break;
                await Response.OutputStream.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                remaining -= read;
            }
        }
        Response.Close();
    }

    /// <returns>The (start, length) of a satisfiable single range; null to serve the whole content.</returns>
    internal static (long Start, long Length)? ParseRange(string? header, long size, out bool unsatisfiable)
    {
        unsatisfiable = false;
        // Malformed and multi-range headers are ignored (RFC 9110 allows serving the full content).
        if (header is null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return null;
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            if (suffix == 0 || size == 0) { unsatisfiable = true; return null; }
            var length = Math.Min(suffix, size);
            return (size - length, length);
        }
        if (!long.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return null;
        long last = size - 1;
        if (lastText.Length > 0)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first) return null;
        }
        if (first >= size) { unsatisfiable = true; return null; }
        last = Math.Min(last, size - 1);
        return (first, last - first + 1);
    }
}
