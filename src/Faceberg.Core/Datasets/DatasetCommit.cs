using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Datasets;

/// <summary>
/// One change to a dataset table, in the terms of an Iceberg REST table commit: a requirement the table must
/// still meet and the updates that apply when it does. <see cref="DatasetTableStore.CommitAsync"/> applies it.
/// <list type="bullet">
/// <item>requirement <c>assert-ref-snapshot-id</c> (<c>main</c> = <see cref="BaseSnapshotId"/>): the files to
/// remove and keep were read from that snapshot;</item>
/// <item><c>add-schema</c> + <c>set-current-schema</c> when <see cref="AddColumns"/> is not empty;</item>
/// <item><c>add-snapshot</c> + <c>set-snapshot-ref main</c> when files change or a <see cref="Summary"/> is given;</item>
/// <item><c>set-properties</c>: <see cref="Source"/>'s properties and the file record's location.</item>
/// </list>
/// </summary>
public sealed record DatasetCommit
{
    /// <summary>The snapshot the change was computed against (null: the table has none).</summary>
    public required long? BaseSnapshotId { get; init; }

    /// <summary>What the table's dataset properties become.</summary>
    public required DatasetSource Source { get; init; }

    /// <summary>New optional top-level columns; their ids are assigned by the commit.</summary>
    public IReadOnlyList<NestedField> AddColumns { get; init; } = [];

    /// <summary>Paths of live data files to remove.</summary>
    public IReadOnlyList<string> RemoveFiles { get; init; } = [];

    /// <summary>Data files to add as they are (an unchanged file moved to another split).</summary>
    public IReadOnlyList<DataFile> AddDataFiles { get; init; } = [];

    /// <summary>Parquet files to add, described against the schema as it is after <see cref="AddColumns"/>.</summary>
    public IReadOnlyList<NewDatasetFile> AddFiles { get; init; } = [];

    /// <summary>The dataset's files at <see cref="DatasetSource.DataRevision"/> with their splits, recorded for the next
    /// sync; they must be exactly the table's live files after the commit. Null keeps the record as it is.</summary>
    public IReadOnlyList<PlannedFile>? FileRecord { get; init; }

    /// <summary>The file record the change was planned from (<see cref="DatasetTableStore.ReadFileRecordDetailsAsync"/>),
    /// if any: while the table still names it when the commit is made, <see cref="FileRecord"/> is written as a change to
    /// it without reading it again; otherwise the commit reads the table's record.</summary>
    public DatasetFileRecord? FileRecordRead { get; init; }

    /// <summary>Faceberg's snapshot summary keys (<see cref="DatasetSource.SnapshotSummary"/>); null with no file
    /// change makes the commit metadata-only (set-properties, no snapshot).</summary>
    public IReadOnlyDictionary<string, string>? Summary { get; init; }

    internal bool ChangesSnapshot => Summary is not null || RemoveFiles.Count > 0 || AddDataFiles.Count > 0 || AddFiles.Count > 0;
}

/// <summary>A Parquet file to register: its footer statistics (with its URI), and the split (partition value) it belongs to.</summary>
public sealed record NewDatasetFile(ParquetFileStatistics Facts, string Split)
{
    public NewDatasetFile(ParquetFileFacts facts, string split) : this(ParquetFileStatistics.Of(facts), split)
    {
    }
}
