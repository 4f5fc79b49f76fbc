using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Iceberg;

public class ManifestMergeTests
{
    private readonly LocalFileIO _io = new();

    private static Dictionary<string, string> MergeAt(int count) => new() { [ManifestMerger.MinCountToMerge] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Appends_merge_manifests_at_the_minimum_count_keeping_every_file_and_its_sequence_number()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, MergeAt(5));
        var expected = new Dictionary<string, long>();
        for (var i = 1; i <= 12; i++)
        {
            var s = await table.NewAppend().AddFile(File(dir.Location, "f" + i, i % 2 == 0 ? "train" : "test")).CommitAsync();
            expected["f" + i] = s.SequenceNumber;
            Assert.True((await table.ReadManifestListAsync()).Count < 5);
        }

        var plan = await table.PlanAsync();
        var files = await plan.ListDataFilesAsync();
        Assert.Equal(12, files.Count);
        var manifests = await table.ReadManifestListAsync();
        foreach (var m in manifests)
        {
            var contents = await table.ReadManifestAsync(m);
            foreach (var e in contents.Entries)
            {
                var name = Path.GetFileNameWithoutExtension(e.DataFile.FilePath);
                Assert.Equal(expected[name], e.SequenceNumber);
                Assert.Equal(expected[name], e.FileSequenceNumber);
                if (e.Status == ManifestEntryStatus.Existing) Assert.NotEqual(table.CurrentSnapshot!.SnapshotId, e.SnapshotId);
            }
        }
        // Merged manifests say which sequence numbers they hold.
        Assert.Contains(manifests, m => m.ExistingFilesCount > 1 && m.MinSequenceNumber < m.SequenceNumber);

        // Older snapshots still plan their own files.
        var first = table.History().Last();
        Assert.Single(await table.PlanFilesAsync(first.SnapshotId));
    }

    [Fact]
    public async Task Manifests_are_packed_per_spec_in_the_order_each_spec_first_appears_and_delete_manifests_go_last()
    {
        static ManifestFile Manifest(string path, int spec, ManifestContent content = ManifestContent.Data) => new()
        {
            ManifestPath = path, ManifestLength = 10, PartitionSpecId = spec, Content = content,
            SequenceNumber = 1, MinSequenceNumber = 1, AddedSnapshotId = 1, AddedFilesCount = 1,
        };
        // A target size below one manifest puts each in a bin of its own, so nothing is merged and only the order shows.
        var merger = new ManifestMerger(enabled: true, minCount: 2, targetSize: 1);
        var merged = await merger.MergeAsync(
            [Manifest("m1", 1), Manifest("d1", 0, ManifestContent.Deletes), Manifest("m2", 0), Manifest("m3", 1), Manifest("m4", 0)], 2, 2,
            (_, _) => throw new InvalidOperationException("nothing is read"), _ => throw new InvalidOperationException("nothing is written"),
            force: false, CancellationToken.None);
        Assert.Equal(["m1", "m3", "m2", "m4", "d1"], merged.Select(m => m.ManifestPath));
    }

    [Fact]
    public async Task Merging_off_keeps_one_manifest_per_append()
    {
        using var dir = new TempTableDir();
        var props = MergeAt(2);
        props[ManifestMerger.MergeEnabled] = "false";
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, props);
        for (var i = 1; i <= 4; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, "train")).CommitAsync();
        Assert.Equal(4, (await table.ReadManifestListAsync()).Count);
    }

    [Fact]
    public async Task Overwrites_merge_and_drop_entries_deleted_by_earlier_snapshots()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, MergeAt(3));
        for (var i = 1; i <= 3; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, "train")).CommitAsync();
        await table.NewOverwrite().DeleteFile(File(dir.Location, "f1", "train").FilePath).AddFile(File(dir.Location, "g1", "train")).CommitAsync();
        for (var i = 4; i <= 6; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, "train")).CommitAsync();

        var names = (await table.PlanFilesAsync()).Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "f2", "f3", "f4", "f5", "f6", "g1" }, names);
        foreach (var m in await table.ReadManifestListAsync())
            Assert.DoesNotContain((await table.ReadManifestAsync(m)).Entries, e => e.Status == ManifestEntryStatus.Deleted && e.SnapshotId != table.CurrentSnapshot!.SnapshotId);
    }

    [Fact]
    public async Task Metadata_files_beyond_the_retained_log_are_removed_after_commit()
    {
        using var dir = new TempTableDir();
        var props = new Dictionary<string, string> { [IcebergTable.MetadataPreviousVersionsMax] = "3" };
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, props);
        for (var i = 1; i <= 6; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, "train")).CommitAsync();
        var versions = Directory.GetFiles(dir.MetadataDir, "v*.metadata.json").Select(Path.GetFileName).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "v4.metadata.json", "v5.metadata.json", "v6.metadata.json", "v7.metadata.json" }, versions);
        Assert.Equal(3, table.Metadata.MetadataLog.Count);
        Assert.All(table.Metadata.MetadataLog, e => Assert.True(System.IO.File.Exists(new Uri(e.MetadataFile).LocalPath)));
    }

    [Fact]
    public async Task Metadata_files_are_kept_when_delete_after_commit_is_off()
    {
        using var dir = new TempTableDir();
        var props = new Dictionary<string, string> { [IcebergTable.MetadataPreviousVersionsMax] = "2", [IcebergTable.MetadataDeleteAfterCommit] = "false" };
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, props);
        for (var i = 1; i <= 4; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, "train")).CommitAsync();
        Assert.Equal(5, Directory.GetFiles(dir.MetadataDir, "v*.metadata.json").Length);
    }
}
