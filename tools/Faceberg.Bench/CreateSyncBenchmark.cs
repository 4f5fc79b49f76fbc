using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Bench;

/// <summary>
/// New-FacebergTable and Sync-FacebergTable over generated datasets on the local Hub with injected
/// latency. This process runs the Hub (and counts its requests); each measured step runs in a fresh
/// client process (<see cref="ClientPhase"/>) pointed at it through HF_ENDPOINT, so the client's peak
/// memory is its own and not the Hub's or the data generator's.
/// </summary>
public static class CreateSyncBenchmark
{
    private const string DatasetName = "bench";

    // Targets from issue 5.
    private const double MaxRequestsPerFile = 1.1;
    private const double MaxWallOverBound = 2.0;

    private const string WarmupRepo = "bench/warmup";

    private sealed record Settings(IReadOnlyList<int> Sizes, TimeSpan Latency, int Concurrency, double AddedPercent, int Rows, int WarmupFiles, bool Trace,
        bool Cdn = false, TimeSpan CdnLatency = default, int DistinctFiles = 10000, int Syncs = 1)
    {
        /// <summary>The warm-up dataset's first commit, where each client creates its warm-up table before syncing it to main.</summary>
        public string? WarmupRevision { get; init; }

        /// <summary>What one file read costs: the Hub's answer, plus with --cdn the CDN's after the Hub's redirect.</summary>
        public double ReadSeconds => Latency.TotalSeconds + (Cdn ? CdnLatency.TotalSeconds : 0);
    }

    /// <param name="HubCpuSeconds">CPU time this process (the local Hub) used while the client ran.</param>
    private sealed record Scenario(int Size, string Name, int ChangedFiles, RequestBreakdown Requests, Timeline Timeline, PhaseResult Client, double LowerBoundSeconds,
        double HubCpuSeconds);

    /// <summary>
    /// Where the wall time of a step went, from the Hub's request log: before the first file read (info,
    /// listings, loading the table), the file reads, and after the last read (manifests, metadata, catalog).
    /// </summary>
    /// <param name="ReadsInFlight">Average requests in flight during the reads: reads × latency ÷ read time.</param>
    private sealed record Timeline(double BeforeReads, double Reads, double AfterReads, double ReadsInFlight)
    {
        public static Timeline Of(IReadOnlyList<LoggedRequest> entries, PhaseResult client, TimeSpan latency, TimeSpan cdnLatency)
        {
            // A file read is the Hub's answer (/resolve/) and, when the Hub redirects, the CDN's (/cdn/).
            static bool IsCdn(LoggedRequest e) => e.Path.StartsWith("/cdn/", StringComparison.Ordinal);
            var reads = entries.Where(e => IsCdn(e) || e.Path.Contains("/resolve/", StringComparison.Ordinal)).OrderBy(e => e.Timestamp).ToList();
            if (reads.Count == 0)
                return new Timeline(client.WallSeconds, 0, 0, 0);
            var first = reads[0].Timestamp;
            // Logged on arrival; the answer leaves after the injected latency.
            var last = reads.Max(e => e.Timestamp + (IsCdn(e) ? cdnLatency : latency));
            var span = (last - first).TotalSeconds;
            var busy = reads.Sum(e => (IsCdn(e) ? cdnLatency : latency).TotalSeconds);
            return new Timeline((first - client.StartedAt).TotalSeconds, span, Math.Max(0, (client.EndedAt - last).TotalSeconds),
                span > 0 ? busy / span : 0);
        }
    }

