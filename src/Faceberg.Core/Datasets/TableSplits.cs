using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>The splits a table holds: the values of its identity "split" partition in the current
/// snapshot's live data files (read from the manifests, no data file is opened).</summary>
public static class TableSplits
{
    public static async Task<IReadOnlyList<string>> ListAsync(IcebergTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var splits = new SortedSet<string>(StringComparer.Ordinal);
        if (table.CurrentSnapshot is null)
            return [];
        foreach (var manifest in await table.ReadManifestListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (manifest.Content != ManifestContent.Data || !manifest.HasLiveFiles) continue;
            var contents = await table.ReadManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
            var index = SplitFieldIndex(contents.Spec, table.Schema);
            if (index < 0) continue;
            foreach (var entry in contents.Entries)
            {
                if (entry.Status == ManifestEntryStatus.Deleted || entry.DataFile.Content != FileContent.Data) continue;
                if (entry.DataFile.Partition.Count > index && entry.DataFile.Partition[index] is string split)
                    splits.Add(split);
            }
        }
        return splits.ToList();
    }

    private static int SplitFieldIndex(PartitionSpec spec, Schema schema)
    {
        for (var i = 0; i < spec.Fields.Count; i++)
        {
            var field = spec.Fields[i];
            if (field.Transform.Kind != TransformKind.Identity) continue;
            var source = schema.FindField(field.SourceId);
            if (string.Equals(field.Name, TableProperties.SplitColumn, StringComparison.OrdinalIgnoreCase)
                || string.Equals(source?.Name, TableProperties.SplitColumn, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        return -1;
    }
}
