using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faceberg.LocalHub;
using Faceberg.LocalHub.Store;

namespace Faceberg.Core.Tests.LocalHub;

/// <summary>
/// The local Hub checks access like the Hub: every write needs the user's token, RequiredToken guards every route
/// (LFS ones too), only the token's owner reads private repos, commits must be NDJSON, LFS uploads must be ones a
/// batch call handed out, and an imported folder never serves files outside it through a symbolic link.
/// </summary>
public sealed class LocalHubAccessTests : IDisposable
{
    private readonly LocalHubHarness _hub = new();

    public LocalHubAccessTests()
    {
        _hub.Server.Store.CreateRepo("org/r");
        _hub.Server.Store.Commit("org/r", new Dictionary<string, byte[]> { ["a.txt"] = [1] }, null, "seed");
    }

    public void Dispose() => _hub.Dispose();

    private static StringContent Json(JsonNode body, string type = "application/json") => new(body.ToJsonString(), Encoding.UTF8, type);

    private static StringContent CommitBody(string summary = "x") =>
        new(new JsonObject { ["key"] = "header", ["value"] = new JsonObject { ["summary"] = summary } }.ToJsonString() + "\n"
            + new JsonObject { ["key"] = "file", ["value"] = new JsonObject { ["path"] = "b.txt", ["content"] = "Yg==", ["encoding"] = "base64" } }.ToJsonString(),
            Encoding.UTF8, "application/x-ndjson");

    private static string Oid(byte[] content) => GitHashes.Sha256Hex(content);

    /// <summary>Every write route of the Hub API, as (method, path, body).</summary>
    public static TheoryData<string> Writes => ["create repo", "delete repo", "preupload", "commit", "LFS batch upload", "LFS upload", "LFS verify",
        "create branch", "delete branch", "create tag"];

    private HttpRequestMessage Write(string name)
    {
        var content = "lfs"u8.ToArray();
        var oid = Oid(content);
        var (method, path, body) = name switch
        {
            "create repo" => (HttpMethod.Post, "/api/repos/create", (HttpContent)Json(new JsonObject { ["name"] = "new", ["organization"] = "org", ["type"] = "dataset" })),
            "delete repo" => (HttpMethod.Delete, "/api/repos/delete", Json(new JsonObject { ["name"] = "r", ["organization"] = "org", ["type"] = "dataset" })),
            "preupload" => (HttpMethod.Post, "/api/datasets/org/r/preupload/main", Json(new JsonObject { ["files"] = new JsonArray() })),
            "commit" => (HttpMethod.Post, "/api/datasets/org/r/commit/main", CommitBody()),
            "LFS batch upload" => (HttpMethod.Post, "/datasets/org/r.git/info/lfs/objects/batch",
                Json(new JsonObject { ["operation"] = "upload", ["objects"] = new JsonArray(new JsonObject { ["oid"] = oid, ["size"] = 3 }) }, "application/vnd.git-lfs+json")),
            "LFS upload" => (HttpMethod.Put, SignedUploadHref(oid, 3), new ByteArrayContent(content)),
            "LFS verify" => (HttpMethod.Post, $"/lfs-verify/org/r/{oid}", Json(new JsonObject { ["oid"] = oid, ["size"] = 3 }, "application/vnd.git-lfs+json")),
            "create branch" => (HttpMethod.Post, "/api/datasets/org/r/branch/dev", Json(new JsonObject())),
            "delete branch" => (HttpMethod.Delete, "/api/datasets/org/r/branch/keep", null!),
            "create tag" => (HttpMethod.Post, "/api/datasets/org/r/tag/main", Json(new JsonObject { ["tag"] = "v1" })),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        return new HttpRequestMessage(method, path) { Content = body };
    }

    /// <summary>An upload URL the way a client gets one: from an authorized batch call.</summary>
    private string SignedUploadHref(string oid, int size)
    {
        using var batch = new HttpRequestMessage(HttpMethod.Post, "/datasets/org/r.git/info/lfs/objects/batch")
        {
            Content = Json(new JsonObject { ["operation"] = "upload", ["objects"] = new JsonArray(new JsonObject { ["oid"] = oid, ["size"] = size }) }, "application/vnd.git-lfs+json"),
        };
        batch.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _hub.Server.Token);
        using var response = _hub.Http.Send(batch);
        using var doc = JsonDocument.Parse(response.Content.ReadAsStream());
        return doc.RootElement.GetProperty("objects")[0].GetProperty("actions").GetProperty("upload").GetProperty("href").GetString()!;
    }

