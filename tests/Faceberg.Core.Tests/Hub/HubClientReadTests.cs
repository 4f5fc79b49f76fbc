
namespace Faceberg.Core.Tests.Hub;

public sealed class HubClientReadTests : IDisposable
{
    private const string Repo = "acme/reads";
    private readonly TestHub _hub = new(treePageSize: 3, commitsPageSize: 2);

    public void Dispose() => _hub.Dispose();

    private const string Readme = """
        ---
        configs:
        - config_name: default
          data_files:
          - split: train
            path: data/train-*.parquet
        ---
        # Reads
        """;

    [Fact]
    public async Task DatasetInfo_reports_sha_siblings_and_card_data_for_head_and_for_a_revision()
    {
        var first = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["README.md"] = TestHub.Utf8(Readme) });
        _hub.Server.Store.CreateTag(Repo, "v1");
        var second = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["data/a.csv"] = TestHub.Utf8("x\n1\n") });
        var client = _hub.Client();

        var head = await client.GetDatasetInfoAsync(Repo);
        Assert.Equal(Repo, head.Id);
        Assert.Equal(second, head.Sha);
        Assert.False(head.Private);
        Assert.NotNull(head.LastModified);
        Assert.Contains(head.Siblings, s => s.RFilename == "data/a.csv");
        Assert.Contains(head.Siblings, s => s.RFilename == "README.md");
        var card = Assert.IsType<System.Text.Json.JsonElement>(head.CardData);
        Assert.Equal("default", card.GetProperty("configs")[0].GetProperty("config_name").GetString());

        var tagged = await client.GetDatasetInfoAsync(Repo, "v1");
        Assert.Equal(first, tagged.Sha);
        Assert.DoesNotContain(tagged.Siblings, s => s.RFilename == "data/a.csv");
    }

    [Fact]
    public async Task Tree_follows_link_pagination_across_pages()
    {
        var files = Enumerable.Range(0, 10).ToDictionary(i => $"data/part-{i:D2}.csv", i => TestHub.Utf8($"v\n{i}\n"));
        files["data/big.parquet"] = TestHub.Bytes(2000);
        var sha = _hub.Seed(Repo, files);
        var client = _hub.Client();
        _hub.Log.Clear();

        var entries = await client.ListTreeAsync(Repo, sha, recursive: true);

        var paths = entries.Where(e => e.IsFile).Select(e => e.Path).ToHashSet();
        Assert.Equal(12, paths.Count); // 10 csv + parquet + .gitattributes
        Assert.Contains(entries, e => e is { IsDirectory: true, Path: "data" });
        Assert.Equal(entries.Count, entries.Select(e => e.Path).Distinct().Count());
        var treeRequests = _hub.Log.Entries.Where(r => r.Path.Contains("/tree/")).ToList();
        Assert.True(treeRequests.Count >= 4, $"expected several pages, got {treeRequests.Count}");
        Assert.All(treeRequests, r => Assert.Equal(200, r.Status));

        var parquet = entries.Single(e => e.Path == "data/big.parquet");
        Assert.Equal(2000, parquet.Size);
        Assert.NotNull(parquet.Lfs);
        Assert.Equal(2000, parquet.Lfs!.Size);
        Assert.Equal(64, parquet.Lfs.Oid.Length);
        var csv = entries.Single(e => e.Path == "data/part-03.csv");
        Assert.Null(csv.Lfs);
        Assert.Equal(40, csv.Oid.Length);
    }

    [Fact]
    public async Task Files_follow_link_pagination_and_are_the_trees_files_with_their_content_ids()
    {
        var files = Enumerable.Range(0, 10).ToDictionary(i => $"data/part-{i:D2}.csv", i => TestHub.Utf8($"v\n{i}\n"));
        files["data/big.parquet"] = TestHub.Bytes(2000);
        var sha = _hub.Seed(Repo, files);
        var client = _hub.Client();
        var tree = await client.ListTreeAsync(Repo, sha, recursive: true);
        _hub.Log.Clear();

        var listed = await client.ListFilesAsync(Repo, sha, (path, size, contentId) => (path, size, contentId));

        Assert.True(_hub.Log.Entries.Count(r => r.Path.Contains("/tree/")) >= 4);
        Assert.Equal(
            tree.Where(e => e.IsFile).Select(e => (e.Path, e.Lfs?.Size ?? e.Size, e.Lfs?.Oid is { Length: > 0 } lfs ? lfs : e.Oid)),
            listed);
        Assert.Equal((2000L, 64), listed.Where(f => f.path == "data/big.parquet").Select(f => (f.size, f.contentId.Length)).Single());
    }

    [Fact]
    public async Task Tree_of_a_folder_lists_only_that_folder()
    {
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]>
        {
            ["data/train/a.csv"] = TestHub.Utf8("a"),
            ["data/test/b.csv"] = TestHub.Utf8("b"),
            ["other.txt"] = TestHub.Utf8("o"),
        });
        var client = _hub.Client();

        var shallow = await client.ListTreeAsync(Repo, sha, "data");
        Assert.Equal(["data/test", "data/train"], shallow.Select(e => e.Path).Order().ToArray());
        Assert.All(shallow, e => Assert.True(e.IsDirectory));

        var deep = await client.ListTreeAsync(Repo, sha, "data/train", recursive: true);
        Assert.Equal(["data/train/a.csv"], deep.Select(e => e.Path).ToArray());
    }

    [Fact]
    public async Task PathsInfo_returns_existing_paths_and_skips_missing_ones()
    {
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]>
        {
            ["a.txt"] = TestHub.Utf8("hello"),
            ["data/b.parquet"] = TestHub.Bytes(300),
        });
        var client = _hub.Client();

        var infos = await client.GetPathsInfoAsync(Repo, sha, ["a.txt", "data/b.parquet", "missing.txt"]);

        Assert.Equal(["a.txt", "data/b.parquet"], infos.Select(i => i.Path).Order().ToArray());
        Assert.Equal(5, infos.Single(i => i.Path == "a.txt").Size);
        Assert.Equal(300, infos.Single(i => i.Path == "data/b.parquet").Lfs!.Size);
    }

    [Fact]
    public async Task Refs_list_branches_converts_and_tags()
    {
        var main = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("a") });
        _hub.Server.Store.CreateBranch(Repo, "dev");
        _hub.Server.Store.CreateTag(Repo, "v1.0");
        var convert = _hub.Server.Store.Commit(Repo, new Dictionary<string, byte[]> { ["default/train/0000.parquet"] = TestHub.Bytes(100) },
            null, "convert", "refs/convert/parquet");
        var client = _hub.Client();

        var refs = await client.ListRefsAsync(Repo);

        Assert.Contains(refs.Branches, b => b.Name == "main" && b.Ref == "refs/heads/main" && b.TargetCommit == main);
        Assert.Contains(refs.Branches, b => b.Name == "dev");
        Assert.Contains(refs.Tags, t => t.Name == "v1.0" && t.TargetCommit == main);
        var parquet = Assert.Single(refs.Converts);
        Assert.Equal("parquet", parquet.Name);
        Assert.Equal("refs/convert/parquet", parquet.Ref);
        Assert.Equal(convert, parquet.TargetCommit);
    }

    [Fact]
    public async Task Revisions_are_encoded_without_safe_characters()
    {
        _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("a") });
        _hub.Server.Store.Commit(Repo, new Dictionary<string, byte[]> { ["default/train/0000.parquet"] = TestHub.Bytes(100) },
            null, "convert", "refs/convert/parquet");
        var client = _hub.Client();
        _hub.Log.Clear();

        var entries = await client.ListTreeAsync(Repo, "refs/convert/parquet", recursive: true);
        var info = await client.GetDatasetInfoAsync(Repo, "refs/convert/parquet");

        Assert.Contains(entries, e => e.Path == "default/train/0000.parquet");
        Assert.Contains(info.Siblings, s => s.RFilename == "default/train/0000.parquet");
        Assert.Contains(_hub.Log.Entries, r => r.PathAndQuery.Contains("/tree/refs%2Fconvert%2Fparquet"));
        Assert.Contains(_hub.Log.Entries, r => r.PathAndQuery.EndsWith("/revision/refs%2Fconvert%2Fparquet"));
    }

    [Fact]
    public async Task Commits_are_listed_newest_first_across_pages()
    {
        _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("1") }, "first");
        _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("2") }, "second");
        var last = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("3") }, "third");
        var client = _hub.Client();
        _hub.Log.Clear();

        var commits = await client.ListCommitsAsync(Repo, "main");

        Assert.Equal(4, commits.Count); // initial commit + 3
        Assert.Equal(last, commits[0].Id);
        Assert.Equal(["third", "second", "first"], commits.Take(3).Select(c => c.Title).ToArray());
        Assert.All(commits, c => Assert.Matches("^[0-9a-f]{40}$", c.Id));
        Assert.True(_hub.Log.Entries.Count(r => r.Path.Contains("/commits/")) >= 2);
    }

    [Fact]
    public async Task Ranged_reads_return_the_exact_bytes_with_one_request()
    {
        var content = TestHub.Bytes(5000, seed: 7);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["data/blob.bin"] = content });
        var client = _hub.Client();
        _hub.Log.Clear();

        var slice = await client.ReadRangeAsync(Repo, sha, "data/blob.bin", 1000, 250);

        Assert.Equal(content.AsSpan(1000, 250).ToArray(), slice);
        var request = Assert.Single(_hub.Log.Entries);
        Assert.Equal("bytes=1000-1249", request.Range);
        Assert.StartsWith("faceberg/", request.Headers["User-Agent"]);
        Assert.Equal(206, request.Status);
        Assert.Equal(content, await client.DownloadFileAsync(Repo, sha, "data/blob.bin"));
    }

    [Fact]
    public async Task Head_reports_size_etag_and_commit()
    {
        var content = TestHub.Utf8("some text content");
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["notes/a b.txt"] = content });
        var client = _hub.Client();

        var meta = await client.GetFileMetadataAsync(Repo, "main", "notes/a b.txt");

        Assert.Equal(content.Length, meta.Size);
        Assert.Equal(sha, meta.CommitSha);
        Assert.False(string.IsNullOrEmpty(meta.ETag));
        Assert.DoesNotContain("\"", meta.ETag);
    }

    [Fact]
    public async Task The_concurrency_limit_bounds_requests_in_flight()
    {
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("abcdefgh") });
        var client = _hub.Client(configure: o => o.MaxConcurrency = 2);
        _hub.Server.Latency = TimeSpan.FromMilliseconds(200);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var bytes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.ReadRangeAsync(Repo, sha, "a.txt", i, 1)));

        // 8 requests, 2 at a time, 200 ms each: at least 4 rounds (with 8 at a time it takes about 200 ms).
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(780), $"finished in {watch.Elapsed}");
        _hub.Server.Latency = TimeSpan.Zero;
        Assert.Equal("abcdefgh", string.Concat(bytes.Select(b => (char)b[0])));
    }

    [Fact]
    public async Task Many_parallel_reads_share_the_client()
    {
        var content = TestHub.Bytes(64 * 1024, seed: 3);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["blob.bin"] = content });
        var client = _hub.Client(configure: o => o.MaxConcurrency = 4);

        var reads = Enumerable.Range(0, 32).Select(i => client.ReadRangeAsync(Repo, sha, "blob.bin", i * 1024, 1024)).ToArray();
        var results = await Task.WhenAll(reads);

        for (var i = 0; i < results.Length; i++) Assert.Equal(content.AsSpan(i * 1024, 1024).ToArray(), results[i]);
    }
}
