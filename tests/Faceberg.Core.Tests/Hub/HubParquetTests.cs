using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Parquet;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Hub;

public sealed class HubParquetTests : IDisposable
{
    private const string Repo = "acme/parquet";
    private const string File = "data/train-00000-of-00001.parquet";
    private readonly TestHub _hub = new();

    public void Dispose() => _hub.Dispose();

    public sealed class Row
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
        public double Score { get; set; }
    }

    private static List<Row> Rows(int count) =>
        Enumerable.Range(0, count).Select(i => new Row { Id = i, Name = $"name-{i % 97}", Score = i * 0.5 }).ToList();

    private static async Task<byte[]> ParquetBytes(List<Row> rows, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, buffer, null, metadata);
        return buffer.ToArray();
    }

    private int ResolveRequests() => _hub.Log.Entries.Count(r => r.Path.Contains("/resolve/"));

    [Fact]
    public async Task HubFileStream_lets_ParquetNet_read_every_row_remotely()
    {
        var rows = Rows(20_000);
        var bytes = await ParquetBytes(rows);
        Assert.True(bytes.Length > 2 * 64 * 1024, "the file should be larger than the tail prefetch");
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { [File] = bytes });
        var client = _hub.Client();

        await using var stream = await client.OpenReadAsync(Repo, sha, File, bytes.Length);
        var read = (await ParquetSerializer.DeserializeAsync<Row>(stream)).Data;

        Assert.Equal(rows.Count, read.Count);
        Assert.Equal(rows[12345].Name, read[12345].Name);
        Assert.Equal(rows[^1].Score, read[^1].Score);
        Assert.Equal(bytes.Length, stream.Length);
    }

    [Fact]
    public async Task HubFileStream_serves_seeks_and_reads_byte_exact()
    {
        var content = TestHub.Bytes(300_000, seed: 11);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["blob.bin"] = content });
        var client = _hub.Client();
        _hub.Log.Clear();

        // Unknown size: the tail request itself learns it from Content-Range.
        await using var stream = await client.OpenReadAsync(Repo, sha, "blob.bin");
        Assert.Equal(content.Length, stream.Length);
        Assert.Equal(1, ResolveRequests());

        stream.Seek(-100, SeekOrigin.End);
        var tail = new byte[100];
        await stream.ReadExactlyAsync(tail);
        Assert.Equal(content.AsSpan(content.Length - 100).ToArray(), tail);
        Assert.Equal(1, ResolveRequests()); // served from the prefetched tail

        stream.Position = 10;
        var head = new byte[50];
        stream.ReadExactly(head);
        Assert.Equal(content.AsSpan(10, 50).ToArray(), head);

        stream.Position = 200_000;
        var across = new byte[100_000];
        await stream.ReadExactlyAsync(across);
        Assert.Equal(content.AsSpan(200_000, 100_000).ToArray(), across);

        stream.Position = content.Length;
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
    }

    [Fact]
    public async Task Footer_of_a_typical_file_costs_one_request()
    {
        var rows = Rows(5000);
        var bytes = await ParquetBytes(rows);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { [File] = bytes });
        var client = _hub.Client();
        _hub.Log.Clear();

        var footer = await HubParquetFooter.ReadAsync(client, Repo, sha, File, bytes.Length);

        var request = Assert.Single(_hub.Log.Entries);
        Assert.Equal("GET", request.Method);
        Assert.Equal(206, request.Status);
        Assert.Equal(1, footer.RequestCount);
        Assert.Equal(bytes.Length, footer.FileSize);
        await using var reader = await ParquetReader.CreateAsync(footer.OpenFooterStream());
        Assert.Equal(rows.Count, reader.Metadata!.NumRows);
        Assert.Equal(["Id", "Name", "Score"], reader.Schema.DataFields.Select(f => f.Name).ToArray());
        Assert.Single(_hub.Log.Entries);
    }

    [Fact]
    public async Task Footer_metadata_feeds_the_parquet_inspector_with_one_request()
    {
        var rows = Rows(20_000);
        var bytes = await ParquetBytes(rows);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { [File] = bytes });
        var client = _hub.Client();
        var uri = new HfUri(Repo, sha, File).ToString();
        _hub.Log.Clear();

        var footer = await HubParquetFooter.ReadAsync(client, Repo, sha, File, bytes.Length);
        var facts = ParquetFileInspector.Describe(await footer.ReadFileMetaDataAsync(), uri, footer.FileSize);

        Assert.Single(_hub.Log.Entries);
        Assert.Equal(rows.Count, facts.RecordCount);
        Assert.Equal(bytes.Length, facts.FileSizeInBytes);
        Assert.Equal(uri, facts.FileUri);
    }

    [Fact]
    public async Task Footer_without_a_known_size_is_still_one_request()
    {
        var bytes = await ParquetBytes(Rows(100));
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { [File] = bytes });
        var client = _hub.Client();
        _hub.Log.Clear();

        var footer = await HubParquetFooter.ReadAsync(client, Repo, sha, File);

        Assert.Single(_hub.Log.Entries);
        Assert.Equal(bytes.Length, footer.FileSize);
    }

    [Fact]
    public async Task Footer_larger_than_the_tail_costs_exactly_one_more_request()
    {
        var metadata = new Dictionary<string, string> { ["big"] = new string('x', 100_000) };
        var rows = Rows(1000);
        var bytes = await ParquetBytes(rows, metadata);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { [File] = bytes });
        var client = _hub.Client();
        _hub.Log.Clear();

        var footer = await HubParquetFooter.ReadAsync(client, Repo, sha, File, bytes.Length);

        Assert.Equal(2, _hub.Log.Count);
        Assert.Equal(2, footer.RequestCount);
        Assert.True(footer.Metadata.Length > HubParquetFooter.TailBytes);
        await using var reader = await ParquetReader.CreateAsync(footer.OpenFooterStream());
        Assert.Equal(rows.Count, reader.Metadata!.NumRows);
        Assert.Equal(100_000, reader.CustomMetadata["big"].Length);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_reported_as_invalid_data()
    {
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["data/fake.parquet"] = TestHub.Bytes(1000) });
        var client = _hub.Client();

        var error = await Assert.ThrowsAsync<FacebergException>(() => HubParquetFooter.ReadAsync(client, Repo, sha, "data/fake.parquet"));

        Assert.Equal(FacebergErrorKind.InvalidData, error.Kind);
    }
}
