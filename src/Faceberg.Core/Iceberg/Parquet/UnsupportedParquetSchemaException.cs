namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// A Parquet file's schema holds a column Faceberg cannot express as an Iceberg type (or a malformed
/// annotation). The message names the file and the column path so the user can find the culprit.
/// </summary>
public sealed class UnsupportedParquetSchemaException : FacebergException
{
    public UnsupportedParquetSchemaException(string fileUri, string columnPath, string reason)
        : base("UnsupportedParquetSchema", FacebergErrorKind.NotSupported,
            $"Parquet file '{fileUri}': column '{columnPath}' {reason}")
    {
        FileUri = fileUri;
        ColumnPath = columnPath;
        Reason = reason;
    }

    public string FileUri { get; }

    /// <summary>Dotted path of the column in the Parquet schema, e.g. "meta.tags.list.element".</summary>
    public string ColumnPath { get; }

    public string Reason { get; }
}
