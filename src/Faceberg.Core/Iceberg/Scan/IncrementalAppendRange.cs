using System.Globalization;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Scan;

/// <summary>One end of an incremental read: a snapshot id, or a time that stands for the snapshot current then.</summary>
public sealed record SnapshotBoundary
{
    private SnapshotBoundary(long? snapshotId, DateTimeOffset? time)
    {
        SnapshotId = snapshotId;
        Time = time;
    }

    public long? SnapshotId { get; }

    public DateTimeOffset? Time { get; }

    public static SnapshotBoundary Of(long snapshotId) => new(snapshotId, null);

    public static SnapshotBoundary At(DateTimeOffset time) => new(null, time);

    public override string ToString() =>
        SnapshotId is { } id ? id.ToString(CultureInfo.InvariantCulture) : Time!.Value.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);
}

/// <summary>
/// The snapshots an incremental append scan covers (Iceberg's IncrementalAppendScan): those after
/// <see cref="Start"/> (exclusive) up to <see cref="End"/> (inclusive) along <see cref="End"/>'s parent chain.
/// The rows they appended are the data files live in <see cref="End"/> whose entry names one of them as the
/// snapshot that added the file. Entries are matched by their snapshot id and file sequence number, not by
/// status: a manifest rewritten by merging keeps those but turns ADDED into EXISTING.
/// A snapshot in the range that removed data files, added delete files or removed delete files changed rows
/// that were there before, so the range is refused rather than read as appends.
/// </summary>
public sealed class IncrementalAppendRange
{
    public const string NotAppendOnlyErrorId = "IncrementalRangeNotAppendOnly";
    public const string NotAncestorErrorId = "IncrementalStartNotAncestor";
    public const string HistoryExpiredErrorId = "IncrementalHistoryExpired";

    private readonly HashSet<long> _snapshotIds;

    private IncrementalAppendRange(Snapshot? start, Snapshot end, IReadOnlyList<Snapshot> snapshots)
    {
        Start = start;
        End = end;
        Snapshots = snapshots;
        _snapshotIds = snapshots.Select(s => s.SnapshotId).ToHashSet();
    }

    /// <summary>The snapshot the range starts after; null when it starts with the table's first snapshot.</summary>
    public Snapshot? Start { get; }

    /// <summary>The last snapshot of the range, whose live files are read.</summary>
    public Snapshot End { get; }

    /// <summary>The snapshots in the range, oldest first.</summary>
    public IReadOnlyList<Snapshot> Snapshots { get; }

    /// <summary>Sequence number of <see cref="Start"/>; files of the range have higher ones.</summary>
    public long StartSequenceNumber => Start?.SequenceNumber ?? 0;

    /// <summary>
    /// Resolves the range. <paramref name="since"/> null starts with the table's first snapshot; <paramref name="until"/>
    /// null ends at the current one. A time resolves to the snapshot current at that time (the snapshot log), as time
    /// travel does; a <paramref name="since"/> time before the first snapshot starts with the first snapshot.
    /// </summary>
    public static IncrementalAppendRange Resolve(TableMetadata metadata, SnapshotBoundary? since, SnapshotBoundary? until)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var end = until switch
        {
            null => metadata.CurrentSnapshot ?? throw new FacebergException("TableHasNoSnapshots", FacebergErrorKind.NotFound,
                $"Table '{metadata.Location}' has no snapshot yet, so nothing was appended to it."),
            { SnapshotId: { } id } => metadata.SnapshotById(id),
            { Time: { } time } => metadata.SnapshotAsOf(time.ToUnixTimeMilliseconds()) ?? throw new FacebergException("NoSnapshotAsOf", FacebergErrorKind.NotFound,
                $"Table '{metadata.Location}' had no snapshot at {until}; its first snapshot is from {FirstSnapshotTime(metadata)}."),
            _ => throw new ArgumentException("A boundary has a snapshot id or a time.", nameof(until)),
        };
        var start = since switch
        {
            null => null,
            { SnapshotId: { } id } => metadata.SnapshotById(id),
            { Time: { } time } => metadata.SnapshotAsOf(time.ToUnixTimeMilliseconds()),
            _ => throw new ArgumentException("A boundary has a snapshot id or a time.", nameof(since)),
        };

