using System.Globalization;
using Faceberg.Core.Data;
using Faceberg.Core.Data.Decoding;
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

    [Fact]
    public async Task First_rows_of_a_column_with_an_offset_index_fetch_its_index_and_the_pages_holding_them_only()
    {
        // 7,300 rows in one row group, each column in pages of a few dozen rows, with a page index.
        var file = await File.ReadAllBytesAsync(Path.Combine(ParquetCorpusTests.TestDataDirectory, "parquet-testing", "alltypes_tiny_pages.parquet"));
        Parquet.Meta.ColumnChunk chunk;
        await using (var reader = await ParquetReader.CreateAsync(new MemoryStream(file)))
            chunk = reader.Metadata!.RowGroups[0].Columns.Single(c => c.MetaData!.PathInSchema.SequenceEqual(["id"]));
        var (start, length) = await ChunkAsync(file, group: 0, column: "id");
        var pages = OffsetIndex.Read(file.AsSpan((int)chunk.OffsetIndexOffset!.Value, chunk.OffsetIndexLength!.Value));
        // The rows of the first two pages and one of the third: three pages of many.
        var rows = (int)pages[2].FirstRowIndex + 1;
        Assert.True(pages.Count > 30, $"the column must have many pages ({pages.Count})");
        var end = pages[2].Offset + pages[2].CompressedPageSize;

        var (_, reads, values) = await ReadFirstAsync("alltypes_tiny_pages.parquet", "id", rows);
        Assert.Equal(rows, values.Count);
        long fetched = 0;
        foreach (var (s, e) in reads)
        {
            fetched += e - s;
            var inTail = s >= file.Length - TailBytes;
            var inIndex = s >= chunk.OffsetIndexOffset && e <= chunk.OffsetIndexOffset + chunk.OffsetIndexLength;
            var inPages = s >= start && e <= end;
            Assert.True(inTail || inIndex || inPages, $"{s}-{e} is neither the footer's tail, nor id's offset index, nor its pages up to row {rows} ({start}-{end})");
        }
        Assert.True(end - start < length / 10, $"the pages for {rows} rows ({end - start} bytes) must be a small part of the chunk ({length})");
        Assert.True(fetched <= TailBytes + chunk.OffsetIndexLength + (end - start), $"fetched {fetched} bytes of {file.Length}");
    }

    [Fact]
    public async Task First_rows_of_a_column_without_an_offset_index_fetch_a_prefix_of_its_chunk_only()
    {
        // 40,000 rows in one chunk of tiny pages, without a page index.
        var (file, reads, values) = await ReadFirstAsync("overflow_i16_page_cnt.parquet", null, 10);
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(file));
        var column = Assert.Single(reader.Metadata!.RowGroups[0].Columns);
        Assert.Null(column.OffsetIndexOffset);
        var (start, length) = await ChunkAsync(file, group: 0, column: column.MetaData!.PathInSchema.Single());
        Assert.True(length > TailBytes + 4 * 64 * 1024, "the chunk must be much larger than the prefix read");

        Assert.Equal(10, values.Count);
        long fetched = 0;
        foreach (var (s, e) in reads)
        {
            fetched += e - s;
            Assert.True(s >= file.Length - TailBytes || (s >= start && e <= start + 64 * 1024), $"{s}-{e} is neither the footer's tail nor the chunk's first 64 KiB");
        }
        Assert.True(fetched <= TailBytes + 64 * 1024, $"fetched {fetched} bytes of {file.Length}");
    }

    /// <summary>
    /// Reads the first rows of a parquet-testing file (one column, or all) from the local Hub: the byte ranges the
    /// read fetched and its rows, which are checked to be the first rows of a full read.
    /// </summary>
    private static async Task<(byte[] File, List<(long Start, long End)> Reads, List<TableRow> Rows)> ReadFirstAsync(string name, string? column, int rows)
    {
        var file = await File.ReadAllBytesAsync(Path.Combine(ParquetCorpusTests.TestDataDirectory, "parquet-testing", name));
        using var f = new ReadFixture();
        var uri = f.Seed("demo/pages", new Dictionary<string, byte[]> { ["data/" + name] = file })["data/" + name];
        var facts = await ReadFixture.Inspect(file, uri);
        var table = await f.CreateTable("pages", facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();
        f.Log.Clear();
        var read = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = column == null ? null : [column], Limit = rows }, f.Io));
        var ranges = f.Log.Entries.Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal)).Select(e => RangeOf(e.Range, file.Length)).ToList();
        Assert.NotEmpty(ranges);
        var full = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = column == null ? null : [column] }, f.Io));
        Assert.Equal(full.Take(rows).Select(r => ParquetCorpusTests.Canonical(r.ToArray())), read.Select(r => ParquetCorpusTests.Canonical(r.ToArray())));
        return (file, ranges, read);
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
