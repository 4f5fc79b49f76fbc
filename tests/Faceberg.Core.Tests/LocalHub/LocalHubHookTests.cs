using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Faceberg.LocalHub;
using Faceberg.LocalHub.Store;

namespace Faceberg.Core.Tests.LocalHub;

/// <summary>Auth, CDN redirects, request log, latency, faults, persistence and folder import.</summary>
public sealed class LocalHubHookTests
{
    private static readonly byte[] Parquet = Enumerable.Range(0, 2048).Select(i => (byte)(i % 251)).ToArray();

    private static void Seed(LocalHubStore store, bool isPrivate = false)
    {
        store.CreateRepo("org/data", isPrivate);
        store.Commit("org/data", new Dictionary<string, byte[]> { ["data/train.parquet"] = Parquet, ["notes.txt"] = "n"u8.ToArray() }, null, "seed");
    }

    [Fact]
    public async Task RequiredTokenGuardsEveryHubRequestAndIsNeverLogged()
    {
        const string token = "hf_secret_local_token";
        using var hub = new LocalHubHarness(requiredToken: token);
        Seed(hub.Server.Store);

        using (var anonymous = await hub.Http.GetAsync("/api/datasets/org/data"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/org/data"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "hf_wrong");
            using var response = await hub.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var right = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/org/data"))
        {
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await hub.Http.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var log = hub.Server.RequestLog.Entries;
        Assert.Equal([false, true, true], log.Select(e => e.HasAuthorization));
        Assert.Equal([401, 401, 200], log.Select(e => e.Status));
        Assert.DoesNotContain(log, e => e.Headers.Values.Any(v => v.Contains(token)) || e.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task PrivateRepoLooksMissingToAnyoneButTheTokensOwner()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store, isPrivate: true);
        using var anonymous = await hub.Http.GetAsync("/api/datasets/org/data");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("RepoNotFound", anonymous.Headers.GetValues("X-Error-Code").Single());

        using var stranger = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/org/data");
        stranger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "hf_any");
        using (var refused = await hub.Http.SendAsync(stranger))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("RepoNotFound", refused.Headers.GetValues("X-Error-Code").Single());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/org/data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalHubHarness.Token);
        using var response = await hub.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("private").GetBoolean());
    }

    [Fact]
    public async Task LfsReadsRedirectToCdnHostThatServesRanges()
    {
        using var hub = new LocalHubHarness(redirectLfsToCdn: true);
        Seed(hub.Server.Store);
        Assert.NotNull(hub.Server.CdnEndpoint);
        Assert.NotEqual(new Uri(hub.Server.Endpoint).Port, new Uri(hub.Server.CdnEndpoint!).Port);

        using var head = await hub.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/datasets/org/data/resolve/main/data/train.parquet"));
        Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        Assert.Equal($"\"{GitHashes.Sha256Hex(Parquet)}\"", head.Headers.GetValues("X-Linked-Etag").Single());
        Assert.Equal("2048", head.Headers.GetValues("X-Linked-Size").Single());
        Assert.Equal(hub.Server.Store.ResolveRevision("org/data", "main"), head.Headers.GetValues("X-Repo-Commit").Single());
        var location = head.Headers.Location!;
        Assert.StartsWith(hub.Server.CdnEndpoint!, location.ToString());

        using var ranged = new HttpRequestMessage(HttpMethod.Get, location);
        ranged.Headers.TryAddWithoutValidation("Range", "bytes=-16");
        using var cdnResponse = await hub.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, cdnResponse.StatusCode);
        Assert.Equal(Parquet[^16..], await cdnResponse.Content.ReadAsByteArrayAsync());

        // Regular files are served by the Hub itself.
        using var notes = await hub.Http.GetAsync("/datasets/org/data/resolve/main/notes.txt");
        Assert.Equal(HttpStatusCode.OK, notes.StatusCode);

