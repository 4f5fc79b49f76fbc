using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>Which exceptions are failures a user can meet (and become ErrorRecords with stable ids), and
/// how they are categorised. Anything else is a bug and propagates.</summary>
public static class Failures
{
    /// <summary>True for failures of the user's input or environment: Faceberg's own errors, file-system
    /// and network errors. Cancellation is not among them (it stops the pipeline instead).</summary>
    public static bool IsExpected(Exception exception) =>
        exception is FacebergException or IOException or UnauthorizedAccessException or HttpRequestException;

    /// <summary>A literal table name that matched no table of the catalog.</summary>
    public static FacebergException TableNotFound(string name, CatalogContext context) =>
        new("TableNotFound", FacebergErrorKind.NotFound,
            $"Table '{name}' does not exist in catalog '{context.Name}' ({context.Location.Path}).");

    public static ErrorRecord ToErrorRecord(Exception exception, object? target) => exception switch
    {
        FacebergException fe => new ErrorRecord(fe, fe.ErrorId, CategoryOf(fe.Kind), target),
        UnauthorizedAccessException => new ErrorRecord(exception, "AccessDenied", ErrorCategory.PermissionDenied, target),
        HttpRequestException => new ErrorRecord(exception, "HubUnreachable", ErrorCategory.ConnectionError, target),
        IOException => new ErrorRecord(exception, "IOError", ErrorCategory.WriteError, target),
        _ => new ErrorRecord(exception, exception.GetType().Name, ErrorCategory.NotSpecified, target),
    };

    public static ErrorCategory CategoryOf(FacebergErrorKind kind) => kind switch
    {
        FacebergErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FacebergErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        FacebergErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        FacebergErrorKind.Conflict => ErrorCategory.ResourceBusy,
        FacebergErrorKind.Authentication => ErrorCategory.AuthenticationError,
        FacebergErrorKind.InvalidData => ErrorCategory.InvalidData,
        FacebergErrorKind.Unavailable => ErrorCategory.ResourceUnavailable,
        FacebergErrorKind.NotSupported => ErrorCategory.NotImplemented,
        FacebergErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        _ => ErrorCategory.NotSpecified,
    };
}
