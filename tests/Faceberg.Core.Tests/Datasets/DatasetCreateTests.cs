using System.Collections.Concurrent;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.LocalHub.Samples;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Datasets;

public sealed class DatasetHubFixture : IDisposable
{
    public DatasetTestHub Hub { get; } = new();
    public void Dispose() => Hub.Dispose();
}

/// <summary>Creating tables from every layout of <see cref="SampleDatasets"/>, over real HTTP to the local Hub.</summary>
public sealed class DatasetCreateTests(DatasetHubFixture fixture) : IClassFixture<DatasetHubFixture>
{
    private DatasetTestHub Hub => fixture.Hub;

    /// <summary>Per layout: config → (path → split) at the main head (or at the conversion branch).</summary>
    public static TheoryData<string, string> Layouts => new()
    {
        { SampleDatasets.ConfigFolders, "config1:config1/train/0000.parquet=train,config1/train/0001.parquet=train,config1/test/0000.parquet=test;config2:config2/train/0000.parquet=train,config2/train/0001.parquet=train" },
        { SampleDatasets.SplitFolders, "default:data/train/0000.parquet=train,data/train/0001.parquet=train,data/test/0000.parquet=test,data/validation/0000.parquet=validation" },
        { SampleDatasets.SplitPrefixes, "default:data/train-00000-of-00002.parquet=train,data/train-00001-of-00002.parquet=train,data/test-00000-of-00001.parquet=test" },
        { SampleDatasets.FlatData, "default:data/part-0.parquet=train,data/part-1.parquet=train" },
        { SampleDatasets.ReadmeConfigs, "default:main/train-00000.parquet=train,main/train-00001.parquet=train,main/test-00000.parquet=test;extra:extra/part-0.parquet=train,extra/part-1.parquet=train" },
        { SampleDatasets.ConvertedCsv, "default:default/train/0000.parquet=train,default/test/0000.parquet=test" },
    };

