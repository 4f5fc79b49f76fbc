using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Scan;

/// <summary>
/// The planner over hand-built snapshots: data and delete manifests written with the manifest writers,
/// so the snapshot has what another engine's merge-on-read commit has (delete manifests, inherited and
/// explicit sequence numbers).
/// </summary>
public sealed class ScanPlannerTests
{
    private const string Location = "mem://warehouse/t";
    private readonly InMemoryFileIO _io = new();

    private static readonly PartitionSpec Spec = SplitSpec;

    private static ManifestEntry Added(DataFile file, long? sequence = null) => new(ManifestEntryStatus.Added, 1, sequence, sequence, file);

    private static DataFile PositionDeletes(string name, string split, long rows) => File(Location, name, split, rows) with { Content = FileContent.PositionDeletes };

    private static DataFile EqualityDeletes(string name, string split, long rows) => File(Location, name, split, rows) with { Content = FileContent.EqualityDeletes, EqualityIds = [1] };

    private async Task<ManifestFile> ManifestAsync(string name, ManifestContent content, long sequence, params ManifestEntry[] entries)
    {
        var path = $"{Location}/metadata/{name}.avro";
        var bytes = ManifestIO.Write(TestSchema, Spec, entries, content);
        await _io.WriteAsync(path, bytes);
        return new ManifestFile
        {
            ManifestPath = path,
            ManifestLength = bytes.Length,
            PartitionSpecId = Spec.SpecId,
            Content = content,
            SequenceNumber = sequence,
            MinSequenceNumber = sequence,
            AddedSnapshotId = 1,
            AddedFilesCount = entries.Count(e => e.Status == ManifestEntryStatus.Added),
            ExistingFilesCount = entries.Count(e => e.Status == ManifestEntryStatus.Existing),
            DeletedFilesCount = entries.Count(e => e.Status == ManifestEntryStatus.Deleted),
            Partitions = ManifestIO.Summarize(Spec.PartitionType(TestSchema), entries.Select(e => e.DataFile)),
        };
    }

    private async Task<(ScanPlanner Planner, Snapshot Snapshot, TableMetadata Metadata)> SnapshotAsync(params ManifestFile[] manifests)
    {
        var list = $"{Location}/metadata/snap-1.avro";
        await _io.WriteAsync(list, ManifestListIO.Write(manifests, 1, null, 3));
        var snapshot = new Snapshot(1, null, 3, 0, list, new Dictionary<string, string> { ["operation"] = "overwrite" }, 0);
        var metadata = TableMetadata.NewTable(Location, TestSchema, Spec, null, 0) with { Snapshots = [snapshot], CurrentSnapshotId = 1, LastSequenceNumber = 3 };
        return (new ScanPlanner(_io, metadata), snapshot, metadata);
    }

    [Fact]
    public async Task Delete_manifests_are_collected_with_their_sequence_numbers()
    {
        var data = await ManifestAsync("m-data", ManifestContent.Data, 1, Added(File(Location, "a", "train")), Added(File(Location, "b", "test")));
        var deletes = await ManifestAsync("m-deletes", ManifestContent.Deletes, 2,
            Added(PositionDeletes("pos", "train", 3)),               // inherits the manifest's sequence number
            Added(EqualityDeletes("eq", "test", 2), sequence: 3),
            new ManifestEntry(ManifestEntryStatus.Deleted, 1, 1, 1, PositionDeletes("gone", "train", 1)));
        var (planner, snapshot, _) = await SnapshotAsync(data, deletes);

        var plan = await planner.PlanAsync(snapshot);
        var files = await plan.ListDataFilesAsync();

        Assert.Equal(["a", "b"], files.Select(f => Path.GetFileNameWithoutExtension(f.File.FilePath)));
        Assert.All(files, f => Assert.Equal(1, f.SequenceNumber));
        Assert.Equal(2, plan.DeleteFiles.Count);
        var pos = Assert.Single(plan.DeleteFiles, d => d.Content == FileContent.PositionDeletes);
        Assert.Equal(2, pos.SequenceNumber);
        Assert.EndsWith("pos.parquet", pos.File.FilePath);
        var eq = Assert.Single(plan.DeleteFiles, d => d.Content == FileContent.EqualityDeletes);
        Assert.Equal(3, eq.SequenceNumber);
        Assert.Equal([1], eq.File.EqualityIds!);
    }

