using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Config;
using Faceberg.Core.Hub;

namespace Faceberg.Cmdlets;

/// <summary>Save-FacebergCatalog: pulls a published catalog repo into a local working copy.</summary>
[Cmdlet(VerbsData.Save, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Catalog))]
public sealed class SaveFacebergCatalogCommand : FacebergCmdlet
{
    /// <summary>The catalog repo, "org/name" (or hf://datasets/org/name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>The project folder to pull into; default: the current folder.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Branch, tag or commit to pull; default: main.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Revision { get; set; }

    /// <summary>Overwrites local changes that were never published.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Hugging Face access token; default HF_TOKEN, then the token file. Never written anywhere.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    protected override void ProcessRecord() => Try(Repository, () =>
    {
        var repo = Repository.StartsWith(CatalogLocation.HubPrefix, StringComparison.Ordinal)
            ? CatalogLocation.Parse(Repository, CurrentDirectory).RepoId!
            : Repository;
        var target = ResolvePath(Path ?? ".");
        using var hub = HubClient.FromEnvironment(Token);
        var puller = new CatalogPuller(hub);
        // The dry run checks for unpublished local changes before anything is asked or written.
        var plan = puller.PullAsync(repo, target, new PullOptions { Revision = Revision, Force = Force, WhatIf = true }).GetAwaiter().GetResult();
        var action = $"Pull catalog hf://datasets/{repo}@{plan.CommitId[..Math.Min(8, plan.CommitId.Length)]}: " +
                     $"download {plan.Downloaded.Count} file(s), delete {plan.Deleted.Count}";
        if (!ShouldProcess(plan.CatalogDirectory, action))
            return;
        var result = puller.PullAsync(repo, target, new PullOptions { Revision = Revision, Force = Force }).GetAwaiter().GetResult();
        var context = result.ConfigPath is not null
            ? CatalogContext.FromConfig(FacebergConfigLoader.Load(result.ConfigPath), result.ConfigPath)
            : CatalogContext.FromDirectory(result.CatalogDirectory);
        WriteObject(ToCatalogObject(context, context.OpenCatalog().ListTablesAsync().GetAwaiter().GetResult().Count));
    });
}