    private static Dictionary<string, Dictionary<string, string>> Parse(string expected) =>
        expected.Split(';').Select(c => c.Split(':', 2)).ToDictionary(
            c => c[0],
            c => c[1].Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]));

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Creates_one_table_per_config_with_pinned_files_splits_and_counts(string repo, string expectedLayout)
    {
        var expected = Parse(expectedLayout);
        var catalog = Hub.NewCatalog();
        var head = Hub.Head(repo);
        var converted = repo == SampleDatasets.ConvertedCsv;
        var dataRevision = converted ? Hub.Head(repo, DatasetSource.ConversionRef) : head;

        var results = await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("ds", repo));

        Assert.All(results, r => Assert.True(r.Status == DatasetTableStatus.Created, r.Error?.Message));
        Assert.Equal(expected.Keys.Order(), results.Select(r => r.Config!).Order());
        Assert.Equal(expected.Keys.Select(c => TableNaming.TableName("ds", c)).Order(), (await catalog.OpenCatalog().ListTablesAsync()).Order());
        foreach (var result in results)
        {
            var files = expected[result.Config!].ToDictionary(f => f.Key, f => (f.Value, dataRevision));
            var table = await DatasetTestHub.LoadAsync(result.Table!);
            var props = table.Metadata.Properties;
            Assert.Equal(repo, props[TableProperties.Repo]);
            Assert.Equal(result.Config, props[TableProperties.Config]);
            Assert.Equal(head, props[TableProperties.Revision]);
            Assert.Equal("main", props[TableProperties.Ref]);
            Assert.Equal($"hf://datasets/{repo}@{dataRevision}", props[TableProperties.WriteDataPath]);
            Assert.True(props.ContainsKey(NameMapping.PropertyKey));
            Assert.Equal(converted ? dataRevision : null, props.GetValueOrDefault(TableProperties.SourceRevision));

            var split = table.Schema.Struct.Field("split")!;
            Assert.Equal(PrimitiveType.String, split.Type);
            var partition = Assert.Single(table.Spec.Fields);
            Assert.Equal((split.Id, "split", Transform.Identity), (partition.SourceId, partition.Name, partition.Transform));
            Assert.Equal(SnapshotOperation.Append, table.CurrentSnapshot!.Operation);
            Assert.Equal(head, table.CurrentSnapshot.Summary[TableProperties.Revision]);

            await Hub.AssertFilesAsync(table, repo, files);
            Assert.Equal(table.CurrentSnapshot.SnapshotId, result.Table!.SnapshotId);
            Assert.Equal(files.Count, result.Table.FileCount);
            await Hub.AssertIcebirdReadsAsync(table, repo, files);
        }
    }

    [Fact]
    public async Task Keeps_Hugging_Face_features_as_column_docs()
    {
        var catalog = Hub.NewCatalog();
        var result = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("docs", SampleDatasets.FlatData)));
        var table = await DatasetTestHub.LoadAsync(result.Table!);
        Assert.Contains("negative", table.Schema.Struct.Field("label")!.Doc);
    }

    [Fact]
    public async Task Reads_each_footer_with_one_ranged_request_and_reports_progress()
    {
        var catalog = Hub.NewCatalog();
        var reports = new ConcurrentQueue<DatasetProgress>();
        Hub.Server.RequestLog.Clear();

        var results = await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("cf", SampleDatasets.ConfigFolders),
            new DatasetTableOptions { ThrottleLimit = 2, Progress = new SyncProgress<DatasetProgress>(reports.Enqueue) });

        Assert.All(results, r => Assert.Equal(DatasetTableStatus.Created, r.Status));
        var reads = Hub.FileReads();
        Assert.Equal(5, reads.Count);
        Assert.All(reads, r => Assert.NotNull(r.Range));
        Assert.Equal(5, reads.Select(r => r.Path).Distinct().Count());
        // info + one tree page; nothing else is asked of the Hub.
        Assert.Equal(2, Hub.Server.RequestLog.Count - reads.Count);
        var footers = reports.Where(p => p.Activity.Contains("footers", StringComparison.Ordinal)).ToList();
        Assert.Contains(footers, p => p.FilesDone == 5 && p.FilesTotal == 5);
        Assert.All(reports, p => Assert.Equal("cf", p.Dataset));
    }

    [Fact]
    public async Task Creates_only_the_configs_faceberg_yml_names()
    {
        var catalog = Hub.NewCatalog();
        var result = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("rc", SampleDatasets.ReadmeConfigs, "extra")));
        Assert.Equal(DatasetTableStatus.Created, result.Status);
        Assert.Equal(new TableIdentifier("default", "rc_extra"), result.Identifier);
        Assert.Equal(14, result.Table!.RecordCount);
    }

    [Fact]
    public async Task An_unknown_config_fails_listing_the_configs_that_exist()
    {
        var catalog = Hub.NewCatalog();
        var result = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("rc", SampleDatasets.ReadmeConfigs, "nope")));
        Assert.Equal(DatasetTableStatus.Failed, result.Status);
        Assert.Equal("DiscoveryConfigNotFound", result.Error!.ErrorId);
        Assert.Contains("'default', 'extra'", result.Error.Message);
        Assert.Empty((await catalog.OpenCatalog().ListTablesAsync()));
    }

    [Fact]
    public async Task A_missing_repo_fails_without_touching_the_catalog()
    {
        var catalog = Hub.NewCatalog();
        var result = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("x", "nobody/missing")));
        Assert.Equal(DatasetTableStatus.Failed, result.Status);
        Assert.Equal(FacebergErrorKind.NotFound, result.Error!.Kind);
        Assert.Empty((await catalog.OpenCatalog().ListTablesAsync()));
    }

    [Fact]
    public async Task An_existing_table_is_an_error_and_is_left_alone()
    {
        var catalog = Hub.NewCatalog();
        var first = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("flat", SampleDatasets.FlatData)));
        var second = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("flat", SampleDatasets.FlatData)));
        Assert.Equal(DatasetTableStatus.Failed, second.Status);
        Assert.Equal("TableAlreadyExists", second.Error!.ErrorId);
        var table = await DatasetTestHub.LoadAsync(first.Table!);
        Assert.Equal(first.Table!.SnapshotId, table.CurrentSnapshot!.SnapshotId);
    }

    [Fact]
    public async Task WhatIf_plans_without_reading_footers_or_writing()
    {
        var catalog = Hub.NewCatalog();
        Hub.Server.RequestLog.Clear();
        var results = await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("sf", SampleDatasets.SplitFolders), new DatasetTableOptions { WhatIf = true });
        var result = Assert.Single(results);
        Assert.Equal(DatasetTableStatus.WouldCreate, result.Status);
        Assert.Equal(4, result.FileCount);
        Assert.Equal(Hub.Head(SampleDatasets.SplitFolders), result.Table!.Revision);
        Assert.Empty(Hub.FileReads());
        Assert.Empty((await catalog.OpenCatalog().ListTablesAsync()));
    }

    [Fact]
    public async Task A_pinned_revision_is_resolved_to_its_commit()
    {
        var catalog = Hub.NewCatalog();
        var dataset = new DatasetConfig { Name = "sp", Repo = SampleDatasets.SplitPrefixes, Revision = "v1.0" };
        var result = Assert.Single(await Hub.Tables.CreateAsync(catalog, dataset));
        var tag = Hub.Head(SampleDatasets.SplitPrefixes, "v1.0");
        var table = await DatasetTestHub.LoadAsync(result.Table!);
        Assert.Equal("v1.0", table.Metadata.Properties[TableProperties.Ref]);
        Assert.Equal(tag, table.Metadata.Properties[TableProperties.Revision]);
        await Hub.AssertFilesAsync(table, SampleDatasets.SplitPrefixes,
            new Dictionary<string, (string, string)> { ["data/train-00000-of-00001.parquet"] = ("train", tag) });
    }

    [Fact]
    public async Task Files_that_disagree_on_a_column_fail_naming_both_files_and_the_column()
    {
        using var hub = new DatasetTestHub(seed: false);
        new HubDatasetBuilder(hub.Server.Store, "test/conflict")
            .File("data/train-0.parquet", ParquetSamples.Write(new[] { new IdText { Id = 1, Text = "a" } }))
            .File("data/train-1.parquet", ParquetSamples.Write(new[] { new StringIdText { Id = "2", Text = "b" } }))
            .Commit("Two files, two schemas");
        var catalog = hub.NewCatalog();

        var result = Assert.Single(await hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("conflict", "test/conflict")));

        Assert.Equal(DatasetTableStatus.Failed, result.Status);
        Assert.Equal("ParquetSchemaConflict", result.Error!.ErrorId);
        Assert.Contains("data/train-0.parquet", result.Error.Message);
        Assert.Contains("data/train-1.parquet", result.Error.Message);
        Assert.Contains("'id'", result.Error.Message);
        Assert.Empty((await catalog.OpenCatalog().ListTablesAsync()));
        Assert.Empty(Directory.GetDirectories(Path.Combine(catalog.Location.Path, "metadata", "default")));
    }

    [Fact]
    public async Task A_csv_dataset_without_a_parquet_conversion_fails_clearly()
    {
        using var hub = new DatasetTestHub(seed: false);
        new HubDatasetBuilder(hub.Server.Store, "test/csv-only").Text("data/train.csv", "id,text\n1,a\n").Commit("CSV only");

        var result = Assert.Single(await hub.Tables.CreateAsync(hub.NewCatalog(), DatasetTestHub.Dataset("csv", "test/csv-only")));

        Assert.Equal(DatasetTableStatus.Failed, result.Status);
        Assert.Equal("DatasetNotConverted", result.Error!.ErrorId);
        Assert.Contains("csv", result.Error.Message);
    }

    [Fact]
    public async Task Datasets_created_in_parallel_into_one_catalog_all_register()
    {
        var catalog = Hub.NewCatalog();
        var datasets = new[] { ("flat", SampleDatasets.FlatData), ("sf", SampleDatasets.SplitFolders), ("sp", SampleDatasets.SplitPrefixes), ("cf", SampleDatasets.ConfigFolders) };

        var results = (await Task.WhenAll(datasets.Select(d => Task.Run(() => Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset(d.Item1, d.Item2))))))
            .SelectMany(r => r).ToList();

        Assert.All(results, r => Assert.True(r.Status == DatasetTableStatus.Created, r.Error?.Message));
        Assert.Equal(results.Select(r => r.Identifier!).Order(), (await catalog.OpenCatalog().ListTablesAsync()).Order());
        Assert.Equal(5, results.Count);
    }

    [Fact]
    public async Task Table_facts_are_read_back_from_the_metadata()
    {
        var catalog = Hub.NewCatalog();
        var created = Assert.Single(await Hub.Tables.CreateAsync(catalog, DatasetTestHub.Dataset("flat", SampleDatasets.FlatData)));
        var store = catalog.OpenCatalog(Hub.Client);
        var listed = Assert.Single(await catalog.DescribeAsync(store));
        Assert.Null(listed.SnapshotId);

        Assert.True(await TableFacts.FillAsync(store, listed));

        Assert.Equal(SampleDatasets.FlatData, listed.Repo);
        Assert.Equal("default", listed.Config);
        Assert.Equal(Hub.Head(SampleDatasets.FlatData), listed.Revision);
        Assert.Equal(created.Table!.SnapshotId, listed.SnapshotId);
        Assert.Equal(30, listed.RecordCount);
        Assert.Equal(2, listed.FileCount);
        Assert.NotNull(listed.LastUpdated);
    }
}

/// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; posts to the thread pool, racing the assertions).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

public sealed class IdText
{
    [System.Text.Json.Serialization.JsonPropertyName("id")] public long Id { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("text")] public string? Text { get; set; }
}

public sealed class StringIdText
{
    [System.Text.Json.Serialization.JsonPropertyName("id")] public string? Id { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("text")] public string? Text { get; set; }
}

public sealed class IdTextExtra
{
    [System.Text.Json.Serialization.JsonPropertyName("id")] public long Id { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("text")] public string? Text { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("extra")] public string? Extra { get; set; }
}
