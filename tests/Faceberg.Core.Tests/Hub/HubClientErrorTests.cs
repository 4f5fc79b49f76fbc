using System.Diagnostics;
using System.Net;
using Faceberg.Core.Hub;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.Hub;

public sealed class HubClientErrorTests : IDisposable
{
    private const string Repo = "acme/errors";
    private readonly TestHub _hub = new(requiredToken: TestHub.Token);
    private readonly string _sha;

    public HubClientErrorTests() =>
        _sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("hello"), ["data/x.parquet"] = TestHub.Bytes(1000) });

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Missing_repo_revision_and_entry_map_to_typed_not_found_errors()
    {
        var client = _hub.Client();

        var repo = await Assert.ThrowsAsync<RepositoryNotFoundException>(() => client.GetDatasetInfoAsync("acme/nope"));
        Assert.Equal("RepoNotFound", repo.HubErrorCode);
        Assert.Equal(FacebergErrorKind.NotFound, repo.Kind);
        Assert.Contains("acme/nope", repo.Message);

        var revision = await Assert.ThrowsAsync<RevisionNotFoundException>(() => client.ListTreeAsync(Repo, "no-such-branch"));
        Assert.Contains("no-such-branch", revision.Message);

        var entry = await Assert.ThrowsAsync<EntryNotFoundException>(() => client.ReadRangeAsync(Repo, _sha, "missing.txt", 0, 10));
        Assert.Contains("missing.txt", entry.Message);
        await Assert.ThrowsAsync<EntryNotFoundException>(() => client.GetFileMetadataAsync(Repo, _sha, "missing.txt"));
        await Assert.ThrowsAsync<EntryNotFoundException>(() => client.ListTreeAsync(Repo, _sha, "no/such/folder"));
    }

    [Fact]
    public async Task A_range_beyond_the_end_of_the_file_is_an_invalid_argument()
    {
        var client = _hub.Client();

        var error = await Assert.ThrowsAsync<HubException>(() => client.ReadRangeAsync(Repo, _sha, "a.txt", 100, 10));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, error.StatusCode);
        Assert.Equal(FacebergErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task Missing_token_is_an_authentication_error_that_says_how_to_set_one()
    {
        var client = _hub.Client(token: null);

        var error = await Assert.ThrowsAsync<HubAuthenticationException>(() => client.ListTreeAsync(Repo, _sha));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(FacebergErrorKind.Authentication, error.Kind);
        Assert.Contains("HF_TOKEN", error.Message);
        Assert.Contains("-Token", error.Message);
    }

    [Fact]
    public async Task A_wrong_token_is_rejected_and_never_appears_in_the_message()
    {
        const string wrong = "hf_wrong_token_that_must_stay_secret";
        var client = _hub.Client(token: wrong);

        var error = await Assert.ThrowsAsync<HubAuthenticationException>(() => client.GetDatasetInfoAsync(Repo));

        Assert.DoesNotContain(wrong, error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(wrong, client.ToString());
        Assert.DoesNotContain(wrong, client.Options.ToString());
    }

    [Fact]
    public async Task Forbidden_is_a_permission_error()
    {
        var client = _hub.Client();
        _hub.Server.FailNext(1, 403);

        var error = await Assert.ThrowsAsync<HubAuthenticationException>(() => client.GetDatasetInfoAsync(Repo));

        Assert.Equal(FacebergErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("HF_TOKEN", error.Message);
        Assert.DoesNotContain(TestHub.Token, error.Message);
    }

    [Fact]
    public async Task Rate_limit_is_retried_after_the_servers_Retry_After()
    {
        var client = _hub.Client();
        _hub.Server.FailNext(1, 429, TimeSpan.FromSeconds(1));
        _hub.Log.Clear();
        var watch = Stopwatch.StartNew();

        var info = await client.GetDatasetInfoAsync(Repo);

        Assert.Equal(_sha, info.Sha);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"waited only {watch.Elapsed}");
        Assert.Equal(new[] { 429, 200 }, _hub.Log.Entries.Select(r => r.Status).ToArray());
    }

    [Fact]
    public async Task Service_unavailable_is_retried_with_Retry_After()
    {
        var client = _hub.Client();
        _hub.Server.FailNext(2, 503, TimeSpan.FromSeconds(1));
        _hub.Log.Clear();
        var watch = Stopwatch.StartNew();

        var bytes = await client.ReadRangeAsync(Repo, _sha, "a.txt", 0, 5);

        Assert.Equal(TestHub.Utf8("hello"), bytes);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1900), $"waited only {watch.Elapsed}");
        Assert.Equal(new[] { 503, 503, 206 }, _hub.Log.Entries.Select(r => r.Status).ToArray());
    }

    [Fact]
    public async Task Persistent_rate_limiting_becomes_a_rate_limit_error_after_bounded_retries()
    {
        var client = _hub.Client(configure: o => o.MaxRetries = 2);
        _hub.Server.FailNext(10, 429);
        _hub.Log.Clear();

        var error = await Assert.ThrowsAsync<HubRateLimitException>(() => client.GetDatasetInfoAsync(Repo));

        Assert.Equal(3, _hub.Log.Count);
        Assert.Equal(FacebergErrorKind.Unavailable, error.Kind);
        Assert.Contains("429", error.Message);
    }

    [Fact]
    public async Task Persistent_server_errors_become_unavailable_after_bounded_retries()
    {
        var client = _hub.Client(configure: o => o.MaxRetries = 2);
        _hub.Server.FailNext(10, 500);
        _hub.Log.Clear();

        var error = await Assert.ThrowsAsync<HubUnavailableException>(() => client.ListRefsAsync(Repo));

        Assert.Equal(3, _hub.Log.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }

    [Fact]
    public async Task Dropped_connections_are_retried_and_then_reported_as_unavailable()
    {
        var client = _hub.Client(configure: o => o.MaxRetries = 2);
        _hub.Server.DropNextConnections(2);

        Assert.Equal(TestHub.Utf8("hello"), await client.ReadRangeAsync(Repo, _sha, "a.txt", 0, 5));

        _hub.Server.DropNextConnections(10);
        var error = await Assert.ThrowsAsync<HubUnavailableException>(() => client.ReadRangeAsync(Repo, _sha, "a.txt", 0, 5));
        Assert.Null(error.StatusCode);
        _hub.Server.ClearFaults();
    }

    [Fact]
    public async Task A_commit_failing_with_a_server_error_is_resent_only_after_the_history_shows_it_did_not_land()
    {
        var client = _hub.Client(configure: o => o.MaxRetries = 2);
        _hub.Server.InjectFault(r => r.Path.Contains("/commit/"), new LocalHubFault(500), times: 5);
        _hub.Log.Clear();

        var error = await Assert.ThrowsAsync<HubUnavailableException>(() =>
            client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("b.txt", TestHub.Utf8("b"))], "b"));

        Assert.Contains("nothing was written", error.Message);
        var calls = _hub.Log.Entries.Where(r => r.Path.Contains("/commit/") || r.Path.Contains("/commits/"))
            .Select(r => r.Path.Contains("/commit/") ? "commit" : "check").ToList();
        Assert.Equal(["commit", "check", "commit", "check", "commit", "check"], calls);
        Assert.Equal(_sha, _hub.Server.Store.ResolveRevision(Repo, "main"));
        _hub.Server.ClearFaults();
    }
}

