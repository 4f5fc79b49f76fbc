using System.IO.Compression;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Discovery;
using Faceberg.Core.Iceberg.Spec;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>
/// Bounded growth on the commit path every sync and write takes (<see cref="DatasetTableStore.CommitAsync"/> through
/// <see cref="ICatalog"/>), with the default table properties: manifests are merged, old metadata versions removed, and the
/// file record written as a change, its superseded links removed by the commit that replaces them.
/// </summary>
public sealed class BoundedGrowthTests : IDisposable
{
    private const string Sha = "1111111111111111111111111111111111111111";
    private readonly DatasetTestHub _hub = new(seed: false);
    private readonly DatasetTableStore _store;
    private readonly ICatalog _tables;
    private readonly TableIdentifier _id = new("default", "t");
    private readonly DatasetSource _source = new("ds", "org/r", "default", Sha, "main");
    private readonly string _data = $"hf://datasets/org/r@{Sha}";

    public BoundedGrowthTests()
    {
        _store = new DatasetTableStore(_hub.Client);
        _tables = _store.Open(_hub.NewCatalog());
    }

    public void Dispose() => _hub.Dispose();

    private static PlannedFile Record(DataFile f) => new((string)f.Partition[0]!, new RepoFile(f.FilePath[(f.FilePath.IndexOf("/data/", StringComparison.Ordinal) + 1)..], f.FileSizeInBytes, "id-" + f.FilePath));

    private async Task<List<DataFile>> CreateAsync(int files)
    {
        var initial = Enumerable.Range(0, files).Select(i => File(_data, $"f{i:D5}", i % 2 == 0 ? "train" : "test")).ToList();
        await _store.CreateAsync(_tables, _id, TestSchema, SplitSpec, new DatasetCommit
        {
            BaseSnapshotId = null,
            Source = _source,
            AddDataFiles = initial,
            FileRecord = initial.Select(Record).ToList(),
            Summary = _source.SnapshotSummary(),
        });
        return initial;
    }

    private async Task<DatasetTable> LoadAsync() =>
        DatasetTable.Bind(_id, await _store.LoadAsync(_tables, _id), key => throw new InvalidOperationException(key));

    /// <summary>One sync that adds one file: the snapshot, the properties and the whole new file record in one commit.</summary>
    private async Task AddOneAsync(List<DataFile> files, int n)
    {
        var table = await LoadAsync();
        var added = File(_data, $"n{n:D5}", "train");
        files.Add(added);
        await _store.CommitAsync(_tables, table, new DatasetCommit
        {
            BaseSnapshotId = table.SnapshotId,
            Source = _source,
            AddDataFiles = [added],
            FileRecord = files.Select(Record).ToList(),
            Summary = _source.SnapshotSummary(Sha, 1, 0, 0),
        });
    }

    private async Task<string> MetadataFolderAsync() => new Uri((await _tables.GetTableEntryAsync(_id)).Location + "/metadata").LocalPath;

    private static Dictionary<string, long> Sizes(string folder) =>
        Directory.GetFiles(folder).ToDictionary(p => Path.GetFileName(p), p => new FileInfo(p).Length, StringComparer.Ordinal);

    /// <summary>The record files the table's current record names, following each change's base to the full record.</summary>
    private static List<string> Chain(string folder, string location)
    {
        var chain = new List<string>();
        for (string? next = location; next != null;)
        {
            chain.Add(Path.GetFileName(new Uri(next).LocalPath));
            using var gzip = new GZipStream(System.IO.File.OpenRead(new Uri(next).LocalPath), CompressionMode.Decompress);
            using var doc = System.Text.Json.JsonDocument.Parse(gzip);
            next = doc.RootElement.TryGetProperty("base", out var b) ? b.GetString() : null;
        }
        Assert.All(chain, name => Assert.True(System.IO.File.Exists(Path.Combine(folder, name)), name));
        return chain;
    }

    [Fact]
    public async Task After_120_one_file_commits_the_current_snapshot_has_at_most_100_manifests_and_the_folder_stays_bounded()
    {
        var files = await CreateAsync(4);
        var folder = await MetadataFolderAsync();
        for (var n = 0; n < 120; n++)
            await AddOneAsync(files, n);

        var table = await LoadAsync();
        var manifests = await table.Iceberg.ReadManifestListAsync();
        Assert.True(manifests.Count <= 100, $"{manifests.Count} manifests");
        Assert.Equal(files.Select(f => f.FilePath).Order(StringComparer.Ordinal), (await table.Iceberg.PlanFilesAsync()).Select(f => f.FilePath).Order(StringComparer.Ordinal));
        Assert.Equal(files.Select(Record).Select(r => r.File.Path).Order(StringComparer.Ordinal),
            (await _store.ReadFileRecordAsync(table))!.Select(r => r.Path).Order(StringComparer.Ordinal));

        // write.metadata.previous-versions-max (100) versions stay, plus the current one; older ones were removed by the commits.
        var versions = Directory.GetFiles(folder, "v*.metadata.json");
        Assert.Equal(101, versions.Length);
        Assert.Equal(100, table.Iceberg.Metadata.MetadataLog.Count);
        // Only the current record's chain is kept: superseded records were removed by the commit that replaced them.
        var records = Directory.GetFiles(folder, "faceberg-files-*").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(Chain(folder, table.Iceberg.Metadata.Properties[TableProperties.RevisionFiles]).Order(StringComparer.Ordinal), records);
        Assert.True(records.Count() <= RevisionFileRecord.MaxChainLength + 1);
    }

