using System.Collections;
using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Tests.Interop;
using Faceberg.TestData;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>Every writable Iceberg type: user values in, coerced values back out through Parquet.Net, the table reader and icebird.</summary>
public sealed class TableWriterTypesTests : IDisposable
{
    private const string Repo = "types/all";
    private readonly DatasetTestHub _hub = new(seed: false);
    private readonly CatalogContext _catalog;

    public TableWriterTypesTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    private static readonly Schema FileSchema = new(0,
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "b", PrimitiveType.Boolean),
        NestedField.Optional(3, "i", PrimitiveType.Int),
        NestedField.Optional(4, "f", PrimitiveType.Float),
        NestedField.Optional(5, "d", PrimitiveType.Double),
        NestedField.Optional(6, "dec", new DecimalType(10, 2)),
        NestedField.Optional(7, "day", PrimitiveType.Date),
        NestedField.Optional(8, "ts", PrimitiveType.Timestamp),
        NestedField.Optional(9, "tstz", PrimitiveType.TimestampTz),
        NestedField.Optional(10, "s", PrimitiveType.String),
        NestedField.Optional(11, "u", PrimitiveType.Uuid),
        NestedField.Optional(12, "bin", PrimitiveType.Binary),
        NestedField.Optional(13, "tags", new ListType(16, PrimitiveType.String, false)),
        NestedField.Optional(14, "meta", new StructType(NestedField.Optional(17, "source", PrimitiveType.String), NestedField.Optional(18, "year", PrimitiveType.Int))),
        NestedField.Optional(15, "attrs", new MapType(19, PrimitiveType.String, 20, PrimitiveType.Long, false)));

    private static readonly Guid Uuid = Guid.Parse("6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b");

    /// <summary>Values as a PowerShell user would pass them: strings from CSV, DateTimeOffset, hashtables, object arrays.</summary>
    private static IReadOnlyDictionary<string, object?> UserRow(long id) => new Dictionary<string, object?>
    {
        ["id"] = (int)id,
        ["b"] = "true",
        ["i"] = "42",
        ["f"] = 1.25,
        ["d"] = 3,
        ["dec"] = "12.30",
        ["day"] = new DateTime(2024, 2, 29),
        ["ts"] = new DateTimeOffset(2024, 2, 29, 13, 14, 15, 123, TimeSpan.FromHours(2)).AddTicks(4560),
        ["tstz"] = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(2)),
        ["s"] = "héllo",
        ["u"] = Uuid.ToString(),
        ["bin"] = new byte[] { 0, 1, 255 },
        ["tags"] = new object?[] { "a", null, "c" },
        ["meta"] = new Hashtable { ["SOURCE"] = "web", ["year"] = 2024L },
        ["attrs"] = new Hashtable { ["k"] = 7 },
    };

    private async Task<TableIdentifier> CreateTableAsync()
    {
        var seed = await ParquetDataWriter.WriteAsync(FileSchema.Fields,
            [[0L, false, 1, 0.5f, 0.5, 1.00m, new DateTime(2020, 1, 1), new DateTime(2020, 1, 1), new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
              "seed", Guid.Empty, new byte[] { 9 }, new List<object?> { "s" }, new object?[] { "seed", 2020 }, new List<KeyValuePair<object, object?>> { new("s", 1L) }]],
            100, null, CancellationToken.None);
        new HubDatasetBuilder(_hub.Server.Store, Repo).File("data/train-00000-of-00001.parquet", seed).Commit("Seed");
        var result = Assert.Single(await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset("types", Repo)));
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return result.Identifier!;
    }

    [Fact]
    public async Task Every_supported_type_round_trips()
    {
        var id = await CreateTableAsync();
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(FileSchema.Fields.Select(f => f.Type.ToString()), table.Schema.Fields.Where(f => f.Name != "split").Select(f => f.Type.ToString()));

        var result = await new TableWriter(_hub.Client).WriteAsync(_catalog, id, "train", [UserRow(1), UserRow(2)]);

        // Parquet.Net reads the file as written.
        var bytes = _hub.Server.Store.ReadFile(Repo, result.Revision!, result.Files[0]);
        var raw = (await ParquetSerializer.DeserializeUntypedAsync(new MemoryStream(bytes))).Data.Single(r => (long)r["id"]! == 1);
        Assert.Equal(true, raw["b"]);
        Assert.Equal(42, raw["i"]);
        Assert.Equal(1.25f, raw["f"]);
        Assert.Equal(3.0, raw["d"]);
        Assert.Equal(12.30m, raw["dec"]);
        Assert.Equal("héllo", raw["s"]);
        Assert.Equal(Uuid, raw["u"]);
        Assert.Equal(new byte[] { 0, 1, 255 }, raw["bin"]);

        // The table reader returns the coerced values.
        table = await DatasetTestHub.LoadAsync(_catalog, id);
        var io = new FileIORouter().Register("hf", new HubFileIO(_hub.Client));
        var rows = new List<TableRow>();
        await foreach (var row in TableReader.ReadAsync(table, null, io)) rows.Add(row);
        var back = rows.Single(r => (long)r["id"]! == 1);
        Assert.Equal(true, back["b"]);
        Assert.Equal(42, back["i"]);
        Assert.Equal(1.25f, back["f"]);
        Assert.Equal(3.0, back["d"]);
        Assert.Equal(12.30m, back["dec"]);
        Assert.True(new DateTime(2024, 2, 29).Equals(back["day"]), back.ToString() + " " + back["day"]?.GetType());
        // timestamp keeps the wall clock (microseconds); timestamptz the instant.
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15, 123).AddTicks(4560), back["ts"]);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 11, 14, 15, TimeSpan.Zero), back["tstz"]);
        Assert.Equal("héllo", back["s"]);
        Assert.Equal(Uuid, back["u"]);
        Assert.Equal(new byte[] { 0, 1, 255 }, back["bin"]);
        Assert.Equal(new object?[] { "a", null, "c" }, ((IEnumerable)back["tags"]!).Cast<object?>().ToArray());
        Assert.Equal("train", back.Split);
        Assert.Equal(3, rows.Count(r => r.Split == "train"));
    }

    [Fact]
    public async Task Icebird_reads_the_written_values()
    {
        var id = await CreateTableAsync();
        await new TableWriter(_hub.Client).WriteAsync(_catalog, id, "train", [UserRow(1), UserRow(2)]);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);

        var dump = await new IcebirdReader().ReadAsync(table.Location, new IcebirdReadOptions { HfEndpoint = _hub.Server.Endpoint });

        var rows = dump.Rows.Where(r => r["id"].GetInt64() >= 1).OrderBy(r => r["id"].GetInt64()).ToList();
        Assert.Equal(2, rows.Count);
        var row = rows[0];
        Assert.True(row["b"].GetBoolean());
        Assert.Equal(42, row["i"].GetInt32());
        Assert.Equal(1.25, row["f"].GetDouble());
        Assert.Equal(3.0, row["d"].GetDouble());
        Assert.Equal("héllo", row["s"].GetString());
        Assert.Equal("a,<null>,c", string.Join(",", row["tags"].EnumerateArray().Select(e => e.ValueKind == System.Text.Json.JsonValueKind.Null ? "<null>" : e.GetString())));
        Assert.Equal("web", row["meta"].GetProperty("source").GetString());
        Assert.Equal(2024, row["meta"].GetProperty("year").GetInt32());
    }

    [Fact]
    public async Task Values_that_would_lose_information_are_refused()
    {
        var id = await CreateTableAsync();
        var row = new Dictionary<string, object?>(UserRow(1)) { ["dec"] = 1.234, ["i"] = 1.5, ["day"] = new DateTime(2024, 1, 1, 10, 0, 0) };
        var e = await Assert.ThrowsAsync<FacebergException>(() => new TableWriter(_hub.Client).WriteAsync(_catalog, id, "train", [row]));
        Assert.Contains("row 0, column 'i': is int but the value is 1.5 (Double)", e.Message);
        Assert.Contains("row 0, column 'dec': is decimal(10,2) but 1.234 has more than 2 decimal places", e.Message);
        Assert.Contains("row 0, column 'day': is a date column", e.Message);
    }
}
