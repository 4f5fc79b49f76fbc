using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;

namespace Faceberg.Bench;

/// <summary>What one client process measured around one service call.</summary>
public sealed record PhaseResult
{
    public required string Phase { get; init; }
    public required double WallSeconds { get; init; }
    /// <summary>CPU time the client process used during the call (all its threads).</summary>
    public double CpuSeconds { get; init; }
    /// <summary>When the measured call started and ended (UTC, same clock as the Hub's request log).</summary>
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    /// <summary>Working set after startup and a full GC, before the call.</summary>
    public required long StartWorkingSetBytes { get; init; }
    /// <summary>The process's peak working set (startup included; it is a fresh process).</summary>
    public required long PeakWorkingSetBytes { get; init; }
    public required long AllocatedBytes { get; init; }
    /// <summary>Largest managed heap seen by a 50 ms sampler during the call (live and not yet collected objects).</summary>
    public required long PeakManagedBytes { get; init; }
    /// <summary>Create only: the largest managed heap sampled while footers were read, before the table is built.</summary>
    public long? PeakManagedReadsBytes { get; init; }
    /// <summary>Create only: the largest managed heap sampled while the table was built and committed.</summary>
    public long? PeakManagedCommitBytes { get; init; }
    /// <summary>The client's garbage collector: "workstation concurrent" as in pwsh, or what the environment chose.</summary>
    public string GcMode { get; init; } = "";
    public required int Gen2Collections { get; init; }
    /// <summary>
    /// Create only: managed bytes still reachable once every footer is read, just before the table is built and
    /// committed (after a forced full GC), minus the same before the call: what the creation keeps per file.
    /// </summary>
    public long? RetainedBeforeCommitBytes { get; init; }
    /// <summary>Time spent in that forced GC; left out of <see cref="WallSeconds"/>.</summary>
    public double RetainedProbeSeconds { get; init; }
    /// <summary>Create only: the process's peak working set when every footer was read, before the table is built.</summary>
    public long? PeakWorkingSetReadsBytes { get; init; }
    public required int Tables { get; init; }
    /// <summary>Data files registered by create, or added + removed + replaced by sync.</summary>
    public required int Files { get; init; }
    public required string Status { get; init; }
    public string? Error { get; init; }
}

/// <summary>
/// One measured step in a fresh process, so its peak memory is its own: New-FacebergTable ("create") or
/// Sync-FacebergTable on every table ("sync"), through the Core service the cmdlets call. The Hub
/// endpoint comes from HF_ENDPOINT, as for the cmdlets. Prints one JSON <see cref="PhaseResult"/> line.
/// </summary>
public static class ClientPhase
{
    public const string Command = "client-phase";

