using System.Diagnostics;
using System.Globalization;
using Faceberg.Core.Data;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.LocalHub;
using Faceberg.TestData;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Bench;

/// <summary>
/// Rows per second of the table reader behind Read-FacebergTable against raw Parquet.Net reads of the
/// same files: every column chunk decoded (the floor any reader pays) and ParquetSerializer
/// materialising typed objects. Files are read from local disk and, for the table reader, also
/// through the local Hub over HTTP (hf:// URIs, ranged reads).
/// </summary>
public static class ReadBenchmark
{
    private const string Repo = "bench/reads";
    private const int Files = 4;
    private const int RowsPerFile = 100_000;
    private const int Repeats = 3;
    private const int LatencyMs = 20;

    public static async Task RunAsync(TextWriter output)
    {
        using var scratch = new ScratchDirectory("read");
        await RunAsync(output, scratch.Path);
    }

    private static async Task RunAsync(TextWriter output, string root)
    {
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < Files; i++)
            files[$"data/train-{i:00000}-of-{Files:00000}.parquet"] = SampleParquet.Write(RowsPerFile, startId: (long)i * RowsPerFile);
        var localPaths = new List<string>();
        foreach (var (path, bytes) in files)
        {
            var local = Path.Combine(root, "files", path);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await File.WriteAllBytesAsync(local, bytes);
            localPaths.Add(local);
        }

        using var hub = LocalHubServer.Start(new LocalHubOptions { RootPath = Path.Combine(root, "hub") });
        hub.Store.CreateRepo(Repo);
        var sha = hub.Store.Commit(Repo, files, null, "bench data");
        using var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = hub.Token });
        var io = new FileIORouter().Register("hf", new HubFileIO(client));

        var localTable = await CreateTable(io, Path.Combine(root, "local"), files, path => LocalFileIO.ToUri(Path.Combine(root, "files", path)));
        var hubTable = await CreateTable(io, Path.Combine(root, "hub-table"), files, path => new HfUri(Repo, sha, path).ToString());
        const long total = (long)Files * RowsPerFile;
        var size = files.Values.Sum(b => (long)b.Length);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Read benchmark: {Files} files x {RowsPerFile:N0} rows ({total:N0} rows, {size / 1024.0 / 1024.0:F1} MiB), 10 columns incl. a list and a struct; best of {Repeats}."));
        output.WriteLine("| Reader | Source | Rows/s | Time | Hub requests per file |");
        output.WriteLine("|---|---|---:|---:|---:|");
        await Report(output, "Parquet.Net, every column chunk decoded (no rows)", "local files", total, () => RawColumns(localPaths));
        await Report(output, "Parquet.Net ParquetSerializer → typed objects", "local files", total, () => Serializer(localPaths));
        await Report(output, "TableScan (Read-FacebergTable's reader), all columns", "local files", total, () => Scan(localTable, null));
        await Report(output, "TableScan, 2 columns (-Property id, label)", "local files", total, () => Scan(localTable, ["id", "label"]));
        await Report(output, "TableScan, all columns", "local Hub, HTTP", total, () => Scan(hubTable, null), hub.RequestLog);
        hub.Latency = TimeSpan.FromMilliseconds(LatencyMs);
        await Report(output, "TableScan, all columns", $"local Hub, HTTP, {LatencyMs} ms/request", total, () => Scan(hubTable, null), hub.RequestLog);
        await Report(output, "TableScan, 2 columns (-Property id, label)", $"local Hub, HTTP, {LatencyMs} ms/request", total, () => Scan(hubTable, ["id", "label"]), hub.RequestLog);
    }

    private static async Task<IcebergTable> CreateTable(IFileIO io, string location, Dictionary<string, byte[]> files, Func<string, string> uriOf)
    {
        Schema? schema = null;
        var dataFiles = new List<DataFile>();
        foreach (var (path, bytes) in files)
        {
            var facts = await ParquetFileInspector.InspectAsync(new MemoryStream(bytes), uriOf(path));
            schema ??= new Schema(0, facts.Schema.Fields.Append(NestedField.Optional(facts.Schema.HighestFieldId + 1, TableScan.SplitColumn, PrimitiveType.String)));
            dataFiles.Add(facts.ToDataFile(schema, ["train"], uriOf(path)));
        }
        var table = await IcebergTable.CreateAsync(io, location, schema!, PartitionSpec.Identity(schema!, TableScan.SplitColumn));
        await table.NewAppend().AddFiles(dataFiles).CommitAsync();
        return table;
    }

    /// <param name="hubLog">For reads through the local Hub: its log, to report the file reads (ranged GETs) per data file and run.</param>
    private static async Task Report(TextWriter output, string reader, string source, long expectedRows, Func<Task<long>> run, RequestLog? hubLog = null)
    {
        var best = TimeSpan.MaxValue;
        hubLog?.Clear();
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            var rows = await run();
            watch.Stop();
            if (rows != expectedRows) throw new InvalidOperationException($"{reader} read {rows} rows, expected {expectedRows}.");
            if (watch.Elapsed < best) best = watch.Elapsed;
        }
        var requests = hubLog == null ? "–" : string.Create(CultureInfo.InvariantCulture,
            $"{hubLog.Entries.Count(e => e.Path.Contains("/resolve/", StringComparison.Ordinal)) / (double)(Files * Repeats):F1}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {reader} | {source} | {expectedRows / best.TotalSeconds:N0} | {best.TotalMilliseconds:N0} ms | {requests} |"));
    }

    private static async Task<long> RawColumns(IEnumerable<string> paths)
    {
        long rows = 0;
        foreach (var path in paths)
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            var fields = reader.Schema.GetDataFields();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                foreach (var field in fields)
                {
                    using var raw = await group.ReadRawColumnDataBaseAsync(field);
                }
                rows += group.RowCount;
            }
        }
        return rows;
    }

    private static async Task<long> Serializer(IEnumerable<string> paths)
    {
        long rows = 0;
        foreach (var path in paths)
        {
            await using var stream = File.OpenRead(path);
            rows += (await ParquetSerializer.DeserializeAsync<SampleRow>(stream)).Data.Count;
        }
        return rows;
    }

    private static async Task<long> Scan(IcebergTable table, IReadOnlyList<string>? columns)
    {
        long rows = 0;
        await foreach (var _ in new TableScan(table, new TableScanOptions { Columns = columns }).ReadAsync()) rows++;
        return rows;
    }
}
