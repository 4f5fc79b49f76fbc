using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;

namespace Faceberg.Cmdlets;

/// <summary>What every Faceberg cmdlet shares: finding the catalog the user means, turning Core
/// exceptions into error records with stable ErrorIds, and building the output objects.</summary>
public abstract class FacebergCmdlet : PSCmdlet
{
    /// <summary>The session's current file-system folder (not the process's: PowerShell keeps its own).</summary>
    protected string CurrentDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>Resolves a path the user typed against the session's current folder.</summary>
    protected string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>The catalog named by <paramref name="catalog"/> — a Faceberg.Catalog or
    /// Faceberg.Table object, a path to faceberg.yml or a catalog folder, an hf:// location — or,
    /// when null, the nearest catalog at or above the current folder.</summary>
    protected CatalogContext ResolveCatalog(object? catalog)
    {
        var context = ResolveCatalogCore(catalog);
        // A catalog on the Hub is read and written with this cmdlet's client (its -Token), not the environment's.
        if (!context.Location.IsLocal)
            context.Hub ??= CatalogHub;
        return context;
    }

    /// <summary>The Hub client of this invocation, for catalogs that live on the Hub; null: one from the environment.</summary>
    protected virtual Faceberg.Core.Hub.HubClient? CatalogHub => null;

    private CatalogContext ResolveCatalogCore(object? catalog)
    {
        switch (Unwrap(catalog))
        {
            case null:
                return CatalogLocator.Require(CurrentDirectory);
            case Catalog value:
                if (value.ConfigPath is not null)
                    return CatalogContext.FromConfig(FacebergConfigLoader.Load(value.ConfigPath), value.ConfigPath, value.Location, CurrentDirectory);
                return value.Location.StartsWith("hf://", StringComparison.OrdinalIgnoreCase)
                    ? CatalogLocator.FromPath(value.Location, CurrentDirectory)
                    : CatalogContext.FromDirectory(value.Location);
            case Table table when table.Catalog is not null:
                return ResolveCatalogCore(table.Catalog);
            case FileSystemInfo item:
                return CatalogLocator.FromPath(item.FullName, CurrentDirectory);
            case string path when path.StartsWith("hf://", StringComparison.OrdinalIgnoreCase):
                return CatalogLocator.FromPath(path, CurrentDirectory);
            case string path:
                return CatalogLocator.FromPath(ResolvePath(path), CurrentDirectory);
            default:
                throw new FacebergException("InvalidCatalogArgument", FacebergErrorKind.InvalidArgument,
                    $"-Catalog accepts a Faceberg.Catalog object or a path, not {Unwrap(catalog)?.GetType().FullName}.");
        }
    }

    /// <summary>The object inside a PSObject wrapper (pipeline input often arrives wrapped).</summary>
    protected static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    protected static Catalog ToCatalogObject(CatalogContext context, int tableCount) => new()
    {
        Name = context.Name,
        Location = context.Location.Path,
        ConfigPath = context.ConfigPath,
        TableCount = tableCount,
        Repository = context.Repository,
    };

    protected static Table ToTableObject(FacebergTableInfo info, Catalog catalog) => new()
    {
        Identifier = info.Identifier.ToString(),
        Namespace = info.Namespace,
        Name = info.Name,
        Location = info.Location,
        Catalog = catalog,
        Repo = info.Repo,
        Config = info.Config,
        Revision = info.Revision,
        SnapshotId = info.SnapshotId,
        RecordCount = info.RecordCount,
        FileCount = info.FileCount,
        LastUpdated = info.LastUpdated,
        AheadOfPublished = info.AheadOfPublished,
    };

    protected void ThrowTerminating(FacebergException exception, object? target = null) =>
        ThrowTerminatingError(ToErrorRecord(exception, target));

    /// <summary>Reports a failure for one input and lets the pipeline go on with the next.</summary>
    protected void WriteFailure(object? target, Exception exception) => WriteError(ToErrorRecord(exception, target));

    /// <summary>Runs <paramref name="action"/>, reporting Faceberg and I/O failures as non-terminating
    /// errors; anything else is a bug and propagates.</summary>
    protected void Try(object? target, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is FacebergException or IOException or UnauthorizedAccessException)
        {
            WriteFailure(target, ex);
        }
    }

    public static ErrorRecord ToErrorRecord(Exception exception, object? target) => exception switch
    {
        FacebergException fe => new ErrorRecord(fe, fe.ErrorId, CategoryOf(fe.Kind), target),
        UnauthorizedAccessException => new ErrorRecord(exception, "AccessDenied", ErrorCategory.PermissionDenied, target),
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
