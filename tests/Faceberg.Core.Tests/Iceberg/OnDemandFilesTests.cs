using System.Collections;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Iceberg;

/// <summary><see cref="SnapshotUpdate{TSelf}.AddFilesOnDemand"/>: files built while their manifest is written.</summary>
public class OnDemandFilesTests
{
    /// <summary>Builds file i on each enumeration, counting enumerations; can watch whether built files are still alive.</summary>
    private sealed class BuiltFiles(string location, int count, Func<int, string> split) : IReadOnlyCollection<DataFile>
    {
        private readonly List<WeakReference<DataFile>> _watched = [];

        public int Enumerations { get; private set; }
        public int Count => count;

        /// <summary>Files to watch: the first <c>n</c> built on the first enumeration.</summary>
        public int Watch { get; init; }

        /// <summary>Called just before the last file is built, with how many watched files are still alive after a full GC.</summary>
        public Action<int>? BeforeLast { get; init; }

        public IEnumerator<DataFile> GetEnumerator()
        {
            Enumerations++;
            for (var i = 0; i < count; i++)
            {
                if (i == count - 1 && BeforeLast is { } report)
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                    report(_watched.Count(w => w.TryGetTarget(out _)));
                }
                var file = File(location, $"f{i:00000}", split(i), rows: i + 1, size: 1000 + i);
                if (Enumerations == 1 && i < Watch)
                    _watched.Add(new WeakReference<DataFile>(file));
                yield return file;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static string Split(int i) => i % 3 == 0 ? "test" : "train";

    [Fact]
    public async Task On_demand_files_commit_the_same_manifest_entries_and_summary_as_added_files()
    {
        var io = new InMemoryFileIO();
        var eager = await IcebergTable.CreateAsync(io, "mem://b/eager", TestSchema, SplitSpec);
        var lazy = await IcebergTable.CreateAsync(io, "mem://b/lazy", TestSchema, SplitSpec);
        // Both tables name their files under one location, so the entries can be compared as they are.
        const string files = "mem://b/files";
        var expected = await eager.NewAppend().AddFiles(new BuiltFiles(files, 50, Split).ToList()).AddFile(File(files, "extra", "validation")).CommitAsync();
        var actual = await lazy.NewAppend().AddFilesOnDemand(new BuiltFiles(files, 50, Split)).AddFile(File(files, "extra", "validation")).CommitAsync();

        Assert.Equal(expected.Summary.OrderBy(kv => kv.Key), actual.Summary.OrderBy(kv => kv.Key));
        Assert.Equal("51", actual.Summary["added-data-files"]);
        Assert.Equal("3", actual.Summary["changed-partition-count"]);
        var expectedList = Assert.Single(await eager.ReadManifestListAsync(expected));
        var actualList = Assert.Single(await lazy.ReadManifestListAsync(actual));
        Assert.Equal(expectedList.AddedFilesCount, actualList.AddedFilesCount);
        Assert.Equal(expectedList.AddedRowsCount, actualList.AddedRowsCount);
        Assert.Equal(Summaries(expectedList), Summaries(actualList));
        var expectedEntries = (await eager.ReadManifestAsync(expectedList)).Entries;
        var actualEntries = (await lazy.ReadManifestAsync(actualList)).Entries;
        // Files added one by one come first, then the on-demand ones, each in its collection's order.
        Assert.Equal(expectedEntries.Select(e => e.DataFile.FilePath).Where(p => !p.EndsWith("/extra.parquet", StringComparison.Ordinal)),
            actualEntries.Skip(1).Select(e => e.DataFile.FilePath));
        Assert.Equal(Describe(expectedEntries, expected.SnapshotId).Order(), Describe(actualEntries, actual.SnapshotId).Order());
    }

    private static IEnumerable<string> Summaries(ManifestFile manifest) => manifest.Partitions!.Select(p =>
        $"{p.ContainsNull}/{p.ContainsNan}/{Convert.ToHexString(p.LowerBound ?? [])}/{Convert.ToHexString(p.UpperBound ?? [])}");

    private static IEnumerable<string> Describe(IEnumerable<ManifestEntry> entries, long snapshotId) => entries.Select(e =>
    {
        var f = e.DataFile;
        Assert.Equal(snapshotId, e.SnapshotId);
        return string.Join("|", e.Status, f.FilePath, f.RecordCount, f.FileSizeInBytes, string.Join(",", f.Partition),
            string.Join(",", f.ValueCounts!.Select(kv => $"{kv.Key}={kv.Value}")), string.Join(",", f.NullValueCounts!.Select(kv => $"{kv.Key}={kv.Value}")),
            string.Join(",", f.LowerBounds!.Select(kv => $"{kv.Key}={Convert.ToHexString(kv.Value)}")),
            string.Join(",", f.UpperBounds!.Select(kv => $"{kv.Key}={Convert.ToHexString(kv.Value)}")));
    });

    [Fact]
    public async Task On_demand_files_are_built_once_even_when_the_commit_is_retried()
    {
        var io = new InMemoryFileIO();
        const string loc = "mem://b/t";
        var table = await IcebergTable.CreateAsync(io, loc, TestSchema, SplitSpec);
        var stale = await IcebergTable.LoadAsync(io, loc);
        await table.NewAppend().AddFile(File(loc, "first", "train")).CommitAsync();

        var built = new BuiltFiles(loc, 20, Split);
        // The stale instance loses its first attempt and retries on the new version with the same schema and spec:
        // the manifest written on the first attempt is reused.
        var snapshot = await stale.NewAppend().AddFilesOnDemand(built).CommitAsync();
        Assert.Equal(3, stale.Version);
        Assert.Equal(1, built.Enumerations);
        Assert.Equal("21", snapshot.Summary["total-data-files"]);
        Assert.Equal(21, (await (await IcebergTable.LoadAsync(io, loc)).PlanFilesAsync()).Count);
    }

    [Fact]
    public async Task A_large_commit_does_not_hold_the_files_it_has_encoded()
    {
        var io = new InMemoryFileIO();
        const string loc = "mem://b/t";
        var table = await IcebergTable.CreateAsync(io, loc, TestSchema, SplitSpec);
        var alive = -1;
        // Three times the rows Avro blocks are written in: the first block's files are long encoded at the last file.
        var built = new BuiltFiles(loc, 3 * 4096 + 1, Split) { Watch = 100, BeforeLast = n => alive = n };
        var snapshot = await table.NewAppend().AddFilesOnDemand(built).CommitAsync();
        Assert.Equal(0, alive);
        Assert.Equal((3 * 4096 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot.Summary["added-data-files"]);
        var entries = (await table.ReadManifestAsync(Assert.Single(await table.ReadManifestListAsync(snapshot)))).Entries;
        Assert.Equal(3 * 4096 + 1, entries.Count);
        Assert.Equal($"{loc}/data/f12288.parquet", entries[^1].DataFile.FilePath);
    }

    [Fact]
    public async Task An_invalid_on_demand_file_fails_the_commit_before_anything_is_written()
    {
        var io = new InMemoryFileIO();
        const string loc = "mem://b/t";
        var table = await IcebergTable.CreateAsync(io, loc, TestSchema, SplitSpec);
        var before = io.Paths.Order().ToList();

        var duplicate = await Assert.ThrowsAsync<FacebergException>(() =>
            table.NewAppend().AddFile(File(loc, "f00003", "train")).AddFilesOnDemand(new BuiltFiles(loc, 10, Split)).CommitAsync());
        Assert.Equal("DuplicateDataFile", duplicate.ErrorId);
        var invalid = await Assert.ThrowsAsync<FacebergException>(() =>
            table.NewAppend().AddFilesOnDemand([File(loc, "bad", "train") with { RecordCount = -1 }]).CommitAsync());
        Assert.Equal("InvalidDataFile", invalid.ErrorId);
        var deletes = await Assert.ThrowsAsync<FacebergException>(() =>
            table.NewAppend().AddFilesOnDemand([File(loc, "d", "train") with { Content = FileContent.PositionDeletes }]).CommitAsync());
        Assert.Equal("DeleteFilesNotSupported", deletes.ErrorId);

        Assert.Equal(1, table.Version);
        Assert.Equal(before, io.Paths.Order().ToList());
    }
}