public sealed class HubClientRedirectTests : IDisposable
{
    private const string Repo = "acme/cdn";
    private readonly TestHub _hub = new(requiredToken: TestHub.Token, redirectLfsToCdn: true);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task The_token_goes_to_the_hub_but_not_to_the_cdn_it_redirects_to()
    {
        var parquet = TestHub.Bytes(5000, seed: 2);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["data/f.parquet"] = parquet });
        var client = _hub.Client();
        _hub.Log.Clear();

        var slice = await client.ReadRangeAsync(Repo, sha, "data/f.parquet", 100, 50);
        var whole = await client.DownloadFileAsync(Repo, sha, "data/f.parquet");

        Assert.Equal(parquet.AsSpan(100, 50).ToArray(), slice);
        Assert.Equal(parquet, whole);
        var hub = _hub.Log.Entries.Where(r => r.Server == "hub").ToList();
        var cdn = _hub.Log.Entries.Where(r => r.Server == "cdn").ToList();
        Assert.Equal(2, hub.Count);
        Assert.Equal(2, cdn.Count);
        Assert.All(hub, r => Assert.True(r.HasAuthorization));
        Assert.All(cdn, r => Assert.False(r.HasAuthorization));
        Assert.Equal("bytes=100-149", cdn[0].Range);
    }

    [Fact]
    public async Task Head_on_a_redirected_file_reports_the_linked_size_without_contacting_the_cdn()
    {
        var parquet = TestHub.Bytes(3000, seed: 4);
        var sha = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["data/f.parquet"] = parquet });
        var client = _hub.Client();
        _hub.Log.Clear();

        var meta = await client.GetFileMetadataAsync(Repo, "main", "data/f.parquet");

        Assert.Equal(3000, meta.Size);
        Assert.Equal(sha, meta.CommitSha);
        Assert.DoesNotContain(_hub.Log.Entries, r => r.Server == "cdn");
    }

    [Fact]
    public async Task Lfs_uploads_to_the_cdn_carry_no_token()
    {
        var client = _hub.Client();
        await client.CreateRepoAsync(Repo);
        var parquet = TestHub.Bytes(2000, seed: 8);
        _hub.Log.Clear();

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("f.parquet", parquet)], "lfs via cdn");

        var put = Assert.Single(_hub.Log.Entries, r => r.Method == "PUT");
        Assert.Equal("cdn", put.Server);
        Assert.False(put.HasAuthorization);
        Assert.Equal(parquet, await client.DownloadFileAsync(Repo, info.CommitOid, "f.parquet"));
    }
}
