using System.Text;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Iceberg;

public class IcebergTableTests
{
    private readonly LocalFileIO _io = new();

    [Fact]
    public async Task Create_writes_v1_and_a_hint_without_newline()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        Assert.Equal(1, table.Version);
        Assert.Equal("1", await System.IO.File.ReadAllTextAsync(Path.Combine(dir.MetadataDir, "version-hint.text")));
        var json = await System.IO.File.ReadAllTextAsync(Path.Combine(dir.MetadataDir, "v1.metadata.json"));
        var metadata = SpecJson.ParseTableMetadata(json);
        Assert.Equal(dir.Location, metadata.Location);
        Assert.Null(metadata.CurrentSnapshot);
        Assert.Equal(NameMapping.FromSchema(TestSchema).ToJson(), metadata.Properties[NameMapping.PropertyKey]);

        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(TestSchema, loaded.Schema);
        Assert.Equal(SplitSpec, loaded.Spec);
        Assert.Empty(await loaded.PlanFilesAsync());

        var ex = await Assert.ThrowsAsync<FacebergException>(() => IcebergTable.CreateAsync(_io, dir.Location, TestSchema));
        Assert.Equal(FacebergErrorKind.AlreadyExists, ex.Kind);
        var missing = await Assert.ThrowsAsync<FacebergException>(() => IcebergTable.LoadAsync(_io, dir.Location + "-nope"));
        Assert.Equal(FacebergErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task A_manifest_list_read_again_for_the_same_snapshot_is_not_read_from_storage_again()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        Assert.Empty(await table.ReadManifestListAsync());
        var first = await table.NewAppend().AddFile(File(dir.Location, "a", "train", 10, 100)).CommitAsync();
        var manifests = await table.ReadManifestListAsync();
        Assert.Same(manifests, await table.ReadManifestListAsync(first));

        var second = await table.NewAppend().AddFile(File(dir.Location, "b", "test", 5, 50)).CommitAsync();
        Assert.Equal(2, (await table.ReadManifestListAsync()).Count);
        // The first snapshot's list is read from its file again once another list was read.
        System.IO.File.Delete(_io.ToLocalPath(first.ManifestList));
        await Assert.ThrowsAsync<FacebergException>(() => table.ReadManifestListAsync(first));
        Assert.NotEqual(first.ManifestList, second.ManifestList);
    }

