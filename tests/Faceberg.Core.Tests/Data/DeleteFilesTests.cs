using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Schema;
using Parquet.Serialization;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Data;

/// <summary>
/// Which delete files apply to which data files (the spec's sequence-number, partition and file_path-bound
/// rules), and what applying them means: positions per data file, equality keys where null equals null
/// only. Whole tables with deletes are read in TableScanInteropTests and tests/interop/deletes.test.mjs.
/// </summary>
public sealed class DeleteFilesTests : IDisposable
{
    private const string Location = "file:///deletes";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"faceberg-deletes-{Guid.NewGuid():N}");

    public DeleteFilesTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static FileScanTask Data(string name, string split, long sequence) => new(File(Location, name, split), SplitSpec, sequence);

    private static DeleteFileTask Positions(string name, string split, long sequence, string? lower = null, string? upper = null) =>
        new(File(Location, name, split) with
        {
            Content = FileContent.PositionDeletes,
            LowerBounds = lower == null ? null : new() { [DeleteFileIndex.FilePathFieldId] = System.Text.Encoding.UTF8.GetBytes(lower) },
            UpperBounds = upper == null ? null : new() { [DeleteFileIndex.FilePathFieldId] = System.Text.Encoding.UTF8.GetBytes(upper) },
        }, SplitSpec, sequence);

    private static DeleteFileTask Equality(string name, string? split, long sequence) =>
        new(File(Location, name, split) with { Content = FileContent.EqualityDeletes, EqualityIds = [1] }, split == null ? PartitionSpec.Unpartitioned : SplitSpec, sequence);

    private static IEnumerable<string> Names(IEnumerable<DeleteFileTask> deletes) => deletes.Select(d => Path.GetFileNameWithoutExtension(d.File.FilePath));

    [Fact]
    public void Position_deletes_apply_to_data_of_the_same_partition_up_to_their_own_sequence_number()
    {
        var index = new DeleteFileIndex([Positions("p2", "train", 2), Positions("p3", "train", 3), Positions("p3-test", "test", 3)]);

        Assert.Equal(["p2", "p3"], Names(index.PositionDeletesFor(Data("a", "train", 2))));
        Assert.Equal(["p3"], Names(index.PositionDeletesFor(Data("b", "train", 3))));
        Assert.Empty(index.PositionDeletesFor(Data("c", "train", 4)));
        Assert.Equal(["p3-test"], Names(index.PositionDeletesFor(Data("d", "test", 1))));
    }

    [Fact]
    public void Position_deletes_whose_file_path_bounds_exclude_a_data_file_are_skipped()
    {
        var a = $"{Location}/data/a.parquet";
        var c = $"{Location}/data/c.parquet";
        var index = new DeleteFileIndex([Positions("only-a", "train", 5, a, a), Positions("a-to-c", "train", 5, a, c), Positions("unbounded", "train", 5)]);

        Assert.Equal(["only-a", "a-to-c", "unbounded"], Names(index.PositionDeletesFor(Data("a", "train", 1))));
        Assert.Equal(["a-to-c", "unbounded"], Names(index.PositionDeletesFor(Data("b", "train", 1))));
        Assert.Equal(["unbounded"], Names(index.PositionDeletesFor(Data("d", "train", 1))));
    }

    [Fact]
    public void Equality_deletes_apply_to_older_data_of_their_partition_or_everywhere_when_unpartitioned()
    {
        var index = new DeleteFileIndex([Equality("e-train", "train", 3), Equality("e-global", null, 3)]);

        Assert.Equal(["e-train", "e-global"], Names(index.EqualityDeletesFor(Data("a", "train", 2))));
        Assert.Equal(["e-global"], Names(index.EqualityDeletesFor(Data("b", "test", 2))));
        // Same sequence number: the data was written in the delete's own commit, after it.
        Assert.Empty(index.EqualityDeletesFor(Data("c", "train", 3)));
        Assert.Equal([1], index.EqualityFieldIds);
    }

    [Fact]
    public void Equality_keys_match_null_to_null_only_and_binary_values_by_content()
    {
        var keys = new HashSet<object?[]>(EqualityKeyComparer.Instance) { new object?[] { 3L, null }, new object?[] { 4L, new byte[] { 1, 2 } } };

        Assert.Contains(new object?[] { 3L, null }, keys);
        Assert.DoesNotContain(new object?[] { 3L, "x" }, keys);
        Assert.DoesNotContain(new object?[] { null, null }, keys);
        Assert.Contains(new object?[] { 4L, new byte[] { 1, 2 } }, keys);
        Assert.DoesNotContain(new object?[] { 4L, new byte[] { 1, 3 } }, keys);
    }

    [Fact]
    public async Task Delete_files_are_read_into_positions_and_keys_with_the_tables_types()
    {
        var io = new LocalFileIO();
        var dataPath = $"{Location}/data/a.parquet";
        var positionsFile = await WriteAsync("pos.parquet", new ParquetSchema(new DataField<string>("file_path"), new DataField<long>("pos")),
            Row(("file_path", dataPath), ("pos", 1L)), Row(("file_path", dataPath), ("pos", 3L)), Row(("file_path", dataPath), ("pos", 12L)),
            Row(("file_path", $"{Location}/data/other.parquet"), ("pos", 0L)));
        var morePositions = await WriteAsync("pos2.parquet", new ParquetSchema(new DataField<string>("file_path"), new DataField<long>("pos")),
            Row(("file_path", dataPath), ("pos", 3L)), Row(("file_path", dataPath), ("pos", 5L)));
        // An equality delete on (id, text): (7, null) deletes only rows whose text is null.
        var equalityFile = await WriteAsync("eq.parquet", new ParquetSchema(new DataField<long>("id"), new DataField<string>("text", true)),
            Row(("id", 7L), ("text", null)), Row(("id", 8L), ("text", "eight")));
        var deletes = new ScanDeletes(
        [
            new DeleteFileTask(File(Location, "pos", "train") with { FilePath = positionsFile, Content = FileContent.PositionDeletes }, SplitSpec, 2),
            new DeleteFileTask(File(Location, "pos2", "train") with { FilePath = morePositions, Content = FileContent.PositionDeletes }, SplitSpec, 2),
            new DeleteFileTask(File(Location, "eq", null) with { FilePath = equalityFile, Content = FileContent.EqualityDeletes, EqualityIds = [1, 2] },
                PartitionSpec.Unpartitioned, 2),
        ], io, TestSchema, NameMapping.FromSchema(TestSchema));

        var forA = await deletes.ForDataFileAsync(new FileScanTask(File(Location, "a", "train", rows: 10), SplitSpec, 1), default);

        Assert.NotNull(forA);
        Assert.Equal([1, 2], forA.EqualityFields.Select(f => f.Id));
        // Positions 1, 3 and 5 of the ten rows (3 is named twice; 12 is past the end).
        Assert.Equal(3, forA.DeletedPositions(10));
        Assert.True(forA.IsDeleted(5, ["out", 0L, "x"], 1));
        Assert.True(forA.IsDeleted(0, ["out", 7L, null], 1));
        Assert.False(forA.IsDeleted(0, ["out", 7L, "seven"], 1));
        Assert.True(forA.IsDeleted(0, ["out", 8L, "eight"], 1));
        Assert.False(forA.IsDeleted(0, ["out", 8L, null], 1));

        // A data file of the delete's own commit: only position deletes could apply, and none names it.
        Assert.Null(await deletes.ForDataFileAsync(new FileScanTask(File(Location, "b", "train"), SplitSpec, 2), default));
    }

    [Fact]
    public async Task An_equality_delete_on_the_partition_column_it_leaves_out_takes_its_partition_value()
    {
        var equalityFile = await WriteAsync("eq-split.parquet", new ParquetSchema(new DataField<long>("id")), Row(("id", 7L)));
        var deletes = new ScanDeletes(
            [new DeleteFileTask(File(Location, "eq-split", "train") with { FilePath = equalityFile, Content = FileContent.EqualityDeletes, EqualityIds = [1, 3] }, SplitSpec, 2)],
            new LocalFileIO(), TestSchema, NameMapping.FromSchema(TestSchema));

        var forA = await deletes.ForDataFileAsync(new FileScanTask(File(Location, "a", "train"), SplitSpec, 1), default);

        Assert.NotNull(forA);
        Assert.True(forA.IsDeleted(0, [7L, "train"], 0));
        Assert.False(forA.IsDeleted(0, [7L, null], 0));
        Assert.Null(await deletes.ForDataFileAsync(new FileScanTask(File(Location, "b", "test"), SplitSpec, 1), default));
    }

    private static Dictionary<string, object?> Row(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private async Task<string> WriteAsync(string name, ParquetSchema schema, params Dictionary<string, object?>[] rows)
    {
        var path = Path.Combine(_root, name);
        await using (var stream = System.IO.File.Create(path))
            await ParquetSerializer.SerializeUntypedAsync(rows.Cast<IDictionary<string, object?>>().ToList(), schema, stream);
        return LocalFileIO.ToUri(path);
    }
}
