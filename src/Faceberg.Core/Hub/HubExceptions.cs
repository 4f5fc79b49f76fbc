using System.Net;

namespace Faceberg.Core.Hub;

/// <summary>A request to the Hub failed. Messages never contain the access token.</summary>
public class HubException : FacebergException
{
    public HubException(string errorId, FacebergErrorKind kind, string message,
        HttpStatusCode? statusCode = null, string? hubErrorCode = null, Exception? inner = null)
        : base(errorId, kind, message, inner)
    {
        StatusCode = statusCode;
        HubErrorCode = hubErrorCode;
    }

    /// <summary>HTTP status of the failed response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The Hub's <c>X-Error-Code</c> header, when present.</summary>
    public string? HubErrorCode { get; }
}

/// <summary>401/403: no token, an invalid token, or a token without access to the repo.</summary>
public sealed class HubAuthenticationException : HubException
{
    public HubAuthenticationException(string message, HttpStatusCode statusCode, string? hubErrorCode)
        : base("HubAuthenticationFailed",
            statusCode == HttpStatusCode.Forbidden ? FacebergErrorKind.PermissionDenied : FacebergErrorKind.Authentication,
            message, statusCode, hubErrorCode) { }
}

public sealed class RepositoryNotFoundException : HubException
{
    public RepositoryNotFoundException(string repoId, string message, HttpStatusCode? statusCode, string? hubErrorCode)
        : base("HubRepositoryNotFound", FacebergErrorKind.NotFound, message, statusCode, hubErrorCode) => RepoId = repoId;

    public string RepoId { get; }
}

public sealed class RevisionNotFoundException : HubException
{
    public RevisionNotFoundException(string message, HttpStatusCode? statusCode, string? hubErrorCode)
        : base("HubRevisionNotFound", FacebergErrorKind.NotFound, message, statusCode, hubErrorCode) { }
}

public sealed class EntryNotFoundException : HubException
{
    public EntryNotFoundException(string message, HttpStatusCode? statusCode, string? hubErrorCode)
        : base("HubEntryNotFound", FacebergErrorKind.NotFound, message, statusCode, hubErrorCode) { }
}

/// <summary>409: the thing being created already exists or the request conflicts with the repo state.</summary>
public sealed class HubConflictException : HubException
{
    public HubConflictException(string message, string? hubErrorCode)
        : base("HubConflict", FacebergErrorKind.Conflict, message, HttpStatusCode.Conflict, hubErrorCode) { }
}

/// <summary>412: the branch moved since the <c>parentCommit</c> the commit was based on.</summary>
public sealed class HubCommitConflictException : HubException
{
    public HubCommitConflictException(string message, string? hubErrorCode)
        : base("HubCommitConflict", FacebergErrorKind.Conflict, message, HttpStatusCode.PreconditionFailed, hubErrorCode) { }
}

/// <summary>429 that persisted through every retry.</summary>
public sealed class HubRateLimitException : HubException
{
    public HubRateLimitException(string message, TimeSpan? retryAfter)
        : base("HubRateLimited", FacebergErrorKind.Unavailable, message, HttpStatusCode.TooManyRequests) => RetryAfter = retryAfter;

    public TimeSpan? RetryAfter { get; }
}

/// <summary>5xx responses or dropped connections that persisted through every retry.</summary>
public sealed class HubUnavailableException : HubException
{
    public HubUnavailableException(string message, HttpStatusCode? statusCode, Exception? inner = null)
        : base("HubUnavailable", FacebergErrorKind.Unavailable, message, statusCode, null, inner) { }

    /// <summary>
    /// The request changes state and was sent, but the answer (5xx, timeout, dropped connection) does not say
    /// whether the Hub applied it; only reading the Hub's state afterwards tells.
    /// </summary>
    public bool MayHaveBeenApplied { get; init; }
}

/// <summary>
/// A commit got an ambiguous answer and the check of whether it landed failed too: it may or may not be on the
/// branch. The message says how to find out (the commit's marker in the branch history).
/// </summary>
public sealed class HubCommitOutcomeUnknownException : HubException
{
    public HubCommitOutcomeUnknownException(string message, string marker, Exception? inner)
        : base("HubCommitOutcomeUnknown", FacebergErrorKind.Unavailable, message, null, null, inner) => Marker = marker;

    /// <summary>The line in the commit description that identifies this commit in the branch history.</summary>
    public string Marker { get; }
}
