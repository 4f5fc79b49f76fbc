namespace Faceberg.Bench;

/// <summary>
/// Benchmarks against the local Hub with injected latency (docs/benchmarks.md).
/// <code>
/// dotnet run -c Release --project tools/Faceberg.Bench -- create-sync --files 1000,10000 --latency-ms 20 --concurrency 16
/// dotnet run -c Release --project tools/Faceberg.Bench -- create-sync --files 1000 --latency-ms 60 --cdn yes --cdn-latency-ms 20
/// dotnet run -c Release --project tools/Faceberg.Bench -- read
/// dotnet run -c Release --project tools/Faceberg.Bench -- write
/// dotnet run -c Release --project tools/Faceberg.Bench -- first
/// dotnet run -c Release --project tools/Faceberg.Bench -- manifest --files 1000,10000
/// dotnet run -c Release --project tools/Faceberg.Bench -- growth --files 10000 --syncs 1,10,100,1000
/// </code>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length == 0 ? "help" : args[0];
        var rest = args.Skip(1).ToArray();
        try
        {
            switch (command)
            {
                case "create-sync":
                    return await CreateSyncBenchmark.RunAsync(BenchArgs.Parse(rest), Console.Out).ConfigureAwait(false);
                case ClientPhase.Command:
                    return await ClientPhase.RunAsync(BenchArgs.Parse(rest), Console.Out).ConfigureAwait(false);
                case GrowthBenchmark.Command:
                    return await GrowthBenchmark.RunAsync(BenchArgs.Parse(rest), Console.Out).ConfigureAwait(false);
                case ManifestBenchmark.Command:
                    return ManifestBenchmark.Run(BenchArgs.Parse(rest), Console.Out);
                case "read":
                    await ReadBenchmark.RunAsync(Console.Out).ConfigureAwait(false);
                    return 0;
                case FirstRowsBenchmark.Command:
                    await FirstRowsBenchmark.RunAsync(Console.Out).ConfigureAwait(false);
                    return 0;
                case WriteBenchmark.Command:
                    return await WriteBenchmark.RunAsync(BenchArgs.Parse(rest), Console.Out).ConfigureAwait(false);
                case "help" or "--help" or "-h":
                    Usage(Console.Out);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown command '{command}'.");
                    Usage(Console.Error);
                    return 2;
            }
        }
        catch (BenchArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Usage(Console.Error);
            return 2;
        }
    }

    private static void Usage(TextWriter output)
    {
        output.WriteLine("Usage: Faceberg.Bench <command> [options]");
        output.WriteLine();
        output.WriteLine("  create-sync  New-/Sync-FacebergTable's Core service over generated datasets on the local Hub:");
        output.WriteLine("               create, incremental sync after adding files, no-op sync. Prints a markdown table.");
        output.WriteLine("      --files 1000,10000   dataset sizes (data files), each measured in fresh client processes");
        output.WriteLine("      --latency-ms 20      delay the local Hub adds before answering each request");
        output.WriteLine("      --concurrency 16     ThrottleLimit of the service (footers read at once)");
        output.WriteLine("      --added-percent 1    files added by the commit the incremental sync picks up");
        output.WriteLine("      --rows 20            rows per generated Parquet file");
        output.WriteLine("      --warmup-files 32    dataset each client creates, then syncs with one file added, before it is measured (0: cold)");
        output.WriteLine("      --trace no           yes: print each step's API requests on a timeline");
        output.WriteLine("      --cdn no             yes: the Hub answers LFS reads with a 302 to a CDN listener, as huggingface.co does");
        output.WriteLine("      --cdn-latency-ms 20  delay the CDN listener adds before answering each request (with --cdn)");
        output.WriteLine("  manifest     Encode and decode a manifest of --files entries (one per data file), single-threaded");
        output.WriteLine("  growth       Repeated one-file syncs of a table: manifests per read, bytes per sync, metadata folder,");
        output.WriteLine("               load + plan time; bounded growth off (before) and on (after), then Optimize");
        output.WriteLine("      --files 10000        data files of the table");
        output.WriteLine("      --syncs 1,10,100,1000  sync counts measured");
        output.WriteLine("      --retain-last 5      snapshots Optimize keeps");
        output.WriteLine("  read         Read-FacebergTable's reader against raw Parquet.Net reads of the same files");
        output.WriteLine("  first        Row-limited reads (-First 1 and 10) of one large file with and without a page index:");
        output.WriteLine("               Hub requests, bytes fetched, time and bytes allocated");
        output.WriteLine("  write        Write-FacebergTable's writer against Parquet.Net's serializer on the same rows");
        output.WriteLine("      --rows 200000        rows per write");
        output.WriteLine("      --repeats 5          alternating runs per codec (medians compared)");
        output.WriteLine("      --codecs snappy,zstd-optimal,zstd-smallest  also: none, zstd-fastest");
    }
}
