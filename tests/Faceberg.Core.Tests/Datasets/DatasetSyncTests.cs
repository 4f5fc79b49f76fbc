using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Interop;
using Faceberg.LocalHub.Samples;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>Syncing tables after new commits in their dataset repos; each test owns its Hub because it commits.</summary>
public sealed class DatasetSyncTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();
    private readonly CatalogContext _catalog;

    public DatasetSyncTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    private async Task<TableIdentifier> CreateAsync(string name, string repo, params string[] configs)
    {
        var results = await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset(name, repo, configs));
        var result = Assert.Single(results);
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return result.Identifier!;
    }

    private Dictionary<string, (string Split, string Revision)> Files(params (string Path, string Split, string Revision)[] files) =>
        files.ToDictionary(f => f.Path, f => (f.Split, f.Revision));

    [Fact]
    public async Task An_unchanged_ref_costs_one_Hub_request_and_writes_nothing()
    {
        var id = await CreateAsync("sf", SampleDatasets.SplitFolders);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.Equal(SyncStatus.UpToDate, result.Status);
        Assert.Single(_hub.Server.RequestLog.Entries);
        var head = _hub.Head(SampleDatasets.SplitFolders);
        Assert.Equal((head, head), (result.FromRevision, result.ToRevision));
        Assert.Equal(before.CurrentSnapshot!.SnapshotId, result.SnapshotId);
        Assert.Equal(before.Version, (await DatasetTestHub.LoadAsync(_catalog, id)).Version);
    }

    [Fact]
    public async Task A_commit_replacing_one_file_reads_only_that_footer_and_keeps_the_other_entries()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/test/0000.parquet", 12).Commit("Replace test");
        var head = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((old, head, 0, 0, 1), (result.FromRevision, result.ToRevision, result.Added, result.Removed, result.Replaced));
        var read = Assert.Single(_hub.FileReads());
        Assert.EndsWith("/data/test/0000.parquet", read.Path);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(result.SnapshotId, table.CurrentSnapshot!.SnapshotId);
        Assert.Equal(SnapshotOperation.Overwrite, table.CurrentSnapshot.Operation);
        Assert.Equal(head, table.Metadata.Properties[TableProperties.Revision]);
        Assert.Equal(head, table.CurrentSnapshot.Summary[TableProperties.Revision]);
        Assert.Equal(old, table.CurrentSnapshot.Summary[TableProperties.PreviousRevision]);
        Assert.Equal("1", table.CurrentSnapshot.Summary[TableProperties.ReplacedFiles]);
        var expected = Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", head));
        await _hub.AssertFilesAsync(table, repo, expected);
        await _hub.AssertIcebirdReadsAsync(table, repo, expected);
    }

    /// <summary>The API calls of the log, as "kind revision": info (ref → sha) or one tree page at a revision.</summary>
    private IReadOnlyList<string> ApiCalls(string repo) =>
        _hub.Server.RequestLog.Entries.Where(e => !e.Path.Contains("/resolve/", StringComparison.Ordinal))
            .Select(e => Uri.UnescapeDataString(e.Path))
            .Select(p => p.Contains("/tree/", StringComparison.Ordinal)
                ? "tree " + p.Split("/tree/", 2)[1].Split('/')[0]
                : "info " + p.Split($"/api/datasets/{repo}", 2)[1].TrimStart('/'))
            .ToList();

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        return new StreamReader(gzip).ReadToEnd();
    }

    private static byte[] Gzip(string text)
    {
        var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    [Fact]
    public async Task A_one_file_commit_costs_the_new_listing_and_one_footer_because_the_table_records_its_files()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var old = _hub.Head(repo);
        var created = await DatasetTestHub.LoadAsync(_catalog, id);
        var record = created.Metadata.Properties[TableProperties.RevisionFiles];
        Assert.StartsWith(created.Location + "/metadata/", record);
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/test/0000.parquet", 12).Commit("Replace test");
        var head = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((0, 0, 1), (result.Added, result.Removed, result.Replaced));
        // One info request, the new commit's tree (one page here), one footer: the old commit is never listed.
        Assert.Equal(["info revision/main", "tree " + head], ApiCalls(repo));
        Assert.EndsWith("/data/test/0000.parquet", Assert.Single(_hub.FileReads()).Path);
        Assert.Equal(3, _hub.Server.RequestLog.Count);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        var synced = table.Metadata.Properties[TableProperties.RevisionFiles];
        Assert.NotEqual(record, synced);
        Assert.True(File.Exists(new Uri(synced).LocalPath));
        // The new record is the change to the previous one, which it names and which therefore stays.
        Assert.True(File.Exists(new Uri(record).LocalPath));
        Assert.Contains("\"base\":\"" + record + "\"", Gunzip(File.ReadAllBytes(new Uri(synced).LocalPath)));
        await _hub.AssertFilesAsync(table, repo, Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", head)));

        // The record written by that sync serves the next one: a second replacement again skips the old listing.
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/train/0001.parquet", 5).Commit("Replace a train file");
        var third = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((0, 0, 1), (result.Added, result.Removed, result.Replaced));
        Assert.Equal(["info revision/main", "tree " + third], ApiCalls(repo));
        Assert.EndsWith("/data/train/0001.parquet", Assert.Single(_hub.FileReads()).Path);
        await _hub.AssertFilesAsync(await DatasetTestHub.LoadAsync(_catalog, id), repo, Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", third),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", head)));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("unreadable")]
    [InlineData("stale")]
    [InlineData("truncated")]
    [InlineData("malformed")]
    public async Task A_table_without_a_usable_record_of_its_files_lists_the_old_commit_instead(string how)
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var old = _hub.Head(repo);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        var record = new Uri(table.Metadata.Properties[TableProperties.RevisionFiles]).LocalPath;
        switch (how)
        {
            case "missing": // a table created before Faceberg recorded its files
                await table.UpdatePropertiesAsync(null, [TableProperties.RevisionFiles]);
                break;
            case "unreadable":
                File.WriteAllText(record, "{ not json");
                break;
            case "truncated":
                var full = Gunzip(File.ReadAllBytes(record));
                File.WriteAllBytes(record, Gzip(full[..(full.Length / 2)]));
                break;
            case "malformed": // a file entry whose path is not a string
                var text = Gunzip(File.ReadAllBytes(record));
                Assert.Contains("\"files\":[", text);
                File.WriteAllBytes(record, Gzip(text.Replace("\"files\":[", "\"files\":[{\"path\":1,\"size\":2},", StringComparison.Ordinal)));
                break;
            case "stale": // a record of another commit than the table's
                var json = Gunzip(File.ReadAllBytes(record));
                Assert.Contains(old, json);
                File.WriteAllBytes(record, Gzip(json.Replace(old, new string('0', 40), StringComparison.Ordinal)));
                break;
        }
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/test/0000.parquet", 12).Commit("Replace test");
        var head = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((0, 0, 1), (result.Added, result.Removed, result.Replaced));
        Assert.Equal(["info revision/main", "tree " + head, "tree " + old], ApiCalls(repo));
        Assert.Single(_hub.FileReads());
        table = await DatasetTestHub.LoadAsync(_catalog, id);
        await _hub.AssertFilesAsync(table, repo, Files(
            ("data/train/0000.parquet", "train", old), ("data/train/0001.parquet", "train", old),
            ("data/validation/0000.parquet", "validation", old), ("data/test/0000.parquet", "test", head)));
        // The sync writes a fresh record, so the table is back on the cheap path.
        Assert.True(File.Exists(new Uri(table.Metadata.Properties[TableProperties.RevisionFiles]).LocalPath));
    }

    [Fact]
    public async Task A_readme_only_commit_moves_the_pin_without_reading_footers()
    {
        var repo = SampleDatasets.FlatData;
        var id = await CreateAsync("flat", repo);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Readme("license: mit\npretty_name: Flat").Commit("Add a card");
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((0, 0, 0), (result.Added, result.Removed, result.Replaced));
        Assert.Empty(_hub.FileReads());
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(_hub.Head(repo), table.Metadata.Properties[TableProperties.Revision]);
        await _hub.AssertFilesAsync(table, repo, Files(("data/part-0.parquet", "train", old), ("data/part-1.parquet", "train", old)));
    }

    [Fact]
    public async Task Added_and_removed_files_are_registered_and_dropped()
    {
        var repo = SampleDatasets.SplitPrefixes;
        var id = await CreateAsync("sp", repo);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .Parquet("data/validation-00000-of-00001.parquet", 6)
            .Delete("data/test-00000-of-00001.parquet")
            .Commit("Swap test for validation");
        var head = _hub.Head(repo);

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((1, 1, 0), (result.Added, result.Removed, result.Replaced));
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        var expected = Files(("data/train-00000-of-00002.parquet", "train", old), ("data/train-00001-of-00002.parquet", "train", old),
            ("data/validation-00000-of-00001.parquet", "validation", head));
        await _hub.AssertFilesAsync(table, repo, expected);
        await _hub.AssertIcebirdReadsAsync(table, repo, expected);
    }

    [Fact]
    public async Task WhatIf_counts_the_changes_without_reading_footers_or_writing()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var version = (await DatasetTestHub.LoadAsync(_catalog, id)).Version;
        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/test/0001.parquet", 3).Commit("More test");
        _hub.Server.RequestLog.Clear();

        var result = await _hub.Tables.SyncAsync(_catalog, id, new SyncOptions { WhatIf = true });

        Assert.Equal(SyncStatus.WouldUpdate, result.Status);
        Assert.Equal((1, 0, 0), (result.Added, result.Removed, result.Replaced));
        Assert.Empty(_hub.FileReads());
        Assert.Equal(version, (await DatasetTestHub.LoadAsync(_catalog, id)).Version);
    }

    [Fact]
    public async Task A_new_nullable_column_evolves_the_schema()
    {
        var repo = "test/evolving";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(Enumerable.Range(0, 4).Select(i => new IdText { Id = i, Text = $"t{i}" })))
            .Commit("First file");
        var id = await CreateAsync("evolving", repo);
        var old = _hub.Head(repo);
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-1.parquet", ParquetSamples.Write(Enumerable.Range(4, 3).Select(i => new IdTextExtra { Id = i, Text = $"t{i}", Extra = $"x{i}" })))
            .Commit("A file with a new column");

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal(["extra"], result.AddedColumns);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        var extra = table.Schema.Struct.Field("extra")!;
        Assert.False(extra.Required);
        Assert.True(extra.Id > table.Schema.Struct.Field("split")!.Id);
        Assert.Equal(2, table.Metadata.Schemas.Count);
        var expected = Files(("data/train-0.parquet", "train", old), ("data/train-1.parquet", "train", _hub.Head(repo)));
        await _hub.AssertFilesAsync(table, repo, expected);
        var added = (await table.PlanFilesAsync()).Single(f => f.FilePath.EndsWith("train-1.parquet", StringComparison.Ordinal));
        Assert.True(added.ValueCounts!.ContainsKey(extra.Id));
        await _hub.AssertIcebirdReadsAsync(table, repo, expected);
        var dump = await new IcebirdReader().ReadAsync(table.Location, new IcebirdReadOptions { HfEndpoint = _hub.Server.Endpoint });
        Assert.Equal(["x4", "x5", "x6"], dump.Rows.Where(r => r["id"].GetInt64() >= 4).Select(r => r["extra"].GetString()).Order());
    }

    [Fact]
    public async Task Files_with_a_renamed_or_dropped_column_under_its_old_name_do_not_change_the_schema()
    {
        var repo = "test/renamed";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdTextExtra { Id = 1, Text = "a", Extra = "x1" } }))
            .Commit("First file");
        var id = await CreateAsync("renamed", repo);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);
        await before.UpdateColumnsAsync(new ColumnChanges { Rename = [new("text", "body")], Drop = ["extra"] });
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-1.parquet", ParquetSamples.Write(new[] { new IdTextExtra { Id = 2, Text = "b", Extra = "x2" } }))
            .Commit("A file written with the dataset's original column names");

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Empty(result.AddedColumns);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(["id", "body", "split"], table.Schema.Fields.Select(f => f.Name));
        var rows = new List<string>();
        await foreach (var row in TableReader.ReadAsync(table, dataIO: new HubFileIO(_hub.Client)))
            rows.Add($"{row["id"]}|{row["body"]}");
        Assert.Equal(["1|a", "2|b"], rows.Order());
    }

    [Fact]
    public async Task A_new_column_whose_name_another_writer_dropped_meanwhile_is_re_planned_under_the_name_mapping()
    {
        var repo = "test/raced";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 1, Text = "a" } }))
            .Commit("First file");
        var id = await CreateAsync("raced", repo);
        var created = await DatasetTestHub.LoadAsync(_catalog, id);
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-1.parquet", ParquetSamples.Write(new[] { new IdTextExtra { Id = 2, Text = "b", Extra = "x2" } }))
            .Commit("A file with a new column");
        // Between the sync's load and its schema commit, Update-FacebergTable adds and drops 'extra' on the same table:
        // 'extra' stays in the name mapping for the dropped field, so old files' 'extra' would be read as the sync's new column.
        var io = new BeforeFirstMetadataWrite(_catalog.CreateFileIO(_hub.Client), async () =>
        {
            var other = await DatasetTestHub.LoadAsync(_catalog, id);
            await other.UpdateColumnsAsync(new ColumnChanges { Add = [NestedField.Optional(0, "extra", PrimitiveType.String)] });
            await other.UpdateColumnsAsync(new ColumnChanges { Drop = ["extra"] });
        });

        var result = await new DatasetTables(_hub.Client, io).SyncAsync(_catalog, id);

        // The schema commit required the schema the sync planned on; the other writer's change failed it, so the sync
        // planned again against the new schema: 'extra' is a dropped column under the name mapping and stays dropped.
        Assert.True(io.Fired);
        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Empty(result.AddedColumns);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(["id", "text", "split"], table.Schema.Fields.Select(f => f.Name));
        Assert.NotEqual(created.CurrentSnapshot!.SnapshotId, table.CurrentSnapshot!.SnapshotId);
        Assert.Equal(2, (await table.PlanFilesAsync()).Count);
    }

    /// <summary>Runs <paramref name="before"/> once, just before the first table-metadata version is written through it.</summary>
    private sealed class BeforeFirstMetadataWrite(IFileIO inner, Func<Task> before) : IFileIO
    {
        public bool Fired { get; private set; }

        public async Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default)
        {
            if (!Fired && path.EndsWith(".metadata.json", StringComparison.Ordinal))
            {
                Fired = true;
                await before();
            }
            await inner.WriteAsync(path, data, overwrite, cancellationToken);
        }

        public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAllBytesAsync(path, cancellationToken);
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);
        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
    }

    [Fact]
    public async Task An_incompatible_change_fails_and_leaves_the_table_as_it_was()
    {
        var repo = "test/breaking";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 1, Text = "a" } }))
            .Commit("First file");
        var id = await CreateAsync("breaking", repo);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-1.parquet", ParquetSamples.Write(new[] { new StringIdText { Id = "2", Text = "b" } }))
            .Commit("A file whose id is a string");

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.Equal(SyncStatus.Failed, result.Status);
        Assert.Equal("IncompatibleSchemaChange", result.Error!.ErrorId);
        Assert.Contains("data/train-1.parquet", result.Error.Message);
        Assert.Contains("'id'", result.Error.Message);
        var after = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Metadata.Properties[TableProperties.Revision], after.Metadata.Properties[TableProperties.Revision]);
    }

    [Fact]
    public async Task A_converted_dataset_follows_its_main_branch_and_reads_the_new_conversion()
    {
        var repo = SampleDatasets.ConvertedCsv;
        var id = await CreateAsync("csv", repo);
        var oldConversion = _hub.Head(repo, DatasetSource.ConversionRef);
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .Text("data/test.csv", "id,text,label\n100,row 100,1\n")
            .Commit("Shorter test split")
            .Parquet("default/test/0000.parquet", 1)
            .Commit("Update parquet files", DatasetSource.ConversionRef);
        var conversion = _hub.Head(repo, DatasetSource.ConversionRef);

        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((0, 0, 1), (result.Added, result.Removed, result.Replaced));
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(_hub.Head(repo), table.Metadata.Properties[TableProperties.Revision]);
        Assert.Equal(conversion, table.Metadata.Properties[TableProperties.SourceRevision]);
        var expected = Files(("default/train/0000.parquet", "train", oldConversion), ("default/test/0000.parquet", "test", conversion));
        await _hub.AssertFilesAsync(table, repo, expected);
        await _hub.AssertIcebirdReadsAsync(table, repo, expected);
    }

    [Fact]
    public async Task The_revision_in_faceberg_yml_wins_over_the_one_the_table_remembers()
    {
        var repo = SampleDatasets.SplitPrefixes;
        CatalogContext WithRevision(string? revision) => new(_catalog.Name, _catalog.Location, new FacebergConfig
        {
            Catalog = new CatalogConfig { Name = _catalog.Name, Location = _catalog.Location },
            Datasets = [new DatasetConfig { Name = "sp", Repo = repo, Revision = revision }],
        });
        var pinnedToTag = WithRevision("v1.0");
        var created = Assert.Single(await _hub.Tables.CreateAsync(pinnedToTag, pinnedToTag.Config!.Datasets[0]));
        Assert.Equal(SyncStatus.UpToDate, (await _hub.Tables.SyncAsync(pinnedToTag, created.Identifier!)).Status);

        var followingMain = WithRevision(null);
        var result = await _hub.Tables.SyncAsync(followingMain, created.Identifier!);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        Assert.Equal((_hub.Head(repo, "v1.0"), _hub.Head(repo)), (result.FromRevision, result.ToRevision));
        Assert.Equal((3, 1, 0), (result.Added, result.Removed, result.Replaced));
        var table = await DatasetTestHub.LoadAsync(_catalog, created.Identifier!);
        Assert.Equal("main", table.Metadata.Properties[TableProperties.Ref]);
        Assert.Equal(60, table.CurrentSnapshot!.SummaryLong(SummaryKeys.TotalRecords));
    }

    [Fact]
    public async Task A_conversion_that_lands_after_the_main_commit_is_picked_up_by_the_next_sync()
    {
        var repo = SampleDatasets.ConvertedCsv;
        var id = await CreateAsync("csv", repo);
        var oldConversion = _hub.Head(repo, DatasetSource.ConversionRef);
        var builder = new HubDatasetBuilder(_hub.Server.Store, repo).Text("data/test.csv", "id,text,label\n100,row 100,1\n").Commit("Shorter test split");

        var early = await _hub.Tables.SyncAsync(_catalog, id);
        Assert.True(early.Status == SyncStatus.Updated, early.Error?.Message);
        Assert.Equal((0, 0, 0), (early.Added, early.Removed, early.Replaced));

        _hub.Server.RequestLog.Clear();
        Assert.Equal(SyncStatus.UpToDate, (await _hub.Tables.SyncAsync(_catalog, id)).Status);
        Assert.Equal(2, _hub.Server.RequestLog.Count);

        builder.Parquet("default/test/0000.parquet", 1).Commit("Update parquet files", DatasetSource.ConversionRef);
        var late = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(late.Status == SyncStatus.Updated, late.Error?.Message);
        Assert.Equal((_hub.Head(repo), _hub.Head(repo)), (late.FromRevision, late.ToRevision));
        Assert.Equal((0, 0, 1), (late.Added, late.Removed, late.Replaced));
        var conversion = _hub.Head(repo, DatasetSource.ConversionRef);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(conversion, table.Metadata.Properties[TableProperties.SourceRevision]);
        await _hub.AssertFilesAsync(table, repo, Files(("default/train/0000.parquet", "train", oldConversion), ("default/test/0000.parquet", "test", conversion)));
    }

    [Fact]
    public async Task A_table_not_made_from_a_dataset_cannot_be_synced()
    {
        var result = await _hub.Tables.SyncAsync(_catalog, new TableIdentifier("default", "missing"));
        Assert.Equal(SyncStatus.Failed, result.Status);
        Assert.Equal("TableNotFound", result.Error!.ErrorId);
    }

    [Fact]
    public async Task A_table_with_another_writers_delete_files_syncs_and_keeps_applying_them()
    {
        var repo = SampleDatasets.SplitPrefixes;
        var id = await CreateAsync("sp", repo);
        var table = await LoadWithHubAsync(id);
        var rows = await CountAsync(table);
        var train = (await table.PlanFilesAsync()).First(f => Equals(f.Partition[0], "train"));
        await CommitPositionDeletesAsync(table, train, 0, 1);
        table = await LoadWithHubAsync(id);
        Assert.Equal(rows - 2, await CountAsync(table));

        new HubDatasetBuilder(_hub.Server.Store, repo).Parquet("data/validation-00000-of-00001.parquet", 6).Commit("Add validation");
        var result = await _hub.Tables.SyncAsync(_catalog, id);

        Assert.True(result.Status == SyncStatus.Updated, result.Error?.Message);
        table = await LoadWithHubAsync(id);
        var plan = await table.PlanAsync();
        Assert.Equal(FileContent.PositionDeletes, Assert.Single(plan.DeleteFiles).Content);
        Assert.Equal(rows - 2 + 6, await CountAsync(table));
        var info = new FacebergTableInfo { Identifier = id, Location = table.Location };
        await TableFacts.ApplyAsync(info, table);
        Assert.Equal((rows - 2 + 6, 1L), (info.RecordCount, info.DeleteFileCount));
    }

    /// <summary>The table with a file IO that reads its hf:// data files from the local Hub, as rows are read.</summary>
    private async Task<IcebergTable> LoadWithHubAsync(TableIdentifier id) => (await _catalog.OpenCatalog(_hub.Client).LoadTableAsync(id)).Table;

    private static async Task<long> CountAsync(IcebergTable table)
    {
        long n = 0;
        await foreach (var _ in new TableScan(table).ReadAsync()) n++;
        return n;
    }

    /// <summary>What a merge-on-read engine commits: a Parquet position delete file in a delete manifest of a new snapshot.</summary>
    private static async Task CommitPositionDeletesAsync(IcebergTable table, DataFile target, params long[] positions)
    {
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<string>("file_path"), new Parquet.Schema.DataField<long>("pos"));
        using var buffer = new MemoryStream();
        await Parquet.Serialization.ParquetSerializer.SerializeUntypedAsync(
            positions.Select(p => (IDictionary<string, object?>)new Dictionary<string, object?> { ["file_path"] = target.FilePath, ["pos"] = p }).ToList(), schema, buffer);
        var deletePath = table.NewMetadataFilePath($"pos-deletes-{Guid.NewGuid():N}.parquet");
        await table.Io.WriteAsync(deletePath, buffer.ToArray());
        var deleteFile = new DataFile
        {
            Content = FileContent.PositionDeletes, FilePath = deletePath, Partition = target.Partition,
            RecordCount = positions.Length, FileSizeInBytes = buffer.Length,
        };
        await table.CommitAsync(async (meta, _, ct) =>
        {
            var parent = meta.CurrentSnapshot!;
            var sequence = meta.LastSequenceNumber + 1;
            var snapshotId = parent.SnapshotId + 1;
            var spec = meta.DefaultSpec;
            var manifestBytes = ManifestIO.Write(meta.CurrentSchema, spec,
                [new ManifestEntry(ManifestEntryStatus.Added, snapshotId, sequence, sequence, deleteFile)], ManifestContent.Deletes);
            var manifestPath = table.NewMetadataFilePath($"deletes-{Guid.NewGuid():N}.avro");
            var manifest = new ManifestFile
            {
                ManifestPath = manifestPath, ManifestLength = manifestBytes.Length, PartitionSpecId = spec.SpecId, Content = ManifestContent.Deletes,
                SequenceNumber = sequence, MinSequenceNumber = sequence, AddedSnapshotId = snapshotId, AddedFilesCount = 1, AddedRowsCount = positions.Length,
                Partitions = ManifestIO.Summarize(spec.PartitionType(meta.CurrentSchema), [deleteFile]),
            };
            var manifests = (await table.ReadManifestListAsync(parent, ct)).Prepend(manifest).ToList();
            var listPath = table.NewMetadataFilePath($"snap-{snapshotId}-deletes.avro");
            var summary = new Dictionary<string, string>(parent.Summary)
            {
                [SummaryKeys.Operation] = "overwrite", [SummaryKeys.TotalDeleteFiles] = "1", [SummaryKeys.TotalPositionDeletes] = positions.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var snapshot = new Snapshot(snapshotId, parent.SnapshotId, sequence, parent.TimestampMs + 1, listPath, summary, meta.CurrentSchemaId);
            var updated = meta with
            {
                LastSequenceNumber = sequence,
                CurrentSnapshotId = snapshotId,
                Snapshots = meta.Snapshots.Append(snapshot).ToArray(),
                SnapshotLog = meta.SnapshotLog.Append(new SnapshotLogEntry(snapshotId, snapshot.TimestampMs)).ToArray(),
                Refs = new Dictionary<string, SnapshotRef> { [SnapshotRef.MainBranch] = new(snapshotId, SnapshotRef.Branch) },
            };
            return new IcebergTable.PendingCommit(updated,
                [new FileWrite(manifestPath, manifestBytes, false), new FileWrite(listPath, ManifestListIO.Write(manifests, snapshotId, parent.SnapshotId, sequence), false)]);
        }, default);
    }
}
