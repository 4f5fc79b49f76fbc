using System.Globalization;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Tests.Datasets;
using Faceberg.TestData;
using Parquet;

namespace Faceberg.Core.Tests.Data;

/// <summary>What a row-limited, projected read fetches from the Hub, from the local Hub's request log.</summary>
public sealed class LimitedReadRequestTests : IDisposable
{
    private const string Repo = "demo/limited";
    private const int TailBytes = 64 * 1024;
    private readonly DatasetTestHub _hub = new(seed: false);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task First_rows_of_one_column_fetch_the_footer_and_that_columns_chunk_of_the_first_row_group_only()
    {
        // Four row groups of 10,000 rows, ten columns: far more than the tail the footer comes in.
        var file = SampleParquet.Write(40_000, rowGroupSize: 10_000);
        _hub.Server.Store.CreateRepo(Repo);
        _hub.Server.Store.Commit(Repo, new Dictionary<string, byte[]> { ["data/train-00000-of-00001.parquet"] = file }, null, "One large file");
        var catalog = _hub.NewCatalog();
        var created = Assert.Single(await _hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("limited", Repo)));
        var table = await DatasetTestHub.LoadAsync(catalog, created.Identifier!);

        var (idStart, idLength) = await ChunkAsync(file, group: 0, column: "id");
        Assert.True(file.Length > TailBytes + idLength * 4, "the file must be much larger than what the read may fetch");

        _hub.Server.RequestLog.Clear();
        var io = new FileIORouter().Register("hf", new HubFileIO(_hub.Client));
        var scan = new TableScan(table, new TableScanOptions { Columns = ["id"], Limit = 10 }, io);
        var ids = new List<object?>();
        await foreach (var row in scan.ReadAsync()) ids.Add(Assert.Single(row));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object?)(long)i), ids);
        Assert.Equal(1, scan.Metrics.RowGroupsRead);
        var reads = _hub.FileReads();
        Assert.NotEmpty(reads);
        long fetched = 0;
        foreach (var read in reads)
        {
            var (start, end) = RangeOf(read.Range, file.Length);
            fetched += end - start;
            var inTail = start >= file.Length - TailBytes;
            var inIdChunk = start >= idStart && end <= idStart + idLength;
            Assert.True(inTail || inIdChunk, $"{read.Range} is neither the footer's tail nor column id's chunk of row group 0 ({idStart}+{idLength})");
        }
        Assert.True(fetched <= TailBytes + idLength, $"fetched {fetched} bytes of {file.Length}");
    }

    /// <summary>[start, end) of a "bytes=a-b" or "bytes=-n" Range header.</summary>
    private static (long Start, long End) RangeOf(string? header, long length)
    {
        Assert.NotNull(header);
        var spec = header!["bytes=".Length..];
        var parts = spec.Split('-');
        if (parts[0].Length == 0) return (length - long.Parse(parts[1], CultureInfo.InvariantCulture), length);
        var start = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var end = parts[1].Length == 0 ? length : Math.Min(length, long.Parse(parts[1], CultureInfo.InvariantCulture) + 1);
        return (start, end);
    }

    private static async Task<(long Start, long Length)> ChunkAsync(byte[] file, int group, string column)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(file));
        var chunk = reader.Metadata!.RowGroups[group].Columns.Single(c => c.MetaData!.PathInSchema.SequenceEqual([column])).MetaData!;
        var start = chunk.DictionaryPageOffset is > 0 and var dictionary && dictionary < chunk.DataPageOffset ? dictionary : chunk.DataPageOffset;
        return (start, chunk.TotalCompressedSize);
    }
}
