using System.Text;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Tests.Iceberg;

public class StagedFileIOTests
{
    private const string Location = "mem://t";

    [Fact]
    public async Task A_table_created_and_appended_through_a_stage_writes_nothing_until_its_writes_are_published_as_one_batch()
    {
        var store = new InMemoryFileIO();
        var staged = new StagedFileIO(store);

        var table = await IcebergTable.CreateAsync(staged, Location, TableFixtures.TestSchema, TableFixtures.SplitSpec);
        await table.NewAppend().AddFile(TableFixtures.File(Location, "a.parquet", "train")).CommitAsync();

        Assert.Empty(store.Paths);
        Assert.Equal(2, table.Version);
        var writes = staged.Writes;
        Assert.Contains(writes, w => w.Path == Location + "/metadata/v1.metadata.json" && !w.Overwrite);
        Assert.Contains(writes, w => w.Path == Location + "/metadata/v2.metadata.json" && !w.Overwrite);
        Assert.Equal("2", Encoding.ASCII.GetString(writes.Single(w => w.Path.EndsWith("version-hint.text", StringComparison.Ordinal)).Data));

        Assert.True(await store.TryWriteBatchAsync(writes));
        var loaded = await IcebergTable.LoadAsync(store, Location);
        Assert.Equal(table.CurrentSnapshot!.SnapshotId, loaded.CurrentSnapshot!.SnapshotId);
        Assert.Single(await loaded.PlanFilesAsync());
        // Published again, the exclusive files make the whole batch fail: nothing is overwritten.
        Assert.False(await store.TryWriteBatchAsync(writes));
    }

    [Fact]
    public async Task Reads_see_staged_files_over_the_store_and_a_replaced_exclusive_file_stays_exclusive()
    {
        var store = new InMemoryFileIO();
        await store.WriteAsync("mem://x/old", [1]);
        var staged = new StagedFileIO(store);

        await staged.WriteAsync("mem://x/new", [2]);
        var error = await Assert.ThrowsAsync<FacebergException>(() => staged.WriteAsync("mem://x/new", [3]));
        await staged.WriteAsync("mem://x/new", [4], overwrite: true);

        Assert.Equal(FacebergErrorKind.AlreadyExists, error.Kind);
        Assert.Equal([4], await staged.ReadAllBytesAsync("mem://x/new"));
        Assert.Equal([1], await staged.ReadAllBytesAsync("mem://x/old"));
        Assert.Equal(["mem://x/new", "mem://x/old"], await staged.ListAsync("mem://x/"));
        Assert.False(Assert.Single(staged.Writes).Overwrite);
        Assert.False(await store.ExistsAsync("mem://x/new"));

        await staged.DeleteAsync("mem://x/new");
        await staged.DeleteAsync("mem://x/missing");
        Assert.Empty(staged.Writes);
        Assert.Equal(FacebergErrorKind.NotSupported, (await Assert.ThrowsAsync<FacebergException>(() => staged.DeleteAsync("mem://x/old"))).Kind);
    }
}
