namespace Faceberg;

/// <summary>One snapshot of a table's history (type name Faceberg.Snapshot), from Get-FacebergSnapshot.</summary>
public sealed class Snapshot
{
    /// <summary>The table's "namespace.table" identifier.</summary>
    public string Table { get; set; } = "";
    public long SnapshotId { get; set; }
    public long? ParentId { get; set; }
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>append, overwrite, replace or delete.</summary>
    public string Operation { get; set; } = "";

    /// <summary>The dataset revision (commit sha) the snapshot reflects, when Faceberg recorded one.</summary>
    public string? Revision { get; set; }
    public long? AddedFiles { get; set; }
    public long? RemovedFiles { get; set; }
    public long? AddedRecords { get; set; }
    public long? RemovedRecords { get; set; }
    public long? TotalRecords { get; set; }

    /// <summary>Whether this is the table's current snapshot.</summary>
    public bool IsCurrent { get; set; }
    public int? SchemaId { get; set; }

    /// <summary>Every key of the snapshot summary, as stored.</summary>
    public IReadOnlyDictionary<string, string> Summary { get; set; } = new Dictionary<string, string>();

    public override string ToString() => SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
