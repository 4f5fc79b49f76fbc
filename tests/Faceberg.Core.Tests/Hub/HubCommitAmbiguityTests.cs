using Faceberg.Core.Hub;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.Hub;

/// <summary>
/// A commit the Hub may have applied but answered ambiguously (5xx, dropped connection) is settled from the branch
/// history: landed → success with that commit, not landed → a guarded resend, unknown → an error saying so.
/// </summary>
public sealed class HubCommitAmbiguityTests : IDisposable
{
    private const string Repo = "acme/ambiguous";
    private readonly TestHub _hub = new();
    private readonly string _head;

    public HubCommitAmbiguityTests() => _head = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("a") });

    public void Dispose() => _hub.Dispose();

    private static bool IsCommit(LoggedRequest r) => r.Method == "POST" && r.Path.Contains("/commit/");

    private int History() => _hub.Server.Store.GetHistory(Repo, "main").Count;

    public static TheoryData<string> ApplyThenFailFaults => ["503", "500", "drop"];

    private static LocalHubFault Fault(string kind) => kind == "drop" ? LocalHubFault.ApplyThenDrop() : LocalHubFault.ApplyThenFail(int.Parse(kind));

    [Theory]
    [MemberData(nameof(ApplyThenFailFaults))]
    public async Task A_commit_applied_but_answered_with_a_failure_is_reported_as_the_commit_that_landed(string fault)
    {
        var client = _hub.Client();
        var before = History();
        _hub.Server.InjectFault(IsCommit, Fault(fault));
        _hub.Log.Clear();

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("b.txt", TestHub.Utf8("b"))], "add b",
            description: "why", parentCommit: _head);

        var head = _hub.Server.Store.ResolveRevision(Repo, "main");
        Assert.Equal(head, info.CommitOid);
        Assert.Equal(before + 1, History());
        Assert.Single(_hub.Log.Entries, IsCommit);
        var commit = _hub.Server.Store.GetCommit(Repo, head);
        Assert.Equal([_head], commit.Parents);
        Assert.StartsWith("why\n\n" + CommitMarker.Prefix, commit.Message);
    }

    [Fact]
    public async Task Without_a_parent_commit_an_applied_commit_is_still_found_and_never_duplicated()
    {
        var client = _hub.Client();
        var before = History();
        _hub.Server.InjectFault(IsCommit, LocalHubFault.ApplyThenFail(503));

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("c.txt", TestHub.Utf8("c"))], "add c");

        Assert.Equal(_hub.Server.Store.ResolveRevision(Repo, "main"), info.CommitOid);
        Assert.Equal(before + 1, History());
    }

    [Fact]
    public async Task A_commit_that_did_not_land_is_resent_with_the_parent_guard_and_lands_once()
    {
        var client = _hub.Client();
        var before = History();
        _hub.Server.InjectFault(IsCommit, new LocalHubFault(503));
        _hub.Log.Clear();

        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("d.txt", TestHub.Utf8("d"))], "add d");

        Assert.Equal(_hub.Server.Store.ResolveRevision(Repo, "main"), info.CommitOid);
        Assert.Equal(before + 1, History());
        Assert.Equal(2, _hub.Log.Entries.Count(IsCommit));
        Assert.Equal([_head], _hub.Server.Store.GetCommit(Repo, info.CommitOid).Parents);
    }

    [Fact]
    public async Task Another_writers_commit_after_an_unapplied_failure_is_a_conflict_and_nothing_of_ours_lands()
    {
        var client = _hub.Client();
        var store = _hub.Server.Store;
        // The first commit attempt fails unapplied, and another writer commits while it was in flight.
        _hub.Server.InjectFault(r =>
        {
            if (!IsCommit(r)) return false;
            store.Commit(Repo, new Dictionary<string, byte[]> { ["other.txt"] = TestHub.Utf8("x") }, null, "someone else");
            return true;
        }, new LocalHubFault(503));
        var other = History() + 1;

        await Assert.ThrowsAsync<HubCommitConflictException>(() =>
            client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("e.txt", TestHub.Utf8("e"))], "add e", parentCommit: _head));

        Assert.Equal(other, History());
        Assert.Null(store.FindFile(Repo, store.ResolveRevision(Repo, "main"), "e.txt"));
    }

    [Fact]
    public async Task When_the_history_cannot_be_read_the_outcome_is_reported_as_unknown_with_the_way_to_check()
    {
        var client = _hub.Client(configure: o => o.MaxRetries = 1);
        _hub.Server.InjectFault(IsCommit, LocalHubFault.ApplyThenFail(502));
        _hub.Server.InjectFault(r => r.Path.Contains("/commits/"), new LocalHubFault(500), times: 10);

        var error = await Assert.ThrowsAsync<HubCommitOutcomeUnknownException>(() =>
            client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("f.txt", TestHub.Utf8("f"))], "add f", parentCommit: _head));

        Assert.Equal("HubCommitOutcomeUnknown", error.ErrorId);
        Assert.Equal(FacebergErrorKind.Unavailable, error.Kind);
        Assert.Contains(error.Marker, error.Message);
        Assert.Contains($"datasets/{Repo}/commits/main", error.Message);
        Assert.DoesNotContain("nothing was written", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestHub.Token, error.Message);
        _hub.Server.ClearFaults();
        // It did land: the marker named in the message is how the user finds it.
        Assert.Contains(error.Marker, _hub.Server.Store.GetCommit(Repo, _hub.Server.Store.ResolveRevision(Repo, "main")).Message);
    }

    [Theory]
    [MemberData(nameof(ApplyThenFailFaults))]
    public async Task A_repo_created_but_answered_with_a_failure_is_created_once(string fault)
    {
        var client = _hub.Client();
        _hub.Server.InjectFault(r => r.Path == "/api/repos/create", Fault(fault));

        var url = await client.CreateRepoAsync("acme/fresh");

        Assert.EndsWith("datasets/acme/fresh", url);
        Assert.True(_hub.Server.Store.RepoExists("acme/fresh"));
    }

    [Fact]
    public async Task Rate_limited_commits_are_retried_because_the_Hub_refused_them_before_acting()
    {
        var client = _hub.Client();
        var before = History();
        _hub.Server.InjectFault(IsCommit, new LocalHubFault(429, TimeSpan.Zero), times: 2);
        _hub.Log.Clear();

        await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("g.txt", TestHub.Utf8("g"))], "add g", parentCommit: _head);

        Assert.Equal(before + 1, History());
        Assert.Equal(3, _hub.Log.Entries.Count(IsCommit));
        Assert.DoesNotContain(_hub.Log.Entries, r => r.Path.Contains("/commits/"));
    }
}