    [Fact]
    public async Task Table_planning_keeps_the_delete_files_apart_from_the_data_files()
    {
        var data = await ManifestAsync("m-data", ManifestContent.Data, 1, Added(File(Location, "a", "train")));
        var deletes = await ManifestAsync("m-deletes", ManifestContent.Deletes, 2, Added(PositionDeletes("pos", "train", 3)));
        var (_, _, metadata) = await SnapshotAsync(data, deletes);
        await _io.WriteAsync($"{Location}/metadata/v1.metadata.json", System.Text.Encoding.UTF8.GetBytes(SpecJson.ToJson(metadata)));
        await _io.WriteAsync($"{Location}/metadata/version-hint.text", "1"u8.ToArray());
        var table = await IcebergTable.LoadAsync(_io, Location);

        // Table planning lists the data files and keeps the delete files in its plan (row scans apply them: DeleteFileTests).
        Assert.Single(await table.PlanFilesAsync());
        Assert.Single((await table.PlanAsync()).DeleteFiles);
    }

    [Fact]
    public async Task Manifests_and_files_are_pruned_by_partitions_and_metrics()
    {
        var train = await ManifestAsync("m-train", ManifestContent.Data, 1, Added(File(Location, "t1", "train", rows: 10)), Added(File(Location, "t2", "train", rows: 100)));
        var test = await ManifestAsync("m-test", ManifestContent.Data, 1, Added(File(Location, "e1", "test")));
        var (planner, snapshot, metadata) = await SnapshotAsync(train, test);

        // Partition pruning skips the test manifest unread.
        var bySplit = await planner.PlanAsync(snapshot, PartitionFilter.In("split", "train").Bind(TestSchema));
        Assert.Equal(2, (await bySplit.ListDataFilesAsync()).Count);
        Assert.Equal((1, 1), (bySplit.ManifestsRead, bySplit.ManifestsSkipped));

        // Metrics pruning: id bounds are [0, rows-1], so id >= 50 rules out every file but t2.
        var filter = Predicate.And(Predicate.Equal("split", "train"), Predicate.GreaterThanOrEqual("id", 50L));
        var plan = await planner.PlanAsync(snapshot, PlanFilter(filter, metadata));
        var files = await plan.ListDataFilesAsync();
        Assert.Equal(["t2"], files.Select(f => Path.GetFileNameWithoutExtension(f.File.FilePath)));
        Assert.Equal((1, 1, 1), (plan.ManifestsRead, plan.ManifestsSkipped, plan.FilesSkipped));
    }

    [Fact]
    public async Task Manifests_are_read_ahead_in_order_and_one_at_a_time_when_asked()
    {
        var manifests = new List<ManifestFile>();
        for (var i = 0; i < 5; i++)
            manifests.Add(await ManifestAsync($"m{i}", ManifestContent.Data, 1, Added(File(Location, $"f{i}", "train"))));
        var (planner, snapshot, _) = await SnapshotAsync(manifests.ToArray());

        var ahead = await planner.PlanAsync(snapshot, options: new ScanPlanOptions { ManifestReadAhead = 3 });
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"f{i}"), (await ahead.ListDataFilesAsync()).Select(f => Path.GetFileNameWithoutExtension(f.File.FilePath)));

        var single = await planner.PlanAsync(snapshot, options: new ScanPlanOptions { ManifestReadAhead = 1 });
        await using var files = single.DataFilesAsync().GetAsyncEnumerator();
        Assert.True(await files.MoveNextAsync());
        Assert.Equal(1, single.ManifestsRead);
    }

    [Fact]
    public async Task A_table_without_snapshots_plans_nothing()
    {
        var metadata = TableMetadata.NewTable(Location, TestSchema, Spec, null, 0);
        var plan = await new ScanPlanner(_io, metadata).PlanAsync(null);
        Assert.Empty(plan.DeleteFiles);
        Assert.Empty(await plan.ListDataFilesAsync());
    }

    private static IScanFilter PlanFilter(Predicate predicate, TableMetadata metadata) =>
        new PredicateScanFilter(BoundPredicate.Bind(predicate, metadata.CurrentSchema), metadata.CurrentSchema, metadata);
}
