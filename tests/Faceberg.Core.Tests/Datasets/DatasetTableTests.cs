using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Discovery;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.LocalHub.Samples;
using Faceberg.TestData;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Datasets;

/// <summary><see cref="DatasetSource"/> and <see cref="DatasetTable"/>: the one reader and writer of a dataset table's properties and summaries.</summary>
public sealed class DatasetSourceTests
{
    private const string Sha = "1111111111111111111111111111111111111111";
    private const string Conversion = "2222222222222222222222222222222222222222";

    [Fact]
    public void Properties_written_by_a_source_read_back_as_the_same_source()
    {
        var plain = new DatasetSource("reviews", "org/reviews", "default", Sha, "main");
        var converted = new DatasetSource(null, "org/csv", "default", Sha, "dev", Conversion);

        Assert.Equal(plain, DatasetSource.Read(plain.ToProperties(), key => throw new InvalidOperationException(key)));
        Assert.Equal(converted, DatasetSource.Read(converted.ToProperties(), key => throw new InvalidOperationException(key)));
        Assert.False(converted.ToProperties().ContainsKey(TableProperties.Dataset));
    }

    [Fact]
    public void The_data_path_points_at_the_commit_the_files_are_read_from()
    {
        Assert.Equal($"hf://datasets/org/reviews@{Sha}", new DatasetSource(null, "org/reviews", "c", Sha, "main").ToProperties()[TableProperties.WriteDataPath]);
        var converted = new DatasetSource(null, "org/csv", "c", Sha, "main", Conversion);
        Assert.Equal(Conversion, converted.DataRevision);
        Assert.Equal($"hf://datasets/org/csv@{Conversion}", converted.ToProperties()[TableProperties.WriteDataPath]);
    }

    [Theory]
    [InlineData(TableProperties.Repo)]
    [InlineData(TableProperties.Config)]
    [InlineData(TableProperties.Revision)]
    public void A_table_without_its_repo_config_or_pin_is_not_a_dataset_table(string missing)
    {
        var properties = new Dictionary<string, string>(new DatasetSource(null, "org/r", "c", Sha, "main").ToProperties()) { [missing] = "" };

        var e = Assert.Throws<FacebergException>(() => DatasetSource.Read(properties, key => new FacebergException("NotADatasetTable", FacebergErrorKind.InvalidData, key)));

        Assert.Equal(missing, e.Message);
    }

    [Fact]
    public void A_table_without_a_ref_follows_main()
    {
        var properties = new Dictionary<string, string>(new DatasetSource(null, "org/r", "c", Sha, "dev").ToProperties());
        properties.Remove(TableProperties.Ref);

        Assert.Equal(DatasetSource.DefaultRef, DatasetSource.Read(properties, key => throw new InvalidOperationException(key)).Ref);
    }

    [Fact]
    public void A_first_snapshot_records_its_commit_and_a_change_records_where_it_came_from()
    {
        var source = new DatasetSource(null, "org/r", "c", Sha, "dev");

        Assert.Equal(new Dictionary<string, string> { [TableProperties.Revision] = Sha }, source.SnapshotSummary());
        Assert.Equal(new Dictionary<string, string>
        {
            [TableProperties.Revision] = Sha, [TableProperties.PreviousRevision] = Conversion, [TableProperties.Ref] = "dev",
            [TableProperties.AddedFiles] = "3", [TableProperties.RemovedFiles] = "0", [TableProperties.ReplacedFiles] = "1",
        }, source.SnapshotSummary(Conversion, 3, 0, 1));
        Assert.Equal(new Dictionary<string, string>
        {
            [TableProperties.Revision] = Sha, [TableProperties.PreviousRevision] = Conversion, [TableProperties.Ref] = "dev", [TableProperties.AddedFiles] = "2",
        }, source.SnapshotSummary(Conversion, added: 2));
    }
}

/// <summary><see cref="DatasetTableStore"/>: creating, loading and committing dataset tables.</summary>
public sealed class DatasetTableStoreTests : IDisposable
{
    private const string Sha = "1111111111111111111111111111111111111111";
    private const string NextSha = "3333333333333333333333333333333333333333";
    private readonly DatasetTestHub _hub = new(seed: false);
    private readonly DatasetTableStore _store;
    private readonly CatalogContext _catalog;
    private readonly TableIdentifier _id = new("default", "t");
    private readonly DatasetSource _source = new("ds", "org/r", "default", Sha, "main");

