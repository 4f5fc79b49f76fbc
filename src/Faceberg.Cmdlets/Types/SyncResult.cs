namespace Faceberg;

/// <summary>What Sync-FacebergTable did to one table (type name Faceberg.SyncResult).</summary>
public sealed class SyncResult
{
    /// <summary>"namespace.table".</summary>
    public string Table { get; set; } = "";
    public string? Repo { get; set; }
    public string? Config { get; set; }

    /// <summary>The commit the table was pinned to before the sync.</summary>
    public string? FromRevision { get; set; }

    /// <summary>The commit the dataset's ref points at now.</summary>
    public string? ToRevision { get; set; }

    /// <summary>Data files added, removed and replaced (or that would be, with -WhatIf).</summary>
    public int Added { get; set; }
    public int Removed { get; set; }
    public int Replaced { get; set; }

    /// <summary>Columns the schema gained.</summary>
    public string[] AddedColumns { get; set; } = [];

    /// <summary>The table's current snapshot after the sync.</summary>
    public long? SnapshotId { get; set; }

    /// <summary>UpToDate, Updated, WouldUpdate or Failed.</summary>
    public string Status { get; set; } = "";

    public override string ToString() => $"{Table}: {Status}";
}
