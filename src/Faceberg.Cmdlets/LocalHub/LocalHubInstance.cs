using Faceberg.LocalHub;

namespace Faceberg;

/// <summary>A running local Hub as Start-FacebergLocalHub emits it (type name Faceberg.LocalHubInstance).
/// Pipe it into Stop-FacebergLocalHub.</summary>
public sealed class LocalHubInstance
{
    internal LocalHubInstance(LocalHubServer server, string path, bool setEnvironment, string? previousEndpoint)
    {
        Server = server;
        Path = path;
        SetEnvironment = setEnvironment;
        PreviousEndpoint = previousEndpoint;
        StartedAt = DateTimeOffset.Now;
    }

    /// <summary>The URL to use as HF_ENDPOINT, e.g. http://127.0.0.1:5123.</summary>
    public string Endpoint => Server.Endpoint;

    public int Port => Server.Port;

    /// <summary>The folder the Hub serves and keeps its state in.</summary>
    public string Path { get; }

    /// <summary>The dataset repos the Hub serves now ("org/name").</summary>
    public string[] Repositories => Server.IsRunning ? Server.Store.ListRepos().ToArray() : [];

    public bool IsRunning => Server.IsRunning;

    public DateTimeOffset StartedAt { get; }

    /// <summary>Whether Start-FacebergLocalHub pointed HF_ENDPOINT at this Hub.</summary>
    public bool SetEnvironment { get; }

    /// <summary>The server itself, for scripts and tests that want its request log or fault hooks.</summary>
    public LocalHubServer Server { get; }

    /// <summary>HF_ENDPOINT before -SetEnvironment changed it, restored on stop.</summary>
    internal string? PreviousEndpoint { get; }

    /// <summary>HF_TOKEN before -SetEnvironment set it to the local Hub's token, restored on stop.</summary>
    internal string? PreviousToken { get; init; }

    public override string ToString() => Endpoint;
}
