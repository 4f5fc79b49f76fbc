using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>Fills a <see cref="FacebergTableInfo"/> with what the table's Iceberg metadata says.</summary>
public static class TableFacts
{
    /// <summary>
    /// Loads the table through <paramref name="catalog"/> and sets its repo, config, pinned revision, snapshot, record
    /// and file counts and last update. A table without readable metadata keeps what it had: listing a catalog
    /// must not fail because one table is broken.
    /// </summary>
    /// <returns>True when metadata was found.</returns>
    public static async Task<bool> FillAsync(ICatalog catalog, FacebergTableInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(info);
        IcebergTable table;
        try
        {
            table = (await catalog.LoadTableAsync(info.Identifier, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        await ApplyAsync(info, table, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Like <see cref="Apply"/>; when the current snapshot's summary lacks totals (a table written by a tool that
    /// omits them), the counts come from the scan planner: live data files, their records and sizes, and the
    /// delete files as their own count. When the snapshot has delete files (merge-on-read tables of other
    /// writers), the record count is the exact number of rows a full read returns, deletes applied
    /// (<see cref="TableScan.CountRowsAsync"/>): the delete files are read, and so are the equality columns of
    /// the data files equality deletes concern.
    /// </summary>
    public static async Task ApplyAsync(FacebergTableInfo info, IcebergTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        Apply(info, table.Metadata);
        if (table.CurrentSnapshot is not { } snapshot) return;
        var complete = info.RecordCount is not null && info.FileCount is not null && info.TotalBytes is not null && info.DeleteFileCount is not null;
        if (!complete)
        {
            var plan = await table.PlanAsync(snapshot.SnapshotId, null, cancellationToken).ConfigureAwait(false);
            var files = (await plan.ListDataFilesAsync(cancellationToken).ConfigureAwait(false)).Select(t => t.File).ToList();
            info.RecordCount ??= files.Sum(f => f.RecordCount);
            info.FileCount ??= files.Count;
            info.TotalBytes ??= files.Sum(f => f.FileSizeInBytes) + plan.DeleteFiles.Sum(d => d.File.FileSizeInBytes);
            info.DeleteFileCount = plan.DeleteFiles.Count;
        }
        if (info.DeleteFileCount > 0)
            info.RecordCount = await new TableScan(table, new TableScanOptions { Columns = [] }).CountRowsAsync(cancellationToken).ConfigureAwait(false);
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
        info.DeleteFileCount = snapshot is null ? 0 : snapshot.SummaryLong(SummaryKeys.TotalDeleteFiles);
        info.DataLocation = properties.TryGetValue(TableProperties.WriteDataPath, out var data) ? data : null;
        var schema = metadata.CurrentSchema;
        info.Columns = schema.Fields.Select(f => new TableColumn(f.Id, f.Name, SpecJson.ToJson(f.Type).Trim('"'), f.Required, f.Doc)).ToArray();
        info.Partitioning = string.Join(", ", metadata.DefaultSpec.Fields.Select(p =>
            $"{p.Transform}({schema.FindField(p.SourceId)?.Name ?? p.Name})"));
    }
}
