using System.Management.Automation;

namespace Faceberg.Cmdlets.LocalHub;

/// <summary>Stops local Hubs started by Start-FacebergLocalHub: the ones given, or all of them.</summary>
[Cmdlet(VerbsLifecycle.Stop, "FacebergLocalHub", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class StopFacebergLocalHubCommand : PSCmdlet
{
    /// <summary>The Hubs to stop, as Start-FacebergLocalHub emitted them; every running Hub when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public LocalHubInstance[]? InputObject { get; set; }

    private bool _sawInput;

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _sawInput = true;
        foreach (var instance in InputObject) StopOne(instance);
    }

    protected override void EndProcessing()
    {
        if (_sawInput) return;
        foreach (var instance in LocalHubRegistry.All()) StopOne(instance);
    }

    private void StopOne(LocalHubInstance instance)
    {
        if (!instance.IsRunning)
        {
            WriteVerbose($"The local Hub at {instance.Endpoint} is already stopped.");
            return;
        }
        if (!ShouldProcess(instance.Endpoint, "Stop local Hub")) return;
        LocalHubRegistry.Stop(instance);
        WriteVerbose($"Stopped the local Hub at {instance.Endpoint}.");
    }
}
