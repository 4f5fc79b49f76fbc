using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Interop;
using Faceberg.LocalHub;
using Faceberg.TestData;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>A local Hub (over real HTTP) seeded with <see cref="SampleDatasets"/>, a Hub client and a
/// <see cref="DatasetTables"/> service talking to it, and fresh catalogs in a temporary folder.</summary>
public sealed class DatasetTestHub : IDisposable
{
    public DatasetTestHub(bool seed = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "faceberg-datasets-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Server = LocalHubServer.Start(new LocalHubOptions { RootPath = Path.Combine(Root, "hub") });
        Repos = seed ? SampleDatasets.Seed(Server.Store) : new Dictionary<string, SeededRepo>();
        Client = new HubClient(new HubClientOptions { Endpoint = Server.Endpoint, Token = Server.Token });
        Tables = new DatasetTables(Client);
    }

    public string Root { get; }
    public LocalHubServer Server { get; }
    public IReadOnlyDictionary<string, SeededRepo> Repos { get; }
    public HubClient Client { get; }
    public DatasetTables Tables { get; }

    public CatalogContext NewCatalog()
    {
        var directory = Path.Combine(Root, "catalog-" + Guid.NewGuid().ToString("N")[..8]);
        JsonCatalog.Create(directory);
        return CatalogContext.FromDirectory(directory);
    }

    public static DatasetConfig Dataset(string name, string repo, params string[] configs) =>
        new() { Name = name, Repo = repo, Configs = configs };

    public string Head(string repo, string revision = "main") => Server.Store.ResolveRevision(repo, revision);

    /// <summary>Requests for file contents (footers and data), as opposed to API calls.</summary>
    public IReadOnlyList<LoggedRequest> FileReads() =>
        Server.RequestLog.Entries.Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal)).ToList();

    public static Task<IcebergTable> LoadAsync(FacebergTableInfo info) =>
        IcebergTable.LoadAsync(new FileIORouter(), TableLocation.Parse(info.Location).Uri);

    public static async Task<IcebergTable> LoadAsync(CatalogContext catalog, TableIdentifier id) =>
        (await catalog.OpenCatalog(null, new FileIORouter()).LoadTableAsync(id)).Table;

    /// <summary>
    /// Checks a table against the Parquet files it should hold (path → split, read from
    /// the revision of <paramref name="repo"/>): one entry per file, pinned URI, split
    /// partition value, record count and size from the file itself.
    /// </summary>
    public async Task AssertFilesAsync(IcebergTable table, string repo, IReadOnlyDictionary<string, (string Split, string Revision)> expected)
    {
        var files = await table.PlanFilesAsync();
        Assert.Equal(expected.Count, files.Count);
        long total = 0;
        foreach (var (path, (split, revision)) in expected)
        {
            var uri = DatasetSource.DataFileUri(repo, revision, path);
            var file = Assert.Single(files, f => f.FilePath == uri);
            Assert.Equal(split, Assert.Single(file.Partition));
            var bytes = Server.Store.ReadFile(repo, revision, path);
            Assert.Equal(bytes.LongLength, file.FileSizeInBytes);
            Assert.Equal(await RowCountAsync(bytes), file.RecordCount);
            Assert.NotEmpty(file.ValueCounts!);
            total += file.RecordCount;
        }
        Assert.Equal(total, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalRecords));
    }

    /// <summary>
    /// Reads the table with icebird (independent of Faceberg, fetching data through the local Hub) and
    /// checks that its rows are exactly the (id, text) rows of the expected Parquet files and that every
    /// manifest entry carries its file's split.
    /// </summary>
    public async Task AssertIcebirdReadsAsync(IcebergTable table, string repo, IReadOnlyDictionary<string, (string Split, string Revision)> expected)
    {
        var dump = await new IcebirdReader().ReadAsync(table.Location, new IcebirdReadOptions { HfEndpoint = Server.Endpoint });
        var live = dump.CurrentSnapshot!.LiveDataFiles.ToList();
        Assert.Equal(expected.Count, live.Count);
        var expectedRows = new List<string>();
        foreach (var (path, (split, revision)) in expected)
        {
            var file = Assert.Single(live, f => f.FilePath == DatasetSource.DataFileUri(repo, revision, path));
            Assert.Equal(split, file.PartitionString(TableProperties.SplitColumn));
            expectedRows.AddRange(await IdTextRowsAsync(Server.Store.ReadFile(repo, revision, path)));
        }
        var actualRows = dump.Rows.Select(r => $"{r["id"].GetInt64()}|{r["text"].GetString()}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedRows.Order(StringComparer.Ordinal).ToList(), actualRows);
    }

    public static async Task<long> RowCountAsync(byte[] parquet)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(parquet));
        return reader.Metadata!.NumRows;
    }

    /// <summary>"id|text" for every row of a Parquet file, read with Parquet.Net.</summary>
    public static async Task<IReadOnlyList<string>> IdTextRowsAsync(byte[] parquet)
    {
        var rows = await ParquetSerializer.DeserializeAsync<IdText>(new MemoryStream(parquet));
        return rows.Data.Select(r => $"{r.Id}|{r.Text}").ToList();
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
