using System.Net;
using System.Text.Json;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Rest;

/// <summary>A failure answered with the REST protocol's error model: <c>{"error": {"message", "type", "code"}}</c>,
/// where <c>type</c> is one of the exception names the OpenAPI document uses.</summary>
public sealed class RestError : Exception
{
    public RestError(int code, string type, string message) : base(message)
    {
        Code = code;
        Type = type;
    }

    public int Code { get; }
    public string Type { get; }

    public static RestError BadRequest(string message) => new(400, "BadRequestException", message);
    public static RestError NotAuthorized(string message) => new(401, "NotAuthorizedException", message);
    public static RestError Forbidden(string message) => new(403, "ForbiddenException", message);
    public static RestError NoSuchNamespace(string message) => new(404, "NoSuchNamespaceException", message);
    public static RestError NoSuchTable(string message) => new(404, "NoSuchTableException", message);
    public static RestError Unsupported(string message) => new(406, "UnsupportedOperationException", message);

    /// <summary>The error a Core failure becomes. <paramref name="tableRoute"/> tells a missing table from a missing
    /// namespace when the failure does not say; <paramref name="commit"/> makes an unsupported update or
    /// requirement the 400 the protocol requires for it.</summary>
    public static RestError From(FacebergException e, bool tableRoute, bool commit = false) => e switch
    {
        CommitFailedException => new(409, "CommitFailedException", e.Message),
        CommitConflictException => new(409, "CommitFailedException", e.Message),
        _ => e.Kind switch
        {
            FacebergErrorKind.InvalidArgument => BadRequest(e.Message),
            FacebergErrorKind.NotFound when e.ErrorId.Contains("Namespace", StringComparison.Ordinal) => NoSuchNamespace(e.Message),
            FacebergErrorKind.NotFound when e.ErrorId.Contains("Table", StringComparison.Ordinal) || tableRoute => NoSuchTable(e.Message),
            FacebergErrorKind.NotFound => NoSuchNamespace(e.Message),
            FacebergErrorKind.AlreadyExists => new(409, "AlreadyExistsException", e.Message),
            FacebergErrorKind.Conflict when e.ErrorId == "NamespaceNotEmpty" => new(409, "NamespaceNotEmptyException", e.Message),
            FacebergErrorKind.Conflict => new(409, "CommitFailedException", e.Message),
            FacebergErrorKind.NotSupported when commit => BadRequest(e.Message),
            FacebergErrorKind.NotSupported => Unsupported(e.Message),
            FacebergErrorKind.PermissionDenied or FacebergErrorKind.Authentication =>
                new(503, "ServiceUnavailableException", "The catalog's storage refused the server's access: " + e.Message),
            FacebergErrorKind.Unavailable => new(503, "ServiceUnavailableException", e.Message),
            _ => new(500, "InternalServerError", e.Message),
        },
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        error = new { message = Message, type = Type, code = Code },
    });

    internal static HttpStatusCode Status(int code) => (HttpStatusCode)code;
}
