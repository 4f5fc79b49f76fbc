using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Scan;

/// <summary>
/// Incremental append ranges: which snapshots a (since, until] range covers, which ranges are refused, and
/// which files the planner hands out for a range, on real commits and on a merged manifest.
/// </summary>
public sealed class IncrementalAppendRangeTests
{
    private const string Location = "mem://warehouse/t";
    private readonly InMemoryFileIO _io = new();

    private static Snapshot Snap(long id, long? parent, long sequence, long timestampMs, string operation, params (string Key, long Value)[] counters)
    {
        var summary = new Dictionary<string, string> { [SummaryKeys.Operation] = operation };
        foreach (var (key, value) in counters) summary[key] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Snapshot(id, parent, sequence, timestampMs, $"{Location}/metadata/snap-{id}.avro", summary, 0);
    }

    /// <summary>Metadata whose history is <paramref name="snapshots"/> in order, the last one current.</summary>
    private static TableMetadata History(params Snapshot[] snapshots) =>
        TableMetadata.NewTable(Location, TestSchema, SplitSpec, null, 0) with
        {
            Snapshots = snapshots,
            CurrentSnapshotId = snapshots[^1].SnapshotId,
            LastSequenceNumber = snapshots.Max(s => s.SequenceNumber),
            SnapshotLog = snapshots.Select(s => new SnapshotLogEntry(s.SnapshotId, s.TimestampMs)).ToArray(),
        };

    private static TableMetadata FourAppends() => History(
        Snap(10, null, 1, 1000, "append", (SummaryKeys.AddedDataFiles, 1)),
        Snap(20, 10, 2, 2000, "append", (SummaryKeys.AddedDataFiles, 1)),
        Snap(30, 20, 3, 3000, "append", (SummaryKeys.AddedDataFiles, 2)),
        Snap(40, 30, 4, 4000, "append", (SummaryKeys.AddedDataFiles, 1)));

    private static long[] Ids(IncrementalAppendRange range) => range.Snapshots.Select(s => s.SnapshotId).ToArray();

    [Fact]
    public void A_range_over_appends_covers_the_snapshots_after_the_start_up_to_the_end()
    {
        var metadata = FourAppends();

        var toCurrent = IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(20), null);
        Assert.Equal([30L, 40L], Ids(toCurrent));
        Assert.Equal(20, toCurrent.Start!.SnapshotId);
        Assert.Equal(40, toCurrent.End.SnapshotId);

