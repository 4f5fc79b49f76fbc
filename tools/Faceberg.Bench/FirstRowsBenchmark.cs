using System.Diagnostics;
using System.Globalization;
using Faceberg.Core.Data;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Table;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Bench;

/// <summary>
/// What a row-limited read (Read-FacebergTable -First n) costs on one large file: Hub requests, bytes fetched
/// and wall time through the local Hub with latency, and bytes allocated reading the local file. Three files of
/// 1,000,000 rows in one row group: many pages per chunk with an offset index, the same without one (both
/// written by <see cref="PagedParquet"/>), and Parquet.Net's own (one page per chunk, no index).
/// </summary>
public static class FirstRowsBenchmark
{
    public const string Command = "first";
    private const string Repo = "bench/first";
    private const int Rows = 1_000_000;
    private const int LatencyMs = 20;

    public static async Task RunAsync(TextWriter output)
    {
        using var scratch = new ScratchDirectory("first");
        var root = scratch.Path;
        var files = new Dictionary<string, byte[]>
        {
            ["paged-with-index.parquet"] = PagedParquet.Write(Rows, rowsPerPage: 20_000, rowGroupSize: Rows, offsetIndex: true),
            ["paged-no-index.parquet"] = PagedParquet.Write(Rows, rowsPerPage: 20_000, rowGroupSize: Rows, offsetIndex: false),
            ["parquet-net.parquet"] = SampleParquet.Write(Rows, rowGroupSize: Rows),
        };
        using var hub = LocalHubServer.Start(new LocalHubOptions { RootPath = Path.Combine(root, "hub") });
        hub.Store.CreateRepo(Repo);
        var sha = hub.Store.Commit(Repo, files.ToDictionary(f => "data/" + f.Key, f => f.Value), null, "bench data");
        using var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = hub.Token });
        var io = new FileIORouter().Register("hf", new HubFileIO(client));
        hub.Latency = TimeSpan.FromMilliseconds(LatencyMs);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Row-limited reads (TableScan Limit = -First n) of one file of {Rows:N0} rows in one row group; Hub columns through the local Hub at {LatencyMs} ms/request (best of 3), allocation reading the local file."));
        output.WriteLine("| File | Columns | n | Hub requests | Bytes fetched | Time | Allocated |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (name, bytes) in files)
        {
            var local = Path.Combine(root, "files", name);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await File.WriteAllBytesAsync(local, bytes);
            var hubTable = await CreateTable(io, Path.Combine(root, "tables", name + "-hub"), bytes, new HfUri(Repo, sha, "data/" + name).ToString());
            var localTable = await CreateTable(io, Path.Combine(root, "tables", name + "-local"), bytes, LocalFileIO.ToUri(local));
            foreach (var columns in new[] { new[] { "id" }, null })
            {
                foreach (var n in new[] { 1, 10 })
                {
                    var options = new TableScanOptions { Columns = columns, Limit = n };
                    var best = TimeSpan.MaxValue;
                    long requests = 0, fetched = 0;
                    for (var i = 0; i < 3; i++)
                    {
                        hub.RequestLog.Clear();
                        var watch = Stopwatch.StartNew();
                        await Count(new TableScan(hubTable, options, io), n);
                        watch.Stop();
                        if (watch.Elapsed < best) best = watch.Elapsed;
                        var reads = hub.RequestLog.Entries.Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal)).ToList();
                        requests = reads.Count;
                        fetched = reads.Sum(e => RangeLength(e.Range, bytes.Length));
                    }
                    await Count(new TableScan(localTable, options, io), n);   // warm
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    await Count(new TableScan(localTable, options, io), n);
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} ({bytes.Length / 1024.0 / 1024.0:F1} MiB) | {(columns == null ? "all" : string.Join(", ", columns))} | {n} | {requests} | {Size(fetched)} | {best.TotalMilliseconds:N0} ms | {Size(allocated)} |"));
                }
            }
        }
    }

    private static async Task<IcebergTable> CreateTable(IFileIO io, string location, byte[] bytes, string uri)
    {
        var facts = await ParquetFileInspector.InspectAsync(new MemoryStream(bytes), uri);
        var table = await IcebergTable.CreateAsync(io, location, facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();
        return table;
    }

    private static async Task Count(TableScan scan, int expected)
    {
        var rows = 0;
        await foreach (var _ in scan.ReadAsync()) rows++;
        if (rows != expected) throw new InvalidOperationException($"read {rows} rows, expected {expected}");
    }

    private static long RangeLength(string? range, long fileLength)
    {
        if (range == null) return fileLength;
        var spec = range["bytes=".Length..].Split('-');
        if (spec[0].Length == 0) return long.Parse(spec[1], CultureInfo.InvariantCulture);
        var first = long.Parse(spec[0], CultureInfo.InvariantCulture);
        var last = spec[1].Length == 0 ? fileLength - 1 : Math.Min(fileLength - 1, long.Parse(spec[1], CultureInfo.InvariantCulture));
        return last - first + 1;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:F1} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
