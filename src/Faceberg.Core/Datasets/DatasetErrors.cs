namespace Faceberg.Core.Datasets;

/// <summary>How dataset services turn a failure into the error they report.</summary>
internal static class DatasetErrors
{
    public static FacebergException AsFaceberg(Exception e, TableIdentifier table) => e as FacebergException
        ?? new FacebergException("TableWriteFailed", FacebergErrorKind.Unavailable, $"Could not write the metadata of table '{table}': {e.Message}", e);
}