    [Fact]
    public async Task A_one_file_sync_of_a_10000_file_table_writes_kilobytes_and_a_full_record_removes_the_chain_it_replaces()
    {
        var files = await CreateAsync(10_000);
        var folder = await MetadataFolderAsync();
        var fullRecord = Sizes(folder).Single(f => f.Key.StartsWith("faceberg-files-", StringComparison.Ordinal));
        Assert.True(fullRecord.Value > 50_000, $"the full record of 10,000 files is {fullRecord.Value} bytes");

        var before = Sizes(folder);
        await AddOneAsync(files, 0);
        var written = Sizes(folder).Where(f => !before.ContainsKey(f.Key) || before[f.Key] != f.Value).ToList();
        var record = Assert.Single(written, f => f.Key.StartsWith("faceberg-files-", StringComparison.Ordinal));
        Assert.True(record.Value < 1_000, $"the change record is {record.Value} bytes");
        // The new manifest, manifest list, metadata version and hint: kilobytes, not the full record again.
        Assert.True(written.Sum(f => f.Value) < 64_000, string.Join(", ", written.Select(f => $"{f.Key}={f.Value}")));

        // Each further sync extends the chain until it is MaxChainLength long; the next writes a full record and
        // removes every link of the chain in the same commit.
        var table = await LoadAsync();
        for (var n = 1; n <= RevisionFileRecord.MaxChainLength; n++)
        {
            await AddOneAsync(files, n);
            table = await LoadAsync();
            var chain = Chain(folder, table.Iceberg.Metadata.Properties[TableProperties.RevisionFiles]);
            Assert.Equal(chain.Order(StringComparer.Ordinal), Directory.GetFiles(folder, "faceberg-files-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
            // The full record and one change per sync so far; the sync that finds the chain full starts over.
            Assert.Equal(n < RevisionFileRecord.MaxChainLength ? n + 2 : 1, chain.Count);
        }
        Assert.Equal(10_000 + RevisionFileRecord.MaxChainLength + 1, (await _store.ReadFileRecordAsync(table))!.Count);
    }

    [Fact]
    public async Task Optimize_keeps_the_rows_and_record_writes_the_record_in_full_and_removes_more_than_half_the_metadata_files()
    {
        var files = await CreateAsync(4);
        var folder = await MetadataFolderAsync();
        for (var n = 0; n < 24; n++)
            await AddOneAsync(files, n);
        var names = Directory.GetFiles(folder).Select(p => Path.GetFileName(p)).ToList();
        var before = names.Count;
        var oldest = (await LoadAsync()).Iceberg.History().Last().SnapshotId;

        var result = await _store.OptimizeAsync(_tables, _id, retainLast: 5, olderThan: null);

        var table = await LoadAsync();
        Assert.Equal(25, result.ManifestsBefore);
        Assert.Equal(1, result.ManifestsAfter);
        Assert.True(table.Iceberg.Metadata.Snapshots.Count <= 6);
        Assert.Equal(table.Iceberg.Metadata.Snapshots.Count, result.SnapshotsRetained);
        var after = Directory.GetFiles(folder).Length;
        Assert.True(after * 2 < before, $"{before} -> {after} metadata files");
        Assert.Equal(names.Except(Directory.GetFiles(folder).Select(p => Path.GetFileName(p))).Count(), result.FilesRemoved);
        Assert.Equal(files.Select(f => f.FilePath).Order(StringComparer.Ordinal), (await table.Iceberg.PlanFilesAsync()).Select(f => f.FilePath).Order(StringComparer.Ordinal));
        Assert.Single(Directory.GetFiles(folder, "faceberg-files-*"));
        Assert.Equal(files.Count, (await _store.ReadFileRecordAsync(table))!.Count);
        var e = Assert.Throws<FacebergException>(() => table.Iceberg.Metadata.SnapshotById(oldest));
        Assert.Equal("SnapshotNotFound", e.ErrorId);
        foreach (var kept in table.Iceberg.Metadata.Snapshots)
            Assert.Contains(kept.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);

        // The next sync extends the full record with one change again.
        await AddOneAsync(files, 24);
        Assert.Equal(2, Chain(folder, (await LoadAsync()).Iceberg.Metadata.Properties[TableProperties.RevisionFiles]).Count);
    }
}
