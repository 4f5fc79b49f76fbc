using System.Net;
using System.Text;
using System.Text.Json;
using Faceberg.LocalHub.Store;

namespace Faceberg.Core.Tests.LocalHub;

public sealed class LocalHubReadTests : IDisposable
{
    private readonly LocalHubHarness _hub = new(treePageSize: 3);
    private readonly byte[] _parquet = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
    private readonly string _first;
    private readonly string _second;

    public LocalHubReadTests()
    {
        var store = _hub.Server.Store;
        store.CreateRepo("demo/sample");
        _first = store.Commit("demo/sample", new Dictionary<string, byte[]>
        {
            ["README.md"] = Encoding.UTF8.GetBytes("---\nlicense: mit\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*.parquet\nsize: 12\nquoted: \"12\"\n---\n# Sample\n"),
            ["data/train-00000-of-00002.parquet"] = _parquet,
            ["data/train-00001-of-00002.parquet"] = _parquet[..100],
            ["data/test-00000-of-00001.parquet"] = _parquet[..10],
            ["notes.txt"] = Encoding.UTF8.GetBytes("hello"),
        }, null, "Add data");
        _second = store.Commit("demo/sample", new Dictionary<string, byte[]> { ["notes.txt"] = Encoding.UTF8.GetBytes("hello again") },
            ["data/test-00000-of-00001.parquet"], "Change notes\n\nand drop test");
    }

    public void Dispose() => _hub.Dispose();

    private async Task<JsonElement> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _hub.Http.GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task InfoReturnsHeadShaSiblingsAndCardData()
    {
        var info = await GetJson("/api/datasets/demo/sample");
        Assert.Equal("demo/sample", info.GetProperty("id").GetString());
        Assert.Equal(_second, info.GetProperty("sha").GetString());
        Assert.False(info.GetProperty("private").GetBoolean());
        Assert.EndsWith("Z", info.GetProperty("lastModified").GetString());
        var siblings = info.GetProperty("siblings").EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()).ToList();
        Assert.Contains("data/train-00000-of-00002.parquet", siblings);
        Assert.DoesNotContain("data/test-00000-of-00001.parquet", siblings);
        var card = info.GetProperty("cardData");
        Assert.Equal("mit", card.GetProperty("license").GetString());
        Assert.Equal(12, card.GetProperty("size").GetInt32());
        Assert.Equal("12", card.GetProperty("quoted").GetString());
        Assert.Equal("data/train-*.parquet", card.GetProperty("configs")[0].GetProperty("data_files")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task InfoAtRevisionResolvesShaAndEncodedRefs()
    {
        var info = await GetJson($"/api/datasets/demo/sample/revision/{_first}");
        Assert.Equal(_first, info.GetProperty("sha").GetString());
        Assert.Contains(info.GetProperty("siblings").EnumerateArray(), s => s.GetProperty("rfilename").GetString() == "data/test-00000-of-00001.parquet");

        _hub.Server.Store.Commit("demo/sample", new Dictionary<string, byte[]> { ["default/train/0000.parquet"] = _parquet }, null, "convert", "refs/convert/parquet");
        var converted = await GetJson("/api/datasets/demo/sample/revision/refs%2Fconvert%2Fparquet");
        Assert.Equal(["default/train/0000.parquet"], converted.GetProperty("siblings").EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()));
    }

    [Fact]
    public async Task InfoWithExpandReturnsOnlyTheNamedPropertiesAndRefusesUnknownOnes()
    {
        var info = await GetJson($"/api/datasets/demo/sample/revision/{_first}?expand=sha&expand=cardData");
        Assert.Equal(["_id", "id", "sha", "cardData"], info.EnumerateObject().Select(p => p.Name));
        Assert.Equal(_first, info.GetProperty("sha").GetString());
        Assert.Equal("mit", info.GetProperty("cardData").GetProperty("license").GetString());

        var siblingsOnly = await GetJson("/api/datasets/demo/sample?expand=siblings");
        Assert.Equal(["_id", "id", "siblings"], siblingsOnly.EnumerateObject().Select(p => p.Name));

        await GetJson("/api/datasets/demo/sample?expand=sha&expand=files", HttpStatusCode.BadRequest);
    }

    /// <summary>Follows Link rel="next" headers; returns every entry and the number of pages.</summary>
    private async Task<(List<JsonElement> Entries, int Pages)> GetAllPages(string url)
    {
        var entries = new List<JsonElement>();
        var pages = 0;
        for (string? next = url; next is not null; pages++)
        {
            using var response = await _hub.Http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.True(page.GetArrayLength() <= 3);
            entries.AddRange(page.EnumerateArray());
            next = response.Headers.TryGetValues("Link", out var links) ? ParseNext(links.Single()) : null;
        }
        return (entries, pages);
    }

    [Fact]
    public async Task TreePaginatesThroughLinkHeader()
    {
        var (entries, pages) = await GetAllPages($"/api/datasets/demo/sample/tree/{_first}?recursive=true");
        var paths = entries.Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Equal(3, pages);
        Assert.Equal([".gitattributes", "README.md", "data", "data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet",
            "data/train-00001-of-00002.parquet", "notes.txt"], paths);
    }

