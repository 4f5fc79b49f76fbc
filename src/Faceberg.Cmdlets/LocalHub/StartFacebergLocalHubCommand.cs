using System.Management.Automation;
using System.Net;
using Faceberg.LocalHub;
using Faceberg.LocalHub.Samples;

namespace Faceberg.Cmdlets.LocalHub;

/// <summary>Starts a local Hugging Face Hub on 127.0.0.1 over a folder of dataset repos.</summary>
[Cmdlet(VerbsLifecycle.Start, "FacebergLocalHub", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(LocalHubInstance))]
public sealed class StartFacebergLocalHubCommand : PSCmdlet
{
    /// <summary>The folder to serve; its state lives in .localhub/ and {org}/{name} folders of plain files are imported.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>Point HF_ENDPOINT at the new Hub and set HF_TOKEN to its token for this process (both restored by
    /// Stop-FacebergLocalHub); the token is what writes and private repos need, and a real token never reaches the local Hub.</summary>
    [Parameter]
    public SwitchParameter SetEnvironment { get; set; }

    /// <summary>Add the demo datasets (demo/movie-reviews, demo/iris, demo/translations) when missing.</summary>
    [Parameter]
    public SwitchParameter Sample { get; set; }

    /// <summary>Where a Hub without -Path keeps its repos: per user, so it survives restarts.</summary>
    internal static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "faceberg", "localhub");

    protected override void EndProcessing()
    {
        var path = System.IO.Path.GetFullPath(Path is null ? DefaultPath : GetUnresolvedProviderPathFromPSPath(Path));
        if (LocalHubRegistry.FindByPath(path) is { } running)
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"A local Hub already serves {path} at {running.Endpoint}; stop it with Stop-FacebergLocalHub first."),
                "LocalHubAlreadyRunning", ErrorCategory.ResourceExists, path));
        }

        var what = $"Start a local Hub on 127.0.0.1:{(Port == 0 ? "<free port>" : Port)}"
            + (Sample ? " with the sample datasets" : "") + (SetEnvironment ? " and point HF_ENDPOINT at it" : "");
        if (!ShouldProcess(path, what))
            return;

        LocalHubServer server;
        try
        {
            Directory.CreateDirectory(path);
            if (Sample)
            {
                foreach (var repo in SampleHub.Create(path)) WriteVerbose($"Created sample dataset {repo}.");
            }
            server = LocalHubServer.Start(new LocalHubOptions { RootPath = path, Port = Port });
        }
        catch (Exception e) when (e is HttpListenerException or System.Net.Sockets.SocketException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"Cannot listen on 127.0.0.1:{Port}: {e.Message}. Choose another -Port, or 0 for a free one.", e),
                "LocalHubPortUnavailable", ErrorCategory.ResourceUnavailable, Port));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LocalHubException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "LocalHubStartFailed", ErrorCategory.OpenError, path));
            return;
        }

        var previous = Environment.GetEnvironmentVariable(LocalHubRegistry.EndpointVariable);
        var instance = new LocalHubInstance(server, path, SetEnvironment, previous)
        {
            PreviousToken = Environment.GetEnvironmentVariable(LocalHubRegistry.TokenVariable),
        };
        LocalHubRegistry.Add(instance);
        if (SetEnvironment)
        {
            Environment.SetEnvironmentVariable(LocalHubRegistry.EndpointVariable, instance.Endpoint);
            Environment.SetEnvironmentVariable(LocalHubRegistry.TokenVariable, server.Token);
            WriteVerbose($"HF_ENDPOINT is now {instance.Endpoint}.");
        }
        WriteVerbose($"Local Hub serving {path} at {instance.Endpoint}.");
        WriteObject(instance);
    }
}
