namespace Faceberg;

/// <summary>A table in a Faceberg catalog (type name Faceberg.Table). The Iceberg facts are empty
/// until the table has Iceberg metadata.</summary>
public sealed class Table
{
    /// <summary>"namespace.table", e.g. default.movie_reviews_default.</summary>
    public string Identifier { get; set; } = "";
    public string Namespace { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>The table folder (or URI) holding its Iceberg metadata.</summary>
    public string Location { get; set; } = "";

    /// <summary>The catalog the table belongs to; binds to -Catalog when the table is piped on.</summary>
    public Catalog? Catalog { get; set; }

    /// <summary>The Hub dataset repo ("org/name") the table exposes.</summary>
    public string? Repo { get; set; }
    public string? Config { get; set; }
    public string? Revision { get; set; }
    public long? SnapshotId { get; set; }
    /// <summary>Rows a full read returns: delete files of other writers applied.</summary>
    public long? RecordCount { get; set; }
    public long? FileCount { get; set; }

    /// <summary>Live position and equality delete files (tables written by other engines); 0 for Faceberg's own.</summary>
    public long? DeleteFileCount { get; set; }
    public DateTimeOffset? LastUpdated { get; set; }

    /// <summary>Sum of the current snapshot's data file sizes, in bytes.</summary>
    public long? TotalBytes { get; set; }

    /// <summary>Where the data files live: the dataset repo at the pinned revision (hf://datasets/org/name@sha).</summary>
    public string? DataLocation { get; set; }

    /// <summary>The current schema's top-level columns (Id, Name, Type, Required, Doc).</summary>
    public Faceberg.Core.Catalog.TableColumn[]? Columns { get; set; }

    /// <summary>The partition spec, e.g. "identity(split)".</summary>
    public string? Partitioning { get; set; }

    /// <summary>True when the local copy has changes to this table that are not published to the catalog
    /// repo; null when the catalog has no repo or lives on the Hub.</summary>
    public bool? AheadOfPublished { get; set; }

    public override string ToString() => Identifier;
}