        var cdnEntry = hub.Server.RequestLog.Entries.Single(e => e.Server == "cdn");
        Assert.False(cdnEntry.HasAuthorization);
        Assert.Equal("bytes=-16", cdnEntry.Range);
    }

    [Fact]
    public async Task FailNextAnswersStatusWithRetryAfterThenRecovers()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store);
        hub.Server.FailNext(2, 429, TimeSpan.FromMilliseconds(1500));
        using (var first = await hub.Http.GetAsync("/api/datasets/org/data"))
        {
            Assert.Equal((HttpStatusCode)429, first.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter!.Delta);
        }
        using (var second = await hub.Http.GetAsync("/api/datasets/org/data"))
            Assert.Equal((HttpStatusCode)429, second.StatusCode);
        using (var third = await hub.Http.GetAsync("/api/datasets/org/data"))
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal([429, 429, 200], hub.Server.RequestLog.Entries.Select(e => e.Status));
    }

    [Fact]
    public async Task InjectFaultMatchesOnlySelectedRequests()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store);
        hub.Server.InjectFault(r => r.Path.Contains("/resolve/"), new LocalHubFault(503), times: 1);
        using (var info = await hub.Http.GetAsync("/api/datasets/org/data"))
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        using (var read = await hub.Http.GetAsync("/datasets/org/data/resolve/main/notes.txt"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        using (var retry = await hub.Http.GetAsync("/datasets/org/data/resolve/main/notes.txt"))
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task DropNextConnectionsClosesWithoutResponse()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store);
        hub.Server.DropNextConnections(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => hub.Http.GetAsync("/api/datasets/org/data"));
        using var after = await hub.Http.GetAsync("/api/datasets/org/data");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal([0, 200], hub.Server.RequestLog.Entries.Select(e => e.Status));
    }

    [Fact]
    public async Task LatencyDelaysEachRequest()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store);
        hub.Server.Latency = TimeSpan.FromMilliseconds(300);
        var watch = Stopwatch.StartNew();
        using var response = await hub.Http.GetAsync("/api/datasets/org/data");
        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StateSurvivesRestart()
    {
        using var hub = new LocalHubHarness();
        Seed(hub.Server.Store);
        hub.Server.Store.CreateTag("org/data", "v1");
        hub.Server.Store.Commit("org/data", new Dictionary<string, byte[]> { ["more.txt"] = "m"u8.ToArray() }, null, "more", "refs/convert/parquet");
        var head = hub.Server.Store.ResolveRevision("org/data", "main");
        hub.Restart();

        var store = hub.Server.Store;
        Assert.Equal(head, store.ResolveRevision("org/data", "main"));
        Assert.Equal(head, store.ResolveRevision("org/data", "v1"));
        Assert.Equal(Parquet, store.ReadFile("org/data", "main", "data/train.parquet"));
        Assert.Equal(3, store.GetHistory("org/data", "main").Count + store.GetHistory("org/data", "refs/convert/parquet").Count);
        using var http = new HttpClient { BaseAddress = new Uri(hub.Server.Endpoint) };
        using var response = await http.GetAsync("/datasets/org/data/resolve/v1/data/train.parquet");
        Assert.Equal(Parquet, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void PlainFoldersUnderTheRootAreImportedOnStart()
    {
        var root = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "acme", "plain", "data"));
            File.WriteAllBytes(Path.Combine(root, "acme", "plain", "data", "train-00000-of-00001.parquet"), Parquet);
            File.WriteAllText(Path.Combine(root, "acme", "plain", "README.md"), "# plain\n");
            string first;
            using (var server = LocalHubServer.Start(new LocalHubOptions { RootPath = root }))
            {
                var files = server.Store.GetFiles("acme/plain", "main");
                Assert.Equal([".gitattributes", "README.md", "data/train-00000-of-00001.parquet"], files.Select(f => f.Path));
                Assert.True(files[2].IsLfs);
                first = server.Store.ResolveRevision("acme/plain", "main");
            }
            // A second start does not import again: the repo keeps its history.
            using (var server = LocalHubServer.Start(new LocalHubOptions { RootPath = root }))
                Assert.Equal(first, server.Store.ResolveRevision("acme/plain", "main"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ImportFolderCommitsAllFilesToAnExistingRepo()
    {
        var dir = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        using var hub = new LocalHubHarness();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "config1", "train"));
            File.WriteAllBytes(Path.Combine(dir, "config1", "train", "0.parquet"), Parquet);
            Directory.CreateDirectory(Path.Combine(dir, ".git"));
            File.WriteAllText(Path.Combine(dir, ".git", "HEAD"), "ref: refs/heads/main");
            var sha = hub.Server.Store.ImportFolder("org/imported", dir);
            Assert.Equal(sha, hub.Server.Store.ResolveRevision("org/imported", "main"));
            Assert.Equal([".gitattributes", "config1/train/0.parquet"], hub.Server.Store.GetFiles("org/imported", sha).Select(f => f.Path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ServersOnPortZeroGetDistinctFreePorts()
    {
        using var a = new LocalHubHarness();
        using var b = new LocalHubHarness();
        Assert.NotEqual(a.Server.Port, b.Server.Port);
        Assert.Equal($"http://127.0.0.1:{a.Server.Port}", a.Server.Endpoint);
    }
}