    public static async Task<int> RunAsync(BenchArgs args, TextWriter output)
    {
        var settings = new Settings(
            args.IntList("files", [1000, 10000]),
            TimeSpan.FromMilliseconds(args.Double("latency-ms", 20)),
            args.Int("concurrency", DatasetTables.DefaultThrottleLimit),
            args.Double("added-percent", 1, min: 0.0001),
            args.Int("rows", 20),
            args.Int("warmup-files", 32, min: 0),
            args.String("trace") is "yes" or "true" or "1");
        var cdn = args.String("cdn") is "yes" or "true" or "1";
        settings = settings with
        {
            Cdn = cdn,
            CdnLatency = TimeSpan.FromMilliseconds(args.Double("cdn-latency-ms", 20)),
            DistinctFiles = args.Int("distinct-files", 10000),
            Syncs = args.Int("syncs", 1, min: 1),
        };
        args.RejectUnknown();

        var scenarios = new List<Scenario>();
        foreach (var size in settings.Sizes)
            scenarios.AddRange(await RunSizeAsync(size, settings).ConfigureAwait(false));
        Report(output, settings, scenarios);
        return scenarios.Any(s => s.Client.Error is not null) ? 1 : 0;
    }

    private static async Task<IReadOnlyList<Scenario>> RunSizeAsync(int size, Settings settings)
    {
        using var scratch = new ScratchDirectory($"files-{size}");
        var root = scratch.Path;
        using var server = LocalHubServer.Start(new LocalHubOptions { RootPath = Path.Combine(root, "hub"), Port = 0, RedirectLfsToCdn = settings.Cdn });
        var repo = $"bench/files-{size}";
        Progress($"{size} files: generating the dataset");
        var watch = Stopwatch.StartNew();
        BenchmarkDatasets.Create(server.Store, repo, size, settings.Rows, settings.DistinctFiles);
        Progress($"{size} files: generated in {watch.Elapsed.TotalSeconds:F1} s");
        if (settings.WarmupFiles > 0)
        {
            // Two commits, so each client's warm-up creates its table at the first and syncs one added file.
            var warmupFirst = BenchmarkDatasets.Create(server.Store, WarmupRepo, settings.WarmupFiles, settings.Rows);
            AddFiles(server, WarmupRepo, settings.WarmupFiles, 1, settings.Rows);
            settings = settings with { WarmupRevision = warmupFirst };
        }

        var configPath = WriteConfig(root, repo);
        // As New-FacebergCatalog: the catalog exists before New-FacebergTable runs.
        await CatalogContext.FromConfig(FacebergConfigLoader.Load(configPath), configPath).CreateCatalogAsync();

        var scenarios = new List<Scenario>();
        var create = await MeasureAsync(server, settings, repo, "create", configPath).ConfigureAwait(false);
        scenarios.Add(new Scenario(size, "create", size, create.Requests, create.Timeline, create.Client, LowerBound(size, settings), create.HubCpuSeconds));
        if (create.Client.Error is not null)
            return scenarios;

        var added = Math.Max(1, (int)Math.Round(size * settings.AddedPercent / 100));
        // Each repetition is a new commit adding as many files again, synced by a fresh client.
        for (var round = 0; round < settings.Syncs; round++)
        {
            AddFiles(server, repo, size + round * added, added, settings.Rows);
            var sync = await MeasureAsync(server, settings, repo, "sync", configPath).ConfigureAwait(false);
            var name = settings.Syncs == 1 ? $"sync +{added} files" : $"sync +{added} files ({round + 1}/{settings.Syncs})";
            scenarios.Add(new Scenario(size, name, added, sync.Requests, sync.Timeline, sync.Client, LowerBound(added, settings), sync.HubCpuSeconds));
            if (sync.Client.Error is not null)
                return scenarios;
        }

        var noop = await MeasureAsync(server, settings, repo, "sync", configPath).ConfigureAwait(false);
        // Nothing to read: the floor is the one request that finds the ref unchanged.
        scenarios.Add(new Scenario(size, "sync, no change", 0, noop.Requests, noop.Timeline, noop.Client, settings.Latency.TotalSeconds, noop.HubCpuSeconds));
        return scenarios;
    }

    /// <summary>The lower bound: every file costs one read (with --cdn: the Hub's redirect, then the CDN's answer), <c>concurrency</c> at a time.</summary>
    private static double LowerBound(int files, Settings settings) => files * settings.ReadSeconds / settings.Concurrency;

