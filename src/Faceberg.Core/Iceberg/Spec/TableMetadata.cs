namespace Faceberg.Core.Iceberg.Spec;

/// <summary>Values of the snapshot summary's required "operation" key.</summary>
public static class SnapshotOperation
{
    public const string Append = "append";
    public const string Replace = "replace";
    public const string Overwrite = "overwrite";
    public const string Delete = "delete";
}

/// <summary>Snapshot summary keys (spec Appendix F).</summary>
public static class SummaryKeys
{
    public const string Operation = "operation";
    public const string AddedDataFiles = "added-data-files";
    public const string DeletedDataFiles = "deleted-data-files";
    public const string AddedDeleteFiles = "added-delete-files";
    public const string RemovedDeleteFiles = "removed-delete-files";
    public const string AddedRecords = "added-records";
    public const string DeletedRecords = "deleted-records";
    public const string AddedFilesSize = "added-files-size";
    public const string RemovedFilesSize = "removed-files-size";
    public const string AddedPositionDeletes = "added-position-deletes";
    public const string RemovedPositionDeletes = "removed-position-deletes";
    public const string AddedEqualityDeletes = "added-equality-deletes";
    public const string RemovedEqualityDeletes = "removed-equality-deletes";
    public const string ChangedPartitionCount = "changed-partition-count";
    public const string TotalRecords = "total-records";
    public const string TotalFilesSize = "total-files-size";
    public const string TotalDataFiles = "total-data-files";
    public const string TotalDeleteFiles = "total-delete-files";
    public const string TotalPositionDeletes = "total-position-deletes";
    public const string TotalEqualityDeletes = "total-equality-deletes";
}

