namespace Faceberg;

/// <summary>What Write-FacebergTable wrote (type name Faceberg.WriteResult); with -WhatIf, what it would write.</summary>
public sealed class WriteResult
{
    /// <summary>"namespace.table".</summary>
    public string Table { get; set; } = "";
    public string Repo { get; set; } = "";
    public string Split { get; set; } = "";

    /// <summary>Repository paths of the new Parquet files.</summary>
    public string[] Files { get; set; } = [];
    public long Records { get; set; }

    /// <summary>The Hub commit holding the files, now the table's synced revision; empty with -WhatIf.</summary>
    public string? Revision { get; set; }

    /// <summary>The commit the write was based on.</summary>
    public string? ParentRevision { get; set; }

    /// <summary>The new append snapshot; empty with -WhatIf.</summary>
    public long? SnapshotId { get; set; }

    /// <summary>Bytes uploaded.</summary>
    public long Bytes { get; set; }
    public bool WhatIf { get; set; }

    public override string ToString() => $"{Table}: {Records} rows to {Split}";
}
