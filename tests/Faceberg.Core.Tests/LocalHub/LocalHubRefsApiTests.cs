using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faceberg.LocalHub;
using Faceberg.LocalHub.Store;

namespace Faceberg.Core.Tests.LocalHub;

/// <summary>Branch, tag, whoami and delete endpoints; revisions written as encoded or plain refs.</summary>
public sealed class LocalHubRefsApiTests : IDisposable
{
    private readonly LocalHubHarness _hub = new();

    public void Dispose() => _hub.Dispose();

    private LocalHubStore Store => _hub.Server.Store;

    [Fact]
    public async Task BranchAndTagEndpointsCreateAndDeleteRefs()
    {
        _hub.Authorize();
        Store.CreateRepo("org/r");
        var main = Store.ResolveRevision("org/r", "main");
        using (var branch = await _hub.Http.PostAsJsonAsync("/api/datasets/org/r/branch/dev", new JsonObject { ["startingPoint"] = "main" }))
            Assert.Equal(HttpStatusCode.OK, branch.StatusCode);
        Assert.Equal(main, Store.ResolveRevision("org/r", "dev"));
        using (var again = await _hub.Http.PostAsJsonAsync("/api/datasets/org/r/branch/dev", new JsonObject()))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using (var tag = await _hub.Http.PostAsJsonAsync("/api/datasets/org/r/tag/dev", new JsonObject { ["tag"] = "v2" }))
            Assert.Equal(HttpStatusCode.OK, tag.StatusCode);
        Assert.Equal(main, Store.ResolveRevision("org/r", "v2"));

        using (var delete = await _hub.Http.DeleteAsync("/api/datasets/org/r/branch/dev"))
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.False(Store.TryResolveRevision("org/r", "dev", out _));
    }

    [Fact]
    public async Task EncodedAndPlainConvertRefsResolveTheSame()
    {
        Store.CreateRepo("org/c");
        var sha = Store.Commit("org/c", new Dictionary<string, byte[]> { ["default/train/0000.parquet"] = [1, 2, 3, 4] }, null, "convert", "refs/convert/parquet");

        using var tree = await _hub.Http.GetAsync("/api/datasets/org/c/tree/refs%2Fconvert%2Fparquet/default/train");
        var entry = JsonDocument.Parse(await tree.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Single();
        Assert.Equal("default/train/0000.parquet", entry.GetProperty("path").GetString());

        foreach (var url in new[] { "/datasets/org/c/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet", "/datasets/org/c/resolve/refs/convert/parquet/default/train/0000.parquet" })
        {
            using var response = await _hub.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sha, response.Headers.GetValues("X-Repo-Commit").Single());
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, await response.Content.ReadAsByteArrayAsync());
        }
        using var commits = await _hub.Http.GetAsync("/api/datasets/org/c/commits/refs%2Fconvert%2Fparquet");
        Assert.Equal(sha, JsonDocument.Parse(await commits.Content.ReadAsStringAsync()).RootElement[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task PullRequestWithStaleParentAnswers412()
    {
        _hub.Authorize();
        Store.CreateRepo("org/pr");
        var stale = Store.ResolveRevision("org/pr", "main");
        Store.Commit("org/pr", new Dictionary<string, byte[]> { ["a"] = [1] }, null, "moved");
        var body = new StringContent(
            new JsonObject { ["key"] = "header", ["value"] = new JsonObject { ["summary"] = "pr", ["parentCommit"] = stale } }.ToJsonString(),
            Encoding.UTF8, "application/x-ndjson");
        using var response = await _hub.Http.PostAsync("/api/datasets/org/pr/commit/main?create_pr=1", body);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.DoesNotContain(Store.GetRefs("org/pr"), r => r.Kind == "pr");
    }

    [Fact]
    public async Task WhoAmINeedsATokenAndDeleteRemovesTheRepo()
    {
        using (var anonymous = await _hub.Http.GetAsync("/api/whoami-v2"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami-v2"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalHubHarness.Token);
            using var response = await _hub.Http.SendAsync(request);
            Assert.Equal("local", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
        }

        Store.CreateRepo("org/gone");
        using (var anonymousDelete = await _hub.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/repos/delete")
               {
                   Content = JsonContent.Create(new JsonObject { ["name"] = "gone", ["organization"] = "org", ["type"] = "dataset" }),
               }))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymousDelete.StatusCode);
        Assert.True(Store.RepoExists("org/gone"));
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/repos/delete")
        {
            Content = JsonContent.Create(new JsonObject { ["name"] = "gone", ["organization"] = "org", ["type"] = "dataset" }),
        };
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalHubHarness.Token);
        using (var response = await _hub.Http.SendAsync(delete))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Store.RepoExists("org/gone"));
        using var info = await _hub.Http.GetAsync("/api/datasets/org/gone");
        Assert.Equal("RepoNotFound", info.Headers.GetValues("X-Error-Code").Single());
    }

    [Fact]
    public async Task WithCdnLfsUploadsGoToTheCdnHost()
    {
        using var hub = new LocalHubHarness(redirectLfsToCdn: true).Authorize();
        hub.Server.Store.CreateRepo("org/up");
        var content = Encoding.UTF8.GetBytes(new string('x', 300));
        var oid = GitHashes.Sha256Hex(content);
        var batch = new JsonObject
        {
            ["operation"] = "upload",
            ["transfers"] = new JsonArray("basic"),
            ["objects"] = new JsonArray(new JsonObject { ["oid"] = oid, ["size"] = content.Length }),
        };
        using var response = await hub.Http.PostAsync("/datasets/org/up.git/info/lfs/objects/batch",
            new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/vnd.git-lfs+json"));
        var href = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
            .GetProperty("objects")[0].GetProperty("actions").GetProperty("upload").GetProperty("href").GetString()!;
        Assert.StartsWith(hub.Server.CdnEndpoint!, href);
        using (var put = await hub.Http.PutAsync(href, new ByteArrayContent(content)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(hub.Server.Store.HasObject("org/up", oid));
        Assert.Contains(hub.Server.RequestLog.Entries, e => e is { Server: "cdn", Method: "PUT", Status: 200 });
    }

    [Fact]
    public void FoldersThatAreNotRepoIdsAreNotImported()
    {
        var root = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "org", "My Folder"));
            File.WriteAllText(Path.Combine(root, "org", "My Folder", "a.txt"), "a");
            Directory.CreateDirectory(Path.Combine(root, "org", "fine"));
            File.WriteAllText(Path.Combine(root, "org", "fine", "a.txt"), "a");
            using var server = LocalHubServer.Start(new LocalHubOptions { RootPath = root });
            Assert.Equal(["org/fine"], server.Store.ListRepos());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
