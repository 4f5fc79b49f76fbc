using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>The Faceberg.Catalog and Faceberg.Table objects the cmdlets emit, built from Core's facts.</summary>
public static class OutputObjects
{
    public static Catalog ToCatalog(CatalogContext context, int tableCount) => new()
    {
        Name = context.Name,
        Location = context.Location.Path,
        ConfigPath = context.ConfigPath,
        TableCount = tableCount,
        Repository = context.Repository,
    };

    public static Table ToTable(FacebergTableInfo info, Catalog catalog) => new()
    {
        Identifier = info.Identifier.ToString(),
        Namespace = info.Namespace,
        Name = info.Name,
        Location = info.Location,
        Catalog = catalog,
        Repo = info.Repo,
        Config = info.Config,
        Revision = info.Revision,
        SnapshotId = info.SnapshotId,
        RecordCount = info.RecordCount,
        FileCount = info.FileCount,
        DeleteFileCount = info.DeleteFileCount,
        LastUpdated = info.LastUpdated,
        AheadOfPublished = info.AheadOfPublished,
        TotalBytes = info.TotalBytes,
        DataLocation = info.DataLocation,
        Columns = info.Columns?.ToArray(),
        Partitioning = info.Partitioning,
    };
}
