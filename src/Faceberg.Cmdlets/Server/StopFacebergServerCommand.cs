using System.Management.Automation;

namespace Faceberg.Cmdlets.Server;

/// <summary>Stops REST catalog servers started by Start-FacebergServer: the ones given, or all of them. Requests
/// being answered are finished first.</summary>
[Cmdlet(VerbsLifecycle.Stop, "FacebergServer", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class StopFacebergServerCommand : PSCmdlet
{
    /// <summary>The servers to stop, as Start-FacebergServer emitted them; every running server when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public Faceberg.Server[]? InputObject { get; set; }

    private bool _sawInput;

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _sawInput = true;
        foreach (var server in InputObject) StopOne(server);
    }

    protected override void EndProcessing()
    {
        if (_sawInput) return;
        foreach (var server in ServerRegistry.All()) StopOne(server);
    }

    private void StopOne(Faceberg.Server server)
    {
        // The request log of a server started without -Wait is written here, as verbose output.
        foreach (var entry in server.DrainLog()) WriteVerbose(entry.ToString());
        if (!server.IsRunning)
        {
            WriteVerbose($"The server at {server.Endpoint} is already stopped.");
            return;
        }
        if (!ShouldProcess(server.Endpoint, "Stop Iceberg REST catalog server")) return;
        ServerRegistry.Stop(server);
        WriteVerbose($"Stopped the server at {server.Endpoint}.");
    }
}
