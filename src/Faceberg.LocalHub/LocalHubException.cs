namespace Faceberg.LocalHub;

/// <summary>An error the local Hub reports to its HTTP clients with the Hub's status and X-Error-Code.</summary>
public sealed class LocalHubException : Exception
{
    public LocalHubException(int statusCode, string? errorCode, string message) : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    public int StatusCode { get; }

    /// <summary>Value of the X-Error-Code header (RepoNotFound, RevisionNotFound, EntryNotFound), if any.</summary>
    public string? ErrorCode { get; }

    internal static LocalHubException RepoNotFound(string repoId) =>
        new(404, "RepoNotFound", $"Repository not found: {repoId}");

    internal static LocalHubException RevisionNotFound(string repoId, string revision) =>
        new(404, "RevisionNotFound", $"Invalid rev id: {revision} (repository {repoId})");

    internal static LocalHubException EntryNotFound(string repoId, string revision, string path) =>
        new(404, "EntryNotFound", $"Entry not found: {path} at {revision} in {repoId}");

    internal static LocalHubException BadRequest(string message) => new(400, null, message);
}
