using System.Net;
using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests.LocalHub;

[Collection(EnvironmentCollection.Name)]
public sealed class LocalHubCmdletTests : IDisposable
{
    private readonly TempProject _project = new();
    private readonly EnvironmentScope _environment = new EnvironmentScope().Set("HF_ENDPOINT", "https://example.invalid");
    private readonly PowerShellHost _shell;
    private readonly HttpClient _http = new();

    public LocalHubCmdletTests() => _shell = new PowerShellHost(_project.Root);

    public void Dispose()
    {
        _shell.Run("Stop-FacebergLocalHub");
        _shell.Dispose();
        _http.Dispose();
        _environment.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task StartServesTheSampleDatasetsAndStopRestoresHfEndpoint()
    {
        var result = _shell.Run("Start-FacebergLocalHub -Path hub -Sample -SetEnvironment").AssertSuccess();
        var hub = Assert.Single(result.Output);
        Assert.Equal("Faceberg.LocalHubInstance", hub.BaseObject.GetType().FullName);
        var endpoint = (string)hub.Properties["Endpoint"].Value;
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", endpoint);
        Assert.Equal(_project.PathOf("hub"), (string)hub.Properties["Path"].Value);
        Assert.Equal(["demo/iris", "demo/movie-reviews", "demo/translations"], (string[])hub.Properties["Repositories"].Value);
        Assert.Equal(endpoint, Environment.GetEnvironmentVariable("HF_ENDPOINT"));

        using (var info = await _http.GetAsync($"{endpoint}/api/datasets/demo/iris"))
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);

        _shell.Run("$args[0] | Stop-FacebergLocalHub", args: [hub]).AssertSuccess();
        Assert.False((bool)hub.Properties["IsRunning"].Value);
        Assert.Equal("https://example.invalid", Environment.GetEnvironmentVariable("HF_ENDPOINT"));
        await Assert.ThrowsAsync<HttpRequestException>(() => _http.GetAsync($"{endpoint}/api/datasets/demo/iris"));
    }

    [Fact]
    public void WhatIfKeepsTheHubRunningAndStopWithoutArgumentsStopsAll()
    {
        var first = Assert.Single(_shell.Run("Start-FacebergLocalHub -Path one").AssertSuccess().Output);
        var second = Assert.Single(_shell.Run("Start-FacebergLocalHub -Path two").AssertSuccess().Output);
        Assert.Equal("https://example.invalid", Environment.GetEnvironmentVariable("HF_ENDPOINT"));

        _shell.Run("Stop-FacebergLocalHub -WhatIf").AssertSuccess();
        Assert.True((bool)first.Properties["IsRunning"].Value);

        _shell.Run("Stop-FacebergLocalHub").AssertSuccess();
        Assert.False((bool)first.Properties["IsRunning"].Value);
        Assert.False((bool)second.Properties["IsRunning"].Value);
    }

    [Fact]
    public void ASecondHubOverTheSameFolderIsRefused()
    {
        _shell.Run("Start-FacebergLocalHub -Path hub").AssertSuccess();
        var again = _shell.Run("Start-FacebergLocalHub -Path hub");
        var error = again.TerminatingError ?? Assert.Single(again.Errors);
        Assert.Equal("LocalHubAlreadyRunning,Faceberg.Cmdlets.LocalHub.StartFacebergLocalHubCommand", error.FullyQualifiedErrorId);
        Assert.Empty(again.Output);
    }

    [Fact]
    public async Task ReposSurviveAStopAndStartOverTheSameFolder()
    {
        var folder = _project.PathOf("plain", "acme", "notes");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "README.md"), "# notes\n");
        var hub = Assert.Single(_shell.Run("Start-FacebergLocalHub -Path plain").AssertSuccess().Output);
        Assert.Equal(["acme/notes"], (string[])hub.Properties["Repositories"].Value);
        _shell.Run("Stop-FacebergLocalHub").AssertSuccess();

        var restarted = Assert.Single(_shell.Run("Start-FacebergLocalHub -Path plain").AssertSuccess().Output);
        var endpoint = (string)restarted.Properties["Endpoint"].Value;
        Assert.Equal("# notes\n", await _http.GetStringAsync($"{endpoint}/datasets/acme/notes/resolve/main/README.md"));
    }

    [Fact]
    public void HelpDescribesTheCmdlets()
    {
        var start = _shell.Run("(Get-Help Start-FacebergLocalHub).Synopsis").AssertSuccess();
        Assert.Equal("Starts a local Hugging Face Hub on 127.0.0.1 that serves a folder of dataset repos.", Assert.Single(start.Output).ToString());
        var parameters = _shell.Run("(Get-Help Start-FacebergLocalHub).parameters.parameter | ForEach-Object { $_.name }").AssertSuccess();
        Assert.Equal(["Path", "Port", "SetEnvironment", "Sample", "WhatIf", "Confirm"], parameters.Output.Select(o => o.ToString()));
        var stop = _shell.Run("(Get-Help Stop-FacebergLocalHub).Synopsis").AssertSuccess();
        Assert.Equal("Stops local Hubs started with Start-FacebergLocalHub.", Assert.Single(stop.Output).ToString());
    }
}
