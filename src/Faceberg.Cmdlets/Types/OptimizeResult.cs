namespace Faceberg;

/// <summary>What Optimize-FacebergTable did to one table (type name Faceberg.OptimizeResult).</summary>
public sealed class OptimizeResult
{
    /// <summary>"namespace.table".</summary>
    public string Table { get; set; } = "";

    /// <summary>Manifests the current snapshot listed before and after the rewrite.</summary>
    public int ManifestsBefore { get; set; }
    public int ManifestsAfter { get; set; }

    /// <summary>Snapshots removed from the table's metadata, and those it still has (time travel reaches only these).</summary>
    public int SnapshotsExpired { get; set; }
    public int SnapshotsKept { get; set; }

    /// <summary>Metadata files deleted (old metadata versions, manifest lists, manifests, file records) and their size.
    /// Data files are never deleted.</summary>
    public int FilesRemoved { get; set; }
    public long BytesRemoved { get; set; }

    public override string ToString() => $"{Table}: {ManifestsBefore} -> {ManifestsAfter} manifests, {SnapshotsExpired} snapshot(s) expired, {FilesRemoved} file(s) removed";
}
