using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faceberg.LocalHub.Store;

namespace Faceberg.Core.Tests.LocalHub;

public sealed class LocalHubWriteTests : IDisposable
{
    private readonly LocalHubHarness _hub = new LocalHubHarness().Authorize();

    public void Dispose() => _hub.Dispose();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<HttpResponseMessage> CreateRepo(string name, string? organization = "org", bool isPrivate = false)
    {
        var body = new JsonObject { ["name"] = name, ["organization"] = organization, ["type"] = "dataset", ["private"] = isPrivate };
        return await _hub.Http.PostAsync("/api/repos/create", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    private static StringContent Ndjson(params JsonObject[] lines) =>
        new(string.Join('\n', lines.Select(l => l.ToJsonString())), Encoding.UTF8, "application/x-ndjson");

    private static JsonObject Header(string summary, string? parentCommit = null) => new()
    {
        ["key"] = "header",
        ["value"] = new JsonObject { ["summary"] = summary, ["description"] = "", ["parentCommit"] = parentCommit },
    };

    private static JsonObject RegularFile(string path, byte[] content) => new()
    {
        ["key"] = "file",
        ["value"] = new JsonObject { ["path"] = path, ["content"] = Convert.ToBase64String(content), ["encoding"] = "base64" },
    };

    [Fact]
    public async Task CreateRepoAnswersUrlThen409()
    {
        using var created = await CreateRepo("fresh");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal($"{_hub.Server.Endpoint}/datasets/org/fresh", (await Json(created)).GetProperty("url").GetString());
        Assert.True(_hub.Server.Store.RepoExists("org/fresh"));
        // A new repo already has a main branch with .gitattributes, like on the Hub.
        Assert.Contains(_hub.Server.Store.GetFiles("org/fresh", "main"), f => f.Path == ".gitattributes");

        using var again = await CreateRepo("fresh");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal($"{_hub.Server.Endpoint}/datasets/org/fresh", (await Json(again)).GetProperty("url").GetString());

        using var personal = await CreateRepo("mine", organization: null);
        Assert.Equal($"{_hub.Server.Endpoint}/datasets/local/mine", (await Json(personal)).GetProperty("url").GetString());
    }

    [Fact]
    public async Task PreuploadChoosesLfsForParquetAndBinaryAndRegularForText()
    {
        _hub.Server.Store.CreateRepo("org/up");
        var body = new JsonObject
        {
            ["files"] = new JsonArray(
                new JsonObject { ["path"] = "data/x.parquet", ["size"] = 10, ["sample"] = Convert.ToBase64String("PAR1xxxxxx"u8.ToArray()) },
                new JsonObject { ["path"] = "blob.dat", ["size"] = 3, ["sample"] = Convert.ToBase64String(new byte[] { 1, 0, 2 }) },
                new JsonObject { ["path"] = "README.md", ["size"] = 5, ["sample"] = Convert.ToBase64String("hello"u8.ToArray()) },
                new JsonObject { ["path"] = ".gitattributes", ["size"] = 5, ["sample"] = Convert.ToBase64String("hello"u8.ToArray()) }),
        };
        using var response = await _hub.Http.PostAsJsonAsync("/api/datasets/org/up/preupload/main", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var files = (await Json(response)).GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!);
        Assert.Equal("lfs", files["data/x.parquet"].GetProperty("uploadMode").GetString());
        Assert.Equal("lfs", files["blob.dat"].GetProperty("uploadMode").GetString());
        Assert.Equal("regular", files["README.md"].GetProperty("uploadMode").GetString());
        Assert.False(files["README.md"].GetProperty("shouldIgnore").GetBoolean());
        Assert.False(files["README.md"].TryGetProperty("oid", out _));
        Assert.True(files[".gitattributes"].TryGetProperty("oid", out _));
    }

    [Fact]
    public async Task LfsUploadThenCommitWithRegularAndLfsFiles()
    {
        _hub.Server.Store.CreateRepo("org/up");
        var head = _hub.Server.Store.ResolveRevision("org/up", "main");
        var parquet = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var oid = GitHashes.Sha256Hex(parquet);

        var batch = new JsonObject
        {
            ["operation"] = "upload",
            ["transfers"] = new JsonArray("basic", "multipart"),
            ["objects"] = new JsonArray(new JsonObject { ["oid"] = oid, ["size"] = parquet.Length }),
            ["hash_algo"] = "sha256",
            ["ref"] = new JsonObject { ["name"] = "main" },
        };
        using var batchResponse = await _hub.Http.PostAsync("/datasets/org/up.git/info/lfs/objects/batch",
            new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/vnd.git-lfs+json"));
        Assert.Equal(HttpStatusCode.OK, batchResponse.StatusCode);
        Assert.Equal("application/vnd.git-lfs+json", batchResponse.Content.Headers.ContentType!.MediaType);
        var batchJson = await Json(batchResponse);
        Assert.Equal("basic", batchJson.GetProperty("transfer").GetString());
        var actions = batchJson.GetProperty("objects")[0].GetProperty("actions");
        var uploadHref = actions.GetProperty("upload").GetProperty("href").GetString()!;
        Assert.StartsWith(_hub.Server.Endpoint, uploadHref);

        // A corrupt upload is refused; the right bytes are stored.
        using (var bad = await _hub.Http.PutAsync(uploadHref, new ByteArrayContent(parquet[..10])))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var put = await _hub.Http.PutAsync(uploadHref, new ByteArrayContent(parquet)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var verify = await _hub.Http.PostAsJsonAsync(actions.GetProperty("verify").GetProperty("href").GetString(),
                   new JsonObject { ["oid"] = oid, ["size"] = parquet.Length }))
            Assert.Equal(HttpStatusCode.OK, verify.StatusCode);

        // Asking again: the object is there, so no actions.
        using (var again = await _hub.Http.PostAsync("/datasets/org/up.git/info/lfs/objects/batch",
                   new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/vnd.git-lfs+json")))
            Assert.False((await Json(again)).GetProperty("objects")[0].TryGetProperty("actions", out _));

        var lfsFile = new JsonObject
        {
            ["key"] = "lfsFile",
            ["value"] = new JsonObject { ["path"] = "data/train.parquet", ["algo"] = "sha256", ["oid"] = oid, ["size"] = parquet.Length },
        };
        using var commit = await _hub.Http.PostAsync("/api/datasets/org/up/commit/main",
            Ndjson(Header("Add data", head), RegularFile("README.md", "# hi\n"u8.ToArray()), lfsFile));
        Assert.Equal(HttpStatusCode.OK, commit.StatusCode);
        var result = await Json(commit);
        var sha = result.GetProperty("commitOid").GetString()!;
        Assert.True(GitHashes.IsFullSha(sha));
        Assert.Equal($"{_hub.Server.Endpoint}/datasets/org/up/commit/{sha}", result.GetProperty("commitUrl").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("pullRequestUrl").ValueKind);

        var store = _hub.Server.Store;
        Assert.Equal(sha, store.ResolveRevision("org/up", "main"));
        Assert.Equal([head], store.GetCommit("org/up", sha).Parents);
        Assert.Equal("Add data", store.GetCommit("org/up", sha).Title);
        var stored = store.FindFile("org/up", sha, "data/train.parquet")!;
        Assert.True(stored.IsLfs);
        Assert.False(store.FindFile("org/up", sha, "README.md")!.IsLfs);
        using var read = await _hub.Http.GetAsync($"/datasets/org/up/resolve/{sha}/data/train.parquet");
        Assert.Equal(parquet, await read.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task CommitReferencingMissingLfsObjectIsRejected()
    {
        _hub.Server.Store.CreateRepo("org/up");
        var lfsFile = new JsonObject
        {
            ["key"] = "lfsFile",
            ["value"] = new JsonObject { ["path"] = "x.parquet", ["algo"] = "sha256", ["oid"] = new string('a', 64), ["size"] = 5 },
        };
        using var response = await _hub.Http.PostAsync("/api/datasets/org/up/commit/main", Ndjson(Header("x"), lfsFile));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task StaleParentCommitAnswers412AndLeavesBranchAlone()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/race");
        var stale = store.ResolveRevision("org/race", "main");
        var moved = store.Commit("org/race", new Dictionary<string, byte[]> { ["a.txt"] = "a"u8.ToArray() }, null, "someone else");

        using var response = await _hub.Http.PostAsync("/api/datasets/org/race/commit/main",
            Ndjson(Header("mine", stale), RegularFile("b.txt", "b"u8.ToArray())));
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(moved, store.ResolveRevision("org/race", "main"));

        using var ok = await _hub.Http.PostAsync("/api/datasets/org/race/commit/main",
            Ndjson(Header("mine", moved), RegularFile("b.txt", "b"u8.ToArray())));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task CommitDeletesFilesAndFolders()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/del");
        store.Commit("org/del", new Dictionary<string, byte[]>
        {
            ["keep.txt"] = "k"u8.ToArray(), ["gone.txt"] = "g"u8.ToArray(), ["dir/a.txt"] = "a"u8.ToArray(), ["dir/sub/b.txt"] = "b"u8.ToArray(),
        }, null, "seed");
        var deleteFile = new JsonObject { ["key"] = "deletedFile", ["value"] = new JsonObject { ["path"] = "gone.txt" } };
        var deleteFolder = new JsonObject { ["key"] = "deletedFolder", ["value"] = new JsonObject { ["path"] = "dir/" } };
        using var response = await _hub.Http.PostAsync("/api/datasets/org/del/commit/main", Ndjson(Header("clean"), deleteFile, deleteFolder));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([".gitattributes", "keep.txt"], store.GetFiles("org/del", "main").Select(f => f.Path));

        using var missing = await _hub.Http.PostAsync("/api/datasets/org/del/commit/main", Ndjson(Header("again"), deleteFile));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("EntryNotFound", missing.Headers.GetValues("X-Error-Code").Single());
    }

    [Fact]
    public async Task CommitToEncodedBranchAndAsPullRequest()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/br");
        store.Commit("org/br", new Dictionary<string, byte[]> { ["default/train/0000.parquet"] = [1, 2, 3] }, null, "convert", "refs/convert/parquet");
        using var onConvert = await _hub.Http.PostAsync("/api/datasets/org/br/commit/refs%2Fconvert%2Fparquet",
            Ndjson(Header("more"), RegularFile("default/test/0000.txt", "t"u8.ToArray())));
        Assert.Equal(HttpStatusCode.OK, onConvert.StatusCode);
        Assert.Equal(2, store.GetFiles("org/br", "refs/convert/parquet").Count);

        using var missingBranch = await _hub.Http.PostAsync("/api/datasets/org/br/commit/nobranch", Ndjson(Header("x"), RegularFile("a", [1])));
        Assert.Equal("RevisionNotFound", missingBranch.Headers.GetValues("X-Error-Code").Single());

        using var pr = await _hub.Http.PostAsync("/api/datasets/org/br/commit/main?create_pr=1", Ndjson(Header("proposal"), RegularFile("p.txt", [1])));
        Assert.Equal(HttpStatusCode.OK, pr.StatusCode);
        Assert.Equal($"{_hub.Server.Endpoint}/datasets/org/br/discussions/1", (await Json(pr)).GetProperty("pullRequestUrl").GetString());
        Assert.NotNull(store.FindFile("org/br", "refs/pr/1", "p.txt"));
        Assert.Null(store.FindFile("org/br", "main", "p.txt"));
        using var prInfo = await _hub.Http.GetAsync("/api/datasets/org/br/revision/refs%2Fpr%2F1");
        Assert.Equal(store.ResolveRevision("org/br", "refs/pr/1"), (await Json(prInfo)).GetProperty("sha").GetString());
    }

    [Fact]
    public async Task RefsListsBranchesConvertsTagsAndPullRequests()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/refs");
        var main = store.ResolveRevision("org/refs", "main");
        store.CreateBranch("org/refs", "dev");
        store.CreateTag("org/refs", "v1");
        var convert = store.Commit("org/refs", new Dictionary<string, byte[]> { ["c/train/0000.parquet"] = [1] }, null, "convert", "refs/convert/parquet");
        store.CreatePullRequest("org/refs");

        using var response = await _hub.Http.GetAsync("/api/datasets/org/refs/refs?include_prs=1");
        var refs = await Json(response);
        var branches = refs.GetProperty("branches").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);
        Assert.Equal("refs/heads/main", branches["main"].GetProperty("ref").GetString());
        Assert.Equal(main, branches["main"].GetProperty("targetCommit").GetString());
        Assert.True(branches.ContainsKey("dev"));
        var converts = refs.GetProperty("converts").EnumerateArray().Single();
        Assert.Equal("parquet", converts.GetProperty("name").GetString());
        Assert.Equal("refs/convert/parquet", converts.GetProperty("ref").GetString());
        Assert.Equal(convert, converts.GetProperty("targetCommit").GetString());
        Assert.Equal("v1", refs.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Equal("refs/pr/1", refs.GetProperty("pullRequests")[0].GetProperty("ref").GetString());

        using var plain = await _hub.Http.GetAsync("/api/datasets/org/refs/refs");
        Assert.False((await Json(plain)).TryGetProperty("pullRequests", out _));
    }

    [Fact]
    public async Task RevisionResolutionPrefersBranchThenTagThenSha()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/rev");
        var first = store.ResolveRevision("org/rev", "main");
        store.CreateTag("org/rev", "v1");
        store.CreateTag("org/rev", "same");
        var second = store.Commit("org/rev", new Dictionary<string, byte[]> { ["a"] = [1] }, null, "second");
        store.CreateBranch("org/rev", "same");
        var third = store.Commit("org/rev", new Dictionary<string, byte[]> { ["b"] = [1] }, null, "third", "same");

        Assert.Equal(first, store.ResolveRevision("org/rev", "v1"));
        Assert.Equal(third, store.ResolveRevision("org/rev", "same"));
        Assert.Equal(second, store.ResolveRevision("org/rev", second.ToUpperInvariant()));
        Assert.False(store.TryResolveRevision("org/rev", second[..12], out _));
    }

    [Fact]
    public async Task CommitsArePaginatedNewestFirst()
    {
        using var hub = new LocalHubHarness(commitsPageSize: 2).Authorize();
        var store = hub.Server.Store;
        store.CreateRepo("org/log");
        var shas = new List<string> { store.ResolveRevision("org/log", "main") };
        for (var i = 1; i <= 4; i++)
            shas.Add(store.Commit("org/log", new Dictionary<string, byte[]> { [$"f{i}.txt"] = [(byte)i] }, null, $"commit {i}\n\nbody {i}"));

        var seen = new List<JsonElement>();
        string? url = "/api/datasets/org/log/commits/main";
        while (url is not null)
        {
            using var response = await hub.Http.GetAsync(url);
            var page = await Json(response);
            Assert.True(page.GetArrayLength() <= 2);
            seen.AddRange(page.EnumerateArray());
            url = response.Headers.TryGetValues("Link", out var links) ? links.Single()[1..links.Single().IndexOf('>')] : null;
        }
        Assert.Equal(Enumerable.Reverse(shas), seen.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("commit 4", seen[0].GetProperty("title").GetString());
        Assert.Equal("body 4", seen[0].GetProperty("message").GetString());
        Assert.Equal("local", seen[0].GetProperty("authors")[0].GetProperty("user").GetString());
        Assert.EndsWith("Z", seen[0].GetProperty("date").GetString());
    }

    [Fact]
    public async Task PathsInfoAcceptsFormAndJson()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("org/pi");
        var sha = store.Commit("org/pi", new Dictionary<string, byte[]> { ["data/a.parquet"] = [1, 2, 3], ["b.txt"] = "b"u8.ToArray() }, null, "seed");
        var form = new FormUrlEncodedContent([
            new("paths", "data/a.parquet"), new("paths", "b.txt"), new("paths", "data"), new("paths", "missing.txt"), new("expand", "true")]);
        using var response = await _hub.Http.PostAsync($"/api/datasets/org/pi/paths-info/{sha}", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = (await Json(response)).EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!);
        Assert.Equal(["data/a.parquet", "b.txt", "data"], entries.Keys);
        Assert.Equal("directory", entries["data"].GetProperty("type").GetString());
        Assert.Equal(3, entries["data/a.parquet"].GetProperty("lfs").GetProperty("size").GetInt64());
        Assert.Equal(sha, entries["b.txt"].GetProperty("lastCommit").GetProperty("id").GetString());

        using var json = await _hub.Http.PostAsJsonAsync("/api/datasets/org/pi/paths-info/main", new JsonObject { ["paths"] = new JsonArray("b.txt") });
        Assert.Single((await Json(json)).EnumerateArray());
    }
}
