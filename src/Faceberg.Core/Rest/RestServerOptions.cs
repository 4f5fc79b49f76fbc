namespace Faceberg.Core.Rest;

/// <summary>How a <see cref="RestCatalogServer"/> listens and whom it lets write.</summary>
public sealed class RestServerOptions
{
    /// <summary>The address to listen on; loopback unless the user asks for more.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The bearer token clients must send (<c>Authorization: Bearer …</c>). Null: no authentication, and the
    /// server is read-only, because anyone who can reach it could otherwise change the catalog.</summary>
    public string? ClientToken { get; set; }

    /// <summary>Refuse every change even for clients holding the token.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>The path prefix announced to clients that send a <c>warehouse</c> to <c>/v1/config</c>.</summary>
    public string Prefix { get; set; } = "faceberg";

    /// <summary>The Hub endpoint engines read <c>hf://</c> data files from, passed to them as <c>hf.endpoint</c> in a
    /// loaded table's config. Only the endpoint: the server's Hub token is never handed out.</summary>
    public Uri? HubEndpoint { get; set; }

    /// <summary>Called once per request after its answer is sent (from the thread pool).</summary>
    public Action<RestRequestLog>? Log { get; set; }
}

/// <summary>
/// One served request: method, path (without the query), status and duration. An answer of 500 hides its cause from
/// the client; <see cref="Failure"/> gives it to the server's operator (the exception's type and message).
/// </summary>
public sealed record RestRequestLog(DateTimeOffset Time, string Method, string Path, int Status, double Milliseconds, string? Failure = null)
{
    public override string ToString() =>
        Failure is null ? $"{Method} {Path} {Status} {Milliseconds:0.0} ms" : $"{Method} {Path} {Status} {Milliseconds:0.0} ms: {Failure}";
}
