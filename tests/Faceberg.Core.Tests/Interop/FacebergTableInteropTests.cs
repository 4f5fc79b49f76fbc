using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Interop;

// A table written by Faceberg's IcebergTable, read back by icebird: what Faceberg meant to write
// (its own model of schema, snapshots, files) must be what an independent reader sees.
// Data files are written with Parquet.Net, without field ids and without the split column, like
// the Hub's files; `split` lives only in the manifests.
public sealed class FacebergTableInteropTests : IDisposable
{
    private static readonly IcebirdReader Reader = new();
    private readonly LocalFileIO io = new();
    private readonly string root = Directory.CreateTempSubdirectory("faceberg-interop-").FullName;

    private static readonly Schema TableSchema = new(0,
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "text", PrimitiveType.String),
        NestedField.Optional(3, "tags", new ListType(7, PrimitiveType.String, elementRequired: false)),
        NestedField.Optional(4, "point", new StructType(
            NestedField.Require(8, "x", PrimitiveType.Double),
            NestedField.Require(9, "y", PrimitiveType.Double))),
        NestedField.Optional(5, "attrs", new MapType(10, PrimitiveType.String, 11, PrimitiveType.Int, valueRequired: true)),
        NestedField.Optional(6, "split", PrimitiveType.String));

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files do not affect the result.
        }
    }

    private string TableLocation => LocalFileIO.ToUri(Path.Combine(root, "table"));

    [Fact]
    public async Task Icebird_reads_schema_snapshots_files_partitions_and_rows_of_a_Faceberg_table()
    {
        var table = await IcebergTable.CreateAsync(io, TableLocation, TableSchema, PartitionSpec.Identity(TableSchema, "split"));
        var train0 = await WriteDataFile("train-0", "train", Rows(0, 3));
        var test0 = await WriteDataFile("test-0", "test", Rows(100, 2));
        var s1 = await table.NewAppend().AddFile(train0.File).AddFile(test0.File).CommitAsync();
        var train1 = await WriteDataFile("train-1", "train", Rows(10, 2));
        var s2 = await table.NewAppend().AddFile(train1.File).CommitAsync();
        var validation0 = await WriteDataFile("validation-0", "validation", Rows(200, 1));
        var s3 = await table.NewOverwrite().DeleteFile(test0.File).AddFile(validation0.File).CommitAsync();

        var dump = await Reader.ReadAsync(TableLocation);

        // Metadata facts.
        Assert.Equal($"v{table.Version}.metadata.json", dump.MetadataFile);
        Assert.Equal(2, dump.FormatVersion);
        Assert.Equal(table.Metadata.TableUuid.ToString(), dump.TableUuid);
        Assert.Equal(TableLocation, dump.Location);
        Assert.Equal(s3.SnapshotId, dump.CurrentSnapshotId);
        Assert.Equal(table.Metadata.Properties[NameMapping.PropertyKey], dump.Properties[NameMapping.PropertyKey]);

        // Schema, including nested element/field/key/value ids.
        Assert.Equal(
            [(1, "id", true, "long"), (2, "text", false, "string"), (3, "tags", false, "list"),
             (4, "point", false, "struct"), (5, "attrs", false, "map"), (6, "split", false, "string")],
            dump.CurrentSchema.Fields.Select(f => (f.Id, f.Name, f.Required, f.TypeName)));
        var tags = dump.CurrentSchema.Field("tags").Type;
        Assert.Equal((7, "string", false), (tags.GetProperty("element-id").GetInt32(), tags.GetProperty("element").GetString(), tags.GetProperty("element-required").GetBoolean()));
        var point = dump.CurrentSchema.Field("point").Type.GetProperty("fields").EnumerateArray()
            .Select(f => (f.GetProperty("id").GetInt32(), f.GetProperty("name").GetString(), f.GetProperty("required").GetBoolean(), f.GetProperty("type").GetString()));
        Assert.Equal([(8, "x", true, "double"), (9, "y", true, "double")], point);
        var attrs = dump.CurrentSchema.Field("attrs").Type;
        Assert.Equal((10, "string", 11, "int", true),
            (attrs.GetProperty("key-id").GetInt32(), attrs.GetProperty("key").GetString(), attrs.GetProperty("value-id").GetInt32(),
             attrs.GetProperty("value").GetString(), attrs.GetProperty("value-required").GetBoolean()));
        Assert.Equal([new IcebirdPartitionField("split", "identity", 6, 1000)], dump.DefaultPartitionSpec!.Fields);

        // Snapshots: ids, lineage, sequence numbers and summaries exactly as Faceberg committed them.
        Assert.Equal([s1.SnapshotId, s2.SnapshotId, s3.SnapshotId], dump.Snapshots.Select(s => s.SnapshotId));
        Assert.Equal([null, s1.SnapshotId, s2.SnapshotId], dump.Snapshots.Select(s => s.ParentSnapshotId));
        Assert.Equal([1L, 2L, 3L], dump.Snapshots.Select(s => s.SequenceNumber));
        Assert.Equal(["append", "append", "overwrite"], dump.Snapshots.Select(s => s.Summary["operation"]));
        foreach (var (committed, seen) in new[] { s1, s2, s3 }.Zip(dump.Snapshots))
        {
            Assert.Equal(committed.Summary.OrderBy(kv => kv.Key), seen.Summary.OrderBy(kv => kv.Key));
            Assert.Equal(committed.ManifestList, seen.ManifestList);
            Assert.Equal("2", seen.ManifestListFile.HeaderText("format-version"));
            Assert.Equal(committed.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.ManifestListFile.HeaderText("snapshot-id"));
        }

        // Each snapshot's live files, with split only in the manifests, as Faceberg plans them.
        var expectedFiles = new[]
        {
            new[] { train0, test0 },
            new[] { train0, test0, train1 },
            new[] { train0, train1, validation0 },
        };
        foreach (var (snapshot, expected) in dump.Snapshots.Zip(expectedFiles))
        {
            var seen = snapshot.LiveDataFiles
                .Select(f => (f.FilePath, f.PartitionString("split"), f.RecordCount, f.FileSizeInBytes))
                .OrderBy(f => f.FilePath, StringComparer.Ordinal);
            Assert.Equal(
                expected.Select(w => (w.File.FilePath, (string?)w.Split, w.File.RecordCount, w.File.FileSizeInBytes)).OrderBy(f => f.FilePath, StringComparer.Ordinal),
                seen);
            var planned = await table.PlanFilesAsync(snapshot.SnapshotId);
            Assert.Equal(planned.Select(f => f.FilePath).Order(StringComparer.Ordinal), seen.Select(f => f.FilePath));
            Assert.All(snapshot.Manifests, m =>
            {
                Assert.Equal("data", m.HeaderText("content"));
                Assert.Equal("2", m.HeaderText("format-version"));
                Assert.Equal("0", m.HeaderText("partition-spec-id"));
            });
        }

        Assert.DoesNotContain(dump.Snapshots[2].LiveDataFiles, f => f.FilePath == test0.File.FilePath);
        var s1Summary = Assert.Single(dump.Snapshots[0].ManifestListFile.Records).GetProperty("partitions")[0];
        Assert.Equal("test", Encoding.UTF8.GetString(s1Summary.GetProperty("lower_bound").GetBytesFromBase64()));
        Assert.Equal("train", Encoding.UTF8.GetString(s1Summary.GetProperty("upper_bound").GetBytesFromBase64()));

        // Column metrics in the spec's single-value encoding survive the round trip.
        var train0Seen = dump.CurrentSnapshot!.LiveDataFiles.Single(f => f.FilePath == train0.File.FilePath);
        Assert.Equal(3L, train0Seen.ValueCounts![1]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, train0Seen.LowerBounds![1]);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0 }, train0Seen.UpperBounds![1]);

        // Rows of the current snapshot. icebird leaves split null (it lives only in the manifests).
        AssertRows(Rows(0, 3).Concat(Rows(10, 2)).Concat(Rows(200, 1)), dump.Rows);
        Assert.All(dump.Rows, r => Assert.Equal(JsonValueKind.Null, r["split"].ValueKind));

        // Time travel to the first snapshot.
        var first = await Reader.ReadAsync(TableLocation, new IcebirdReadOptions { SnapshotId = s1.SnapshotId });
        Assert.Equal(s1.SnapshotId, first.RowsSnapshotId);
        AssertRows(Rows(0, 3).Concat(Rows(100, 2)), first.Rows);
    }

    [Fact]
    public async Task Icebird_reads_a_Faceberg_table_without_snapshots()
    {
        var table = await IcebergTable.CreateAsync(io, TableLocation, TableSchema, PartitionSpec.Identity(TableSchema, "split"));

        var dump = await Reader.ReadAsync(TableLocation);

        Assert.Equal("v1.metadata.json", dump.MetadataFile);
        Assert.Equal(table.Metadata.TableUuid.ToString(), dump.TableUuid);
        Assert.Null(dump.CurrentSnapshotId);
        Assert.Empty(dump.Snapshots);
        Assert.Empty(dump.Rows);
        Assert.Equal(TableSchema.Fields.Select(f => f.Id), dump.CurrentSchema.Fields.Select(f => f.Id));
    }

    private static void AssertRows(IEnumerable<DataRow> expected, List<Dictionary<string, JsonElement>> seen)
    {
        var actual = seen.Select(r => new
        {
            Id = r["id"].GetInt64(),
            Text = r["text"].ValueKind == JsonValueKind.Null ? null : r["text"].GetString(),
            Tags = string.Join("|", r["tags"].EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Null ? "<null>" : t.GetString())),
            Point = r["point"].ValueKind == JsonValueKind.Null ? null : $"{r["point"].GetProperty("x").GetDouble()},{r["point"].GetProperty("y").GetDouble()}",
            Attrs = string.Join("|", r["attrs"].EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetInt32()}")),
        }).OrderBy(r => r.Id);
        var wanted = expected.Select(r => new
        {
            Id = r.Id,
            Text = r.Text,
            Tags = string.Join("|", r.Tags.Select(t => t ?? "<null>")),
            Point = r.Point is null ? null : $"{r.Point.X},{r.Point.Y}",
            Attrs = string.Join("|", r.Attrs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
        }).OrderBy(r => r.Id);
        Assert.Equal(wanted, actual);
    }

    /// <summary>Rows with ids start..start+count-1, covering nulls, empty lists/maps and nested values.</summary>
    private static List<DataRow> Rows(long start, int count) => Enumerable.Range(0, count).Select(i =>
    {
        var id = start + i;
        return new DataRow
        {
            Id = id,
            Text = i % 3 == 1 ? null : $"row {id} ünïcödé",
            Tags = i % 2 == 0 ? ["a", null, $"t{id}"] : [],
            Point = i % 3 == 2 ? null : new DataPoint { X = id + 0.5, Y = -id },
            Attrs = i % 2 == 0 ? new Dictionary<string, int> { ["k"] = (int)id, ["z"] = -1 } : [],
        };
    }).ToList();

    private async Task<(DataFile File, string Split)> WriteDataFile(string name, string split, List<DataRow> rows)
    {
        var path = Path.Combine(root, "table", "data", name + ".parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await ParquetSerializer.SerializeAsync(rows, path);
        var ids = rows.Select(r => r.Id).ToList();
        var file = new DataFile
        {
            FilePath = LocalFileIO.ToUri(path),
            Partition = [split],
            RecordCount = rows.Count,
            FileSizeInBytes = new FileInfo(path).Length,
            ValueCounts = new() { [1] = rows.Count },
            NullValueCounts = new() { [1] = 0 },
            LowerBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, ids.Min()) },
            UpperBounds = new() { [1] = BoundEncoding.Encode(PrimitiveType.Long, ids.Max()) },
        };
        return (file, split);
    }

    private sealed class DataRow
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("text")] public string? Text { get; set; }
        [JsonPropertyName("tags")] public List<string?> Tags { get; set; } = [];
        [JsonPropertyName("point")] public DataPoint? Point { get; set; }
        [JsonPropertyName("attrs")] public Dictionary<string, int> Attrs { get; set; } = [];
    }

    private sealed class DataPoint
    {
        [JsonPropertyName("x")] public double X { get; set; }
        [JsonPropertyName("y")] public double Y { get; set; }
    }
}