    public static async Task<int> RunAsync(BenchArgs args, TextWriter output)
    {
        var phase = args.RequiredString("phase");
        var configPath = args.RequiredString("config");
        var concurrency = args.Int("concurrency", DatasetTables.DefaultThrottleLimit);
        var warmupRepo = args.String("warmup-repo");
        var warmupRevision = args.String("warmup-revision");
        args.RejectUnknown();
        if (phase is not ("create" or "sync"))
            throw new BenchArgumentException($"--phase must be create or sync, got '{phase}'.");

        var config = FacebergConfigLoader.Load(configPath);
        var catalog = CatalogContext.FromConfig(config, configPath);
        // Configured as the cmdlets configure it (endpoint from HF_ENDPOINT, Hub concurrency at least -ThrottleLimit);
        // the local Hub needs no token, so none is looked up.
        var options = new HubClientOptions { Endpoint = HubClient.ResolveEndpoint() };
        options.MaxConcurrency = Math.Max(options.MaxConcurrency, concurrency);
        using var hub = new HubClient(options);
        var tables = new DatasetTables(hub);
        if (warmupRepo is not null)
            await WarmUpAsync(tables, warmupRepo, warmupRevision, concurrency).ConfigureAwait(false);

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var startWorkingSet = process.WorkingSet64;
        var sampler = new HeapPeakSampler();
        var probe = new RetainedMemoryProbe(GC.GetTotalMemory(forceFullCollection: true), sampler);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen2Before = GC.CollectionCount(2);
        using var timer = new Timer(_ => sampler.Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        var startedAt = DateTimeOffset.UtcNow;
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();

        var (count, files, status, error) = phase == "create"
            ? await CreateAsync(tables, catalog, config, concurrency, probe).ConfigureAwait(false)
            : await SyncAsync(tables, catalog, concurrency).ConfigureAwait(false);

        watch.Stop();
        await timer.DisposeAsync().ConfigureAwait(false);
        sampler.Sample();
        process.Refresh();
        var result = new PhaseResult
        {
            Phase = phase,
            WallSeconds = watch.Elapsed.TotalSeconds - probe.Seconds,
            CpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds - probe.Seconds,
            StartedAt = startedAt,
            EndedAt = startedAt + watch.Elapsed,
            StartWorkingSetBytes = startWorkingSet,
            PeakWorkingSetBytes = process.PeakWorkingSet64,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            PeakManagedBytes = sampler.Peak,
            PeakManagedReadsBytes = probe.RetainedBytes is null ? null : sampler.PeakBeforeSplit,
            PeakManagedCommitBytes = probe.RetainedBytes is null ? null : sampler.PeakSinceSplit,
            GcMode = (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? " non-concurrent" : " concurrent"),
            Gen2Collections = GC.CollectionCount(2) - gen2Before,
            RetainedBeforeCommitBytes = probe.RetainedBytes,
            RetainedProbeSeconds = probe.Seconds,
            PeakWorkingSetReadsBytes = probe.PeakWorkingSetBytes,
            Tables = count,
            Files = files,
            Status = status,
            Error = error,
        };
        await output.WriteLineAsync(JsonSerializer.Serialize(result)).ConfigureAwait(false);
        return error is null ? 0 : 1;
    }

    /// <summary>
    /// Creates a table over a small other dataset in a throwaway catalog at <paramref name="firstRevision"/>, then syncs it
    /// to the dataset's main branch, which holds one more file: so the measured call runs with the code paths of a create
    /// and of a sync that commits compiled, as in a session that has done this before. Without a first revision the
    /// table is created at main and the sync finds it up to date.
    /// </summary>
    private static async Task WarmUpAsync(DatasetTables tables, string repo, string? firstRevision, int concurrency)
    {
        using var scratch = new ScratchDirectory("warmup");
        var location = CatalogContext.FromDirectory(scratch.Path).Location;
        FacebergConfig Config(string? revision) => new()
        {
            Catalog = new CatalogConfig { Name = "warmup", Location = location },
            Datasets = [new DatasetConfig { Name = "warmup", Repo = repo, Revision = revision }],
        };
        // faceberg.yml names the revision a sync follows: the pinned one for the create, main for the sync.
        var pinned = CatalogContext.FromConfig(Config(firstRevision), Path.Combine(scratch.Path, FacebergConfig.DefaultFileName));
        await pinned.CreateCatalogAsync().ConfigureAwait(false);
        var created = await CreateAsync(tables, pinned, pinned.Config!, concurrency).ConfigureAwait(false);
        var following = CatalogContext.FromConfig(Config(null), Path.Combine(scratch.Path, FacebergConfig.DefaultFileName));
        var synced = await SyncAsync(tables, following, concurrency).ConfigureAwait(false);
        if ((created.Error ?? synced.Error) is { } error)
            throw new InvalidOperationException($"The warm-up on '{repo}' failed: {error}");
        if (firstRevision is not null && synced.Status != nameof(SyncStatus.Updated))
            throw new InvalidOperationException($"The warm-up sync on '{repo}' did not commit a change ({synced.Status}).");
    }

    /// <summary>As New-FacebergTable: plan each dataset, then create its tables.</summary>
    private static async Task<(int Tables, int Files, string Status, string? Error)> CreateAsync(
        DatasetTables tables, CatalogContext catalog, FacebergConfig config, int concurrency, IProgress<DatasetProgress>? progress = null)
    {
        var results = new List<DatasetTableResult>();
        foreach (var dataset in config.Datasets)
        {
            DatasetPlan plan;
            try
            {
                plan = await tables.PlanAsync(dataset).ConfigureAwait(false);
            }
            catch (FacebergException e)
            {
                return (results.Count, results.Sum(r => r.FileCount), "Failed", $"{dataset.Name}: {e.Message}");
            }
            results.AddRange(await tables.CreateAsync(catalog, plan, new DatasetTableOptions { ThrottleLimit = concurrency, Progress = progress }).ConfigureAwait(false));
        }
        var failed = results.FirstOrDefault(r => r.Status != DatasetTableStatus.Created);
        return (results.Count, results.Sum(r => r.FileCount),
            string.Join(",", results.Select(r => r.Status).Distinct()), failed?.Error?.Message ?? (failed is null ? null : failed.Status.ToString()));
    }

    /// <summary>As <c>Get-FacebergTable | Sync-FacebergTable</c>: every table of the catalog.</summary>
    private static async Task<(int Tables, int Files, string Status, string? Error)> SyncAsync(
        DatasetTables tables, CatalogContext catalog, int concurrency)
    {
        var results = new List<SyncResult>();
        foreach (var table in await catalog.ListTablesAsync().ConfigureAwait(false))
            results.Add(await tables.SyncAsync(catalog, table.Identifier, new SyncOptions { ThrottleLimit = concurrency }).ConfigureAwait(false));
        var failed = results.FirstOrDefault(r => r.Status == SyncStatus.Failed);
        return (results.Count, results.Sum(r => r.Added + r.Removed + r.Replaced),
            string.Join(",", results.Select(r => r.Status).Distinct()), failed?.Error?.Message);
    }
}

/// <summary>
/// Measures what a creation holds once its footers are read: on the first "Creating" progress report (every footer
/// read, nothing of the table built yet) it forces a full GC and takes the managed heap size. Reports arrive on the
/// creating thread, so the measurement happens at exactly that point.
/// </summary>
internal sealed class RetainedMemoryProbe(long baselineBytes, HeapPeakSampler sampler) : IProgress<DatasetProgress>
{
    private int _measured;

