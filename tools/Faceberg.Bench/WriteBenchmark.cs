using System.Diagnostics;
using System.Globalization;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;
using Faceberg.LocalHub;
using Faceberg.TestData;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Bench;

/// <summary>
/// Rows per second of <see cref="TableWriter"/>, the writer behind Write-FacebergTable (validation and
/// coercion of dictionary rows, zstd Parquet, one Hub commit over HTTP to the local Hub, one append
/// snapshot), next to Parquet.Net's ParquetSerializer writing the same rows as typed objects with zstd.
/// </summary>
public static class WriteBenchmark
{
    private const string Repo = "bench/writes";
    private const int Rows = 200_000;
    private const int Repeats = 3;

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
            $"Write benchmark: {Rows:N0} rows, 10 columns incl. a list and a struct, zstd; best of {Repeats}."));
        output.WriteLine("| Writer | Rows/s | Time | Bytes |");
        output.WriteLine("|---|---:|---:|---:|");
        await Report(output, "Parquet.Net ParquetSerializer, typed objects → memory", async () =>
        {
            using var stream = new MemoryStream();
            await ParquetSerializer.SerializeAsync(typed, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Zstd });
            return stream.Length;
        });
        await Report(output, "TableWriter (Write-FacebergTable): validate, Parquet, Hub commit over HTTP, snapshot", async () =>
        {
            var result = await writer.WriteAsync(catalog, table, "train", rows);
            return result.Bytes;
        });
    }

    private static IReadOnlyDictionary<string, object?> ToDictionary(SampleRow r) => new Dictionary<string, object?>
    {
        ["id"] = r.Id, ["count"] = r.Count, ["text"] = r.Text, ["score"] = r.Score, ["weight"] = r.Weight, ["flag"] = r.Flag,
        ["label"] = r.Label, ["comment"] = r.Comment, ["tags"] = r.Tags,
        ["meta"] = new Dictionary<string, object?> { ["source"] = r.Meta.Source, ["year"] = r.Meta.Year },
    };

    private static async Task Report(TextWriter output, string writer, Func<Task<long>> run)
    {
        var best = TimeSpan.MaxValue;
        long bytes = 0;
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            bytes = await run();
            watch.Stop();
            if (watch.Elapsed < best) best = watch.Elapsed;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {writer} | {Rows / best.TotalSeconds:N0} | {best.TotalMilliseconds:N0} ms | {bytes / 1024.0 / 1024.0:F1} MiB |"));
    }
}
