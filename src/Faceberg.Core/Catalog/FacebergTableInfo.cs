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
    /// <summary>Rows a full read of the current snapshot returns: delete files applied (see TableFacts.ApplyAsync).</summary>
    public long? RecordCount { get; set; }
    /// <summary>Live data files; delete files are counted apart (<see cref="DeleteFileCount"/>).</summary>
    public long? FileCount { get; set; }
    /// <summary>Live delete files (merge-on-read tables of other writers); 0 for tables Faceberg writes.</summary>
    public long? DeleteFileCount { get; set; }
    public DateTimeOffset? LastUpdated { get; set; }

    /// <summary>Sum of the current snapshot's data file sizes (the snapshot's total-files-size).</summary>
    public long? TotalBytes { get; set; }

    /// <summary>Where the table's data lives (write.data.path): the dataset repo at its pinned revision.</summary>
    public string? DataLocation { get; set; }

    /// <summary>The current schema's top-level columns, in order.</summary>
    public IReadOnlyList<TableColumn>? Columns { get; set; }

    /// <summary>The default partition spec in the spec's terms, e.g. "identity(split)"; empty when unpartitioned.</summary>
    public string? Partitioning { get; set; }

    /// <summary>True when the working copy holds changes to this table that are not in the published
    /// catalog repo; null when the catalog has no repo (or is itself on the Hub).</summary>
    public bool? AheadOfPublished { get; set; }
}

/// <summary>One top-level column of a table's current schema; <see cref="Type"/> is the Iceberg type's JSON form.</summary>
public sealed record TableColumn(int Id, string Name, string Type, bool Required, string? Doc)
{
    public override string ToString() => $"{Name} {Type}";
}
