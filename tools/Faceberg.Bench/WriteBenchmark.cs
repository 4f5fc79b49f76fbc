using System.Diagnostics;
using System.Globalization;
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
    private const int Rows = 200_000;
    private const int Repeats = 5;

    public static async Task RunAsync(TextWriter output)
    {
        using var scratch = new ScratchDirectory("write");
        await RunAsync(output, scratch.Path);
    }

    private static async Task RunAsync(TextWriter output, string root)
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

        var typed = SampleParquet.Rows(Rows, startId: 1_000_000);
        var rows = typed.Select(ToDictionary).ToList();
        var writer = new TableWriter(client);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Write benchmark: {Rows:N0} rows, 10 columns incl. a list and a struct; median of {Repeats} alternating runs."));
        output.WriteLine("| Codec | Writer | Rows/s | Time | Bytes | Faceberg ÷ serializer |");
        output.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var compression in new[] { ParquetCompression.Default, new ParquetCompression(ParquetCodec.Zstd, ParquetCompressionLevel.Optimal), new ParquetCompression(ParquetCodec.Zstd, ParquetCompressionLevel.SmallestSize) })
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
            for (var i = 0; i < Repeats; i++)
            {
                serializer.Add(await Time(async () =>
                {
                    using var stream = new MemoryStream();
                    await ParquetSerializer.SerializeAsync(typed, stream, parquetOptions);
                    return stream.Length;
                }));
                faceberg.Add(await Time(async () =>
                    (await writer.WriteAsync(catalog, table, "train", rows, new TableWriteOptions { Compression = compression })).Bytes));
            }
            var codec = $"{compression.Codec} {compression.Level}";
            var serializerMedian = Median(serializer);
            var facebergMedian = Median(faceberg);
            Row(output, codec, "Parquet.Net ParquetSerializer, typed objects → memory", serializerMedian, "");
            Row(output, codec, "TableWriter (Write-FacebergTable): validate, Parquet, Hub commit over HTTP, snapshot", facebergMedian,
                (serializerMedian.Time.TotalSeconds / facebergMedian.Time.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture));
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

    private static void Row(TextWriter output, string codec, string writer, (TimeSpan Time, long Bytes) run, string ratio) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {codec} | {writer} | {Rows / run.Time.TotalSeconds:N0} | {run.Time.TotalMilliseconds:N0} ms | {run.Bytes / 1024.0 / 1024.0:F1} MiB | {ratio} |"));
}