    private void PrepareFor(string name)
    {
        if (name == "delete branch") _hub.Server.Store.CreateBranch("org/r", "keep", null);
        if (name == "LFS verify") _hub.Server.Store.PutObject("org/r", "lfs"u8);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Every_write_needs_the_users_token(string name)
    {
        PrepareFor(name);
        var head = _hub.Server.Store.ResolveRevision("org/r", "main");

        using (var anonymous = await _hub.Http.SendAsync(Write(name)))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var stranger = Write(name);
        stranger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "hf_someone_else");
        using (var refused = await _hub.Http.SendAsync(stranger))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(head, _hub.Server.Store.ResolveRevision("org/r", "main"));
        Assert.False(_hub.Server.Store.RepoExists("org/new"));

        var owner = Write(name);
        owner.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalHubHarness.Token);
        using var accepted = await _hub.Http.SendAsync(owner);
        Assert.True(accepted.IsSuccessStatusCode, $"{name}: {(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Required_token_guards_the_LFS_routes_too()
    {
        using var hub = new LocalHubHarness(requiredToken: "hf_required");
        hub.Server.Store.CreateRepo("org/r");
        var oid = Oid("lfs"u8.ToArray());
        hub.Server.Store.PutObject("org/r", "lfs"u8);

        using var verify = await hub.Http.PostAsync($"/lfs-verify/org/r/{oid}", Json(new JsonObject { ["oid"] = oid, ["size"] = 3 }));
        Assert.Equal(HttpStatusCode.Unauthorized, verify.StatusCode);
        using var upload = await hub.Http.PutAsync($"/lfs-upload/org/r/{oid}?size=3", new ByteArrayContent("lfs"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
    }

    [Fact]
    public async Task An_upload_url_no_batch_call_handed_out_is_refused()
    {
        _hub.Authorize();
        var content = "forged"u8.ToArray();
        var oid = Oid(content);

        using var unsigned = await _hub.Http.PutAsync($"/lfs-upload/org/r/{oid}?size={content.Length}", new ByteArrayContent(content));
        using var forged = await _hub.Http.PutAsync($"/lfs-upload/org/r/{oid}?size={content.Length}&sig=00", new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.False(_hub.Server.Store.HasObject("org/r", oid));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    public async Task A_commit_that_is_not_NDJSON_is_refused_unread(string contentType)
    {
        _hub.Authorize();
        var head = _hub.Server.Store.ResolveRevision("org/r", "main");
        var body = CommitBody();
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _hub.Http.PostAsync("/api/datasets/org/r/commit/main", body);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/x-ndjson", await response.Content.ReadAsStringAsync());
        Assert.Equal(head, _hub.Server.Store.ResolveRevision("org/r", "main"));
    }

    [Fact]
    public void Symbolic_links_in_an_imported_folder_never_serve_files_outside_it()
    {
        var root = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        var outside = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var repo = Path.Combine(root, "org", "linked");
            Directory.CreateDirectory(Path.Combine(repo, "data"));
            Directory.CreateDirectory(outside);
            File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret");
            File.WriteAllText(Path.Combine(repo, "data", "inside.txt"), "inside");
            File.CreateSymbolicLink(Path.Combine(repo, "escape.txt"), Path.Combine(outside, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(repo, "relative.txt"), "../../../" + Path.GetFileName(outside) + "/secret.txt");
            Directory.CreateSymbolicLink(Path.Combine(repo, "folder"), outside);
            File.CreateSymbolicLink(Path.Combine(repo, "alias.txt"), Path.Combine(repo, "data", "inside.txt"));
            // A whole repo folder that is a link to elsewhere is not imported at all.
            Directory.CreateSymbolicLink(Path.Combine(root, "org", "elsewhere"), outside);

            using var server = LocalHubServer.Start(new LocalHubOptions { RootPath = root });

            var files = server.Store.GetFiles("org/linked", "main").Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { "alias.txt", "data/inside.txt" }, files.Where(f => f != ".gitattributes").ToArray());
            Assert.False(server.Store.RepoExists("org/elsewhere"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            if (Directory.Exists(outside)) Directory.Delete(outside, recursive: true);
        }
    }
}
