namespace Faceberg.Core.Catalog;

/// <summary>The catalog changed on disk after it was loaded (another process wrote it), or another
/// process holds its lock. Reload and retry; nothing was overwritten.</summary>
public sealed class CatalogConflictException : FacebergException
{
    public CatalogConflictException(string catalogFile, string message, Exception? inner = null)
        : base("CatalogConflict", FacebergErrorKind.Conflict, message, inner)
    {
        CatalogFile = catalogFile;
    }

    public string CatalogFile { get; }
}