    private static string WriteConfig(string root, string repo)
    {
        var project = Path.Combine(root, "project");
        Directory.CreateDirectory(project);
        var path = Path.Combine(project, FacebergConfig.DefaultFileName);
        File.WriteAllText(path, $"""
            catalog:
              name: bench
              location: .faceberg/
            datasets:
              - name: {DatasetName}
                repo: {repo}
            """);
        return path;
    }

    /// <summary>One commit adding <paramref name="count"/> files named like the existing ones (same split, same schema).</summary>
    private static void AddFiles(LocalHubServer server, string repo, int existing, int count, int rows)
    {
        var builder = new HubDatasetBuilder(server.Store, repo);
        // The Hub's shard pattern has five digits before "-of-": past 99,999 the index moves behind the shard count.
        for (var i = existing; i < existing + count; i++)
            builder.Parquet(i < 100_000 ? $"data/train-{i:00000}-of-{existing:00000}.parquet" : $"data/train-{i % 100_000:00000}-of-{existing:00000}-{i / 100_000}.parquet", rows);
        builder.Commit($"Add {count} files");
    }

    private static async Task<(RequestBreakdown Requests, Timeline Timeline, PhaseResult Client, double HubCpuSeconds)> MeasureAsync(
        LocalHubServer server, Settings settings, string repo, string phase, string configPath)
    {
        server.Latency = settings.Latency;
        server.CdnLatency = settings.CdnLatency;
        server.RequestLog.Clear();
        using var self = Process.GetCurrentProcess();
        var hubCpuBefore = self.TotalProcessorTime;
        var client = await RunClientAsync(server.Endpoint, phase, configPath, settings).ConfigureAwait(false);
        self.Refresh();
        var hubCpu = (self.TotalProcessorTime - hubCpuBefore).TotalSeconds;
        // The warm-up's requests name its own repo.
        var entries = server.RequestLog.Entries.Where(e => e.Path.Contains($"/{repo}/", StringComparison.Ordinal) || e.Path.EndsWith($"/{repo}", StringComparison.Ordinal)).ToList();
        var requests = RequestBreakdown.Of(entries);
        var timeline = Timeline.Of(entries, client, settings.Latency, settings.Cdn ? settings.CdnLatency : settings.Latency);
        if (settings.Trace)
            Trace(entries, client);
        server.Latency = TimeSpan.Zero;
        server.CdnLatency = TimeSpan.Zero;
        Progress($"  {phase}: {client.Status}, {client.WallSeconds:F2} s (CPU: client {client.CpuSeconds:F2} s, Hub {hubCpu:F2} s), {requests.Total} requests ({requests})"
                 + (client.Error is null ? "" : $" — {client.Error}"));
        return (requests, timeline, client, hubCpu);
    }

