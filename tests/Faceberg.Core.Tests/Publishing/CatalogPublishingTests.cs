using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Tests.Datasets;
using Faceberg.Core.Tests.Interop;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>Publish and pull against the local Hub over real HTTP.</summary>
public sealed class CatalogPublishingTests(PublishHubFixture fixture) : IClassFixture<PublishHubFixture>
{
    private DatasetTestHub Hub => fixture.Hub;

    [Fact]
    public async Task Tables_of_a_catalog_with_a_repo_are_located_at_the_repo_and_served_from_the_working_copy()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);

        var results = await fixture.CreateTablesAsync(context);

        var id = results[0].Identifier;
        Assert.NotNull(id);
        var location = (await context.OpenCatalog().GetTableEntryAsync(id)).Location.ToString();
        Assert.Equal($"hf://datasets/{repo}/metadata/default/flat_default", location);
        var metadataFile = Path.Combine(context.Location.Path, "metadata", "default", "flat_default", "metadata", "v2.metadata.json");
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(metadataFile));
        Assert.Equal(location, metadata.RootElement.GetProperty("location").GetString());
        var table = await PublishHubFixture.LoadTableAsync(context, "default.flat_default");
        Assert.StartsWith($"hf://datasets/{repo}/metadata/default/flat_default/metadata/snap-", table.CurrentSnapshot!.ManifestList);
        Assert.False(Hub.Server.Store.RepoExists(repo));
        Assert.Equal(true, Assert.Single((await context.ListTablesAsync())).AheadOfPublished);
    }

    [Fact]
    public async Task Publish_creates_the_repo_uploads_everything_in_one_commit_and_then_only_what_changed()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);
        var publisher = new CatalogPublisher(Hub.Client);

        var first = await publisher.PublishAsync(context);

        Assert.True(first.RepositoryCreated);
        Assert.Equal(2, fixture.CommitCount(repo)); // the repo's initial commit and the publish
        Assert.Equal(Hub.Head(repo), first.CommitId);
        Assert.Contains("faceberg.yml", first.Uploaded);
        Assert.Contains("catalog.json", first.Uploaded);
        Assert.Contains("metadata/default/flat_default/metadata/v2.metadata.json", first.Uploaded);
        Assert.Contains("metadata/default/flat_default/metadata/version-hint.text", first.Uploaded);
        Assert.Equal(CatalogFiles.Enumerate(context.Location.Path, context.ConfigPath).Keys, first.Uploaded.Order(StringComparer.Ordinal));
        var published = Assert.Single(first.Tables);
        Assert.Equal("default.flat_default", published.Identifier);
        Assert.NotNull(published.SnapshotId);
        var commit = (await Hub.Client.ListCommitsAsync(repo))[0];
        Assert.Contains("default.flat_default", commit.Title);
        Assert.Contains($"snapshot {published.SnapshotId}", commit.Message);
        foreach (var path in first.Uploaded)
            Assert.Equal(File.ReadAllBytes(CatalogFiles.Enumerate(context.Location.Path, context.ConfigPath)[path]), Hub.Server.Store.ReadFile(repo, "main", path));
        Assert.Equal(false, Assert.Single((await context.ListTablesAsync())).AheadOfPublished);

        var again = await publisher.PublishAsync(context);
        Assert.Empty(again.Uploaded);
        Assert.Equal(first.CommitId, again.CommitId);
        Assert.Equal(2, fixture.CommitCount(repo));

        var table = await PublishHubFixture.LoadTableAsync(context, "default.flat_default");
        await table.UpdatePropertiesAsync(new Dictionary<string, string> { ["owner"] = "data-team" });
        Assert.Equal(true, Assert.Single((await context.ListTablesAsync())).AheadOfPublished);
        var second = await publisher.PublishAsync(context);

        Assert.Equal(["metadata/default/flat_default/metadata/v3.metadata.json", "metadata/default/flat_default/metadata/version-hint.text"], second.Uploaded.Order(StringComparer.Ordinal));
        Assert.Equal(3, fixture.CommitCount(repo));
        Assert.Equal(Hub.Head(repo), second.CommitId);
        Assert.Equal(false, Assert.Single((await context.ListTablesAsync())).AheadOfPublished);
    }

    [Fact]
    public async Task A_pull_into_a_new_folder_gives_the_same_tables()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);
        await new CatalogPublisher(Hub.Client).PublishAsync(context);
        var target = fixture.NewFolder();

        var pulled = await new CatalogPuller(Hub.Client).PullAsync(repo, target);

        Assert.Equal(Path.Combine(target, ".faceberg"), pulled.CatalogDirectory);
        Assert.Equal(Hub.Head(repo), pulled.CommitId);
        var copy = fixture.Load(target);
        Assert.Equal(repo, copy.Repository);
        var original = Assert.Single((await context.ListTablesAsync()));
        var pulledInfo = Assert.Single((await copy.ListTablesAsync()));
        Assert.Equal((original.Identifier, original.Location), (pulledInfo.Identifier, pulledInfo.Location));
        Assert.Equal(false, pulledInfo.AheadOfPublished);
        var a = await PublishHubFixture.LoadTableAsync(context, "default.flat_default");
        var b = await PublishHubFixture.LoadTableAsync(copy, "default.flat_default");
        Assert.Equal(a.CurrentSnapshot!.SnapshotId, b.CurrentSnapshot!.SnapshotId);
        Assert.Equal((await a.PlanFilesAsync()).Select(f => f.FilePath), (await b.PlanFilesAsync()).Select(f => f.FilePath));
    }

    [Fact]
    public async Task A_second_publisher_racing_the_first_gets_a_conflict_and_overwrites_nothing()
    {
        var repo = PublishHubFixture.NewRepo();
        var alice = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(alice);
        await new CatalogPublisher(Hub.Client).PublishAsync(alice);
        var bobFolder = fixture.NewFolder();
        await new CatalogPuller(Hub.Client).PullAsync(repo, bobFolder);
        var bob = fixture.Load(bobFolder);

        await (await PublishHubFixture.LoadTableAsync(alice, "default.flat_default")).UpdatePropertiesAsync(new Dictionary<string, string> { ["by"] = "alice" });
        await (await PublishHubFixture.LoadTableAsync(bob, "default.flat_default")).UpdatePropertiesAsync(new Dictionary<string, string> { ["by"] = "bob" });
        var aliceCommit = (await new CatalogPublisher(Hub.Client).PublishAsync(alice)).CommitId;

        var error = await Assert.ThrowsAsync<FacebergException>(() => new CatalogPublisher(Hub.Client).PublishAsync(bob));

        Assert.Equal(("PublishConflict", FacebergErrorKind.Conflict), (error.ErrorId, error.Kind));
        Assert.Contains("pull first", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(aliceCommit, Hub.Head(repo));
        Assert.Contains("alice", System.Text.Encoding.UTF8.GetString(Hub.Server.Store.ReadFile(repo, "main", "metadata/default/flat_default/metadata/v3.metadata.json")));
    }

    [Fact]
    public async Task A_publish_whose_commit_landed_but_was_not_recorded_finds_it_on_the_next_run()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);
        var first = await new CatalogPublisher(Hub.Client).PublishAsync(context);
        // A crash between the commit and recording it: the working copy does not know it was ever published.
        System.IO.File.Delete(PublishState.PathIn(context.Location.Path));

        var again = await new CatalogPublisher(Hub.Client).PublishAsync(context);

        Assert.Equal(first.CommitId, again.CommitId);
        Assert.Empty(again.Uploaded);
        Assert.Equal(first.CommitId, PublishState.Read(context.Location.Path)!.Commit);
        Assert.Equal(first.CommitId, Hub.Head(repo));
    }

    [Fact]
    public async Task The_parent_commit_guards_a_publish_whose_check_passed_before_someone_else_committed()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);
        await new CatalogPublisher(Hub.Client).PublishAsync(context);
        await (await PublishHubFixture.LoadTableAsync(context, "default.flat_default")).UpdatePropertiesAsync(new Dictionary<string, string> { ["x"] = "1" });
        // Someone else commits a catalog file right after this publisher read the head.
        var state = PublishState.Read(context.Location.Path)!;
        Hub.Server.Store.Commit(repo, new Dictionary<string, byte[]> { ["catalog.json"] = "{}\n"u8.ToArray() }, null, "other publisher");

        var error = await Assert.ThrowsAsync<FacebergException>(() => new CatalogPublisher(Hub.Client).PublishAsync(context));

        Assert.Equal("PublishConflict", error.ErrorId);
        Assert.Equal(state.Commit, PublishState.Read(context.Location.Path)!.Commit);
    }

    [Fact]
    public async Task Pull_refuses_to_overwrite_unpublished_changes_and_names_the_tables_unless_forced()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);
        await new CatalogPublisher(Hub.Client).PublishAsync(context);
        var folder = Path.GetDirectoryName(context.ConfigPath)!;
        await (await PublishHubFixture.LoadTableAsync(context, "default.flat_default")).UpdatePropertiesAsync(new Dictionary<string, string> { ["x"] = "1" });

        var error = await Assert.ThrowsAsync<FacebergException>(() => new CatalogPuller(Hub.Client).PullAsync(repo, folder));

        Assert.Equal(("UnpublishedChanges", FacebergErrorKind.Conflict), (error.ErrorId, error.Kind));
        Assert.Contains("default.flat_default", error.Message);
        Assert.True(File.Exists(Path.Combine(context.Location.Path, "metadata", "default", "flat_default", "metadata", "v3.metadata.json")));

        var forced = await new CatalogPuller(Hub.Client).PullAsync(repo, folder, new PullOptions { Force = true });

        Assert.Contains("metadata/default/flat_default/metadata/v3.metadata.json", forced.Deleted);
        Assert.False(File.Exists(Path.Combine(context.Location.Path, "metadata", "default", "flat_default", "metadata", "v3.metadata.json")));
        Assert.Equal(false, Assert.Single((await fixture.Load(folder).ListTablesAsync())).AheadOfPublished);
    }

    [Fact]
    public async Task A_catalog_without_a_repo_asks_for_one_and_says_why()
    {
        var context = fixture.NewProject(repo: null);
        await fixture.CreateTablesAsync(context);
        Assert.Null(Assert.Single((await context.ListTablesAsync())).AheadOfPublished);

        var missing = await Assert.ThrowsAsync<FacebergException>(() => new CatalogPublisher(Hub.Client).PublishAsync(context));
        Assert.Equal("RepositoryRequired", missing.ErrorId);
        Assert.Contains("-Repository", missing.Message);
    }

    [Fact]
    public async Task WhatIf_lists_the_uploads_without_creating_the_repo()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        await fixture.CreateTablesAsync(context);

        var plan = await new CatalogPublisher(Hub.Client).PublishAsync(context, new PublishOptions { WhatIf = true });

        Assert.True(plan.WhatIf);
        Assert.Null(plan.CommitId);
        Assert.Contains("catalog.json", plan.Uploaded);
        Assert.False(Hub.Server.Store.RepoExists(repo));
        Assert.Null(PublishState.Read(context.Location.Path));
    }

    [Fact]
    public async Task Icebird_reads_a_published_table_straight_from_the_hub()
    {
        var repo = PublishHubFixture.NewRepo();
        var context = fixture.NewProject(repo);
        var created = await fixture.CreateTablesAsync(context);
        await new CatalogPublisher(Hub.Client).PublishAsync(context);
        // Nothing local is left to fall back on: the reader gets every file over HTTP.
        Directory.Delete(context.Location.Path, recursive: true);

        var dump = await new IcebirdReader().ReadAsync($"hf://datasets/{repo}/metadata/default/flat_default", new IcebirdReadOptions { HfEndpoint = Hub.Server.Endpoint });

        Assert.Equal(created[0].Table!.SnapshotId, dump.CurrentSnapshot!.SnapshotId);
        var expected = new List<string>();
        foreach (var path in new[] { "data/part-0.parquet", "data/part-1.parquet" })
            expected.AddRange(await DatasetTestHub.IdTextRowsAsync(Hub.Server.Store.ReadFile(TestData.SampleDatasets.FlatData, "main", path)));
        Assert.Equal(expected.Order(StringComparer.Ordinal), dump.Rows.Select(r => $"{r["id"].GetInt64()}|{r["text"].GetString()}").Order(StringComparer.Ordinal));
    }
}
