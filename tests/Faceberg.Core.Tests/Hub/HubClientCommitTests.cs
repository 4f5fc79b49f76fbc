using Faceberg.Core.Hub;

namespace Faceberg.Core.Tests.Hub;

public sealed class HubClientCommitTests : IDisposable
{
    private const string Repo = "acme/catalog";
    private readonly TestHub _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task CreateRepo_creates_a_dataset_repo_and_tolerates_an_existing_one_when_asked()
    {
        var client = _hub.Client();

        var url = await client.CreateRepoAsync(Repo, isPrivate: false, existOk: false);

        Assert.Contains("acme/catalog", url);
        Assert.True(_hub.Server.Store.RepoExists(Repo));
        await client.CreateRepoAsync(Repo, existOk: true);
        var conflict = await Assert.ThrowsAsync<HubConflictException>(() => client.CreateRepoAsync(Repo, existOk: false));
        Assert.Equal(FacebergErrorKind.Conflict, conflict.Kind);
    }

    [Fact]
    public async Task Commit_uploads_regular_files_inline_and_binary_files_through_lfs()
    {
        var client = _hub.Client();
        await client.CreateRepoAsync(Repo);
        var json = TestHub.Utf8("{\"type\":\"catalog\"}");
        var parquet = TestHub.Bytes(4096, seed: 5);
        _hub.Log.Clear();

        var info = await client.CreateCommitAsync(Repo, "main",
            [CommitOperation.Add("catalog.json", json), CommitOperation.Add("db/t/data/f.parquet", parquet)],
            "Add catalog", "with a data file");

        Assert.Matches("^[0-9a-f]{40}$", info.CommitOid);
        Assert.Contains(info.CommitOid, info.CommitUrl);
        var methods = _hub.Log.Entries.Select(r => (r.Method, r.Path)).ToList();
        Assert.Contains(methods, m => m.Method == "POST" && m.Path.EndsWith("/preupload/main"));
        Assert.Contains(methods, m => m.Method == "POST" && m.Path.EndsWith(".git/info/lfs/objects/batch"));
        Assert.Contains(methods, m => m.Method == "PUT");
        Assert.Contains(methods, m => m.Method == "POST" && m.Path.Contains("/lfs-verify/"));
        Assert.Contains(methods, m => m.Method == "POST" && m.Path.EndsWith("/commit/main"));

        var tree = await client.ListTreeAsync(Repo, info.CommitOid, recursive: true);
        Assert.Null(tree.Single(e => e.Path == "catalog.json").Lfs);
        Assert.Equal(4096, tree.Single(e => e.Path == "db/t/data/f.parquet").Lfs!.Size);
        Assert.Equal(json, await client.DownloadFileAsync(Repo, info.CommitOid, "catalog.json"));
        Assert.Equal(parquet, await client.DownloadFileAsync(Repo, info.CommitOid, "db/t/data/f.parquet"));
        var commits = await client.ListCommitsAsync(Repo);
        Assert.Equal("Add catalog", commits[0].Title);
    }

    [Fact]
    public async Task An_lfs_object_the_hub_already_has_is_not_uploaded_again()
    {
        var client = _hub.Client();
        await client.CreateRepoAsync(Repo);
        var parquet = TestHub.Bytes(2048, seed: 9);
        await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("a.parquet", parquet)], "first");
        _hub.Log.Clear();

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("copy/a.parquet", parquet)], "second");

        Assert.DoesNotContain(_hub.Log.Entries, r => r.Method == "PUT");
        Assert.Equal(parquet, await client.DownloadFileAsync(Repo, info.CommitOid, "copy/a.parquet"));
    }

    [Fact]
    public async Task Commit_deletes_files_and_folders()
    {
        var client = _hub.Client();
        await client.CreateRepoAsync(Repo);
        await client.CreateCommitAsync(Repo, "main",
            [CommitOperation.Add("keep.txt", TestHub.Utf8("k")), CommitOperation.Add("gone.txt", TestHub.Utf8("g")),
             CommitOperation.Add("dir/a.txt", TestHub.Utf8("a")), CommitOperation.Add("dir/sub/b.txt", TestHub.Utf8("b"))],
            "seed");

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Delete("gone.txt"), CommitOperation.DeleteFolder("dir")], "prune");

        var files = (await client.ListTreeAsync(Repo, info.CommitOid, recursive: true)).Where(e => e.IsFile).Select(e => e.Path).Order().ToArray();
        Assert.Equal([".gitattributes", "keep.txt"], files);
    }

    [Fact]
    public async Task ParentCommit_guards_against_a_branch_that_moved()
    {
        var client = _hub.Client();
        await client.CreateRepoAsync(Repo);
        var baseSha = (await client.GetDatasetInfoAsync(Repo)).Sha!;
        var first = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("a.txt", TestHub.Utf8("1"))], "one", parentCommit: baseSha);

        var stale = await Assert.ThrowsAsync<HubCommitConflictException>(() =>
            client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("a.txt", TestHub.Utf8("2"))], "two", parentCommit: baseSha));

        Assert.Equal(FacebergErrorKind.Conflict, stale.Kind);
        Assert.Contains("moved", stale.Message);
        Assert.Equal(first.CommitOid, (await client.GetDatasetInfoAsync(Repo)).Sha);
        var second = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("a.txt", TestHub.Utf8("2"))], "two", parentCommit: first.CommitOid);
        Assert.Equal(TestHub.Utf8("2"), await client.DownloadFileAsync(Repo, second.CommitOid, "a.txt"));
    }

    [Fact]
    public async Task Commit_operations_validate_their_input()
    {
        Assert.Throws<FacebergException>(() => CommitOperation.Add("../x", [1]));
        Assert.Throws<FacebergException>(() => CommitOperation.Delete(""));
        var client = _hub.Client();
        var duplicate = await Assert.ThrowsAsync<FacebergException>(() => client.CreateCommitAsync(Repo, "main",
            [CommitOperation.Add("a.txt", [1]), CommitOperation.Add("a.txt", [2])], "dup"));
        Assert.Equal(FacebergErrorKind.InvalidArgument, duplicate.Kind);
        Assert.Empty(_hub.Log.Entries);
    }
}
