using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>Fills a <see cref="FacebergTableInfo"/> with what the table's Iceberg metadata says.</summary>
public static class TableFacts
{
    /// <summary>
    /// Reads the table's current metadata and sets its repo, config, pinned revision, snapshot, record and
    /// file counts and last update. A table without readable metadata keeps what it had: listing a catalog
    /// must not fail because one table is broken.
    /// </summary>
    /// <returns>True when metadata was found.</returns>
    public static async Task<bool> FillAsync(FacebergTableInfo info, IFileIO? io = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        IcebergTable table;
        try
        {
            table = await DatasetTableStore.LoadAtAsync(io ?? new FileIORouter(), info.Location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        Apply(info, table.Metadata);
        return true;
    }

    /// <summary>Sets the facts from <paramref name="metadata"/>; properties written by Faceberg win over faceberg.yml's.</summary>
    public static void Apply(FacebergTableInfo info, TableMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(metadata);
        var properties = metadata.Properties;
        if (properties.TryGetValue(TableProperties.Repo, out var repo)) info.Repo = repo;
        if (properties.TryGetValue(TableProperties.Config, out var config)) info.Config = config;
        if (properties.TryGetValue(TableProperties.Revision, out var revision)) info.Revision = revision;
        info.LastUpdated = DateTimeOffset.FromUnixTimeMilliseconds(metadata.LastUpdatedMs);
        var snapshot = metadata.CurrentSnapshot;
        info.SnapshotId = snapshot?.SnapshotId;
        info.RecordCount = snapshot is null ? 0 : snapshot.SummaryLong(SummaryKeys.TotalRecords);
        info.FileCount = snapshot is null ? 0 : snapshot.SummaryLong(SummaryKeys.TotalDataFiles);
        info.TotalBytes = snapshot is null ? 0 : snapshot.SummaryLong(SummaryKeys.TotalFilesSize);
        info.DataLocation = properties.TryGetValue(TableProperties.WriteDataPath, out var data) ? data : null;
        var schema = metadata.CurrentSchema;
        info.Columns = schema.Fields.Select(f => new TableColumn(f.Id, f.Name, SpecJson.ToJson(f.Type).Trim('"'), f.Required, f.Doc)).ToArray();
        info.Partitioning = string.Join(", ", metadata.DefaultSpec.Fields.Select(p =>
            $"{p.Transform}({schema.FindField(p.SourceId)?.Name ?? p.Name})"));
    }
}