public sealed record Snapshot(
    long SnapshotId,
    long? ParentSnapshotId,
    long SequenceNumber,
    long TimestampMs,
    string ManifestList,
    IReadOnlyDictionary<string, string> Summary,
    int? SchemaId)
{
    public string Operation => Summary.TryGetValue(SummaryKeys.Operation, out var op) ? op : SnapshotOperation.Append;

    /// <summary>A summary counter as a number, or null when absent or not a number.</summary>
    public long? SummaryLong(string key) => Summary.TryGetValue(key, out var v) && long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

public sealed record SnapshotLogEntry(long SnapshotId, long TimestampMs);

public sealed record MetadataLogEntry(string MetadataFile, long TimestampMs);

public sealed record SnapshotRef(long SnapshotId, string Type, int? MinSnapshotsToKeep = null, long? MaxSnapshotAgeMs = null, long? MaxRefAgeMs = null)
{
    public const string Branch = "branch";
    public const string Tag = "tag";
    public const string MainBranch = "main";
}

public sealed record SortField(Transform Transform, int SourceId, string Direction, string NullOrder);

public sealed record SortOrder(int OrderId, IReadOnlyList<SortField> Fields)
{
    /// <summary>Order id 0 is reserved for the unsorted order.</summary>
    public static readonly SortOrder Unsorted = new(0, Array.Empty<SortField>());
}

/// <summary>Table metadata (format version 2), as stored in v&lt;N&gt;.metadata.json.</summary>
public sealed record TableMetadata
{
    public const int SupportedFormatVersion = 2;

    public int FormatVersion { get; init; } = SupportedFormatVersion;
    public required Guid TableUuid { get; init; }
    public required string Location { get; init; }
    public long LastSequenceNumber { get; init; }
    public required long LastUpdatedMs { get; init; }
    public required int LastColumnId { get; init; }
    public required IReadOnlyList<Schema> Schemas { get; init; }
    public required int CurrentSchemaId { get; init; }
    public required IReadOnlyList<PartitionSpec> PartitionSpecs { get; init; }
    public required int DefaultSpecId { get; init; }
    public required int LastPartitionId { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    public long? CurrentSnapshotId { get; init; }
    public IReadOnlyList<Snapshot> Snapshots { get; init; } = Array.Empty<Snapshot>();
    public IReadOnlyList<SnapshotLogEntry> SnapshotLog { get; init; } = Array.Empty<SnapshotLogEntry>();
    public IReadOnlyList<MetadataLogEntry> MetadataLog { get; init; } = Array.Empty<MetadataLogEntry>();
    public IReadOnlyList<SortOrder> SortOrders { get; init; } = new[] { SortOrder.Unsorted };
    public int DefaultSortOrderId { get; init; }
    public IReadOnlyDictionary<string, SnapshotRef> Refs { get; init; } = new Dictionary<string, SnapshotRef>();

    public Schema CurrentSchema => SchemaById(CurrentSchemaId);
    public PartitionSpec DefaultSpec => SpecById(DefaultSpecId);
    public Snapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? SnapshotById(id) : null;

    public Schema SchemaById(int schemaId) => Schemas.FirstOrDefault(s => s.SchemaId == schemaId)
        ?? throw new FacebergException("SchemaNotFound", FacebergErrorKind.InvalidData, $"Table metadata has no schema with id {schemaId}.");

    public PartitionSpec SpecById(int specId) => PartitionSpecs.FirstOrDefault(s => s.SpecId == specId)
        ?? throw new FacebergException("PartitionSpecNotFound", FacebergErrorKind.InvalidData, $"Table metadata has no partition spec with id {specId}.");

    public Snapshot SnapshotById(long snapshotId) => Snapshots.FirstOrDefault(s => s.SnapshotId == snapshotId)
        ?? throw new FacebergException("SnapshotNotFound", FacebergErrorKind.NotFound,
            $"Table has no snapshot with id {snapshotId} (it may have been expired). "
            + (Snapshots.Count == 0 ? "It has no snapshots." : $"Its snapshots, oldest first: {string.Join(", ", Snapshots.OrderBy(s => s.TimestampMs).Select(s => s.SnapshotId))}."));

    /// <summary>The snapshot that was current at <paramref name="timestampMs"/> according to the snapshot log, or null if none was yet.</summary>
    public Snapshot? SnapshotAsOf(long timestampMs)
    {
        SnapshotLogEntry? last = null;
        foreach (var entry in SnapshotLog)
        {
            if (entry.TimestampMs > timestampMs) break;
            last = entry;
        }
        return last == null ? null : SnapshotById(last.SnapshotId);
    }

    /// <summary>The current snapshot and its ancestors, newest first.</summary>
    public IEnumerable<Snapshot> History()
    {
        var byId = Snapshots.ToDictionary(s => s.SnapshotId);
        var id = CurrentSnapshotId;
        while (id is { } current && byId.TryGetValue(current, out var snapshot))
        {
            yield return snapshot;
            id = snapshot.ParentSnapshotId;
        }
    }

    /// <summary>Metadata for a new table with no snapshots: schema id 0, spec id 0, unsorted.</summary>
    public static TableMetadata NewTable(string location, Schema schema, PartitionSpec spec, IReadOnlyDictionary<string, string>? properties, long nowMs, Guid? tableUuid = null)
    {
        foreach (var field in spec.Fields)
        {
            if (schema.FindField(field.SourceId) == null)
                throw new FacebergException("PartitionSourceNotFound", FacebergErrorKind.InvalidArgument, $"Partition field '{field.Name}' refers to source id {field.SourceId}, which is not in the schema.");
        }
        var s = schema.SchemaId == 0 ? schema : schema.WithSchemaId(0);
        var p = spec.SpecId == 0 ? spec : spec.WithSpecId(0);
        return new TableMetadata
        {
            TableUuid = tableUuid ?? Guid.NewGuid(),
            Location = location.TrimEnd('/'),
            LastSequenceNumber = 0,
            LastUpdatedMs = nowMs,
            LastColumnId = s.HighestFieldId,
            Schemas = new[] { s },
            CurrentSchemaId = 0,
            PartitionSpecs = new[] { p },
            DefaultSpecId = 0,
            LastPartitionId = p.LastAssignedFieldId,
            Properties = new Dictionary<string, string>(properties ?? new Dictionary<string, string>()),
        };
    }
}
