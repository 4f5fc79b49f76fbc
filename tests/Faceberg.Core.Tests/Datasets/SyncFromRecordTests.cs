using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>
/// A sync whose commit only adds files is planned from the table's file record when the record was written by the
/// commit of the current snapshot: no manifest is read, and the table it commits is the one a sync planned from the
/// manifests commits. Every other change, and every table the record does not describe, is planned from the manifests.
/// </summary>
public sealed class SyncFromRecordTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();

    public void Dispose() => _hub.Dispose();

    private async Task<TableIdentifier> CreateAsync(CatalogContext catalog, string repo)
    {
        var result = Assert.Single(await _hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("sf", repo)));
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return result.Identifier!;
    }

    /// <summary>A sync whose metadata reads are counted, with the hook of its table store.</summary>
    private (DatasetSync Sync, DatasetTableStore Store, CountingFileIO Io) NewSync(CatalogContext catalog)
    {
        var io = new CountingFileIO(catalog.CreateFileIO(_hub.Client));
        var store = new DatasetTableStore(_hub.Client, io);
        return (new DatasetSync(new DatasetPlanner(_hub.Client), new FooterReader(_hub.Client), store), store, io);
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        return new StreamReader(gzip).ReadToEnd();
    }

    private static byte[] Gzip(string text)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    /// <summary>Rewrites the table's record as a Faceberg version that did not name the snapshot wrote it.</summary>
    private static async Task ForgetRecordSnapshotAsync(CatalogContext catalog, TableIdentifier id)
    {
        var table = await DatasetTestHub.LoadAsync(catalog, id);
        var path = new Uri(table.Metadata.Properties[TableProperties.RevisionFiles]).LocalPath;
        var json = Gunzip(File.ReadAllBytes(path));
        Assert.Contains("\"snapshot-id\":" + table.CurrentSnapshot!.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture), json);
        File.WriteAllBytes(path, Gzip(Regex.Replace(json, "\"snapshot-id\":-?[0-9]+,", "")));
    }

    private static async Task<IReadOnlyList<string>> FilesOfAsync(IcebergTable table) =>
        (await table.PlanFilesAsync()).Select(f => string.Join("|", f.FilePath, f.Partition[0], f.RecordCount, f.FileSizeInBytes,
                string.Join(",", f.ValueCounts!.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}")),
                string.Join(",", f.NullValueCounts!.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}")),
                string.Join(",", f.LowerBounds!.OrderBy(e => e.Key).Select(e => $"{e.Key}={Convert.ToHexString(e.Value)}")),
                string.Join(",", f.UpperBounds!.OrderBy(e => e.Key).Select(e => $"{e.Key}={Convert.ToHexString(e.Value)}"))))
            .Order(StringComparer.Ordinal).ToList();

    private static Dictionary<string, (string Split, string Revision)> Files(params (string Path, string Split, string Revision)[] files) =>
        files.ToDictionary(f => f.Path, f => (f.Split, f.Revision));

    [Fact]
    public async Task Added_files_are_planned_from_the_record_and_give_the_table_a_sync_planned_from_the_manifests_gives()
    {
        var repo = SampleDatasets.SplitFolders;
        var fromRecord = _hub.NewCatalog();
        var fromManifests = _hub.NewCatalog();
        var recordId = await CreateAsync(fromRecord, repo);
        var manifestsId = await CreateAsync(fromManifests, repo);
        await ForgetRecordSnapshotAsync(fromManifests, manifestsId);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0002.parquet", 7).Parquet("data/test/0001.parquet", 5).Commit("More data");
        var head = _hub.Head(repo);

        var (sync, _, io) = NewSync(fromRecord);
        _hub.Server.RequestLog.Clear();
        var result = await sync.SyncAsync(fromRecord, recordId);
        var requests = _hub.Server.RequestLog.Entries.Select(e => e.Path).ToList();
        var (fullSync, _, fullIo) = NewSync(fromManifests);
        _hub.Server.RequestLog.Clear();
        var fullResult = await fullSync.SyncAsync(fromManifests, manifestsId);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.True(fullResult.Status == SyncStatus.Updated, fullResult.Error?.Message);
        Assert.Equal((2, 0, 0), (result.Added, result.Removed, result.Replaced));
        Assert.Equal((2, 0, 0), (fullResult.Added, fullResult.Removed, fullResult.Replaced));
        Assert.Equal(0, io.ManifestReads);
        Assert.True(fullIo.ManifestReads > 0);
        // The same requests either way: info, the new commit's tree, the two new footers.
        Assert.Equal(4, requests.Count);
        Assert.Equal(requests.Order(StringComparer.Ordinal), _hub.Server.RequestLog.Entries.Select(e => e.Path).Order(StringComparer.Ordinal));

        var table = await DatasetTestHub.LoadAsync(fromRecord, recordId);
        var full = await DatasetTestHub.LoadAsync(fromManifests, manifestsId);
        var expected = Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old), ("data/train/0002.parquet", "train", head),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", old), ("data/test/0001.parquet", "test", head));
        await _hub.AssertFilesAsync(table, repo, expected);
        Assert.Equal(await FilesOfAsync(full), await FilesOfAsync(table));
        Assert.Equal(SnapshotOperation.Append, table.CurrentSnapshot!.Operation);
        Assert.Equal(full.CurrentSnapshot!.Summary.OrderBy(e => e.Key), table.CurrentSnapshot.Summary.OrderBy(e => e.Key));
        Assert.Equal(full.Schema.Fields.Select(f => (f.Id, f.Name)), table.Schema.Fields.Select(f => (f.Id, f.Name)));
        var recorded = (await new DatasetTableStore(_hub.Client).ReadFileRecordDetailsAsync(DatasetTable.Bind(recordId, table, k => throw new InvalidOperationException(k))))!;
        Assert.True(recorded.DescribesSnapshot(table.CurrentSnapshot.SnapshotId));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), recorded.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value.Split, recorded.Splits![e.Key]));

        // The sync planned from the manifests wrote a record of its snapshot: the next one is planned from it.
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0003.parquet", 3).Commit("Even more data");
        (fullSync, _, fullIo) = NewSync(fromManifests);
        fullResult = await fullSync.SyncAsync(fromManifests, manifestsId);
        Assert.True(fullResult.Status == SyncStatus.Updated, fullResult.Error?.Message);
        Assert.Equal(1, fullResult.Added);
        Assert.Equal(0, fullIo.ManifestReads);
        Assert.Equal(7, (await (await DatasetTestHub.LoadAsync(fromManifests, manifestsId)).PlanFilesAsync()).Count);
    }

    [Theory]
    [InlineData("removed")]
    [InlineData("replaced")]
    [InlineData("moved")]
    public async Task Removed_replaced_and_moved_files_are_planned_from_the_manifests(string change)
    {
        var repo = SampleDatasets.SplitFolders;
        var catalog = _hub.NewCatalog();
        var id = await CreateAsync(catalog, repo);
        var old = _hub.Head(repo);
        var builder = new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0002.parquet", 7);
        _ = change switch
        {
            "removed" => builder.Delete("data/test/0000.parquet"),
            "replaced" => builder.Parquet("data/test/0000.parquet", 12),
            // A card edit puts the validation file into the test split: same content, new partition value.
            _ => builder.Readme("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train/*\n"
                                + "  - split: test\n    path:\n    - data/test/*\n    - data/validation/*"),
        };
        builder.Commit(change);
        var head = _hub.Head(repo);
        var (sync, _, io) = NewSync(catalog);

        var result = await sync.SyncAsync(catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.True(io.ManifestReads > 0);
        Assert.Equal(change switch { "removed" => (1, 1, 0), _ => (1, 0, 1) }, (result.Added, result.Removed, result.Replaced));
        var files = new List<(string Path, string Split, string Revision)>
        {
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old), ("data/train/0002.parquet", "train", head),
            ("data/validation/0000.parquet", change == "moved" ? "test" : "validation", old),
        };
        if (change != "removed") files.Add(("data/test/0000.parquet", "test", change == "replaced" ? head : old));
        var table = await DatasetTestHub.LoadAsync(catalog, id);
        await _hub.AssertFilesAsync(table, repo, Files([.. files]));
        Assert.Equal(files.Count, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalDataFiles));
    }

    [Fact]
    public async Task A_commit_between_plan_and_commit_makes_the_sync_plan_again_from_the_manifests()
    {
        var repo = SampleDatasets.SplitFolders;
        var catalog = _hub.NewCatalog();
        var id = await CreateAsync(catalog, repo);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0002.parquet", 7).Commit("More data");
        var head = _hub.Head(repo);
        var (sync, store, io) = NewSync(catalog);
        var commits = 0;
        var readsAtFirstCommit = -1;
        // After the sync planned the addition from the record, another writer removes a file the record lists: the
        // record no longer describes the current snapshot, so the sync must not re-plan from it.
        store.BeforeCommit = async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref commits) != 1) return;
            readsAtFirstCommit = io.ManifestReads;
            var other = await DatasetTestHub.LoadAsync(catalog, id);
            var victim = (await other.PlanFilesAsync(cancellationToken: ct)).Single(f => f.FilePath.EndsWith("/data/test/0000.parquet", StringComparison.Ordinal));
            await other.NewOverwrite().DeleteFile(victim.FilePath).CommitAsync(cancellationToken: ct);
        };

        var result = await sync.SyncAsync(catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal(2, commits);
        Assert.Equal(0, readsAtFirstCommit);
        Assert.True(io.ManifestReads > 0);
        // The re-plan sees the removed file missing from the table and registers it again, with the new one.
        Assert.Equal((2, 0, 0), (result.Added, result.Removed, result.Replaced));
        var table = await DatasetTestHub.LoadAsync(catalog, id);
        await _hub.AssertFilesAsync(table, repo, Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old), ("data/train/0002.parquet", "train", head),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", head)));
        Assert.Equal(5, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalDataFiles));
    }

    /// <summary>Counts the manifests read through it (Avro metadata files other than manifest lists).</summary>
    private sealed class CountingFileIO(IFileIO inner) : IFileIO
    {
        private int _manifestReads;

        public int ManifestReads => _manifestReads;

        private void Count(string path)
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (name.EndsWith(".avro", StringComparison.Ordinal) && !name.StartsWith("snap-", StringComparison.Ordinal))
                Interlocked.Increment(ref _manifestReads);
        }

        public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
        {
            Count(path);
            return inner.ReadAllBytesAsync(path, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
        {
            Count(path);
            return inner.OpenReadAsync(path, cancellationToken);
        }

        public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(path, data, overwrite, cancellationToken);
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);
        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
    }
}
