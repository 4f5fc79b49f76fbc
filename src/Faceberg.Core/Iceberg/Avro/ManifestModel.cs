using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>manifest_entry.status (field 0).</summary>
public enum ManifestEntryStatus { Existing = 0, Added = 1, Deleted = 2 }

/// <summary>manifest_file.content (field 517).</summary>
public enum ManifestContent { Data = 0, Deletes = 1 }

/// <summary>One manifest_entry. Sequence numbers and snapshot id are null when inherited from the manifest.</summary>
public sealed record ManifestEntry(
    ManifestEntryStatus Status,
    long? SnapshotId,
    long? SequenceNumber,
    long? FileSequenceNumber,
    DataFile DataFile);

/// <summary>field_summary (field 508): a partition field's null/NaN flags and bounds over a manifest.</summary>
public sealed record PartitionFieldSummary(bool ContainsNull, bool? ContainsNan, byte[]? LowerBound, byte[]? UpperBound);

/// <summary>One manifest_file entry of a manifest list.</summary>
public sealed record ManifestFile
{
    public required string ManifestPath { get; init; }
    public required long ManifestLength { get; init; }
    public required int PartitionSpecId { get; init; }
    public ManifestContent Content { get; init; } = ManifestContent.Data;
    public required long SequenceNumber { get; init; }
    public required long MinSequenceNumber { get; init; }
    public required long AddedSnapshotId { get; init; }
    public int AddedFilesCount { get; init; }
    public int ExistingFilesCount { get; init; }
    public int DeletedFilesCount { get; init; }
    public long AddedRowsCount { get; init; }
    public long ExistingRowsCount { get; init; }
    public long DeletedRowsCount { get; init; }
    public IReadOnlyList<PartitionFieldSummary>? Partitions { get; init; }
    public byte[]? KeyMetadata { get; init; }

    /// <summary>
    /// True when the list entry had no added/existing counts (allowed in v1 lists, where null means
    /// "assume non-zero"); the zero counts above are then unknown rather than zero.
    /// </summary>
    public bool FileCountsMissing { get; init; }

    public bool HasLiveFiles => FileCountsMissing || AddedFilesCount > 0 || ExistingFilesCount > 0;
}

/// <summary>A manifest read back: its file-level metadata and entries.</summary>
public sealed record ManifestContents(
    Schema Schema,
    PartitionSpec Spec,
    int FormatVersion,
    ManifestContent Content,
    IReadOnlyList<ManifestEntry> Entries);