    public DatasetTableStoreTests()
    {
        _store = new DatasetTableStore(_hub.Client);
        _catalog = _hub.NewCatalog();
        _tables = _store.Open(_catalog);
    }

    private readonly ICatalog _tables;

    public void Dispose() => _hub.Dispose();

    private Task<(string Location, TableMetadata Metadata)> CreateAsync(params DataFile[] files) =>
        _store.CreateAsync(_tables, _id, TestSchema, SplitSpec, new DatasetCommit
        {
            BaseSnapshotId = null,
            Source = _source,
            AddDataFiles = files,
            FileRecord = files.Select(f => new PlannedFile((string)f.Partition[0]!, new RepoFile(f.FilePath, f.FileSizeInBytes, "id-" + f.FilePath))).ToList(),
            Summary = _source.SnapshotSummary(),
        });

    private async Task<DatasetTable> LoadAsync() =>
        DatasetTable.Bind(_id, await _store.LoadAsync(_tables, _id), key => throw new InvalidOperationException(key));

    [Fact]
    public async Task A_created_table_is_registered_with_its_source_its_first_snapshot_and_its_file_record()
    {
        var (location, metadata) = await CreateAsync(File("hf://datasets/org/r@" + Sha, "a", "train"));

        Assert.Equal(location, (await _tables.GetTableEntryAsync(_id)).Location.ToString());
        var table = await LoadAsync();
        Assert.Equal(_source, table.Source);
        Assert.Equal(metadata.CurrentSnapshot!.SnapshotId, table.SnapshotId);
        Assert.Equal(Sha, table.Iceberg.CurrentSnapshot!.Summary[TableProperties.Revision]);
        var record = Assert.Single((await _store.ReadFileRecordAsync(table))!);
        Assert.Equal($"hf://datasets/org/r@{Sha}/data/a.parquet", record.Path);
        // Two versions (the empty table, then its first snapshot), the hint naming the second.
        Assert.Equal(2, table.Iceberg.Version);
    }

    [Fact]
    public async Task A_table_whose_folder_already_holds_metadata_is_not_registered()
    {
        var location = Path.Combine(_catalog.Location.Path, "metadata", _id.Namespace, _id.Name);
        await IcebergTable.CreateAsync(new LocalFileIO(), LocalFileIO.ToUri(location), TestSchema);

        var e = await Assert.ThrowsAsync<FacebergException>(() => CreateAsync());

        // A folder holding another table's files (kept by a drop without purge) is never taken over or deleted.
        Assert.Equal("TableFolderInUse", e.ErrorId);
        Assert.False(await _tables.TableExistsAsync(_id));
        Assert.True(System.IO.File.Exists(Path.Combine(location, "metadata", "v1.metadata.json")));
    }

    [Fact]
    public async Task A_commit_given_a_record_the_table_no_longer_names_writes_its_change_against_the_current_record()
    {
        var location = $"hf://datasets/org/r@{Sha}";
        var a = File(location, "a", "train");
        var b = File(location, "b", "train");
        await CreateAsync(a, b);
        PlannedFile Planned(DataFile file, string contentId) => new("train", new RepoFile(file.FilePath, file.FileSizeInBytes, contentId));
        var first = await LoadAsync();
        var stale = (await _store.ReadFileRecordDetailsAsync(first))!;

        // Another commit changes b's content id: the table's record is now a change to the one read above.
        await _store.CommitAsync(_tables, first, new DatasetCommit
        {
            BaseSnapshotId = first.SnapshotId, Source = _source, Summary = _source.SnapshotSummary(),
            FileRecord = [Planned(a, "id-" + a.FilePath), Planned(b, "b2")],
        });
        var second = await LoadAsync();
        await _store.CommitAsync(_tables, second, new DatasetCommit
        {
            BaseSnapshotId = second.SnapshotId, Source = _source, Summary = _source.SnapshotSummary(),
            FileRecord = [Planned(a, "id-" + a.FilePath), Planned(b, "id-" + b.FilePath)],
            FileRecordRead = stale,
        });

        // Written against the stale record, b would count as unchanged and keep "b2".
        var record = (await _store.ReadFileRecordDetailsAsync(await LoadAsync()))!;
        Assert.Equal(["id-" + a.FilePath, "id-" + b.FilePath], record.Files.Select(f => f.ContentId));
        Assert.NotEqual(stale.Location, record.Location);
    }

