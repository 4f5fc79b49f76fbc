using System.Text;
using System.Text.Json.Nodes;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Tests.Datasets;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>
/// Drops, renames and faceberg.yml edits on a catalog on the Hub racing another writer: the other writer's commit lands
/// between this change reading the head and committing on it (the Hub then answers 412), and the change is read again,
/// re-checked and re-applied on the new head.
/// </summary>
public sealed class HubCatalogConcurrencyTests(PublishHubFixture fixture) : IClassFixture<PublishHubFixture>
{
    private DatasetTestHub Hub => fixture.Hub;

    private static readonly Faceberg.Core.Iceberg.Spec.Schema Schema =
        new(0, [Faceberg.Core.Iceberg.Spec.NestedField.Optional(1, "x", Faceberg.Core.Iceberg.Spec.PrimitiveType.String)]);

    private async Task<(string Repo, ICatalog Catalog)> CatalogWithTablesAsync(params string[] tables)
    {
        var repo = PublishHubFixture.NewRepo();
        var context = CatalogLocator.FromPath($"hf://datasets/{repo}", Hub.Root);
        context.Hub = Hub.Client;
        var catalog = await context.CreateCatalogAsync();
        foreach (var table in tables)
            await catalog.CreateTableAsync(TableIdentifier.Parse(table), Schema);
        return (repo, catalog);
    }

    /// <summary>Before the next commit request to <paramref name="repo"/> is handled, commits <paramref name="change"/> of
    /// catalog.json as another writer would (straight into the store, so the request's parent is no longer the head).</summary>
    private void Interleave(string repo, Action<JsonObject> change, string file = CatalogFiles.CatalogPath)
    {
        var done = 0;
        Hub.Server.InjectFault(request =>
        {
            if (request.Method == "POST" && request.Path.EndsWith($"/api/datasets/{repo}/commit/main", StringComparison.Ordinal)
                && Interlocked.Exchange(ref done, 1) == 0)
            {
                var json = JsonNode.Parse(Hub.Server.Store.ReadFile(repo, "main", file))!.AsObject();
                change(json);
                Hub.Server.Store.Commit(repo, new Dictionary<string, byte[]> { [file] = Encoding.UTF8.GetBytes(json.ToJsonString()) }, null, "Someone else's change");
            }
            return false;
        }, LocalHubFault.Drop(), times: 1);
    }

    private IReadOnlyList<string> Tables(string repo) =>
        JsonNode.Parse(Hub.Server.Store.ReadFile(repo, "main", CatalogFiles.CatalogPath))!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_drop_racing_another_writer_is_reapplied_on_the_new_head_and_keeps_their_change()
    {
        var (repo, catalog) = await CatalogWithTablesAsync("default.a", "default.b");
        var commits = fixture.CommitCount(repo);
        Interleave(repo, json => json["default.c"] = "metadata/default/c");

        await catalog.DropTableAsync(TableIdentifier.Parse("default.a"), purge: true);

        Assert.Equal(["default.b", "default.c"], Tables(repo));
        Assert.Equal(commits + 2, fixture.CommitCount(repo)); // theirs, then the drop on top of it
        Assert.Equal("Faceberg: drop default.a", Hub.Server.Store.GetCommit(repo, "main").Title);
        Assert.DoesNotContain(Hub.Server.Store.GetFiles(repo, "main"), f => f.Path.StartsWith("metadata/default/a/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_drop_of_a_table_another_writer_dropped_meanwhile_fails_as_not_found_not_as_a_conflict()
    {
        var (repo, catalog) = await CatalogWithTablesAsync("default.a");
        Interleave(repo, json => json.Remove("default.a"));

        var error = await Assert.ThrowsAsync<FacebergException>(() => catalog.DropTableAsync(TableIdentifier.Parse("default.a")));

        Assert.Equal(("TableNotFound", FacebergErrorKind.NotFound), (error.ErrorId, error.Kind));
        Assert.Empty(Tables(repo));
    }

    [Fact]
    public async Task A_rename_racing_another_writer_is_reapplied_and_rechecks_that_the_new_name_is_free()
    {
        var (repo, catalog) = await CatalogWithTablesAsync("default.a", "default.b");
        Interleave(repo, json => json["default.c"] = "metadata/default/c");

        await catalog.RenameTableAsync(TableIdentifier.Parse("default.a"), TableIdentifier.Parse("default.renamed"));

        Assert.Equal(["default.b", "default.c", "default.renamed"], Tables(repo));
        Assert.Equal("Faceberg: rename default.a to default.renamed", Hub.Server.Store.GetCommit(repo, "main").Title);
        Assert.NotNull((await catalog.LoadTableAsync(TableIdentifier.Parse("default.renamed"))).Metadata);

        Interleave(repo, json => json["default.taken"] = "metadata/default/taken");
        var error = await Assert.ThrowsAsync<FacebergException>(() => catalog.RenameTableAsync(TableIdentifier.Parse("default.b"), TableIdentifier.Parse("default.taken")));

        Assert.Equal(("TableAlreadyExists", FacebergErrorKind.AlreadyExists), (error.ErrorId, error.Kind));
        Assert.Contains("default.b", Tables(repo));
    }

    [Fact]
    public async Task A_dataset_added_to_a_hub_faceberg_yml_racing_another_edit_keeps_both_and_can_be_undone()
    {
        var (repo, _) = await CatalogWithTablesAsync();
        var iris = new DatasetConfig { Name = "iris", Repo = "demo/iris" };
        var before = await HubConfigFile.AddDatasetAsync(Hub.Client, repo, "shared", iris);
        Assert.Null(before.Before);
        Assert.Equal(["iris"], before.Config.Datasets.Select(d => d.Name));
        // Another writer edits faceberg.yml between this change's read and its commit.
        var done = 0;
        Hub.Server.InjectFault(request =>
        {
            if (request.Method == "POST" && request.Path.EndsWith($"/api/datasets/{repo}/commit/main", StringComparison.Ordinal)
                && Interlocked.Exchange(ref done, 1) == 0)
            {
                var text = Encoding.UTF8.GetString(Hub.Server.Store.ReadFile(repo, "main", CatalogFiles.ConfigPath));
                var theirs = FacebergConfigWriter.AddDataset(text, "faceberg.yml", new DatasetConfig { Name = "theirs", Repo = "demo/theirs" });
                Hub.Server.Store.Commit(repo, new Dictionary<string, byte[]> { [CatalogFiles.ConfigPath] = Encoding.UTF8.GetBytes(theirs) }, null, "Someone else's edit");
            }
            return false;
        }, LocalHubFault.Drop(), times: 1);

        var added = await HubConfigFile.AddDatasetAsync(Hub.Client, repo, "shared", new DatasetConfig { Name = "reviews", Repo = "demo/movie-reviews" });

        var config = await HubCatalog.ReadConfigAsync(Hub.Client, repo);
        Assert.Equal(["iris", "theirs", "reviews"], config!.Datasets.Select(d => d.Name));
        var twice = await Assert.ThrowsAsync<FacebergException>(() => HubConfigFile.AddDatasetAsync(Hub.Client, repo, "shared", iris));
        Assert.Equal("DatasetAlreadyExists", twice.ErrorId);

        Assert.True(await HubConfigFile.UndoAsync(Hub.Client, repo, added, "undo"));
        Assert.Equal(["iris", "theirs"], (await HubCatalog.ReadConfigAsync(Hub.Client, repo))!.Datasets.Select(d => d.Name));
        // Undoing a change someone else changed again leaves the file alone.
        Assert.False(await HubConfigFile.UndoAsync(Hub.Client, repo, before, "undo"));
    }
}
