using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Datasets;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Data;

/// <summary>Renaming, adding and dropping columns of dataset tables, then reading files written before and after.</summary>
public sealed class ColumnChangesTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();
    private readonly CatalogContext _catalog;

    public ColumnChangesTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    private async Task<(TableIdentifier Id, IcebergTable Table)> CreateAsync()
    {
        var result = Assert.Single(await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset("sf", SampleDatasets.SplitFolders)));
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return (result.Identifier!, await DatasetTestHub.LoadAsync(_catalog, result.Identifier!));
    }

    private async Task<List<TableRow>> ReadAsync(IcebergTable table)
    {
        var io = new FileIORouter().Register("hf", new HubFileIO(_hub.Client));
        var rows = new List<TableRow>();
        await foreach (var row in TableReader.ReadAsync(table, null, io)) rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task Renamed_added_and_dropped_columns_read_correctly_from_old_and_new_files()
    {
        var (id, table) = await CreateAsync();
        var textId = table.Schema.FindField("text")!.Id;
        var lastColumnId = table.Metadata.LastColumnId;

        await table.UpdateColumnsAsync(new ColumnChanges
        {
            Add = [NestedField.Optional(0, "extra", PrimitiveType.String)],
            Rename = [new("text", "body")],
            Drop = ["weight"],
        });

        Assert.Equal(textId, table.Schema.FindField("body")!.Id);
        Assert.Null(table.Schema.FindField("weight"));
        Assert.Equal(lastColumnId + 1, table.Schema.FindField("extra")!.Id);
        var mapping = NameMapping.Parse(table.Metadata.Properties[NameMapping.PropertyKey]);
        Assert.Equal(textId, mapping.FindId("text"));
        Assert.Equal(textId, mapping.FindId("body"));

        var row = new Dictionary<string, object?>
        {
            ["id"] = 5000L, ["count"] = 1, ["body"] = "new body", ["score"] = 1.0, ["flag"] = true, ["label"] = 2L,
            ["comment"] = null, ["tags"] = Array.Empty<string>(), ["meta"] = null, ["extra"] = "more",
        };
        await new TableWriter(_hub.Client).WriteAsync(_catalog, id, "train", [row]);

        var rows = await ReadAsync(await DatasetTestHub.LoadAsync(_catalog, id));
        Assert.DoesNotContain("weight", rows[0].Schema.Names);
        var old = rows.Single(r => (long)r["id"]! == 0);
        Assert.Equal("row 0", old["body"]);
        Assert.Null(old["extra"]);
        var written = rows.Single(r => (long)r["id"]! == 5000);
        Assert.Equal("new body", written["body"]);
        Assert.Equal("more", written["extra"]);
    }

    [Fact]
    public async Task Unsafe_changes_are_refused_and_leave_the_schema()
    {
        var (id, table) = await CreateAsync();
        await table.UpdateColumnsAsync(new ColumnChanges { Rename = [new("text", "body")] });
        var schemaId = table.Schema.SchemaId;

        async Task<string> Refused(ColumnChanges changes) =>
            (await Assert.ThrowsAsync<FacebergException>(() => table.UpdateColumnsAsync(changes))).ErrorId;

        Assert.Equal("ColumnIsPartitionSource", await Refused(new ColumnChanges { Drop = ["split"] }));
        Assert.Equal("ColumnIsPartitionSource", await Refused(new ColumnChanges { Rename = [new("split", "part")] }));
        Assert.Equal("ColumnNameInMapping", await Refused(new ColumnChanges { Add = [NestedField.Optional(0, "text", PrimitiveType.String)] }));
        Assert.Equal("ColumnExists", await Refused(new ColumnChanges { Rename = [new("body", "score")] }));
        Assert.Equal("ColumnNotFound", await Refused(new ColumnChanges { Drop = ["nope"] }));
        Assert.Equal("RequiredColumnAdded", await Refused(new ColumnChanges { Add = [NestedField.Require(0, "x", PrimitiveType.Int)] }));
        Assert.Equal(schemaId, (await DatasetTestHub.LoadAsync(_catalog, id)).Schema.SchemaId);

        // Renaming back to the old name is fine: it is the same field's alias.
        await table.UpdateColumnsAsync(new ColumnChanges { Rename = [new("body", "text")] });
        Assert.NotNull(table.Schema.FindField("text"));
    }
}
