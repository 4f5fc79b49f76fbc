using System.Net;
using System.Text.Json;

namespace Faceberg.Core.Rest;

/// <summary>An answer to one request: a status, an optional JSON body and headers.</summary>
internal sealed class RestResponse
{
    private RestResponse(int status, byte[]? body, IReadOnlyDictionary<string, string>? headers = null)
    {
        Status = status;
        Body = body;
        Headers = headers ?? new Dictionary<string, string>();
    }

    public int Status { get; }
    public byte[]? Body { get; }
    public IReadOnlyDictionary<string, string> Headers { get; }

    public static RestResponse Json(object body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(200, JsonSerializer.SerializeToUtf8Bytes(body), headers);

    public static RestResponse Json(byte[] utf8, IReadOnlyDictionary<string, string>? headers = null) => new(200, utf8, headers);

    public static RestResponse NoContent() => new(204, null);

    public static RestResponse NotModified(string etag) => new(304, null, new Dictionary<string, string> { ["ETag"] = etag });

    public static RestResponse Error(RestError error) => new(error.Code, error.ToJson(),
        error.Code == 401 ? new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" } : null);

    public async Task WriteAsync(HttpListenerResponse response, bool head)
    {
        response.StatusCode = Status;
        foreach (var (name, value) in Headers) response.Headers[name] = value;
        if (Body is null)
        {
            response.ContentLength64 = 0;
            return;
        }
        response.ContentType = "application/json";
        response.ContentLength64 = head ? 0 : Body.Length;
        if (!head) await response.OutputStream.WriteAsync(Body).ConfigureAwait(false);
    }
}