    [Fact]
    public async Task A_commit_moves_files_properties_and_record_together()
    {
        var location = $"hf://datasets/org/r@{Sha}";
        await CreateAsync(File(location, "a", "train"), File(location, "b", "train"));
        var table = await LoadAsync();
        var next = _source with { Revision = NextSha };

        var snapshot = await _store.CommitAsync(_tables, table, new DatasetCommit
        {
            BaseSnapshotId = table.SnapshotId,
            Source = next,
            RemoveFiles = [$"{location}/data/a.parquet"],
            AddDataFiles = [File($"hf://datasets/org/r@{NextSha}", "c", "test")],
            FileRecord = [new PlannedFile("train", new RepoFile("data/b.parquet", 1000, "b")), new PlannedFile("test", new RepoFile("data/c.parquet", 1000, "c"))],
            Summary = next.SnapshotSummary(Sha, 1, 1, 0),
        });

        var loaded = await LoadAsync();
        Assert.Equal(snapshot!.SnapshotId, loaded.SnapshotId);
        Assert.Equal(next, loaded.Source);
        Assert.Equal(["data/b.parquet", "data/c.parquet"], (await _store.ReadFileRecordAsync(loaded))!.Select(f => f.Path));
        Assert.Equal([$"{location}/data/b.parquet", $"hf://datasets/org/r@{NextSha}/data/c.parquet"],
            (await loaded.Iceberg.PlanFilesAsync()).Select(f => f.FilePath).Order(StringComparer.Ordinal));
        Assert.Equal(Sha, loaded.Iceberg.CurrentSnapshot!.Summary[TableProperties.PreviousRevision]);
    }

    [Fact]
    public async Task A_commit_computed_against_a_snapshot_another_writer_replaced_fails_and_changes_nothing()
    {
        var location = $"hf://datasets/org/r@{Sha}";
        await CreateAsync(File(location, "a", "train"));
        var stale = await LoadAsync();
        var other = await LoadAsync();
        await other.Iceberg.NewAppend().AddFile(File(location, "b", "train")).CommitAsync();

        await Assert.ThrowsAsync<CommitFailedException>(() => _store.CommitAsync(_tables, stale, new DatasetCommit
        {
            BaseSnapshotId = stale.SnapshotId,
            Source = _source with { Revision = NextSha },
            RemoveFiles = [$"{location}/data/a.parquet"],
            Summary = _source.SnapshotSummary(Sha, 0, 1, 0),
        }));

        var loaded = await LoadAsync();
        Assert.Equal(other.SnapshotId, loaded.SnapshotId);
        Assert.Equal(Sha, loaded.Source.Revision);
        Assert.Equal(2, (await loaded.Iceberg.PlanFilesAsync()).Count);
    }

