using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>Publish-FacebergCatalog, Save-FacebergCatalog and hf:// catalogs in a hosted engine against a local
/// Hub (HF_ENDPOINT) seeded with the sample datasets.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class PublishCmdletTests : IDisposable
{
    private const string Repo = "team/shared-catalog";
    private const string Config = """
        catalog:
          name: shared
          repo: team/shared-catalog
        datasets:
          - name: flat
            repo: layouts/flat
        """;

    private readonly TempProject _project = new();
    private readonly SeededHub _seededHub;
    private LocalHubServer Hub => _seededHub.Server;
    private readonly PowerShellHost _shell;

    public PublishCmdletTests()
    {
        _seededHub = new SeededHub(_project.PathOf("hub"));
        _project.Write("alice/faceberg.yml", Config);
        _shell = new PowerShellHost(_project.PathOf("alice"));
    }

    public void Dispose()
    {
        _shell.Dispose();
        _seededHub.Dispose();
        _project.Dispose();
    }

    private string Head => Hub.Store.ResolveRevision(Repo, "main");

    private void BuildAndPublish()
    {
        _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();
        _shell.Run("Publish-FacebergCatalog").AssertSuccess();
    }

    private static string Rows(PsResult result) =>
        string.Join("\n", result.Output.Select(r => $"{r.Prop<object>("id")}|{r.Prop<object>("text")}|{r.Prop<object>("split")}").Order(StringComparer.Ordinal));

    private static string Describe(PSObject table) =>
        $"{table.Prop<string>("Identifier")} {table.Prop<string>("Location")} {table.Prop<string>("Repo")} {table.Prop<string>("Revision")} " +
        $"{table.Prop<long?>("SnapshotId")} {table.Prop<long?>("RecordCount")} {table.Prop<long?>("FileCount")}";

    [Fact]
    public void Build_publish_pull_gives_the_same_tables_and_rows()
    {
        _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();
        var before = _shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.True(before.Prop<bool?>("AheadOfPublished"));
        Assert.StartsWith($"hf://datasets/{Repo}/metadata/default/flat_default", before.Prop<string>("Location"));

        var published = _shell.Run("Publish-FacebergCatalog").AssertSuccess().Objects("Faceberg.PublishResult").Single();

        Assert.Equal(Repo, published.Prop<string>("Repository"));
        Assert.Equal(Head, published.Prop<string>("CommitId"));
        Assert.Contains($"datasets/{Repo}/commit/", published.Prop<string>("CommitUrl"));
        Assert.True(published.Prop<int>("FilesUploaded") >= 6);
        Assert.Equal(["default.flat_default"], Assert.IsType<string[]>(published.Prop<string[]>("Tables")));
        var original = _shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.False(original.Prop<bool?>("AheadOfPublished"));

        var catalog = _shell.Run($"Save-FacebergCatalog -Repository {Repo} -Path ../bob").AssertSuccess().Objects("Faceberg.Catalog").Single();

        Assert.Equal(_project.PathOf("bob", ".faceberg"), catalog.Prop<string>("Location"));
        Assert.Equal((1, Repo), (catalog.Prop<int>("TableCount"), catalog.Prop<string>("Repository")));
        var pulled = _shell.Run("Get-FacebergTable -Catalog ../bob").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.Equal(Describe(original), Describe(pulled));
        Assert.False(pulled.Prop<bool?>("AheadOfPublished"));
        var originalRows = Rows(_shell.Run("Read-FacebergTable flat_default").AssertSuccess());
        Assert.Equal(30, originalRows.Split('\n').Length);
        Assert.Equal(originalRows, Rows(_shell.Run("Read-FacebergTable flat_default -Catalog ../bob").AssertSuccess()));
    }

    [Fact]
    public void A_second_publish_uploads_only_what_changed_and_nothing_when_nothing_did()
    {
        BuildAndPublish();
        var first = Head;

        var unchanged = _shell.Run("Publish-FacebergCatalog").AssertSuccess().Objects("Faceberg.PublishResult").Single();
        Assert.Equal((0, first), (unchanged.Prop<int>("FilesUploaded"), unchanged.Prop<string>("CommitId")));

        var data = Hub.Store.ReadFile(SampleDatasets.FlatData, "main", "data/part-0.parquet");
        Hub.Store.Commit(SampleDatasets.FlatData, new Dictionary<string, byte[]> { ["data/part-2.parquet"] = data }, null, "more");
        _shell.Run("Sync-FacebergTable").AssertSuccess();
        Assert.True(_shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single().Prop<bool?>("AheadOfPublished"));

        var second = _shell.Run("Publish-FacebergCatalog -Message 'sync flat'").AssertSuccess().Objects("Faceberg.PublishResult").Single();

        var files = second.Prop<string[]>("Files")!;
        Assert.Contains("metadata/default/flat_default/metadata/v3.metadata.json", files);
        Assert.Contains("metadata/default/flat_default/metadata/version-hint.text", files);
        Assert.DoesNotContain("faceberg.yml", files);
        Assert.DoesNotContain("catalog.json", files);
        Assert.DoesNotContain("metadata/default/flat_default/metadata/v2.metadata.json", files);
        Assert.Equal("sync flat", Hub.Store.GetCommit(Repo, "main").Title);
        Assert.Equal(first, Hub.Store.GetCommit(Repo, "main").Parents.Single());
    }

    [Fact]
    public void WhatIf_changes_nothing_on_the_hub_or_on_disk()
    {
        _shell.Run("New-FacebergCatalog ./faceberg.yml | New-FacebergTable").AssertSuccess();

        var publish = _shell.Run("Publish-FacebergCatalog -WhatIf").AssertSuccess();

        Assert.Empty(publish.Output);
        Assert.False(Hub.Store.RepoExists(Repo));
        Assert.False(_project.Exists("alice/.faceberg/.published"));

        _shell.Run("Publish-FacebergCatalog").AssertSuccess();
        var save = _shell.Run($"Save-FacebergCatalog {Repo} -Path ../carol -WhatIf").AssertSuccess();

        Assert.Empty(save.Output);
        Assert.False(_project.Exists("carol/faceberg.yml"));
        Assert.False(_project.Exists("carol/.faceberg"));
    }

    [Fact]
    public void A_racing_publisher_gets_a_conflict_error_record()
    {
        BuildAndPublish();
        _shell.Run($"Save-FacebergCatalog {Repo} -Path ../bob").AssertSuccess();
        var data = Hub.Store.ReadFile(SampleDatasets.FlatData, "main", "data/part-0.parquet");
        Hub.Store.Commit(SampleDatasets.FlatData, new Dictionary<string, byte[]> { ["data/part-2.parquet"] = data }, null, "more");
        _shell.Run("Sync-FacebergTable").AssertSuccess();
        _shell.Run("Sync-FacebergTable -Catalog ../bob").AssertSuccess();
        _shell.Run("Publish-FacebergCatalog").AssertSuccess();
        var head = Head;

        var error = _shell.Run("Publish-FacebergCatalog -Catalog ../bob").SingleError();

        Assert.Equal("PublishConflict,Faceberg.Cmdlets.PublishFacebergCatalogCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Contains("pull first", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(head, Head);

        var refused = _shell.Run($"Save-FacebergCatalog {Repo} -Path ../bob").SingleError();
        Assert.Equal("UnpublishedChanges,Faceberg.Cmdlets.SaveFacebergCatalogCommand", refused.FullyQualifiedErrorId);
        Assert.Contains("default.flat_default", refused.Exception.Message);

        _shell.Run($"Save-FacebergCatalog {Repo} -Path ../bob -Force").AssertSuccess();
        var alice = _shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();
        var bob = _shell.Run("Get-FacebergTable -Catalog ../bob").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.Equal(Describe(alice), Describe(bob));
    }

    [Fact]
    public void A_catalog_without_a_repo_is_asked_for_one()
    {
        _project.Write("dave/faceberg.yml", "catalog:\n  name: local\n");
        _shell.SetLocation(_project.PathOf("dave"));
        _shell.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess();

        var error = _shell.Run("Publish-FacebergCatalog").SingleError();

        Assert.Equal("RepositoryRequired,Faceberg.Cmdlets.PublishFacebergCatalogCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("-Repository", error.Exception.Message);

        var result = _shell.Run("Publish-FacebergCatalog -Repository team/dave").AssertSuccess().Objects("Faceberg.PublishResult").Single();
        Assert.True(result.Prop<bool>("RepositoryCreated"));
        Assert.NotNull(Hub.Store.FindFile("team/dave", "main", "catalog.json"));
    }

    [Fact]
    public void Every_table_cmdlet_works_on_an_hf_catalog_without_a_local_copy()
    {
        BuildAndPublish();
        var remote = $"hf://datasets/{Repo}";
        var local = _shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();

        var listed = _shell.Run($"Get-FacebergTable -Catalog {remote}").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.Equal(Describe(local), Describe(listed));
        Assert.Null(listed.Prop<bool?>("AheadOfPublished"));
        Assert.Equal(Rows(_shell.Run("Read-FacebergTable flat_default").AssertSuccess()),
            Rows(_shell.Run($"Read-FacebergTable flat_default -Catalog {remote}").AssertSuccess()));

        // Sync on the Hub: one Hub commit for the table change.
        var data = Hub.Store.ReadFile(SampleDatasets.FlatData, "main", "data/part-0.parquet");
        Hub.Store.Commit(SampleDatasets.FlatData, new Dictionary<string, byte[]> { ["data/part-2.parquet"] = data }, null, "more");
        var commits = Hub.Store.GetHistory(Repo, "main").Count;
        var sync = _shell.Run($"Sync-FacebergTable -Catalog {remote}").AssertSuccess().Objects("Faceberg.SyncResult").Single();
        Assert.Equal("Updated", sync.Prop<string>("Status"));
        Assert.Equal(commits + 1, Hub.Store.GetHistory(Repo, "main").Count);
        // The seeded dataset's 30 rows plus a second copy of part-0's 15.
        Assert.Equal(45, _shell.Run($"Read-FacebergTable flat_default -Catalog {remote}").AssertSuccess().Output.Count);

        // Drop with purge, then create on the Hub: faceberg.yml there lists the dataset.
        _shell.Run($"Remove-FacebergTable flat_default -Catalog {remote} -Purge -Confirm:$false").AssertSuccess();
        Assert.Empty(_shell.Run($"Get-FacebergTable -Catalog {remote}").AssertSuccess().Objects("Faceberg.Table"));
        Assert.DoesNotContain(Hub.Store.GetFiles(Repo, "main"), f => f.Path.StartsWith("metadata/", StringComparison.Ordinal));
        var beforeCreate = (Count: Hub.Store.GetHistory(Repo, "main").Count, Head);
        var created = _shell.Run($"New-FacebergTable -Catalog {remote}").AssertSuccess().Objects("Faceberg.Table").Single();
        Assert.Equal(45, created.Prop<long?>("RecordCount"));
        // The whole create (catalog entry, metadata, manifests, hint) is one Hub commit on top of the head it read.
        Assert.Equal(beforeCreate.Count + 1, Hub.Store.GetHistory(Repo, "main").Count);
        Assert.Equal(beforeCreate.Head, Hub.Store.GetCommit(Repo, "main").Parents.Single());
        Assert.NotNull(Hub.Store.FindFile(Repo, "main", "metadata/default/flat_default/metadata/v2.metadata.json"));
        Assert.Equal(45, _shell.Run($"Read-FacebergTable flat_default -Catalog {remote}").AssertSuccess().Output.Count);

        // Recreating the catalog on the Hub empties it, metadata and all.
        _shell.Run($"New-FacebergCatalog ./faceberg.yml -Location {remote} -Force").AssertSuccess();
        Assert.Empty(_shell.Run($"Get-FacebergTable -Catalog {remote}").AssertSuccess().Objects("Faceberg.Table"));
        Assert.DoesNotContain(Hub.Store.GetFiles(Repo, "main"), f => f.Path.StartsWith("metadata/", StringComparison.Ordinal));
    }

    private const string Row = """
        [pscustomobject]@{ id = 1000; count = '7'; text = 'written'; score = 0.5; weight = 1.5; flag = $true; label = 2
                           comment = $null; tags = @('a', 'b'); meta = [pscustomobject]@{ source = 'ps'; year = 2026 } }
        """;

    [Fact]
    public void Writes_go_to_the_working_copy_until_published_and_straight_to_the_hub_for_an_hf_catalog()
    {
        BuildAndPublish();

        _shell.Run($"{Row} | Write-FacebergTable flat_default -Split train").AssertSuccess();

        Assert.True(_shell.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single().Prop<bool?>("AheadOfPublished"));
        Assert.Null(Hub.Store.FindFile(Repo, "main", "metadata/default/flat_default/metadata/v3.metadata.json"));
        var published = _shell.Run("Publish-FacebergCatalog").AssertSuccess().Objects("Faceberg.PublishResult").Single();
        Assert.Contains("metadata/default/flat_default/metadata/v3.metadata.json", Assert.IsType<string[]>(published.Prop<string[]>("Files")));
        var remote = $"hf://datasets/{Repo}";
        Assert.Equal(31, _shell.Run($"Read-FacebergTable flat_default -Catalog {remote}").AssertSuccess().Output.Count);

        var commits = Hub.Store.GetHistory(Repo, "main").Count;
        _shell.Run($"{Row} | Write-FacebergTable flat_default -Split train -Catalog {remote}").AssertSuccess();

        Assert.Equal(commits + 1, Hub.Store.GetHistory(Repo, "main").Count);
        Assert.NotNull(Hub.Store.FindFile(Repo, "main", "metadata/default/flat_default/metadata/v4.metadata.json"));
        Assert.Equal(32, _shell.Run($"Read-FacebergTable flat_default -Catalog {remote}").AssertSuccess().Output.Count);
        // The working copy is now behind: publishing from it is refused until it pulls.
        Assert.Equal("PublishConflict,Faceberg.Cmdlets.PublishFacebergCatalogCommand",
            _shell.Run("Publish-FacebergCatalog").SingleError().FullyQualifiedErrorId);
        _shell.Run($"Save-FacebergCatalog {Repo}").AssertSuccess();
        Assert.Equal(32, _shell.Run("Read-FacebergTable flat_default").AssertSuccess().Output.Count);
    }
}
