using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>
/// A local Hub holding every sample layout (<see cref="SampleDatasets"/>), with HF_ENDPOINT pointing at it
/// and HF_TOKEN holding the local Hub's token while it lives: what Start-FacebergLocalHub -SetEnvironment sets up. For
/// tests in the <see cref="EnvironmentCollection"/>.
/// </summary>
public sealed class SeededHub : IDisposable
{
    private readonly EnvironmentScope _environment;

    public SeededHub(string rootPath)
    {
        Server = LocalHubServer.Start(new LocalHubOptions { RootPath = rootPath });
        SampleDatasets.Seed(Server.Store);
        _environment = new EnvironmentScope().Set("HF_ENDPOINT", Server.Endpoint).Set("HF_TOKEN", Server.Token);
    }

    public LocalHubServer Server { get; }

    public void Dispose()
    {
        _environment.Dispose();
        Server.Dispose();
    }
}