    [Fact]
    public async Task New_columns_go_through_the_tables_schema_evolution_before_the_snapshot()
    {
        await CreateAsync(File($"hf://datasets/org/r@{Sha}", "a", "train"));
        var table = await LoadAsync();
        await table.Iceberg.UpdateColumnsAsync(new ColumnChanges { Rename = [new("text", "body")] });

        var e = await Assert.ThrowsAsync<FacebergException>(() => _store.CommitAsync(_tables, table, new DatasetCommit
        {
            BaseSnapshotId = table.SnapshotId,
            Source = _source,
            AddColumns = [NestedField.Optional(0, "text", PrimitiveType.String)],
            Summary = _source.SnapshotSummary(Sha, 0, 0, 0),
        }));

        Assert.Equal("ColumnNameInMapping", e.ErrorId);
        Assert.Equal(["id", "body", "split"], (await LoadAsync()).Iceberg.Schema.Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task A_commit_without_files_or_summary_only_sets_the_properties()
    {
        await CreateAsync(File($"hf://datasets/org/r@{Sha}", "a", "train"));
        var table = await LoadAsync();

        var snapshot = await _store.CommitAsync(_tables, table, new DatasetCommit { BaseSnapshotId = table.SnapshotId, Source = _source with { Ref = "dev" } });

        Assert.Null(snapshot);
        var loaded = await LoadAsync();
        Assert.Equal("dev", loaded.Source.Ref);
        Assert.Equal(table.SnapshotId, loaded.SnapshotId);
        Assert.Single(loaded.Iceberg.Metadata.Snapshots);
    }
}

/// <summary><see cref="FooterReader"/>: footers from the Hub, a failure kept per file.</summary>
public sealed class FooterReaderTests : IDisposable
{
    private readonly DatasetTestHub _hub = new(seed: false);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Each_file_is_described_and_an_unreadable_one_fails_alone()
    {
        const string repo = "test/footers";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/good.parquet", ParquetSamples.Write(Enumerable.Range(0, 5).Select(i => new IdText { Id = i, Text = $"t{i}" })))
            .File("data/bad.parquet", "not parquet at all, just text long enough to have a tail"u8.ToArray())
            .Commit("Two files");
        var sha = _hub.Head(repo);
        var files = (await new DatasetPlanner(_hub.Client).ListFilesAsync(repo, sha))
            .Where(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).Select(f => ("default", f)).ToList();
        var progress = new List<DatasetProgress>();

        var outcomes = await new FooterReader(_hub.Client).ReadAsync("footers", repo, sha, files, throttle: 2, new SyncProgress<DatasetProgress>(progress.Add));

        var good = outcomes["data/good.parquet"].Get();
        Assert.Equal(5, good.RecordCount);
        Assert.Equal(DatasetSource.DataFileUri(repo, sha, "data/good.parquet"), good.FileUri);
        Assert.Equal(["id", "text"], good.Schema.Fields.Select(f => f.Name));
        Assert.Equal("NotParquet", Assert.Throws<FacebergException>(() => outcomes["data/bad.parquet"].Get()).ErrorId);
        Assert.Equal(2, progress.Max(p => p.FilesDone));
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _gate = new();
        public void Report(T value)
        {
            lock (_gate) report(value);
        }
    }
}

/// <summary><see cref="DatasetPlanner"/> and <see cref="DatasetTableCreator.TableSchema"/>: what a dataset's tables hold.</summary>
public sealed class DatasetPlannerTests : IDisposable
{
    private readonly DatasetTestHub _hub = new(seed: false);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_plan_pins_the_refs_commit_and_gives_each_config_its_files_with_their_splits()
    {
        const string repo = "test/planned";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 1, Text = "a" } }))
            .File("data/test-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 2, Text = "b" } }))
            .Commit("Two splits");

        var plan = await new DatasetPlanner(_hub.Client).PlanAsync(DatasetTestHub.Dataset("planned", repo));

        Assert.Equal((DatasetSource.DefaultRef, _hub.Head(repo), _hub.Head(repo), (string?)null), (plan.Ref, plan.Revision, plan.DataRevision, plan.SourceRevision));
        var table = Assert.Single(plan.Tables);
        Assert.Equal([("data/test-0.parquet", "test"), ("data/train-0.parquet", "train")],
            table.Files.Select(f => (f.File.Path, f.Split)).OrderBy(f => f.Path, StringComparer.Ordinal));
        Assert.All(table.Files, f => Assert.NotEmpty(f.File.ContentId));
        var source = DatasetTableCreator.SourceOf(plan, table);
        Assert.Equal(new DatasetSource("planned", repo, table.Config, plan.Revision, DatasetSource.DefaultRef), source);
    }

    [Fact]
    public async Task A_table_schema_is_the_union_of_its_files_plus_the_split_column_which_the_data_must_not_have()
    {
        const string repo = "test/schemas";
        new HubDatasetBuilder(_hub.Server.Store, repo)
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 1, Text = "a" } }))
            .File("data/train-1.parquet", ParquetSamples.Write(new[] { new IdTextExtra { Id = 2, Text = "b", Extra = "x" } }))
            .File("other/train-0.parquet", ParquetSamples.Write(new[] { new IdSplit { Id = 3, Split = "s" } }))
            .Commit("Files");
        var sha = _hub.Head(repo);
        var reader = new FooterReader(_hub.Client);
        async Task<ParquetFileStatistics> Facts(string path) => ParquetFileStatistics.Of(await reader.ReadOneAsync(repo, sha, new RepoFile(path, 0, "")));

        var schema = DatasetTableCreator.TableSchema([await Facts("data/train-0.parquet"), await Facts("data/train-1.parquet")], repo, "default");
        var withSplit = await Facts("other/train-0.parquet");
        var e = Assert.Throws<FacebergException>(() => DatasetTableCreator.TableSchema([withSplit], repo, "other"));

        Assert.Equal(["id", "text", "extra", "split"], schema.Fields.Select(f => f.Name));
        Assert.False(schema.Struct.Field("split")!.Required);
        Assert.Equal("SplitColumnConflict", e.ErrorId);
    }

    private sealed class IdSplit
    {
        [System.Text.Json.Serialization.JsonPropertyName("id")] public long Id { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("split")] public string? Split { get; set; }
    }
}