    private static async Task<PhaseResult> RunClientAsync(string endpoint, string phase, string configPath, Settings settings)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet Faceberg.Bench.dll` the process is the dotnet host; otherwise it is the app itself.
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(CreateSyncBenchmark).Assembly.Location);
        foreach (var argument in new[] { ClientPhase.Command, "--phase", phase, "--config", configPath,
                     "--concurrency", settings.Concurrency.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        if (settings.WarmupFiles > 0)
        {
            start.ArgumentList.Add("--warmup-repo");
            start.ArgumentList.Add(WarmupRepo);
            if (settings.WarmupRevision is { } revision)
            {
                start.ArgumentList.Add("--warmup-revision");
                start.ArgumentList.Add(revision);
            }
        }
        start.Environment["HF_ENDPOINT"] = endpoint;
        // The garbage collector pwsh runs with (its runtimeconfig sets none, so .NET's default): workstation, concurrent.
        // Pinned here so an inherited DOTNET_gcServer cannot make the memory columns describe another collector.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
        var stdout = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (line is null ? null : JsonSerializer.Deserialize<PhaseResult>(line))
               ?? throw new InvalidOperationException($"The {phase} client exited with {process.ExitCode} without a result.");
    }

    private static void Progress(string message) => Console.Error.WriteLine(message);

    /// <summary>Every API request of a step with its arrival time after the call started; file reads as one line.</summary>
    private static void Trace(IReadOnlyList<LoggedRequest> entries, PhaseResult client)
    {
        string At(LoggedRequest e) => ((e.Timestamp - client.StartedAt).TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture).PadLeft(7) + " ms";
        var reads = entries.Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal)).OrderBy(e => e.Timestamp).ToList();
        foreach (var entry in entries.Except(reads).OrderBy(e => e.Timestamp))
            Progress($"    {At(entry)} {entry.Status} {entry.Method} {entry.PathAndQuery}");
        if (reads.Count > 0)
            Progress($"    {At(reads[0])} … {At(reads[^1])}: {reads.Count} file reads");
        Progress($"    {((client.EndedAt - client.StartedAt).TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture).PadLeft(7)} ms end");
    }

    private static void Report(TextWriter output, Settings settings, IReadOnlyList<Scenario> scenarios)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"Faceberg create/sync benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}"));
        var warmup = settings.WarmupFiles > 0 ? $"each client warmed up first: it creates a table of a {settings.WarmupFiles}-file dataset and syncs it with one file added" : "cold clients (no warm-up)";
        output.WriteLine(string.Create(inv,
            $"Local Hub latency {settings.Latency.TotalMilliseconds:0.##} ms per request{(settings.Cdn ? $", LFS reads redirected to a CDN answering after {settings.CdnLatency.TotalMilliseconds:0.##} ms" : "")}, concurrency (ThrottleLimit) {settings.Concurrency}, {settings.Rows} rows per file, tree pages of 1000 entries, {warmup}."));
        output.WriteLine();
        output.WriteLine("| Files | Scenario | Hub requests | Requests / file | By kind | Wall (s) | Lower bound (s) | Wall ÷ bound | Latency floor (s) | Wall ÷ floor | Peak WS (MB) | Peak heap (MB) | Retained / file (KB) | Allocated (MB) | Targets |");
        output.WriteLine("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in scenarios)
        {
            var perFile = s.ChangedFiles > 0 ? ((double)s.Requests.Total / s.ChangedFiles).ToString("0.000", inv) : "–";
            var ratio = s.Client.WallSeconds / s.LowerBoundSeconds;
            var floor = LatencyFloor(s.Requests, settings);
            output.WriteLine(string.Create(inv,
                $"| {s.Size:N0} | {s.Name} | {s.Requests.Total:N0} | {perFile} | {s.Requests} | {s.Client.WallSeconds:0.00} | {s.LowerBoundSeconds:0.000} | {ratio:0.0}× | {floor:0.00} | {s.Client.WallSeconds / floor:0.0}× | {PeakWorkingSet(s.Client)} | {PeakHeap(s.Client)} | {RetainedPerFile(s)} | {Mb(s.Client.AllocatedBytes)} | {Verdict(s, floor)} |"));
        }
        output.WriteLine();
        output.WriteLine("Where the wall time went (from the Hub's request log):");
        output.WriteLine();
        output.WriteLine("| Files | Scenario | Before first read (s) | Reads (s) | Reads in flight (avg) | After last read (s) | Client CPU (s) | Local Hub CPU (s) |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in scenarios)
            output.WriteLine(string.Create(inv,
                $"| {s.Size:N0} | {s.Name} | {s.Timeline.BeforeReads:0.00} | {s.Timeline.Reads:0.00} | {s.Timeline.ReadsInFlight:0.0} | {s.Timeline.AfterReads:0.00} | {s.Client.CpuSeconds:0.00} | {s.HubCpuSeconds:0.00} |"));
        output.WriteLine();
        output.WriteLine("Requests / file: Hub requests ÷ files created or changed. Lower bound: files × latency ÷ concurrency (one request for the no-op sync).");
        output.WriteLine("Latency floor: the wall time the request pattern needs at this latency with no CPU cost — info and tree pages one after another, file reads `concurrency` at a time. A create's wall target is against the lower bound, a sync's against the latency floor (its info and tree pages must come one after another).");
        output.WriteLine("Client CPU: CPU time of the client process during the call (all threads). Local Hub CPU: CPU time of this process (the local Hub and the benchmark) meanwhile; on 2 cores both compete with each other for the wall time, while the real Hub's CPU is not the client's.");
        output.WriteLine("Peak WS: the client process's peak working set (a fresh process per step; start = after startup, warm-up and a full GC; reads = the peak once every footer is read, before the table is built). Peak heap: largest managed heap sampled every 50 ms, garbage included (create: during the footer reads and during building and committing the table).");
        output.WriteLine($"Clients run {scenarios.FirstOrDefault()?.Client.GcMode ?? "workstation concurrent"} GC, as pwsh does.");
        output.WriteLine("Retained / file: managed heap after a forced full GC once every footer is read, just before the table is built and committed, minus the heap before the call, ÷ files (the GC's pause is left out of the wall time).");
        foreach (var failed in scenarios.Where(s => s.Client.Error is not null))
            output.WriteLine($"Failed: {failed.Size} files, {failed.Name}: {failed.Client.Error}");
    }

    /// <summary>Info and listing pages follow one another (each page's cursor comes from the last); reads overlap.</summary>
    private static double LatencyFloor(RequestBreakdown requests, Settings settings) =>
        (requests.Info + requests.Tree + requests.Other + Math.Ceiling((double)requests.Resolve / settings.Concurrency)) * settings.Latency.TotalSeconds
        + (settings.Cdn ? Math.Ceiling((double)requests.Cdn / settings.Concurrency) * settings.CdnLatency.TotalSeconds : 0);

    private static string PeakWorkingSet(PhaseResult c) => c.PeakWorkingSetReadsBytes is long reads
        ? $"{Mb(c.PeakWorkingSetBytes)} (start {Mb(c.StartWorkingSetBytes)}, reads {Mb(reads)})"
        : $"{Mb(c.PeakWorkingSetBytes)} (start {Mb(c.StartWorkingSetBytes)})";

    private static string PeakHeap(PhaseResult c) => c.PeakManagedReadsBytes is long reads && c.PeakManagedCommitBytes is long commit
        ? $"{Mb(c.PeakManagedBytes)} (reads {Mb(reads)}, commit {Mb(commit)})"
        : Mb(c.PeakManagedBytes);

    private static string RetainedPerFile(Scenario s) => s.Client.RetainedBeforeCommitBytes is long bytes && s.ChangedFiles > 0
        ? (bytes / 1024.0 / s.ChangedFiles).ToString("0.00", CultureInfo.InvariantCulture)
        : "–";

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>The issue's targets, each marked met (✓) or missed (✗).</summary>
    private static string Verdict(Scenario s, double latencyFloor)
    {
        if (s.Client.Error is not null) return "failed";
        var checks = new List<string>();
        var wall = s.Client.WallSeconds <= MaxWallOverBound * (s.Name == "create" ? s.LowerBoundSeconds : latencyFloor);
        if (s.ChangedFiles == 0)
        {
            checks.Add($"1 request {Mark(s.Requests.Total == 1)}");
        }
        else
        {
            // Only file reads must scale with the change; listing and info requests are per revision.
            // The CDN's answers to redirected reads are not Hub requests: with --cdn each read costs one of each.
            var hubRequests = s.Requests.Total - s.Requests.Cdn;
            checks.Add(s.Name == "create"
                ? $"≤ {MaxRequestsPerFile} Hub req/file {Mark(hubRequests <= MaxRequestsPerFile * s.ChangedFiles)}"
                : $"reads = changed files {Mark(s.Requests.Resolve <= MaxRequestsPerFile * s.ChangedFiles)}");
            checks.Add(s.Name == "create" ? $"wall ≤ {MaxWallOverBound}× bound {Mark(wall)}" : $"wall ≤ {MaxWallOverBound}× floor {Mark(wall)}");
        }
        return string.Join(", ", checks);
    }

    private static string Mark(bool met) => met ? "✓" : "✗";
}
