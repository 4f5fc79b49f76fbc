using System.Diagnostics;
using System.Text;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Bench;

/// <summary>
/// A table that lives for years: a dataset table of <c>--files</c> data files synced again and again, each sync a
/// one-file change committed the way Sync-FacebergTable commits it (<see cref="DatasetTableStore.CommitAsync"/> on a
/// local catalog: the added file, the new pin and the whole new file list, from which the file record is written).
/// Measured at each count of <c>--syncs</c>: manifests a read opens, bytes the last sync wrote, the metadata folder,
/// and the time to load the table and plan a full scan. "before" is the table with bounded growth switched off by its
/// properties (no manifest merging, no metadata removal, every file record full); "after" has the defaults; the last
/// rows are both tables after Optimize -RetainLast 5. The Hub is not involved: data files are never opened.
/// </summary>
public static class GrowthBenchmark
{
    public const string Command = "growth";
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    public static async Task<int> RunAsync(BenchArgs args, TextWriter output)
    {
        var files = args.Int("files", 10_000);
        var counts = args.IntList("syncs", [1, 10, 100, 1000]).Order().ToList();
        var retain = args.Int("retain-last", 5);
        var modes = (args.String("modes") ?? "before,after").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (modes.Length == 0 || modes.Any(m => m is not ("before" or "after")))
            throw new BenchArgumentException("Option --modes takes before, after or both (comma-separated).");
        args.RejectUnknown();
        using var scratch = new ScratchDirectory("growth");
        using var hub = HubClient.FromEnvironment(endpoint: "http://127.0.0.1:9");
        var store = new DatasetTableStore(hub);

        output.WriteLine($"Table of {files:N0} data files; each sync adds one file. Optimize keeps the last {retain} snapshots.");
        output.WriteLine();
        output.WriteLine("| Mode | Syncs | Manifests per read | Bytes written by the last sync | Metadata files | Metadata folder (KB) | Load + plan (ms, best of 3) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var tables = new List<(string Mode, ICatalog Catalog, string Folder, int Syncs)>();
        foreach (var (mode, properties) in new[]
        {
            ("before", new Dictionary<string, string>
            {
                [ManifestMerger.MergeEnabled] = "false",
                [IcebergTable.MetadataDeleteAfterCommit] = "false",
                [TableProperties.RevisionFilesMaxChain] = "0",
            }),
            ("after", new Dictionary<string, string>()),
        }.Where(m => modes.Contains(m.Item1)))
        {
            var directory = Path.Combine(scratch.Path, mode);
            JsonCatalog.Create(directory);
            var catalog = store.Open(CatalogContext.FromDirectory(directory));
            var table = new Table(store, catalog, files);
            await table.CreateAsync(properties).ConfigureAwait(false);
            var folder = await table.MetadataFolderAsync().ConfigureAwait(false);
            var done = 0;
            foreach (var count in counts)
            {
                while (done < count - 1) await table.SyncAsync(done++).ConfigureAwait(false);
                var before = Sizes(folder);
                await table.SyncAsync(done++).ConfigureAwait(false);
                var after = Sizes(folder);
                var written = after.Where(f => !before.TryGetValue(f.Key, out var size) || size != f.Value).Sum(f => f.Value);
                output.WriteLine($"| {mode} | {count:N0} | {await table.ManifestsAsync().ConfigureAwait(false):N0} | {written:N0} | {after.Count:N0} | {after.Values.Sum() / 1024:N0} | {await table.PlanMillisecondsAsync().ConfigureAwait(false):N0} |");
            }
            tables.Add((mode, catalog, folder, done));
        }
        foreach (var (mode, catalog, folder, syncs) in tables)
        {
            var result = await store.OptimizeAsync(catalog, Table.Id, retain, null).ConfigureAwait(false);
            var after = Sizes(folder);
            var table = new Table(store, catalog, files);
            output.WriteLine($"| {mode} + Optimize | {syncs:N0} | {result.ManifestsAfter:N0} | {result.FilesRemoved:N0} files, {result.BytesRemoved:N0} bytes removed | {after.Count:N0} | {after.Values.Sum() / 1024:N0} | {await table.PlanMillisecondsAsync().ConfigureAwait(false):N0} |");
        }
        return 0;
    }

    private static Dictionary<string, long> Sizes(string folder) =>
        Directory.GetFiles(folder).ToDictionary(p => p, p => new FileInfo(p).Length, StringComparer.Ordinal);

    /// <summary>One benchmark table and the file list its dataset has.</summary>
    private sealed class Table(DatasetTableStore store, ICatalog catalog, int files)
    {
        public static readonly TableIdentifier Id = new("default", "growth");
        private static readonly Schema Schema = new(0, new[]
        {
            NestedField.Optional(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "text", PrimitiveType.String),
            NestedField.Optional(3, "split", PrimitiveType.String),
        });
        private static readonly DatasetSource Source = new("growth", "bench/growth", "default", Sha, "main");
        private readonly List<PlannedFile> _record = new();

        public async Task CreateAsync(IReadOnlyDictionary<string, string> properties)
        {
            var initial = Enumerable.Range(0, files).Select(i => File($"train-{i:D6}")).ToList();
            _record.AddRange(initial.Select(Record));
            await store.CreateAsync(catalog, Id, Schema, PartitionSpec.Identity(Schema, "split"), new DatasetCommit
            {
                BaseSnapshotId = null,
                Source = Source,
                AddDataFiles = initial,
                FileRecord = _record.ToList(),
                Summary = Source.SnapshotSummary(),
            }).ConfigureAwait(false);
            if (properties.Count > 0)
                await catalog.CommitTableAsync(Id, [], [new SetProperties(properties)]).ConfigureAwait(false);
        }

        public async Task<string> MetadataFolderAsync() => new Uri((await catalog.GetTableEntryAsync(Id).ConfigureAwait(false)).Location + "/metadata").LocalPath;

        public async Task SyncAsync(int n)
        {
            var table = DatasetTable.Bind(Id, await store.LoadAsync(catalog, Id).ConfigureAwait(false), key => new FacebergException("NotADatasetTable", FacebergErrorKind.InvalidData, key));
            var added = File($"added-{n:D6}");
            _record.Add(Record(added));
            await store.CommitAsync(catalog, table, new DatasetCommit
            {
                BaseSnapshotId = table.SnapshotId,
                Source = Source,
                AddDataFiles = [added],
                FileRecord = _record.ToList(),
                Summary = Source.SnapshotSummary(Sha, 1, 0, 0),
            }).ConfigureAwait(false);
        }

        public async Task<int> ManifestsAsync() => (await (await store.LoadAsync(catalog, Id).ConfigureAwait(false)).ReadManifestListAsync().ConfigureAwait(false)).Count;

        public async Task<double> PlanMillisecondsAsync()
        {
            var best = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                var watch = Stopwatch.StartNew();
                var table = await store.LoadAsync(catalog, Id).ConfigureAwait(false);
                var planned = await table.PlanFilesAsync().ConfigureAwait(false);
                watch.Stop();
                if (planned.Count < files) throw new InvalidOperationException($"The table plans {planned.Count} files.");
                best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
            }
            return best;
        }

        private static PlannedFile Record(DataFile file) => new((string)file.Partition[0]!, new RepoFile(file.FilePath[(Sha.Length + file.FilePath.IndexOf('@', StringComparison.Ordinal) + 2)..], file.FileSizeInBytes, Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(file.FilePath))).ToLowerInvariant()));

        private static DataFile File(string name) => new()
        {
            FilePath = $"hf://datasets/bench/growth@{Sha}/data/{name}.parquet",
            Partition = ["train"],
            RecordCount = 20,
            FileSizeInBytes = 3000,
            ValueCounts = new() { [1] = 20, [2] = 20 },
            NullValueCounts = new() { [1] = 0, [2] = 0 },
            LowerBounds = new() { [1] = BitConverter.GetBytes(0L), [2] = Encoding.UTF8.GetBytes("aaaa") },
            UpperBounds = new() { [1] = BitConverter.GetBytes(19L), [2] = Encoding.UTF8.GetBytes("zzzz") },
        };
    }
}
