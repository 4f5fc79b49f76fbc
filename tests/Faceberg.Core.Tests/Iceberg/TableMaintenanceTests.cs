using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Maintenance;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Iceberg;

public class TableMaintenanceTests
{
    private readonly LocalFileIO _io = new();

    [Fact]
    public async Task Optimize_rewrites_manifests_expires_snapshots_and_removes_unreachable_metadata_but_no_data()
    {
        using var dir = new TempTableDir();
        var props = new Dictionary<string, string> { [IcebergTable.MetadataDeleteAfterCommit] = "false", [ManifestMerger.MinCountToMerge] = "4" };
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec, props);
        for (var i = 1; i <= 20; i++)
            await table.NewAppend().AddFile(File(dir.Location, "f" + i, i % 2 == 0 ? "train" : "test")).CommitAsync();
        var filesBefore = (await table.PlanFilesAsync()).Select(f => f.FilePath).OrderBy(p => p).ToArray();
        var metadataFilesBefore = Directory.GetFiles(dir.MetadataDir).Length;
        var expiredId = table.History().Last().SnapshotId;
        var retainedId = table.History()[3].SnapshotId;

        var result = await TableMaintenance.OptimizeAsync(table, new OptimizeOptions(RetainLast: 5));

        Assert.True(result.ManifestsBefore > 1);
        Assert.Equal(1, result.ManifestsAfter);
        Assert.True(table.Metadata.Snapshots.Count <= 6);
        Assert.Equal(table.Metadata.Snapshots.Count, result.SnapshotsRetained);
        Assert.Equal(22 - 1 - 5, result.SnapshotsExpired);
        var metadataFilesAfter = Directory.GetFiles(dir.MetadataDir).Length;
        Assert.True(metadataFilesAfter * 2 < metadataFilesBefore, $"{metadataFilesBefore} -> {metadataFilesAfter}");
        Assert.True(result.FilesRemoved >= metadataFilesBefore - metadataFilesAfter);
        Assert.True(result.BytesRemoved > 0);

        var reloaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(filesBefore, (await reloaded.PlanFilesAsync()).Select(f => f.FilePath).OrderBy(p => p).ToArray());
        Assert.Equal(17, (await reloaded.PlanFilesAsync(retainedId)).Count);
        var ex = Assert.ThrowsAny<FacebergException>(() => reloaded.Metadata.SnapshotById(expiredId));
        Assert.Equal(FacebergErrorKind.NotFound, ex.Kind);
        Assert.Contains(reloaded.CurrentSnapshot!.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        // Every file the retained snapshots reference is still there.
        foreach (var s in reloaded.Metadata.Snapshots)
            Assert.NotEmpty(await reloaded.PlanFilesAsync(s.SnapshotId));
    }
}