    public long? RetainedBytes { get; private set; }
    public double Seconds { get; private set; }
    public long? PeakWorkingSetBytes { get; private set; }

    public void Report(DatasetProgress value)
    {
        if (!value.Activity.StartsWith("Creating ", StringComparison.Ordinal) || Interlocked.Exchange(ref _measured, 1) == 1)
            return;
        sampler.Split();
        using (var process = Process.GetCurrentProcess())
            PeakWorkingSetBytes = process.PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        RetainedBytes = GC.GetTotalMemory(forceFullCollection: true) - baselineBytes;
        Seconds = watch.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// The largest managed heap (live objects and garbage not yet collected) seen by <see cref="Sample"/>, overall and on
/// either side of one <see cref="Split"/>: for create, the footer reads and the building and commit of the table.
/// </summary>
internal sealed class HeapPeakSampler
{
    private readonly object _gate = new();
    private long _beforeSplit;
    private long _sinceSplit = GC.GetTotalMemory(forceFullCollection: false);
    private bool _split;

    public long Peak { get { lock (_gate) return Math.Max(_beforeSplit, _sinceSplit); } }
    public long PeakBeforeSplit { get { lock (_gate) return _split ? _beforeSplit : _sinceSplit; } }
    public long PeakSinceSplit { get { lock (_gate) return _split ? _sinceSplit : 0; } }

    public void Sample()
    {
        var now = GC.GetTotalMemory(forceFullCollection: false);
        lock (_gate) _sinceSplit = Math.Max(_sinceSplit, now);
    }

    public void Split()
    {
        Sample();
        lock (_gate)
        {
            if (_split) return;
            _beforeSplit = _sinceSplit;
            _sinceSplit = 0;
            _split = true;
        }
    }
}
