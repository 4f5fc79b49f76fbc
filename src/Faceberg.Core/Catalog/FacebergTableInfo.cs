namespace Faceberg.Core.Catalog;

/// <summary>What the catalog knows about one table. The Iceberg facts are null until the table has
/// Iceberg metadata (filled by the table layer).</summary>
public sealed class FacebergTableInfo
{
    public required TableIdentifier Identifier { get; init; }
    public string Namespace => Identifier.Namespace;
    public string Name => Identifier.Name;

    /// <summary>Absolute table location: a directory, or a URI.</summary>
    public required string Location { get; init; }

    public string? Repo { get; set; }
    public string? Config { get; set; }
    public string? Revision { get; set; }
    public long? SnapshotId { get; set; }
    public long? RecordCount { get; set; }
    public long? FileCount { get; set; }
    public DateTimeOffset? LastUpdated { get; set; }

    /// <summary>True when the working copy holds changes to this table that are not in the published
    /// catalog repo; null when the catalog has no repo (or is itself on the Hub).</summary>
    public bool? AheadOfPublished { get; set; }
}
