using System.Collections;
using System.Text.RegularExpressions;
using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Datasets;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;
using Faceberg.TestData;
using Parquet;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>Writing rows to dataset tables over a local Hub on real HTTP; each test owns its Hub because writes commit.</summary>
public sealed class TableWriterTests : IDisposable
{
    private readonly DatasetTestHub _hub = new();
    private readonly CatalogContext _catalog;

    public TableWriterTests() => _catalog = _hub.NewCatalog();

    public void Dispose() => _hub.Dispose();

    private async Task<TableIdentifier> CreateAsync(string name, string repo, params string[] configs)
    {
        var result = Assert.Single(await _hub.Tables.CreateAsync(_catalog, DatasetTestHub.Dataset(name, repo, configs)));
        Assert.True(result.Status == DatasetTableStatus.Created, result.Error?.Message);
        return result.Identifier!;
    }

    private TableWriter Writer(IFileIO? io = null) => new(_hub.Client, io);

    private static IReadOnlyDictionary<string, object?> Row(params (string Key, object? Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value);

    /// <summary>Rows shaped like <see cref="SampleRow"/>, the columns of every sample dataset.</summary>
    private static List<IReadOnlyDictionary<string, object?>> SampleRows(int count, long start) =>
        Enumerable.Range(0, count).Select(i => Row(
            ("id", start + i), ("count", i), ("text", $"written {start + i}"), ("score", i * 0.25), ("weight", 1.5f),
            ("flag", i % 2 == 0), ("label", 1L), ("comment", i == 0 ? null : "c"), ("tags", new[] { "x", "y" }),
            ("meta", new Hashtable { ["source"] = "faceberg", ["year"] = 2026 }))).ToList();

    private int HubCommits() => _hub.Server.RequestLog.Entries.Count(e => e.Method == "POST" && e.Path.Contains("/commit/", StringComparison.Ordinal));

    private async Task<List<TableRow>> ReadAllAsync(IcebergTable table, params string[] splits)
    {
        var io = new FileIORouter().Register("hf", new HubFileIO(_hub.Client));
        var rows = new List<TableRow>();
        await foreach (var row in TableReader.ReadAsync(table, new TableScanOptions { Splits = splits.Length == 0 ? null : splits }, io))
            rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task A_write_reports_rows_checked_and_encoded_then_every_byte_uploaded()
    {
        var id = await CreateAsync("sf", SampleDatasets.SplitFolders);
        var reports = new List<WorkProgress>();
        var result = await Writer().WriteAsync(_catalog, id, "test", SampleRows(2500, 1000),
            new TableWriteOptions { Progress = new CallbackProgress<WorkProgress>(reports.Add) });

        // Rows are checked and encoded in one pass.
        var encoded = reports.Where(r => r.Activity == "Encoding rows").ToList();
        Assert.Equal([1000L, 2000L, 2500L], encoded.Select(r => r.Done));
        Assert.All(encoded, r => Assert.Equal((2500L, "rows"), (r.Total, r.Unit)));
        Assert.DoesNotContain(reports, r => r.Activity == "Checking rows");
        var uploads = reports.Where(r => r.Unit == "bytes").ToList();
        Assert.All(uploads, r => Assert.Equal(result.Bytes, r.Total));
        Assert.Equal(0, uploads[0].Done);
        Assert.Equal(result.Bytes, uploads[^1].Done);
    }

    [Fact]
    public async Task A_write_is_one_Hub_commit_of_files_named_per_layout_and_one_append_snapshot_pinning_the_new_revision()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);
        var oldHead = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var result = await Writer().WriteAsync(_catalog, id, "test", SampleRows(25, 1000));

        Assert.Equal(1, HubCommits());
        var head = _hub.Head(repo);
        Assert.NotEqual(oldHead, head);
        Assert.Equal(head, result.Revision);
        Assert.Equal(oldHead, result.ParentRevision);
        var path = Assert.Single(result.Files);
        Assert.Matches(new Regex(@"^data/test/test-00000-of-00001-[0-9a-f]{12}\.parquet$"), path);
        Assert.Equal(25, result.Records);

        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(head, table.Metadata.Properties[TableProperties.Revision]);
        Assert.Equal(before.CurrentSnapshot!.SnapshotId, table.CurrentSnapshot!.ParentSnapshotId);
        Assert.Equal("append", table.CurrentSnapshot.Operation);
        Assert.Equal(result.SnapshotId, table.CurrentSnapshot.SnapshotId);
        var added = Assert.Single(await table.PlanFilesAsync(), f => f.FilePath.Contains("/test-00000-of-00001-", StringComparison.Ordinal));
        Assert.Equal(DatasetSource.DataFileUri(repo, head, path), added.FilePath);
        Assert.Equal("test", Assert.Single(added.Partition));
        Assert.Equal(25, added.RecordCount);
        Assert.Equal(_hub.Server.Store.ReadFile(repo, head, path).LongLength, added.FileSizeInBytes);
        Assert.NotEmpty(added.LowerBounds!);

        // The written file: Snappy (the default codec, as the Hub's converter writes), the dataset's columns only (no split), the dataset's features kept.
        var bytes = _hub.Server.Store.ReadFile(repo, head, path);
        await using (var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes)))
        {
            Assert.All(reader.Metadata!.RowGroups.SelectMany(g => g.Columns), c => Assert.Equal(Parquet.Meta.CompressionCodec.SNAPPY, c.MetaData!.Codec));
            Assert.DoesNotContain(reader.Schema.GetDataFields(), f => f.Name == "split");
            Assert.Contains("huggingface", reader.CustomMetadata.Keys);
        }

        // The next sync sees nothing new.
        var sync = await _hub.Tables.SyncAsync(_catalog, id);
        Assert.Equal(SyncStatus.UpToDate, sync.Status);

        var rows = await ReadAllAsync(table, "test");
        Assert.Equal(35, rows.Count);
        var written = rows.Where(r => (long)r["id"]! >= 1000).OrderBy(r => (long)r["id"]!).ToList();
        Assert.Equal(25, written.Count);
        Assert.Equal("written 1003", written[3]["text"]);
        Assert.All(written, r => Assert.Equal("test", r.Split));
    }

    [Theory]
    [InlineData(SampleDatasets.SplitPrefixes, "train", @"^data/train-00000-of-00001-[0-9a-f]{12}\.parquet$")]
    [InlineData(SampleDatasets.SplitPrefixes, "validation", @"^data/validation-00000-of-00001-[0-9a-f]{12}\.parquet$")]
    [InlineData(SampleDatasets.SplitFolders, "validation", @"^data/validation/validation-00000-of-00001-[0-9a-f]{12}\.parquet$")]
    [InlineData(SampleDatasets.ReadmeConfigs, "train", @"^main/train-00000-of-00001-[0-9a-f]{12}\.parquet$")]
    [InlineData(SampleDatasets.FlatData, "train", @"^data/part-[0-9a-f]{12}-00000\.parquet$")]
    public async Task New_files_follow_the_layout_of_the_dataset(string repo, string split, string pattern)
    {
        var id = await CreateAsync("t", repo, repo == SampleDatasets.ReadmeConfigs ? ["default"] : []);
        var result = await Writer().WriteAsync(_catalog, id, split, SampleRows(3, 5000));
        Assert.Matches(new Regex(pattern), Assert.Single(result.Files));
        Assert.Equal(SyncStatus.UpToDate, (await _hub.Tables.SyncAsync(_catalog, id)).Status);
    }

    [Fact]
    public async Task Readme_globs_that_would_not_match_new_files_refuse_the_write_and_say_why()
    {
        var repo = SampleDatasets.ReadmeConfigs;
        var id = await CreateAsync("rc", repo, "default");
        var head = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var e = await Assert.ThrowsAsync<FacebergException>(() => Writer().WriteAsync(_catalog, id, "validation", SampleRows(2, 0)));

        Assert.Equal("WriteLayoutMismatch", e.ErrorId);
        Assert.Contains("no data_files for split 'validation'", e.Message);
        Assert.Equal(0, HubCommits());
        Assert.Equal(head, _hub.Head(repo));
    }

    [Fact]
    public async Task A_card_pattern_of_another_shape_gets_a_name_that_matches_it()
    {
        var id = await CreateAsync("rc", SampleDatasets.ReadmeConfigs, "extra");
        var result = await Writer().WriteAsync(_catalog, id, "train", SampleRows(2, 7000));
        Assert.Matches(new Regex(@"^extra/part-[0-9a-f]{12}-00000\.parquet$"), Assert.Single(result.Files));
    }

    [Fact]
    public async Task A_bad_row_is_rejected_naming_row_and_column_and_nothing_is_written()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var version = (await DatasetTestHub.LoadAsync(_catalog, id)).Version;
        var rows = SampleRows(5, 0);
        rows[3] = new Dictionary<string, object?>(rows[3]) { ["count"] = "many" };
        rows[4] = new Dictionary<string, object?>(rows[4]) { ["nope"] = 1 };
        _hub.Server.RequestLog.Clear();

        var e = await Assert.ThrowsAsync<FacebergException>(() => Writer().WriteAsync(_catalog, id, "train", rows));

        Assert.Equal("WriteRowInvalid", e.ErrorId);
        Assert.Contains("row 3, column 'count': is int but the value is 'many' (String)", e.Message);
        Assert.Contains("row 4, column 'nope'", e.Message);
        Assert.Empty(_hub.Server.RequestLog.Entries);
        Assert.Equal(version, (await DatasetTestHub.LoadAsync(_catalog, id)).Version);
    }

    /// <summary><see cref="SampleRows"/> as <see cref="KeyedRow"/>s: the first half share one name array, the second half
    /// another in a different order and casing, and one row in between has a name array of its own.</summary>
    private static List<IReadOnlyDictionary<string, object?>> KeyedRows(List<IReadOnlyDictionary<string, object?>> rows)
    {
        var ordered = rows[0].Keys.ToArray();
        var reversed = ordered.Reverse().Select(k => k == "id" ? "ID" : k).ToArray();
        return rows.Select((row, i) =>
        {
            var names = i == rows.Count / 2 ? ordered.ToArray() : i < rows.Count / 2 ? ordered : reversed;
            return (IReadOnlyDictionary<string, object?>)new KeyedRow(names, names.Select(n => row[n == "ID" ? "id" : n]).ToArray());
        }).ToList();
    }

    [Fact]
    public async Task Keyed_rows_of_several_shapes_are_written_as_the_same_rows_as_dictionaries()
    {
        var id = await CreateAsync("sf", SampleDatasets.SplitFolders);
        await Writer().WriteAsync(_catalog, id, "test", SampleRows(40, 5000));
        await Writer().WriteAsync(_catalog, id, "train", KeyedRows(SampleRows(40, 5000)));

        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        async Task<List<string>> WrittenAsync(string split) => (await ReadAllAsync(table, split))
            .Where(r => (long)r["id"]! >= 5000).OrderBy(r => (long)r["id"]!)
            .Select(r => string.Join("|", r.Schema.Names.Where(n => n != "split").Select(n => r[n] switch
            {
                IEnumerable<object?> items => string.Join(",", items),
                var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            }))).ToList();
        var fromKeyed = await WrittenAsync("train");
        Assert.Equal(40, fromKeyed.Count);
        Assert.Equal(await WrittenAsync("test"), fromKeyed);
    }

    [Fact]
    public async Task A_bad_keyed_row_is_named_as_a_bad_dictionary_row_is()
    {
        var id = await CreateAsync("sf", SampleDatasets.SplitFolders);
        var rows = KeyedRows(SampleRows(5, 0));
        var third = (KeyedRow)rows[3];
        rows[3] = new KeyedRow(third.Names, third.Names.Select(n => n == "count" ? "many" : third[n]).ToArray());
        rows[4] = new KeyedRow([.. ((KeyedRow)rows[4]).Names, "nope"], [.. ((KeyedRow)rows[4]).Values, 1]);

        var e = await Assert.ThrowsAsync<FacebergException>(() => Writer().WriteAsync(_catalog, id, "train", rows));

        Assert.Equal("WriteRowInvalid", e.ErrorId);
        Assert.Contains("row 3, column 'count': is int but the value is 'many' (String)", e.Message);
        Assert.Contains("row 4, column 'nope'", e.Message);
    }

    [Theory]
    [InlineData("id", null, "row 0, column 'id': is required but the value is null")]
    [InlineData("meta", "oops", "row 0, column 'meta': is a struct but the value is 'oops' (String)")]
    [InlineData("tags", 5, "row 0, column 'tags': is a list but the value is 5 (Int32)")]
    [InlineData("split", "test", "the split comes from -Split ('train'), but the row says 'test'")]
    [InlineData("count", "", "row 0, column 'count': is required but the value is null")]
    public async Task Values_that_do_not_fit_are_named(string column, object? value, string expected)
    {
        var id = await CreateAsync("sf", SampleDatasets.SplitFolders);
        var row = new Dictionary<string, object?>(SampleRows(1, 0)[0]) { [column] = value };
        var e = await Assert.ThrowsAsync<FacebergException>(() => Writer().WriteAsync(_catalog, id, "train", [row]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_moved_branch_is_a_conflict_telling_to_sync_first()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        new HubDatasetBuilder(_hub.Server.Store, repo).Text("notes.md", "elsewhere").Commit("Someone else");
        var head = _hub.Head(repo);
        _hub.Server.RequestLog.Clear();

        var e = await Assert.ThrowsAsync<FacebergException>(() => Writer().WriteAsync(_catalog, id, "train", SampleRows(2, 0)));

        Assert.Equal("WriteBranchMoved", e.ErrorId);
        Assert.Equal(FacebergErrorKind.Conflict, e.Kind);
        Assert.Contains("Sync-FacebergTable", e.Message);
        Assert.Equal(0, HubCommits());
        Assert.Equal(head, _hub.Head(repo));
    }

    [Fact]
    public async Task The_Hub_commit_names_its_parent_so_a_branch_moving_during_the_upload_is_a_conflict()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var handler = new MoveBranchOnPreupload(_hub.Server.Store, repo);
        using var client = new HubClient(new HubClientOptions { Endpoint = _hub.Server.Endpoint, Token = _hub.Server.Token, HttpMessageHandler = handler });
        var version = (await DatasetTestHub.LoadAsync(_catalog, id)).Version;

        var e = await Assert.ThrowsAsync<FacebergException>(() => new TableWriter(client).WriteAsync(_catalog, id, "train", SampleRows(2, 0)));

        Assert.Equal("WriteBranchMoved", e.ErrorId);
        Assert.IsType<HubCommitConflictException>(e.InnerException);
        Assert.True(handler.Moved);
        Assert.Equal(handler.MovedTo, _hub.Head(repo));
        Assert.Equal(version, (await DatasetTestHub.LoadAsync(_catalog, id)).Version);
    }

    /// <summary>Commits to the repo behind the writer's back once its upload has started.</summary>
    private sealed class MoveBranchOnPreupload(Faceberg.LocalHub.Store.LocalHubStore store, string repo) : DelegatingHandler(new SocketsHttpHandler())
    {
        public bool Moved { get; private set; }
        public string? MovedTo { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!Moved && request.RequestUri!.AbsolutePath.Contains("/preupload/", StringComparison.Ordinal))
            {
                new HubDatasetBuilder(store, repo).Text("race.md", "racing").Commit("Concurrent commit");
                MovedTo = store.ResolveRevision(repo, "main");
                Moved = true;
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_failed_metadata_commit_leaves_the_table_at_its_snapshot_and_the_next_sync_picks_the_files_up()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var before = await DatasetTestHub.LoadAsync(_catalog, id);

        var e = await Assert.ThrowsAsync<FacebergException>(() =>
            Writer(new FailingMetadataIO()).WriteAsync(_catalog, id, "train", SampleRows(4, 9000)));

        Assert.Equal("WriteMetadataCommitFailed", e.ErrorId);
        var head = _hub.Head(repo);
        Assert.Contains(head, e.Message);
        var after = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.CurrentSnapshot!.SnapshotId, after.CurrentSnapshot!.SnapshotId);

        var sync = await _hub.Tables.SyncAsync(_catalog, id);
        Assert.Equal(SyncStatus.Updated, sync.Status);
        Assert.Equal(1, sync.Added);
        var rows = await ReadAllAsync(await DatasetTestHub.LoadAsync(_catalog, id), "train");
        Assert.Equal(4, rows.Count(r => (long)r["id"]! >= 9000));
    }

    /// <summary>Local files whose metadata writes fail, as a crash after the Hub commit would.</summary>
    private sealed class FailingMetadataIO : IFileIO
    {
        private readonly FileIORouter _inner = new();
        public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken ct = default) => _inner.ReadAllBytesAsync(path, ct);
        public Task<Stream> OpenReadAsync(string path, CancellationToken ct = default) => _inner.OpenReadAsync(path, ct);
        public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken ct = default) =>
            throw new IOException("disk gone");
        public Task<bool> ExistsAsync(string path, CancellationToken ct = default) => _inner.ExistsAsync(path, ct);
        public Task DeleteAsync(string path, CancellationToken ct = default) => _inner.DeleteAsync(path, ct);
        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default) => _inner.ListAsync(prefix, ct);
    }

    [Fact]
    public async Task WhatIf_names_the_files_and_writes_nothing()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var head = _hub.Head(repo);
        var result = await Writer().WriteAsync(_catalog, id, "train", SampleRows(3, 0), new TableWriteOptions { WhatIf = true });
        Assert.True(result.WhatIf);
        Assert.Null(result.Revision);
        Assert.Matches(new Regex(@"^data/train/train-00000-of-00001-[0-9a-f]{12}\.parquet$"), Assert.Single(result.Files));
        Assert.Equal(head, _hub.Head(repo));
        Assert.Equal(0, HubCommits());
    }

    [Fact]
    public async Task A_declined_confirmation_returns_the_plan_and_writes_nothing_an_accepted_one_writes()
    {
        var repo = SampleDatasets.SplitFolders;
        var id = await CreateAsync("sf", repo);
        var head = _hub.Head(repo);
        TableWriteResult? asked = null;
        var declined = await Writer().WriteAsync(_catalog, id, "train", SampleRows(3, 0),
            new TableWriteOptions { ConfirmAsync = (plan, _) => { asked = plan; return Task.FromResult(false); } });
        Assert.NotNull(asked);
        Assert.Equal(3, asked.Records);
        Assert.True(declined.WhatIf);
        Assert.Equal(asked.Files, declined.Files);
        Assert.Equal(head, _hub.Head(repo));
        Assert.Equal(0, HubCommits());

        var written = await Writer().WriteAsync(_catalog, id, "train", SampleRows(3, 0),
            new TableWriteOptions { ConfirmAsync = (_, _) => Task.FromResult(true) });
        Assert.False(written.WhatIf);
        Assert.NotNull(written.Revision);
        Assert.Equal(1, HubCommits());
    }

    [Fact]
    public async Task A_plan_checks_rows_without_encoding_and_names_as_many_files_as_the_write_makes()
    {
        var repo = SampleDatasets.SplitPrefixes;
        var id = await CreateAsync("sp", repo);
        var options = new TableWriteOptions { TargetFileBytes = 10_000, TargetRowGroupBytes = 2_000 };
        var reports = new List<WorkProgress>();
        var plan = await Writer().WriteAsync(_catalog, id, "test", SampleRows(1500, 20000),
            new TableWriteOptions { WhatIf = true, TargetFileBytes = 10_000, TargetRowGroupBytes = 2_000, Progress = new CallbackProgress<WorkProgress>(reports.Add) });
        Assert.Equal([0L, 1000L], reports.Where(r => r.Activity == "Checking rows").Select(r => r.Done));
        Assert.DoesNotContain(reports, r => r.Activity == "Encoding rows");

        var written = await Writer().WriteAsync(_catalog, id, "test", SampleRows(1500, 20000), options);
        Assert.True(written.Files.Count > 1);
        Assert.Equal(plan.Files.Count, written.Files.Count);
        Assert.Equal(plan.Records, written.Records);
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(1500, (await ReadAllAsync(table, "test")).Count(r => (long)r["id"]! >= 20000));
    }

    [Fact]
    public async Task Large_writes_are_sharded_and_row_groups_sized()
    {
        var repo = SampleDatasets.SplitPrefixes;
        var id = await CreateAsync("sp", repo);
        var result = await Writer().WriteAsync(_catalog, id, "test", SampleRows(300, 20000),
            new TableWriteOptions { TargetFileBytes = 10_000, TargetRowGroupBytes = 2_000 });
        Assert.True(result.Files.Count > 1);
        Assert.All(result.Files.Select((f, i) => (f, i)), x =>
            Assert.Matches(new Regex($@"^data/test-{x.i:D5}-of-{result.Files.Count:D5}-[0-9a-f]{{12}}\.parquet$"), x.f));
        var bytes = _hub.Server.Store.ReadFile(repo, result.Revision!, result.Files[0]);
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
        Assert.True(reader.RowGroupCount > 1);
        Assert.Equal(1, HubCommits());
        var table = await DatasetTestHub.LoadAsync(_catalog, id);
        Assert.Equal(300, (await ReadAllAsync(table, "test")).Count(r => (long)r["id"]! >= 20000));
    }
}
