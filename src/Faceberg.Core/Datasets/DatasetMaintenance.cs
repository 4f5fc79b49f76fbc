using Faceberg.Core.Iceberg.Maintenance;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>Table maintenance that also knows the dataset layer's file records, so superseded ones are removed and the current chain kept.</summary>
public static class DatasetMaintenance
{
    public static Task<OptimizeResult> OptimizeAsync(IcebergTable table, int? retainLast, DateTimeOffset? olderThan, CancellationToken ct = default) =>
        TableMaintenance.OptimizeAsync(table, new OptimizeOptions(retainLast, olderThan, RewriteManifests: true,
            ReferencedFiles: RevisionFileRecord.ChainAsync, OwnsFile: RevisionFileRecord.IsRecordFile), ct);
}