    private string ParseNext(string link)
    {
        Assert.EndsWith("; rel=\"next\"", link);
        var url = link[1..link.IndexOf('>')];
        Assert.StartsWith(_hub.Server.Endpoint + "/api/datasets/demo/sample/tree/", url);
        return url;
    }

    [Fact]
    public async Task TreeEntriesCarryLfsAndDirectories()
    {
        var (root, _) = await GetAllPages("/api/datasets/demo/sample/tree/main");
        var types = root.ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("type").GetString());
        Assert.Equal("directory", types["data"]);
        Assert.Equal("file", types["notes.txt"]);
        Assert.DoesNotContain("data/train-00000-of-00002.parquet", types.Keys);

        var data = await GetJson("/api/datasets/demo/sample/tree/main/data");
        var parquet = data.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "data/train-00000-of-00002.parquet");
        Assert.Equal(5000, parquet.GetProperty("size").GetInt64());
        Assert.Equal(GitHashes.Sha256Hex(_parquet), parquet.GetProperty("lfs").GetProperty("oid").GetString());
        Assert.Equal(5000, parquet.GetProperty("lfs").GetProperty("size").GetInt64());
        Assert.Equal(GitHashes.GitBlobOid(GitHashes.LfsPointer(GitHashes.Sha256Hex(_parquet), 5000)), parquet.GetProperty("oid").GetString());
        var notes = root.Single(e => e.GetProperty("path").GetString() == "notes.txt");
        Assert.False(notes.TryGetProperty("lfs", out _));
        Assert.Equal(GitHashes.GitBlobOid("hello again"u8), notes.GetProperty("oid").GetString());
    }

    [Fact]
    public async Task TreeExpandAddsLastCommit()
    {
        var (tree, _) = await GetAllPages("/api/datasets/demo/sample/tree/main?expand=true");
        var notes = tree.Single(e => e.GetProperty("path").GetString() == "notes.txt");
        Assert.Equal(_second, notes.GetProperty("lastCommit").GetProperty("id").GetString());
        var readme = tree.Single(e => e.GetProperty("path").GetString() == "README.md");
        Assert.Equal(_first, readme.GetProperty("lastCommit").GetProperty("id").GetString());
        Assert.Equal("Add data", readme.GetProperty("lastCommit").GetProperty("title").GetString());
    }

    [Fact]
    public async Task ResolveServesWholeFileWithHubHeaders()
    {
        using var response = await _hub.Http.GetAsync("/datasets/demo/sample/resolve/main/data/train-00000-of-00002.parquet");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_parquet, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(_second, response.Headers.GetValues("X-Repo-Commit").Single());
        Assert.Equal($"\"{GitHashes.Sha256Hex(_parquet)}\"", response.Headers.ETag!.Tag);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal(5000, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("bytes=10-19", 10, 10)]
    [InlineData("bytes=4990-", 4990, 10)]
    [InlineData("bytes=-8", 4992, 8)]
    [InlineData("bytes=4995-9999", 4995, 5)]
    [InlineData("bytes=-9000", 0, 5000)]
    public async Task ResolveServesRanges(string range, int start, int length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/datasets/demo/sample/resolve/{_first}/data/train-00000-of-00002.parquet");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _hub.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_parquet.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {start}-{start + length - 1}/5000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_first, response.Headers.GetValues("X-Repo-Commit").Single());
    }

    [Theory]
    [InlineData("bytes=5000-")]
    [InlineData("bytes=6000-7000")]
    [InlineData("bytes=-0")]
    public async Task ResolveRejectsUnsatisfiableRanges(string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/datasets/demo/sample/resolve/main/data/train-00000-of-00002.parquet");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _hub.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */5000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task HeadReportsSizeEtagAndCommitWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/datasets/demo/sample/resolve/main/notes.txt");
        using var response = await _hub.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(11, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{GitHashes.GitBlobOid("hello again"u8)}\"", response.Headers.ETag!.Tag);
        Assert.Equal(_second, response.Headers.GetValues("X-Repo-Commit").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/api/datasets/demo/missing", "RepoNotFound")]
    [InlineData("/api/datasets/demo/sample/revision/nope", "RevisionNotFound")]
    [InlineData("/api/datasets/demo/sample/tree/main/nope", "EntryNotFound")]
    [InlineData("/datasets/demo/sample/resolve/main/nope.parquet", "EntryNotFound")]
    [InlineData("/datasets/demo/sample/resolve/v9/notes.txt", "RevisionNotFound")]
    [InlineData("/datasets/demo/missing/resolve/main/notes.txt", "RepoNotFound")]
    [InlineData("/api/datasets/demo/sample/commits/nope", "RevisionNotFound")]
    public async Task MissingThingsAnswer404WithErrorCode(string url, string errorCode)
    {
        using var response = await _hub.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(errorCode, response.Headers.GetValues("X-Error-Code").Single());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }
}
