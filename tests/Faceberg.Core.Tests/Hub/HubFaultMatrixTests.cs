using Faceberg.Core.Hub;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.Hub;

/// <summary>
/// Every Hub call the client makes, under every fault the network and the Hub produce: 429 with Retry-After,
/// 500, 503, a dropped connection and, for calls that change state, "applied, then 503 / dropped". Reads and
/// idempotent upload steps are retried and succeed; commits and repo creation are settled from the Hub's state
/// and land exactly once; a fault that never stops ends in a FacebergException with a stable id.
/// docs/reliability.md shows this matrix.
/// </summary>
public sealed class HubFaultMatrixTests : IDisposable
{
    private const string Repo = "acme/matrix";
    private readonly TestHub _hub = new();
    private readonly string _head;

    public HubFaultMatrixTests() =>
        _head = _hub.Seed(Repo, new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("hello"), ["data/x.parquet"] = TestHub.Bytes(2000) });

    public void Dispose() => _hub.Dispose();

    /// <summary>What a call is: how to spot its request, how to make it, and whether it changes the repo.</summary>
    private sealed record Call(Func<LoggedRequest, bool> Match, Func<HubClient, HubFaultMatrixTests, Task> Run, CallKind Kind);

    private enum CallKind { Read, CommitStep, Commit, CreateRepo }

    private static readonly Dictionary<string, Call> Calls = new()
    {
        ["info"] = new(r => r.Method == "GET" && r.Path == $"/api/datasets/{Repo}", (c, _) => c.GetDatasetInfoAsync(Repo), CallKind.Read),
        ["tree"] = new(r => r.Method == "GET" && r.Path.Contains("/tree/"), (c, _) => c.ListTreeAsync(Repo, "main", recursive: true), CallKind.Read),
        ["paths-info"] = new(r => r.Method == "POST" && r.Path.Contains("/paths-info/"), (c, _) => c.GetPathsInfoAsync(Repo, "main", ["a.txt"]), CallKind.Read),
        ["refs"] = new(r => r.Method == "GET" && r.Path.EndsWith("/refs"), (c, _) => c.ListRefsAsync(Repo), CallKind.Read),
        ["resolve HEAD"] = new(r => r.Method == "HEAD" && r.Path.Contains("/resolve/"), (c, t) => c.GetFileMetadataAsync(Repo, t._head, "a.txt"), CallKind.Read),
        ["ranged GET"] = new(r => r.Method == "GET" && r.Path.Contains("/resolve/") && r.Range is not null,
            async (c, t) => Assert.Equal(TestHub.Utf8("ell"), await c.ReadRangeAsync(Repo, t._head, "a.txt", 1, 3)), CallKind.Read),
        ["whole GET"] = new(r => r.Method == "GET" && r.Path.Contains("/resolve/") && r.Range is null,
            async (c, t) => Assert.Equal(TestHub.Utf8("hello"), await c.DownloadFileAsync(Repo, t._head, "a.txt")), CallKind.Read),
        ["commits"] = new(r => r.Method == "GET" && r.Path.Contains("/commits/"), (c, _) => c.ListCommitsAsync(Repo), CallKind.Read),
        ["preupload"] = new(r => r.Method == "POST" && r.Path.Contains("/preupload/"), (c, t) => t.CommitAsync(c), CallKind.CommitStep),
        ["LFS batch"] = new(r => r.Method == "POST" && r.Path.EndsWith("/info/lfs/objects/batch"), (c, t) => t.CommitAsync(c), CallKind.CommitStep),
        ["LFS upload"] = new(r => r.Method == "PUT" && r.Path.StartsWith("/lfs-upload/"), (c, t) => t.CommitAsync(c), CallKind.CommitStep),
        ["LFS verify"] = new(r => r.Method == "POST" && r.Path.StartsWith("/lfs-verify/"), (c, t) => t.CommitAsync(c), CallKind.CommitStep),
        ["commit"] = new(r => r.Method == "POST" && r.Path.Contains("/commit/"), (c, t) => t.CommitAsync(c), CallKind.Commit),
        ["create repo"] = new(r => r.Method == "POST" && r.Path == "/api/repos/create", (c, _) => c.CreateRepoAsync("acme/new"), CallKind.CreateRepo),
    };

    private static readonly Dictionary<string, LocalHubFault> Faults = new()
    {
        ["429 + Retry-After"] = new(429, TimeSpan.FromSeconds(1)),
        ["500"] = new(500),
        ["503"] = new(503),
        ["drop"] = LocalHubFault.Drop(),
        ["apply, then 503"] = LocalHubFault.ApplyThenFail(503),
        ["apply, then drop"] = LocalHubFault.ApplyThenDrop(),
    };

    private static bool ChangesState(CallKind kind) => kind is not CallKind.Read;

    public static TheoryData<string, string> OneFault()
    {
        var data = new TheoryData<string, string>();
        foreach (var (call, spec) in Calls)
            foreach (var fault in Faults.Keys)
                if (!Faults[fault].AfterHandling || ChangesState(spec.Kind))
                    data.Add(call, fault);
        return data;
    }

    public static TheoryData<string, string> EndlessFault()
    {
        var data = new TheoryData<string, string>();
        foreach (var call in Calls.Keys)
            foreach (var fault in new[] { "429 + Retry-After", "503", "drop" })
                data.Add(call, fault);
        return data;
    }

    private HubClient Client() => _hub.Client(configure: o =>
    {
        o.MaxRetries = 3;
        o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        // Caps the server's Retry-After too, so the matrix runs in seconds.
        o.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
    });

    private string? _committed;

    private async Task CommitAsync(HubClient client)
    {
        // A new Parquet file: preupload sends it to LFS, so every upload step runs.
        var info = await client.CreateCommitAsync(Repo, "main", [CommitOperation.Add("data/new.parquet", TestHub.Bytes(3000, seed: 7))],
            "matrix commit", parentCommit: _head);
        _committed = info.CommitOid;
    }

    private int History() => _hub.Server.Store.GetHistory(Repo, "main").Count;

    [Theory]
    [MemberData(nameof(OneFault))]
    public async Task One_fault_at_any_call_is_survived_and_nothing_is_written_twice(string call, string fault)
    {
        var spec = Calls[call];
        var client = Client();
        var before = History();
        _hub.Server.InjectFault(spec.Match, Faults[fault]);
        _hub.Log.Clear();

        await spec.Run(client, this);

        var sent = _hub.Log.Entries.Count(spec.Match);
        switch (spec.Kind)
        {
            case CallKind.Read:
                Assert.Equal(2, sent);
                Assert.Equal(before, History());
                break;
            case CallKind.CommitStep or CallKind.Commit:
                Assert.Equal(before + 1, History());
                var head = _hub.Server.Store.ResolveRevision(Repo, "main");
                Assert.Equal(head, _committed);
                Assert.Equal([_head], _hub.Server.Store.GetCommit(Repo, head).Parents);
                Assert.Equal(TestHub.Bytes(3000, seed: 7), _hub.Server.Store.ReadFile(Repo, head, "data/new.parquet"));
                // A commit applied before its answer failed is found in the history, not sent again.
                Assert.Equal(Faults[fault].AfterHandling && spec.Kind == CallKind.Commit ? 1 : 2, sent);
                break;
            case CallKind.CreateRepo:
                Assert.True(_hub.Server.Store.RepoExists("acme/new"));
                Assert.Single(_hub.Server.Store.GetHistory("acme/new", "main"));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(EndlessFault))]
    public async Task A_fault_that_never_stops_ends_in_a_stable_error_and_writes_nothing(string call, string fault)
    {
        var spec = Calls[call];
        var client = Client();
        var before = History();
        _hub.Server.InjectFault(spec.Match, Faults[fault], times: 1000);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => spec.Run(client, this));

        var faceberg = Assert.IsAssignableFrom<FacebergException>(error);
        Assert.Equal(fault.StartsWith("429") ? "HubRateLimited" : "HubUnavailable", faceberg.ErrorId);
        Assert.Equal(FacebergErrorKind.Unavailable, faceberg.Kind);
        Assert.DoesNotContain(TestHub.Token, faceberg.Message);
        Assert.Equal(before, History());
        Assert.False(_hub.Server.Store.RepoExists("acme/new"));
        if (spec.Kind == CallKind.Commit && fault != "429 + Retry-After")
            Assert.Contains("nothing was written", faceberg.Message);
        _hub.Server.ClearFaults();
    }
}
