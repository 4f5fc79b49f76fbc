using System.Management.Automation;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;

namespace Faceberg.Cmdlets;

/// <summary>New-FacebergCatalog: creates the catalog described by a faceberg.yml.</summary>
[Cmdlet(VerbsCommon.New, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Catalog))]
public sealed class NewFacebergCatalogCommand : FacebergCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "ConfigPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Overrides the catalog location written in faceberg.yml.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Location { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => Try(Path, () =>
    {
        var configPath = ResolvePath(Path);
        if (Directory.Exists(configPath))
            configPath = System.IO.Path.Combine(configPath, FacebergConfig.DefaultFileName);
        var config = FacebergConfigLoader.Load(configPath);
        var context = CatalogContext.FromConfig(config, configPath, Location is null ? null : ResolveLocation(Location), CurrentDirectory);
        // A catalog that lives on the Hub is created with this invocation's client (its -Token).
        if (!context.Location.IsLocal)
            context.Hub ??= Session.Hub;
        // A folder, or the hf://datasets/org/name of a catalog that lives on the Hub.
        var directory = context.Location.Path;
        var exists = Session.Await(context.ExistsAsync(Session.Cancellation));
        if (exists && !Force)
            throw new FacebergException("CatalogAlreadyExists", FacebergErrorKind.AlreadyExists,
                $"A catalog already exists at '{directory}'. Use -Force to replace it.");
        if (!ShouldProcess(directory, exists ? "Replace Faceberg catalog" : "Create Faceberg catalog"))
            return;
        var catalog = Session.Await(context.CreateCatalogAsync(Force, Session.Cancellation));
        WriteObject(OutputObjects.ToCatalog(context, Session.Await(catalog.ListTablesAsync(cancellationToken: Session.Cancellation)).Count));
    });

    // hf:// locations are not file-system paths; everything else is relative to the session's folder.
    private string ResolveLocation(string location) =>
        CatalogLocation.IsUri(location) ? location : ResolvePath(location);
}
