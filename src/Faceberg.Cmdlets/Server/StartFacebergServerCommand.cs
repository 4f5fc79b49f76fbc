using System.Management.Automation;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Hub;
using Faceberg.Core.Rest;

namespace Faceberg.Cmdlets.Server;

/// <summary>
/// Start-FacebergServer: serves a catalog over the Iceberg REST catalog protocol so Spark, Trino, DuckDB, PyIceberg
/// and iceberg-js can attach to it. -Token is the Hub token (as on every cmdlet); -ClientToken is the bearer token
/// clients must present, and without it the server is read-only.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "FacebergServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Faceberg.Server))]
public sealed class StartFacebergServerCommand : FacebergCmdlet
{
    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog at or above the current folder.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    /// <summary>The port; 0 (the default) picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The address to listen on; default 127.0.0.1 (this machine only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The bearer token clients must send (Authorization: Bearer …). Without it the server is read-only.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientToken { get; set; }

    /// <summary>Refuse every change, even from clients holding the client token.</summary>
    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>Keep running (writing the request log as verbose output) until Ctrl+C, then stop the server.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    private bool _started;

    protected override void ProcessRecord()
    {
        if (_started && Catalog is null) return;
        _started = true;
        var context = ResolveCatalog(Catalog);
        var readOnly = ReadOnly || ClientToken is null;
        var what = $"Serve the catalog over the Iceberg REST protocol on {ListenAddress}:{(Port == 0 ? "<free port>" : Port)}"
            + (readOnly ? " (read-only)" : " (clients need the client token)");
        if (!ShouldProcess(context.Location.ToString(), what)) return;

        // The server outlives this pipeline, so it gets its own Hub client (disposed on stop), configured like
        // every cmdlet's: -Token, else HF_TOKEN, else the token file.
        var hub = HubClient.FromEnvironment(Token);
        var server = new Faceberg.Server(context.Location.ToString(), context.Name);
        RestCatalogServer rest;
        try
        {
            if (!context.Location.IsLocal) context.Hub = hub;
            var catalog = context.OpenCatalog(hub);
            rest = RestCatalogServer.Start(catalog, new RestServerOptions
            {
                ListenAddress = ListenAddress,
                Port = Port,
                ClientToken = ClientToken,
                ReadOnly = ReadOnly,
                HubEndpoint = hub.Endpoint,
                Log = server.Record,
            });
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            hub.Dispose();
            ThrowTerminating(e, context.Location.ToString());
            return;
        }
        server.Attach(rest, hub);
        ServerRegistry.Add(server);
        if (ClientToken is null)
            WriteWarning($"No -ClientToken: the server at {server.Endpoint} is read-only (it refuses changes with 403), because any client that can reach it would otherwise change the catalog.");
        else if (ReadOnly)
            WriteVerbose("-ReadOnly: the server refuses changes.");
        WriteVerbose($"Serving catalog '{context.Name}' ({context.Location}) at {server.Endpoint}.");
        WriteObject(server);
        if (Wait) WaitForCtrlC(server);
    }

    private void WaitForCtrlC(Faceberg.Server server)
    {
        Host.UI.WriteLine($"Serving {server.Endpoint}; press Ctrl+C to stop.");
        try
        {
            while (!Session.Cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
            {
                foreach (var entry in server.DrainLog()) WriteVerbose(entry.ToString());
            }
        }
        finally
        {
            ServerRegistry.Stop(server);
        }
    }
}
