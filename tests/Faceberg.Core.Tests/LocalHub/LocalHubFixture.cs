using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.LocalHub;

/// <summary>A local Hub over a fresh temporary folder, and an HttpClient without redirects or auth.</summary>
public sealed class LocalHubHarness : IDisposable
{
    public LocalHubHarness(int treePageSize = 1000, string? requiredToken = null, bool redirectLfsToCdn = false, int commitsPageSize = 50)
    {
        Root = Path.Combine(Path.GetTempPath(), "faceberg-localhub-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Options = new LocalHubOptions
        {
            RootPath = Root,
            TreePageSize = treePageSize,
            CommitsPageSize = commitsPageSize,
            RequiredToken = requiredToken,
            Token = requiredToken ?? Token,
            RedirectLfsToCdn = redirectLfsToCdn,
        };
        Server = LocalHubServer.Start(Options);
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(Server.Endpoint) };
    }

    /// <summary>The local user's token: what writes and private reads need.</summary>
    public const string Token = "hf_harness_user_token";

    /// <summary>Sends <see cref="Token"/> with every request of <see cref="Http"/>, as a writer does.</summary>
    public LocalHubHarness Authorize()
    {
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Server.Token);
        return this;
    }

    public string Root { get; }
    public LocalHubOptions Options { get; }
    public LocalHubServer Server { get; private set; }
    public HttpClient Http { get; }

    /// <summary>Stops the server and starts a new one over the same folder.</summary>
    public void Restart()
    {
        Server.Dispose();
        Server = LocalHubServer.Start(Options);
        Http.BaseAddress = null;
    }

    public void Dispose()
    {
        Http.Dispose();
        Server.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