        Assert.Equal([20L, 30L], Ids(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(10), SnapshotBoundary.Of(30))));
        Assert.Equal([10L, 20L], Ids(IncrementalAppendRange.Resolve(metadata, null, SnapshotBoundary.Of(20))));
        Assert.Empty(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(40), null).Snapshots);
    }

    [Fact]
    public void Times_resolve_to_the_snapshot_current_then()
    {
        var metadata = FourAppends();
        static SnapshotBoundary At(long ms) => SnapshotBoundary.At(DateTimeOffset.FromUnixTimeMilliseconds(ms));

        // 2500 ms: snapshot 20 was current, so the range starts after it; 3000 ms exactly is snapshot 30.
        Assert.Equal([30L, 40L], Ids(IncrementalAppendRange.Resolve(metadata, At(2500), null)));
        Assert.Equal([40L], Ids(IncrementalAppendRange.Resolve(metadata, At(3000), null)));
        Assert.Equal([20L, 30L], Ids(IncrementalAppendRange.Resolve(metadata, At(1999), At(3999))));
        // Before the first snapshot: everything from the first one.
        Assert.Equal([10L, 20L, 30L, 40L], Ids(IncrementalAppendRange.Resolve(metadata, At(5), null)));

        var early = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, null, At(999)));
        Assert.Equal("NoSnapshotAsOf", early.ErrorId);
    }

    [Theory]
    [InlineData("overwrite", SummaryKeys.DeletedDataFiles, "removed 2 data files")]
    [InlineData("delete", SummaryKeys.DeletedDataFiles, "removed 2 data files")]
    [InlineData("replace", SummaryKeys.DeletedDataFiles, "removed 2 data files")]
    [InlineData("overwrite", SummaryKeys.AddedDeleteFiles, "added 2 delete files")]
    [InlineData("delete", SummaryKeys.RemovedDeleteFiles, "removed 2 delete files")]
    public void A_snapshot_that_changed_earlier_rows_makes_the_range_not_append_only(string operation, string counter, string said)
    {
        var metadata = History(
            Snap(10, null, 1, 1000, "append", (SummaryKeys.AddedDataFiles, 1)),
            Snap(20, 10, 2, 2000, "append", (SummaryKeys.AddedDataFiles, 1)),
            Snap(30, 20, 3, 3000, operation, (counter, 2)),
            Snap(40, 30, 4, 4000, "append", (SummaryKeys.AddedDataFiles, 1)));

        var error = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(10), null));
        Assert.Equal(IncrementalAppendRange.NotAppendOnlyErrorId, error.ErrorId);
        Assert.Equal(FacebergErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Snapshot 30", error.Message);
        Assert.Contains(operation, error.Message);
        Assert.Contains(said, error.Message);

        // Ranges that do not contain it are fine.
        Assert.Equal([40L], Ids(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(30), null)));
        Assert.Equal([20L], Ids(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(10), SnapshotBoundary.Of(20))));
    }

    [Fact]
    public void A_snapshot_that_only_rewrote_manifests_or_only_added_files_keeps_the_range_incremental()
    {
        var metadata = History(
            Snap(10, null, 1, 1000, "append", (SummaryKeys.AddedDataFiles, 1)),
            Snap(20, 10, 2, 2000, "replace"),
            Snap(30, 20, 3, 3000, "overwrite", (SummaryKeys.AddedDataFiles, 1)));

        Assert.Equal([20L, 30L], Ids(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(10), null)));
    }

    [Fact]
    public void A_start_that_is_not_an_ancestor_of_the_end_is_refused()
    {
        // 25 branches off 20; 40 continues 30.
        var metadata = History(
            Snap(10, null, 1, 1000, "append"),
            Snap(20, 10, 2, 2000, "append"),
            Snap(25, 20, 3, 2500, "append"),
            Snap(30, 20, 4, 3000, "append"),
            Snap(40, 30, 5, 4000, "append"));

        var sideways = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(25), null));
        Assert.Equal(IncrementalAppendRange.NotAncestorErrorId, sideways.ErrorId);
        Assert.Contains("Snapshot 25", sideways.Message);
        Assert.Contains("snapshot 40", sideways.Message);

        var backwards = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(40), SnapshotBoundary.Of(20)));
        Assert.Equal(IncrementalAppendRange.NotAncestorErrorId, backwards.ErrorId);

        var unknown = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(99), null));
        Assert.Equal("SnapshotNotFound", unknown.ErrorId);
    }

    [Fact]
    public void A_gap_in_the_history_is_refused_rather_than_guessed()
    {
        // Snapshot 20 was expired: what 20 did cannot be checked.
        var metadata = History(
            Snap(10, null, 1, 1000, "append"),
            Snap(30, 20, 3, 3000, "append"),
            Snap(40, 30, 4, 4000, "append"));

        var error = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(10), null));
        Assert.Equal(IncrementalAppendRange.HistoryExpiredErrorId, error.ErrorId);
        Assert.Contains("Snapshot 20", error.Message);
        Assert.Equal([40L], Ids(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(30), null)));
    }

    private async Task<IcebergTable> NewTableAsync() => await IcebergTable.CreateAsync(_io, Location, TestSchema, SplitSpec);

    private static async Task<string[]> PlannedAsync(IcebergTable table, IncrementalAppendRange range)
    {
        var plan = await table.NewScanPlanner().PlanAppendsAsync(range);
        return (await plan.ListDataFilesAsync()).Select(f => Path.GetFileName(f.File.FilePath)).Order().ToArray();
    }

    [Fact]
    public async Task The_planner_hands_out_only_files_appended_in_the_range()
    {
        var table = await NewTableAsync();
        var s1 = await table.NewAppend().AddFile(File(Location, "a", "train")).CommitAsync();
        var s2 = await table.NewAppend().AddFile(File(Location, "b", "train")).AddFile(File(Location, "c", "test")).CommitAsync();
        var s3 = await table.NewAppend().AddFile(File(Location, "d", "test")).CommitAsync();

        Assert.Equal(["b.parquet", "c.parquet", "d.parquet"], await PlannedAsync(table, IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s1.SnapshotId), null)));
        Assert.Equal(["d.parquet"], await PlannedAsync(table, IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s2.SnapshotId), null)));
        Assert.Equal(["b.parquet", "c.parquet"], await PlannedAsync(table,
            IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s1.SnapshotId), SnapshotBoundary.Of(s2.SnapshotId))));
        Assert.Empty(await PlannedAsync(table, IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s3.SnapshotId), null)));

        // The manifest written by s1 cannot hold later files: it is not read for a range after s1.
        var plan = await table.NewScanPlanner().PlanAppendsAsync(IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s2.SnapshotId), null));
        await plan.ListDataFilesAsync();
        Assert.Equal(1, plan.ManifestsRead);
        Assert.Equal(2, plan.ManifestsSkipped);
    }

    [Fact]
    public async Task An_overwrite_in_the_range_is_refused_with_its_snapshot_and_operation()
    {
        var table = await NewTableAsync();
        var s1 = await table.NewAppend().AddFile(File(Location, "a", "train")).CommitAsync();
        var s2 = await table.NewAppend().AddFile(File(Location, "b", "train")).CommitAsync();
        var s3 = await table.NewOverwrite().DeleteFile($"{Location}/data/a.parquet").AddFile(File(Location, "a2", "train")).CommitAsync();
        await table.NewAppend().AddFile(File(Location, "e", "train")).CommitAsync();

        var error = Assert.Throws<FacebergException>(() => IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s1.SnapshotId), null));
        Assert.Equal(IncrementalAppendRange.NotAppendOnlyErrorId, error.ErrorId);
        Assert.Contains($"Snapshot {s3.SnapshotId}", error.Message);
        Assert.Contains("overwrite", error.Message);
        Assert.Equal(["e.parquet"], await PlannedAsync(table, IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s3.SnapshotId), null)));
        Assert.Equal(["b.parquet"], await PlannedAsync(table,
            IncrementalAppendRange.Resolve(table.Metadata, SnapshotBoundary.Of(s1.SnapshotId), SnapshotBoundary.Of(s2.SnapshotId))));
    }

    [Fact]
    public async Task Files_of_a_merged_manifest_count_by_their_snapshot_and_sequence_number_not_their_status()
    {
        var table = await NewTableAsync();
        var s1 = await table.NewAppend().AddFile(File(Location, "a", "train")).CommitAsync();
        var s2 = await table.NewAppend().AddFile(File(Location, "b", "train")).CommitAsync();
        var s3 = await table.NewAppend().AddFile(File(Location, "c", "train")).CommitAsync();

        // A manifest merge (as Iceberg's merge-append or rewrite-manifests writes it): one manifest, every file
        // EXISTING with the snapshot id and sequence numbers it was added with, committed as a 'replace'.
        var entries = new[] { (s1, "a.parquet"), (s2, "b.parquet"), (s3, "c.parquet") }
            .Select(x => new ManifestEntry(ManifestEntryStatus.Existing, x.Item1.SnapshotId, x.Item1.SequenceNumber, x.Item1.SequenceNumber, File(Location, Path.GetFileNameWithoutExtension(x.Item2), "train")))
            .ToArray();
        var manifestPath = $"{Location}/metadata/merged-m0.avro";
        var bytes = ManifestIO.Write(TestSchema, SplitSpec, entries);
        await _io.WriteAsync(manifestPath, bytes);
        const long mergedId = 4444;
        var merged = new ManifestFile
        {
            ManifestPath = manifestPath, ManifestLength = bytes.Length, PartitionSpecId = 0,
            SequenceNumber = 4, MinSequenceNumber = 1, AddedSnapshotId = mergedId, ExistingFilesCount = 3,
            Partitions = ManifestIO.Summarize(SplitSpec.PartitionType(TestSchema), entries.Select(e => e.DataFile)),
        };
        var listPath = $"{Location}/metadata/snap-{mergedId}.avro";
        await _io.WriteAsync(listPath, ManifestListIO.Write([merged], mergedId, s3.SnapshotId, 4));
        var replace = new Snapshot(mergedId, s3.SnapshotId, 4, s3.TimestampMs + 1, listPath,
            new Dictionary<string, string> { [SummaryKeys.Operation] = SnapshotOperation.Replace }, 0);
        var metadata = table.Metadata with
        {
            Snapshots = [.. table.Metadata.Snapshots, replace],
            CurrentSnapshotId = mergedId,
            LastSequenceNumber = 4,
            SnapshotLog = [.. table.Metadata.SnapshotLog, new SnapshotLogEntry(mergedId, replace.TimestampMs)],
        };
        var planner = new ScanPlanner(_io, metadata);

        async Task<string[]> Planned(SnapshotBoundary since) =>
            (await (await planner.PlanAppendsAsync(IncrementalAppendRange.Resolve(metadata, since, null))).ListDataFilesAsync())
            .Select(f => Path.GetFileName(f.File.FilePath)).Order().ToArray();

        Assert.Equal(["b.parquet", "c.parquet"], await Planned(SnapshotBoundary.Of(s1.SnapshotId)));
        Assert.Equal(["c.parquet"], await Planned(SnapshotBoundary.Of(s2.SnapshotId)));
        Assert.Empty(await Planned(SnapshotBoundary.Of(s3.SnapshotId)));
    }

    [Fact]
    public async Task A_delete_file_newer_than_the_start_is_refused_and_an_older_one_does_not_matter()
    {
        var table = await NewTableAsync();
        var s1 = await table.NewAppend().AddFile(File(Location, "a", "train")).CommitAsync();
        var s2 = await table.NewAppend().AddFile(File(Location, "b", "train")).CommitAsync();

        // Another engine's position delete file, written at sequence number 2 (with s2) into a delete manifest the summary does not mention.
        var delete = File(Location, "a-deletes", "train") with { Content = FileContent.PositionDeletes };
        var deletePath = $"{Location}/metadata/deletes-m0.avro";
        var deleteBytes = ManifestIO.Write(TestSchema, SplitSpec, [new ManifestEntry(ManifestEntryStatus.Added, s2.SnapshotId, 2, 2, delete)], ManifestContent.Deletes);
        await _io.WriteAsync(deletePath, deleteBytes);
        var manifests = (await table.ReadManifestListAsync(s2)).Append(new ManifestFile
        {
            ManifestPath = deletePath, ManifestLength = deleteBytes.Length, PartitionSpecId = 0, Content = ManifestContent.Deletes,
            SequenceNumber = 2, MinSequenceNumber = 2, AddedSnapshotId = s2.SnapshotId, AddedFilesCount = 1,
        }).ToList();
        var listPath = $"{Location}/metadata/snap-with-deletes.avro";
        await _io.WriteAsync(listPath, ManifestListIO.Write(manifests, s2.SnapshotId, s1.SnapshotId, 2));
        var withDeletes = s2 with { ManifestList = listPath };
        var metadata = table.Metadata with { Snapshots = [s1, withDeletes] };
        var planner = new ScanPlanner(_io, metadata);

        var error = await Assert.ThrowsAsync<FacebergException>(() => planner.PlanAppendsAsync(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(s1.SnapshotId), null)));
        Assert.Equal(IncrementalAppendRange.NotAppendOnlyErrorId, error.ErrorId);
        Assert.Contains("a-deletes.parquet", error.Message);

        // Starting at s2 the delete file is older than every file of the range: it cannot apply to them.
        var plan = await planner.PlanAppendsAsync(IncrementalAppendRange.Resolve(metadata, SnapshotBoundary.Of(s2.SnapshotId), null));
        Assert.Empty(plan.DeleteFiles);
        Assert.Empty(await plan.ListDataFilesAsync());
    }
}
