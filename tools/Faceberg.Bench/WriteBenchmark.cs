using System.Diagnostics;
using System.Globalization;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Data;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;
using Faceberg.LocalHub;
using Faceberg.TestData;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Bench;

/// <summary>
/// Rows per second of <see cref="TableWriter"/>, the writer behind Write-FacebergTable (validation and
/// coercion of dictionary rows, Parquet, one Hub commit over HTTP to the local Hub, one append
/// snapshot), next to Parquet.Net's ParquetSerializer writing the same rows as typed objects with the
/// same codec, alternating runs so load on the machine hits both alike.
/// </summary>
public static class WriteBenchmark
{
    private const string Repo = "bench/writes";
    public const string Command = "write";

    public static async Task<int> RunAsync(BenchArgs args, TextWriter output)
    {
        var rows = args.Int("rows", 200_000);
        var repeats = args.Int("repeats", 5);
        var codecs = (args.String("codecs") ?? "snappy,zstd-optimal,zstd-smallest").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseCodec).ToList();
        args.RejectUnknown();
        using var scratch = new ScratchDirectory("write");
        await RunAsync(output, scratch.Path, rows, repeats, codecs);
        return 0;
    }

    private static ParquetCompression ParseCodec(string text) => text.ToLowerInvariant() switch
    {
        "snappy" => ParquetCompression.Default,
        "none" => new ParquetCompression(ParquetCodec.None),
        "zstd-fastest" => new ParquetCompression(ParquetCodec.Zstd, ParquetCompressionLevel.Fastest),
        "zstd-optimal" => new ParquetCompression(ParquetCodec.Zstd, ParquetCompressionLevel.Optimal),
        "zstd-smallest" => new ParquetCompression(ParquetCodec.Zstd, ParquetCompressionLevel.SmallestSize),
        _ => throw new BenchArgumentException($"--codecs takes snappy, none, zstd-fastest, zstd-optimal, zstd-smallest; got '{text}'."),
    };

    private static async Task RunAsync(TextWriter output, string root, int rowCount, int repeats, IReadOnlyList<ParquetCompression> codecs)
    {
        using var hub = LocalHubServer.Start(new LocalHubOptions { RootPath = Path.Combine(root, "hub") });
        BenchmarkDatasets.Create(hub.Store, Repo, fileCount: 1, rowsPerFile: 1000);
        using var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = hub.Token });
        var catalogDirectory = Path.Combine(root, "catalog");
        JsonCatalog.Create(catalogDirectory);
        var catalog = CatalogContext.FromDirectory(catalogDirectory);
        var created = (await new DatasetTables(client).CreateAsync(catalog, new DatasetConfig { Name = "bench", Repo = Repo })).Single();
        if (created.Error is not null) throw created.Error;
        var table = created.Identifier!;

        var typed = SampleParquet.Rows(rowCount, startId: 1_000_000);
        var rows = typed.Select(ToDictionary).ToList();
        var writer = new TableWriter(client);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Write benchmark: {rowCount:N0} rows, 10 columns incl. a list and a struct; median of {repeats} alternating runs."));
        output.WriteLine("| Codec | Writer | Rows/s | Time | Bytes | Faceberg ÷ serializer |");
        output.WriteLine("|---|---|---:|---:|---:|---:|");
        var phaseLines = new List<string>();
        foreach (var compression in codecs)
        {
            var parquetOptions = new ParquetOptions { CompressionMethod = compression.Codec switch
            {
                ParquetCodec.Zstd => CompressionMethod.Zstd, ParquetCodec.Gzip => CompressionMethod.Gzip,
                ParquetCodec.Brotli => CompressionMethod.Brotli, ParquetCodec.None => CompressionMethod.None, _ => CompressionMethod.Snappy,
            }, CompressionLevel = compression.Level switch
            {
                ParquetCompressionLevel.Fastest => System.IO.Compression.CompressionLevel.Fastest,
                ParquetCompressionLevel.SmallestSize => System.IO.Compression.CompressionLevel.SmallestSize,
                _ => System.IO.Compression.CompressionLevel.Optimal,
            } };
            var serializer = new List<(TimeSpan Time, long Bytes)>();
            var faceberg = new List<(TimeSpan Time, long Bytes)>();
            var phases = new List<IReadOnlyList<(string Phase, TimeSpan Time)>>();
            for (var i = 0; i < repeats; i++)
            {
                serializer.Add(await Time(async () =>
                {
                    using var stream = new MemoryStream();
                    await ParquetSerializer.SerializeAsync(typed, stream, parquetOptions);
                    return stream.Length;
                }));
                var clock = new PhaseClock();
                faceberg.Add(await Time(async () =>
                    (await writer.WriteAsync(catalog, table, "train", rows, new TableWriteOptions { Compression = compression, Progress = clock })).Bytes));
                phases.Add(clock.Phases());
            }
            var codec = $"{compression.Codec} {compression.Level}";
            var serializerMedian = Median(serializer);
            var facebergMedian = Median(faceberg);
            Row(output, rowCount, codec, "Parquet.Net ParquetSerializer, typed objects → memory", serializerMedian, "");
            Row(output, rowCount, codec, "TableWriter (Write-FacebergTable): validate, Parquet, Hub commit over HTTP, snapshot", facebergMedian,
                (serializerMedian.Time.TotalSeconds / facebergMedian.Time.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture));
            phaseLines.Add(codec + ": " + string.Join(", ", phases[0].Select((p, k) => string.Create(CultureInfo.InvariantCulture,
                $"{p.Phase} {phases.Select(run => run[k].Time.TotalMilliseconds).Order().ElementAt(phases.Count / 2):N0} ms"))));
        }
        output.WriteLine();
        output.WriteLine("TableWriter phases (medians; load = catalog and table metadata until the first row is checked):");
        foreach (var line in phaseLines) output.WriteLine("- " + line);
    }

    /// <summary>Times the writer's phases from its progress reports, which it makes synchronously on its own thread.</summary>
    private sealed class PhaseClock : IProgress<WorkProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly List<(string Phase, TimeSpan Start)> _starts = [("load", TimeSpan.Zero)];

        public void Report(WorkProgress value)
        {
            var phase = value.Activity.StartsWith("Uploading", StringComparison.Ordinal) ? "upload, commit, snapshot" : value.Activity;
            if (_starts[^1].Phase != phase) _starts.Add((phase, _watch.Elapsed));
        }

        public IReadOnlyList<(string Phase, TimeSpan Time)> Phases()
        {
            var end = _watch.Elapsed;
            return _starts.Select((s, i) => (s.Phase, (i + 1 < _starts.Count ? _starts[i + 1].Start : end) - s.Start)).ToList();
        }
    }

    private static IReadOnlyDictionary<string, object?> ToDictionary(SampleRow r) => new Dictionary<string, object?>
    {
        ["id"] = r.Id, ["count"] = r.Count, ["text"] = r.Text, ["score"] = r.Score, ["weight"] = r.Weight, ["flag"] = r.Flag,
        ["label"] = r.Label, ["comment"] = r.Comment, ["tags"] = r.Tags,
        ["meta"] = new Dictionary<string, object?> { ["source"] = r.Meta.Source, ["year"] = r.Meta.Year },
    };

    private static async Task<(TimeSpan Time, long Bytes)> Time(Func<Task<long>> run)
    {
        var watch = Stopwatch.StartNew();
        var bytes = await run();
        return (watch.Elapsed, bytes);
    }

    private static (TimeSpan Time, long Bytes) Median(List<(TimeSpan Time, long Bytes)> runs) =>
        runs.OrderBy(r => r.Time).ElementAt(runs.Count / 2);

    private static void Row(TextWriter output, int rowCount, string codec, string writer, (TimeSpan Time, long Bytes) run, string ratio) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {codec} | {writer} | {rowCount / run.Time.TotalSeconds:N0} | {run.Time.TotalMilliseconds:N0} ms | {run.Bytes / 1024.0 / 1024.0:F1} MiB | {ratio} |"));
}
