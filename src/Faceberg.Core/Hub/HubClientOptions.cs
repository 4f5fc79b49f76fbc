namespace Faceberg.Core.Hub;

/// <summary>Settings of a <see cref="HubClient"/>.</summary>
public sealed class HubClientOptions
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Base URL of the Hub, e.g. https://huggingface.co or a local Hub's endpoint.</summary>
    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Access token; sent only to <see cref="Endpoint"/>'s host. Null = anonymous.</summary>
    public string? Token { get; set; }

    /// <summary>Most HTTP requests in flight at once (all operations of this client together).</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Pooled connections per server; defaults to <see cref="MaxConcurrency"/>.</summary>
    public int? MaxConnectionsPerServer { get; set; }

    /// <summary>Retries after the first attempt for 429, 5xx and dropped connections.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>First backoff delay; doubles each retry (plus jitter) unless the server sends Retry-After.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound of any single wait, including a server's Retry-After.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    public string UserAgent { get; set; } = "faceberg/" + (typeof(HubClientOptions).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <summary>Replaces the default <see cref="SocketsHttpHandler"/>; it must not follow redirects itself.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Bytes fetched from the end of a file when a <see cref="HubFileStream"/> opens.</summary>
    public int TailPrefetchBytes { get; set; } = 64 * 1024;

    public override string ToString() =>
        $"Endpoint={Endpoint}, Token={(Token is null ? "none" : "set")}, MaxConcurrency={MaxConcurrency}, MaxRetries={MaxRetries}";
}
