using System.Text;
using Faceberg.Core.Hub;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.Hub;

/// <summary>A local Hub on a free port over a temporary folder, plus clients pointed at it.</summary>
internal sealed class TestHub : IDisposable
{
    public const string Token = "hf_test_secret_token_value";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "faceberg-hubclient-" + Guid.NewGuid().ToString("N"));
    private readonly List<HubClient> _clients = [];

    public TestHub(int treePageSize = 1000, int commitsPageSize = 50, string? requiredToken = null, bool redirectLfsToCdn = false)
    {
        Directory.CreateDirectory(_root);
        Server = LocalHubServer.Start(new LocalHubOptions
        {
            RootPath = _root,
            Port = 0,
            TreePageSize = treePageSize,
            CommitsPageSize = commitsPageSize,
            RequiredToken = requiredToken,
            Token = Token,
            RedirectLfsToCdn = redirectLfsToCdn,
        });
    }

    public LocalHubServer Server { get; }

    public RequestLog Log => Server.RequestLog;

    public HubClient Client(string? token = Token, Action<HubClientOptions>? configure = null)
    {
        var options = new HubClientOptions
        {
            Endpoint = Server.Endpoint,
            Token = token,
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        var client = new HubClient(options);
        _clients.Add(client);
        return client;
    }

    /// <summary>Creates a repo and commits the given files to main; returns the new head sha.</summary>
    public string Seed(string repoId, IDictionary<string, byte[]> files, string message = "seed")
    {
        if (!Server.Store.RepoExists(repoId)) Server.Store.CreateRepo(repoId);
        return Server.Store.Commit(repoId, files, null, message);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
        Server.Dispose();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
