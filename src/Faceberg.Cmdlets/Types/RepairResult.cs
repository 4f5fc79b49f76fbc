namespace Faceberg;

/// <summary>One table Repair-FacebergCatalog rewrote for the folder it is in (type name Faceberg.RepairResult).</summary>
public sealed class RepairResult
{
    /// <summary>The table, "namespace.table".</summary>
    public string Table { get; set; } = "";

    /// <summary>The location its metadata recorded (the folder it was copied or moved from).</summary>
    public string From { get; set; } = "";

    /// <summary>The location it has now.</summary>
    public string To { get; set; } = "";

    /// <summary>N of the new vN.metadata.json that holds the rewritten paths.</summary>
    public int MetadataVersion { get; set; }

    /// <summary>How many files were written (new manifest lists, manifests and records, and the metadata file).</summary>
    public int FilesWritten { get; set; }

    public override string ToString() => $"{Table} v{MetadataVersion}";
}
