using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>
/// A local Hub holding every sample layout (<see cref="SampleDatasets"/>), with HF_ENDPOINT pointing at it
/// and HF_TOKEN unset while it lives: what the cmdlets see on a machine set up for the local Hub. For
/// tests in the <see cref="EnvironmentCollection"/>.
/// </summary>
public sealed class SeededHub : IDisposable
{
    private readonly EnvironmentScope _environment;

    public SeededHub(string rootPath)
    {
        Server = LocalHubServer.Start(new LocalHubOptions { RootPath = rootPath });
        SampleDatasets.Seed(Server.Store);
        _environment = new EnvironmentScope().Set("HF_ENDPOINT", Server.Endpoint).Set("HF_TOKEN", null);
    }

    public LocalHubServer Server { get; }

    public void Dispose()
    {
        _environment.Dispose();
        Server.Dispose();
    }
}