    [Fact]
    public async Task Append_and_overwrite_produce_spec_snapshots_and_reuse_manifests()
    {
        using var dir = new TempTableDir();
        var loc = dir.Location;
        var table = await IcebergTable.CreateAsync(_io, loc, TestSchema, SplitSpec);

        var s1 = await table.NewAppend().AddFile(File(loc, "a", "train", 10, 100)).AddFile(File(loc, "b", "test", 5, 50))
            .CommitAsync(new Dictionary<string, string> { ["faceberg.revision"] = "abc" });
        Assert.Equal(2, table.Version);
        Assert.Equal("append", s1.Operation);
        Assert.Equal(1, s1.SequenceNumber);
        Assert.Null(s1.ParentSnapshotId);
        Assert.Equal("2", s1.Summary["added-data-files"]);
        Assert.Equal("15", s1.Summary["added-records"]);
        Assert.Equal("150", s1.Summary["added-files-size"]);
        Assert.Equal("2", s1.Summary["changed-partition-count"]);
        Assert.Equal("15", s1.Summary["total-records"]);
        Assert.Equal("2", s1.Summary["total-data-files"]);
        Assert.Equal("150", s1.Summary["total-files-size"]);
        Assert.Equal("0", s1.Summary["total-delete-files"]);
        Assert.Equal("abc", s1.Summary["faceberg.revision"]);
        Assert.Equal(s1.SnapshotId, table.Metadata.Refs["main"].SnapshotId);
        // Exact as a JSON number in JavaScript readers.
        Assert.InRange(s1.SnapshotId, 1, (1L << 53) - 1);

        var s2 = await table.NewAppend().AddFile(File(loc, "c", "train", 7, 70)).CommitAsync();
        Assert.Equal(s1.SnapshotId, s2.ParentSnapshotId);
        Assert.Equal(2, s2.SequenceNumber);
        Assert.Equal("22", s2.Summary["total-records"]);
        var list1 = await table.ReadManifestListAsync(s1);
        var list2 = await table.ReadManifestListAsync(s2);
        Assert.Equal(2, list2.Count);
        Assert.Equal(list1[0].ManifestPath, list2[1].ManifestPath); // unchanged manifest reused
        Assert.Equal(2, list2[0].SequenceNumber);
        Assert.Equal(1, list2[1].SequenceNumber);
        Assert.All(list2.Select(m => m.ManifestPath), p => Assert.StartsWith(loc + "/metadata/", p));
        Assert.StartsWith(loc + "/metadata/snap-", s2.ManifestList);

        var s3 = await table.NewOverwrite().DeleteFile($"{loc}/data/a.parquet").AddFile(File(loc, "a2", "train", 11, 110)).CommitAsync();
        Assert.Equal("overwrite", s3.Operation);
        Assert.Equal("1", s3.Summary["deleted-data-files"]);
        Assert.Equal("10", s3.Summary["deleted-records"]);
        Assert.Equal("100", s3.Summary["removed-files-size"]);
        Assert.Equal("23", s3.Summary["total-records"]);
        Assert.Equal("3", s3.Summary["total-data-files"]);
        Assert.Equal("1", s3.Summary["changed-partition-count"]);

        var list3 = await table.ReadManifestListAsync(s3);
        Assert.Equal(3, list3.Count);
        // Order: the new manifest, then the parent's manifests in their order (c's untouched, a+b's rewritten).
        Assert.Equal(list2[0].ManifestPath, list3[1].ManifestPath);
        Assert.Equal(s3.SnapshotId, list3[0].AddedSnapshotId);
        var rewritten = list3[2];
        Assert.NotEqual(list2[1].ManifestPath, rewritten.ManifestPath);
        Assert.Equal(s3.SnapshotId, rewritten.AddedSnapshotId);
        Assert.Equal(3, rewritten.SequenceNumber);
        Assert.Equal((0, 1, 1), (rewritten.AddedFilesCount, rewritten.ExistingFilesCount, rewritten.DeletedFilesCount));
        Assert.Equal((5L, 10L), (rewritten.ExistingRowsCount, rewritten.DeletedRowsCount));
        Assert.Equal(1, rewritten.MinSequenceNumber);
        var rewrittenEntries = (await table.ReadManifestAsync(rewritten)).Entries;
        var deleted = rewrittenEntries.Single(e => e.Status == ManifestEntryStatus.Deleted);
        Assert.Equal($"{loc}/data/a.parquet", deleted.DataFile.FilePath);
        Assert.Equal(s3.SnapshotId, deleted.SnapshotId);
        Assert.Equal(1, deleted.SequenceNumber); // original data sequence number kept
        var existing = rewrittenEntries.Single(e => e.Status == ManifestEntryStatus.Existing);
        Assert.Equal((s1.SnapshotId, 1L), (existing.SnapshotId!.Value, existing.SequenceNumber!.Value));

        Assert.Equal(new[] { "a2", "b", "c" }, (await table.PlanFilesAsync()).Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).Order());
        Assert.Equal(new[] { "a", "b" }, (await table.PlanFilesAsync(s1.SnapshotId)).Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).Order());

        // The next commit leaves the deleted-only information behind but keeps live files.
        var s4 = await table.NewOverwrite().DeleteWhere(f => (string?)f.Partition[0] == "test").CommitAsync();
        Assert.Equal("delete", s4.Operation);
        Assert.Equal(new[] { "a2", "c" }, (await table.PlanFilesAsync()).Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).Order());

        var reloaded = await IcebergTable.LoadAsync(_io, loc);
        Assert.Equal(5, reloaded.Version);
        Assert.Equal(new[] { s4.SnapshotId, s3.SnapshotId, s2.SnapshotId, s1.SnapshotId }, reloaded.History().Select(s => s.SnapshotId));
        Assert.Equal(Enumerable.Range(1, 4).Select(v => $"{loc}/metadata/v{v}.metadata.json"), reloaded.Metadata.MetadataLog.Select(e => e.MetadataFile));
        Assert.Equal(4, reloaded.Metadata.SnapshotLog.Count);
        Assert.Equal(4, reloaded.Metadata.LastSequenceNumber);
        Assert.Equal(s2.SnapshotId, reloaded.SnapshotAsOf(DateTimeOffset.FromUnixTimeMilliseconds(s2.TimestampMs))!.SnapshotId);
        Assert.Null(reloaded.SnapshotAsOf(DateTimeOffset.FromUnixTimeMilliseconds(s1.TimestampMs - 1)));
    }

    [Fact]
    public async Task Planning_prunes_manifests_by_partition_summaries()
    {
        using var dir = new TempTableDir();
        var loc = dir.Location;
        var table = await IcebergTable.CreateAsync(_io, loc, TestSchema, SplitSpec);
        await table.NewAppend().AddFile(File(loc, "t1", "train")).AddFile(File(loc, "t2", "train")).CommitAsync();
        await table.NewAppend().AddFile(File(loc, "v1", "validation")).CommitAsync();
        await table.NewAppend().AddFile(File(loc, "e1", "test")).AddFile(File(loc, "n1", null, 1) with { Partition = new object?[] { null } }).CommitAsync();

        var all = await table.PlanFilesAsync();
        Assert.Equal(5, all.Count);
        Assert.Equal(3, table.PlannedManifests);

        var test = await table.PlanFilesAsync(filter: PartitionFilter.In("split", "test"));
        Assert.Equal(new[] { $"{loc}/data/e1.parquet" }, test.Select(f => f.FilePath));
        Assert.Equal(1, table.PlannedManifests);

        var trainOrValidation = await table.PlanFilesAsync(filter: PartitionFilter.In("split", "train", "validation"));
        Assert.Equal(3, trainOrValidation.Count);
        Assert.Equal(2, table.PlannedManifests);

        Assert.Empty(await table.PlanFilesAsync(filter: PartitionFilter.In("split", "nope")));
        Assert.Equal(0, table.PlannedManifests);
        Assert.Equal(new[] { $"{loc}/data/n1.parquet" }, (await table.PlanFilesAsync(filter: PartitionFilter.In("split", new object?[] { null }))).Select(f => f.FilePath));
        // A condition on a column that is not a partition source cannot prune.
        Assert.Equal(5, (await table.PlanFilesAsync(filter: PartitionFilter.In("text", "x"))).Count);
    }

    [Fact]
    public async Task Schema_and_property_updates_commit_new_versions()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        await table.UpdateColumnsAsync(new ColumnChanges
        {
            Add = [NestedField.Optional(0, "score", PrimitiveType.Double), NestedField.Optional(0, "tags", new ListType(0, PrimitiveType.String, false))],
        });
        Assert.Equal(1, table.Schema.SchemaId);
        Assert.Equal(4, table.Schema.FindField("score")!.Id);
        Assert.Equal(5, table.Schema.FindField("tags")!.Id);
        Assert.Equal(6, table.Schema.FindField("tags.element")!.Id);
        Assert.Equal(6, table.Metadata.LastColumnId);
        Assert.Equal(2, table.Metadata.Schemas.Count);
        Assert.Equal(6, NameMapping.Parse(table.Metadata.Properties[NameMapping.PropertyKey]).FindId("tags", "element"));
        await Assert.ThrowsAsync<FacebergException>(() => table.UpdateColumnsAsync(new ColumnChanges { Add = [NestedField.Require(0, "bad", PrimitiveType.Int)] }));

        await table.UpdatePropertiesAsync(new Dictionary<string, string> { ["owner"] = "me" });
        await table.UpdatePropertiesAsync(null, new[] { "owner" });
        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(4, loaded.Version);
        Assert.False(loaded.Metadata.Properties.ContainsKey("owner"));
        Assert.Equal(table.Schema, loaded.Schema);
    }

    [Fact]
    public async Task Deleting_a_file_that_is_not_in_the_table_fails_clearly()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        await table.NewAppend().AddFile(File(dir.Location, "a", "train")).CommitAsync();
        var ex = await Assert.ThrowsAsync<FacebergException>(() => table.NewOverwrite().DeleteFile(dir.Location + "/data/zzz.parquet").CommitAsync());
        Assert.Equal(FacebergErrorKind.NotFound, ex.Kind);
        Assert.Contains("zzz.parquet", ex.Message);
        Assert.Equal(2, (await IcebergTable.LoadAsync(_io, dir.Location)).Version);
    }

    [Fact]
    public async Task Invalid_added_files_are_rejected_before_anything_is_written()
    {
        using var dir = new TempTableDir();
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        var append = table.NewAppend().AddFile(File(dir.Location, "a", "train"));
        Assert.Equal("DuplicateDataFile", Assert.Throws<FacebergException>(() => append.AddFile(File(dir.Location, "a", "test"))).ErrorId);
        Assert.Equal("InvalidDataFile", Assert.Throws<FacebergException>(() => append.AddFile(File(dir.Location, "b", "train") with { RecordCount = -1 })).ErrorId);
        var wrongArity = await Assert.ThrowsAsync<FacebergException>(() => table.NewAppend().AddFile(File(dir.Location, "c", null)).CommitAsync());
        Assert.Equal("PartitionArity", wrongArity.ErrorId);
        Assert.Equal(new[] { "v1.metadata.json", "version-hint.text" }, Directory.GetFiles(dir.MetadataDir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Batch_file_io_commits_everything_in_one_write()
    {
        var io = new InMemoryFileIO();
        const string loc = "mem://bucket/t";
        var table = await IcebergTable.CreateAsync(io, loc, TestSchema, SplitSpec);
        var stale = await IcebergTable.LoadAsync(io, loc);
        await table.NewAppend().AddFile(File(loc, "a", "train")).CommitAsync();
        // The stale instance loses v2, refreshes and lands as v3.
        await stale.NewAppend().AddFile(File(loc, "b", "test")).CommitAsync();
        Assert.Equal(3, stale.Version);
        Assert.Equal("3", Encoding.ASCII.GetString(await io.ReadAllBytesAsync(loc + "/metadata/version-hint.text")));
        var loaded = await IcebergTable.LoadAsync(io, loc);
        Assert.Equal(2, (await loaded.PlanFilesAsync()).Count);
        // Nothing from the failed attempt is left behind: each file is referenced by some snapshot.
        var referenced = new HashSet<string>();
        foreach (var s in loaded.Metadata.Snapshots)
        {
            referenced.Add(s.ManifestList);
            foreach (var m in await loaded.ReadManifestListAsync(s)) referenced.Add(m.ManifestPath);
        }
        var avro = io.Paths.Where(p => p.EndsWith(".avro")).ToHashSet();
        Assert.Equal(referenced.OrderBy(p => p), avro.OrderBy(p => p));
    }
}