        var byId = metadata.Snapshots.ToDictionary(s => s.SnapshotId);
        var range = new List<Snapshot>();
        var current = end;
        while (current.SnapshotId != start?.SnapshotId)
        {
            range.Add(current);
            if (current.ParentSnapshotId is not { } parentId)
            {
                if (start == null) break;
                throw new FacebergException(NotAncestorErrorId, FacebergErrorKind.InvalidArgument,
                    $"Snapshot {start.SnapshotId} ({Time(start)}) is not an ancestor of snapshot {end.SnapshotId} ({Time(end)}) in table '{metadata.Location}', "
                    + "so there are no rows appended between them. The start must be an earlier snapshot of the same history (see Get-FacebergSnapshot).");
            }
            if (!byId.TryGetValue(parentId, out var parent))
            {
                throw new FacebergException(HistoryExpiredErrorId, FacebergErrorKind.NotFound,
                    $"Snapshot {parentId}, the parent of snapshot {current.SnapshotId} in table '{metadata.Location}', has been expired, so what was appended "
                    + $"{(start == null ? "before it" : $"after snapshot {start.SnapshotId}")} cannot be told; start at snapshot {current.SnapshotId} or later.");
            }
            current = parent;
        }
        range.Reverse();
        foreach (var snapshot in range) RequireAppendOnly(metadata, snapshot, start, end);
        return new IncrementalAppendRange(start, end, range);
    }

    // Format v1 tables have no sequence numbers (all zero): there only snapshot ids tell.
    private bool HasSequenceNumbers => End.SequenceNumber > 0;

    /// <summary>False when no file of <paramref name="manifest"/> can have been added in the range: a manifest is written no earlier than the files it lists.</summary>
    public bool MightHaveAdded(ManifestFile manifest) => !HasSequenceNumbers || manifest.SequenceNumber > StartSequenceNumber;

    /// <summary>Whether the (inherited) entry is a live data file added by a snapshot of the range.</summary>
    public bool Added(ManifestEntry entry)
    {
        if (entry.Status == ManifestEntryStatus.Deleted || entry.SnapshotId is not { } id || !_snapshotIds.Contains(id)) return false;
        return !HasSequenceNumbers || entry.FileSequenceNumber is not { } sequence || (sequence > StartSequenceNumber && sequence <= End.SequenceNumber);
    }

    /// <summary>Fails when a delete file newer than the start applies to rows of the range (or before it).</summary>
    internal void RequireNoNewDeleteFiles(IEnumerable<DeleteFileTask> deletes, string tableLocation)
    {
        foreach (var delete in deletes)
        {
            if (delete.SequenceNumber <= StartSequenceNumber) continue;
            var by = Snapshots.FirstOrDefault(s => s.SequenceNumber == delete.SequenceNumber);
            throw new FacebergException(NotAppendOnlyErrorId, FacebergErrorKind.InvalidArgument,
                $"Table '{tableLocation}' has a {delete.Content} file ('{delete.File.FilePath}') written {(by == null ? $"at sequence number {delete.SequenceNumber}" : $"by snapshot {by.SnapshotId} ({by.Operation}, {Time(by)})")} "
                + $"after {StartName(Start)}: it deletes rows, so the range up to snapshot {End.SnapshotId} is not append-only. Start at a later snapshot, or {Advice(End)}");
        }
    }

    private static void RequireAppendOnly(TableMetadata metadata, Snapshot snapshot, Snapshot? start, Snapshot end)
    {
        // Counters absent from a summary are zero: Iceberg writers (Faceberg's too) write only non-zero ones.
        var removedFiles = snapshot.SummaryLong(SummaryKeys.DeletedDataFiles) ?? 0;
        var addedDeletes = snapshot.SummaryLong(SummaryKeys.AddedDeleteFiles) ?? 0;
        var removedDeletes = snapshot.SummaryLong(SummaryKeys.RemovedDeleteFiles) ?? 0;
        var deletedRecords = (snapshot.SummaryLong(SummaryKeys.DeletedRecords) ?? 0)
            + (snapshot.SummaryLong(SummaryKeys.AddedPositionDeletes) ?? 0) + (snapshot.SummaryLong(SummaryKeys.AddedEqualityDeletes) ?? 0);
        var changes = new List<string>();
        if (removedFiles > 0) changes.Add($"removed {removedFiles} data file{(removedFiles == 1 ? "" : "s")}");
        if (addedDeletes > 0) changes.Add($"added {addedDeletes} delete file{(addedDeletes == 1 ? "" : "s")}");
        if (removedDeletes > 0) changes.Add($"removed {removedDeletes} delete file{(removedDeletes == 1 ? "" : "s")}");
        if (changes.Count == 0 && deletedRecords > 0) changes.Add($"deleted {deletedRecords} rows");
        // A non-append snapshot whose summary shows no removal only added files (or only rewrote manifests).
        if (changes.Count == 0) return;
        throw new FacebergException(NotAppendOnlyErrorId, FacebergErrorKind.InvalidArgument,
            $"Snapshot {snapshot.SnapshotId} of table '{metadata.Location}' ({snapshot.Operation}, {Time(snapshot)}) {string.Join(" and ", changes)} "
            + $"after {StartName(start)}, so the range up to snapshot {end.SnapshotId} is not append-only: its rows are not just the ones appended. "
            + $"Start at snapshot {snapshot.SnapshotId} or later, or {Advice(end)}");
    }

    private static string Advice(Snapshot end) => $"read the whole table at snapshot {end.SnapshotId} (-SnapshotId).";

    private static string StartName(Snapshot? start) => start == null ? "the table's first snapshot" : $"snapshot {start.SnapshotId}";

    private static string Time(Snapshot snapshot) =>
        DateTimeOffset.FromUnixTimeMilliseconds(snapshot.TimestampMs).ToString("u", CultureInfo.InvariantCulture);

    private static string FirstSnapshotTime(TableMetadata metadata) =>
        metadata.SnapshotLog.Count == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds(metadata.SnapshotLog[0].TimestampMs).ToString("u", CultureInfo.InvariantCulture);
}
