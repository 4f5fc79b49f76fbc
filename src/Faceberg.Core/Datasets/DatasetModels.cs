using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Datasets;

/// <summary>How <see cref="DatasetTables.CreateAsync(CatalogContext, DatasetConfig, DatasetTableOptions?, CancellationToken)"/> runs.</summary>
public sealed class DatasetTableOptions
{
    /// <summary>Most Parquet footers read at once (each is one ranged request for typical files).</summary>
    public int ThrottleLimit { get; init; } = DatasetTables.DefaultThrottleLimit;

    /// <summary>Receives a report after discovery and after every footer read; called from worker threads.</summary>
    public IProgress<DatasetProgress>? Progress { get; init; }

    /// <summary>Discover the configs and report the tables that would be created, without reading footers or writing.</summary>
    public bool WhatIf { get; init; }
}

/// <summary>How <see cref="DatasetSync.SyncAsync"/> runs.</summary>
public sealed class SyncOptions
{
    public int ThrottleLimit { get; init; } = DatasetTables.DefaultThrottleLimit;

    public IProgress<DatasetProgress>? Progress { get; init; }

    /// <summary>Compare the revisions and report what would change, without reading footers or writing.</summary>
    public bool WhatIf { get; init; }
}

/// <summary>Where a create or sync is: which dataset and config, and how many footers of how many are read.</summary>
/// <param name="Config">Null while the dataset is being discovered.</param>
/// <param name="Activity">What is happening, in words ("Resolving revision", "Reading Parquet footers", "Committing").</param>
public sealed record DatasetProgress(string Dataset, string? Config, int FilesDone, int FilesTotal, string Activity);

public enum DatasetTableStatus
{
    /// <summary>The table was created and registered in the catalog.</summary>
    Created,
    /// <summary>WhatIf: the table would be created.</summary>
    WouldCreate,
    /// <summary>The table could not be created; see <see cref="DatasetTableResult.Error"/>. Nothing was left behind.</summary>
    Failed,
    /// <summary>The table's folder held the same table (dataset, config and ref), kept by a drop without purge: it was
    /// registered again with its history and pin; Sync-FacebergTable brings it to the ref's head.</summary>
    Adopted,
    /// <summary>WhatIf: the kept table would be registered again.</summary>
    WouldAdopt,
}

/// <summary>
/// The outcome for one config of a dataset. A failure to discover the dataset at all (missing repo,
/// unknown config) is one result with a null <see cref="Config"/>.
/// </summary>
public sealed record DatasetTableResult
{
    public required string Dataset { get; init; }
    public required string Repo { get; init; }
    public string? Config { get; init; }
    public TableIdentifier? Identifier { get; init; }
    public required DatasetTableStatus Status { get; init; }

    /// <summary>The created table with its Iceberg facts (also set for WhatIf, without snapshot facts).</summary>
    public FacebergTableInfo? Table { get; init; }

    /// <summary>Data files registered (or that would be).</summary>
    public int FileCount { get; init; }

    public FacebergException? Error { get; init; }
}

public enum SyncStatus
{
    /// <summary>The dataset's ref still points at the pinned commit; one Hub request, nothing written.</summary>
    UpToDate,
    /// <summary>A new snapshot reflects the ref's new commit.</summary>
    Updated,
    /// <summary>WhatIf: the table would be updated as the counts say.</summary>
    WouldUpdate,
    /// <summary>Nothing was written; see <see cref="SyncResult.Error"/>.</summary>
    Failed,
}

/// <summary>What a sync did (or would do) to one table. Counts are data files.</summary>
public sealed record SyncResult
{
    public required TableIdentifier Table { get; init; }
    public string? Repo { get; init; }
    public string? Config { get; init; }

    /// <summary>The commit the table was pinned to before.</summary>
    public string? FromRevision { get; init; }

    /// <summary>The commit the ref points at now (the new pin when <see cref="Status"/> is Updated).</summary>
    public string? ToRevision { get; init; }

    public int Added { get; init; }
    public int Removed { get; init; }
    public int Replaced { get; init; }

    /// <summary>Columns the schema gained.</summary>
    public IReadOnlyList<string> AddedColumns { get; init; } = [];

    /// <summary>The table's current snapshot after the sync (the new one when Updated).</summary>
    public long? SnapshotId { get; init; }

    public required SyncStatus Status { get; init; }
    public FacebergException? Error { get; init; }
}

/// <summary>One config of a planned dataset: the table it becomes and its files (each path once).</summary>
public sealed record PlannedTable(string Config, TableIdentifier Identifier, IReadOnlyList<PlannedFile> Files);

/// <summary>A data file of a planned table and the split (partition value) it belongs to.</summary>
public sealed record PlannedFile(string Split, RepoFile File);

/// <summary>
/// A dataset resolved against the Hub: the commit its ref points at, where its Parquet files live and
/// which tables its configs become. Made by <see cref="DatasetPlanner.PlanAsync"/>; pass it (or a copy
/// with fewer <see cref="Tables"/>) to <see cref="DatasetTableCreator.CreateAsync"/>.
/// </summary>
public sealed record DatasetPlan
{
    public required DatasetConfig Dataset { get; init; }

    /// <summary>The ref the table follows: the configured revision, or <c>main</c>.</summary>
    public required string Ref { get; init; }

    /// <summary>The commit <see cref="Ref"/> resolved to.</summary>
    public required string Revision { get; init; }

    /// <summary>The commit the data files are read from: <see cref="Revision"/>, or the
    /// <c>refs/convert/parquet</c> commit for datasets that are not Parquet.</summary>
    public required string DataRevision { get; init; }

    /// <summary>The <c>refs/convert/parquet</c> commit when the data comes from the Hub's conversion.</summary>
    public string? SourceRevision { get; init; }

    public required LayoutKind Layout { get; init; }
    public required IReadOnlyList<PlannedTable> Tables { get; init; }

    public string Repo => Dataset.Repo;
}
