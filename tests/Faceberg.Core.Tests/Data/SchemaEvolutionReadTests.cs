using System.Text.Json.Serialization;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Schema;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Data;

public sealed class SchemaEvolutionReadTests : IDisposable
{
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    public sealed class V1
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
    }

    public sealed class V2
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("title")] public string? Title { get; set; }
        [JsonPropertyName("extra")] public long? Extra { get; set; }
    }

    private async Task<string> LocalFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_f.Root, "data", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes);
        return LocalFileIO.ToUri(path);
    }

    private async Task<(byte[] Bytes, string Uri)> Write<T>(string name, IEnumerable<T> rows)
    {
        var bytes = await ReadFixture.ParquetBytes(rows);
        return (bytes, await LocalFile(name, bytes));
    }

    private static Dictionary<long, TableRow> ById(IEnumerable<TableRow> rows) => rows.ToDictionary(r => (long)r["id"]!);

    [Fact]
    public async Task Renamed_column_reads_old_and_new_files_through_the_name_mapping()
    {
        var (oldBytes, oldUri) = await Write("old.parquet", new[] { new V1 { Id = 1, Name = "one" } });
        var (newBytes, newUri) = await Write("new.parquet", new[] { new V2 { Id = 2, Title = "two", Extra = 5 } });
        var schema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long), NestedField.Optional(2, "title", PrimitiveType.String));
        // What a rename leaves behind: the field keeps its id and the mapping keeps the old name.
        var mapping = new NameMapping([new MappedField(1, ["id"]), new MappedField(2, ["title", "name"])]);
        var table = await _f.CreateTable("renamed", schema, properties: new Dictionary<string, string> { [NameMapping.PropertyKey] = mapping.ToJson() });
        await table.NewAppend()
            .AddFile(await ReadFixture.DataFile(oldBytes, oldUri, schema))
            .AddFile(await ReadFixture.DataFile(newBytes, newUri, schema))
            .CommitAsync();

        var rows = ById(await ReadFixture.ReadAll(new TableScan(table)));

        Assert.Equal(["id", "title"], rows[1].Schema.Names);
        Assert.Equal("one", rows[1]["title"]);
        Assert.Equal("two", rows[2]["title"]);
        // The newer file's "extra" column is not in the table: dropped columns never appear.
        Assert.Equal(2, rows[2].Count);
    }

    [Fact]
    public async Task Added_column_is_null_in_older_files_and_read_from_newer_ones()
    {
        var (oldBytes, oldUri) = await Write("v1.parquet", new[] { new V1 { Id = 1, Name = "one" } });
        var schema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long), NestedField.Optional(2, "title", PrimitiveType.String));
        var table = await _f.CreateTable("added", schema);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(oldBytes, oldUri, schema)).CommitAsync();
        var before = table.CurrentSnapshot!;

        await table.UpdateColumnsAsync(new Faceberg.Core.Iceberg.Table.ColumnChanges { Add = [NestedField.Optional(0, "extra", PrimitiveType.Long)] });
        var (newBytes, newUri) = await Write("v2.parquet", new[] { new V2 { Id = 2, Title = "two", Extra = 42 } });
        await table.NewAppend().AddFile(await ReadFixture.DataFile(newBytes, newUri, table.Schema)).CommitAsync();

        var rows = ById(await ReadFixture.ReadAll(new TableScan(table)));
        Assert.Equal(["id", "title", "extra"], rows[1].Schema.Names);
        Assert.Null(rows[1]["extra"]);
        Assert.Null(rows[1]["title"]);  // the old file calls it "name", which this default mapping does not know
        Assert.Equal(42L, rows[2]["extra"]);
        Assert.Equal("two", rows[2]["title"]);

        // The older snapshot reads with its own schema: no "extra" column at all.
        var old = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { SnapshotId = before.SnapshotId }));
        Assert.Equal(["id", "title"], old.Single().Schema.Names);

        // Filtering on the new column: older files hold only nulls for it.
        var filtered = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Filter = Predicate.Equal("extra", 42) }));
        Assert.Equal(2L, filtered.Single()["id"]);
    }

    [Fact]
    public async Task Files_with_field_ids_resolve_by_id_whatever_their_column_names()
    {
        var parquetSchema = new ParquetSchema(new DataField<long>("id") { FieldId = 1 }, new DataField<string>("legacy_name", true) { FieldId = 2 });
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeUntypedAsync(
            new List<IDictionary<string, object?>> { new Dictionary<string, object?> { ["id"] = 7L, ["legacy_name"] = "seven" } },
            parquetSchema, buffer);
        var bytes = buffer.ToArray();
        var uri = await LocalFile("ids.parquet", bytes);
        var schema = new Schema(0, NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "label", PrimitiveType.String));
        // The mapping does not know "legacy_name": only the id can resolve it.
        var table = await _f.CreateTable("ids", schema);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(bytes, uri, schema)).CommitAsync();

        var row = Assert.Single(await ReadFixture.ReadAll(new TableScan(table)));
        Assert.Equal(7L, row["id"]);
        Assert.Equal("seven", row["label"]);
    }

    [Fact]
    public async Task Dropped_column_is_not_read_even_though_files_still_hold_it()
    {
        var (bytes, uri) = await Write("wide.parquet", new[] { new V2 { Id = 1, Title = "t", Extra = 3 } });
        var schema = new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long), NestedField.Optional(3, "extra", PrimitiveType.Long));
        var table = await _f.CreateTable("dropped", schema);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(bytes, uri, schema)).CommitAsync();

        var row = Assert.Single(await ReadFixture.ReadAll(new TableScan(table)));
        Assert.Equal(["id", "extra"], row.Schema.Names);
        Assert.Equal(3L, row["extra"]);
    }
}
