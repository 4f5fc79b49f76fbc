using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Config;

namespace Faceberg.Cmdlets;

/// <summary>Save-FacebergCatalog: pulls a published catalog repo into a local working copy.</summary>
[Cmdlet(VerbsData.Save, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Catalog))]
public sealed class SaveFacebergCatalogCommand : FacebergCmdlet
{
    /// <summary>The catalog repo, "org/name" (or hf://datasets/org/name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepoCompleter))]
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

    protected override void ProcessRecord() => Try(Repository, () =>
    {
        var repo = Repository.StartsWith(CatalogLocation.HubPrefix, StringComparison.Ordinal)
            ? CatalogLocation.Parse(Repository, CurrentDirectory).RepoId!
            : Repository;
        var target = ResolvePath(Path ?? ".");
        var puller = new CatalogPuller(Session.Hub);
        // The dry run checks for unpublished local changes before anything is asked or written.
        var plan = Session.Run(ct => puller.PullAsync(repo, target, new PullOptions { Revision = Revision, Force = Force, WhatIf = true }, ct));
        WriteVerbose($"Planned from hf://datasets/{repo}@{plan.CommitId}: {plan.Downloaded.Count} file(s) to download, {plan.Deleted.Count} to delete in {plan.CatalogDirectory}.");
        var action = $"Pull catalog hf://datasets/{repo}@{plan.CommitId[..Math.Min(8, plan.CommitId.Length)]}: " +
                     $"download {plan.Downloaded.Count} file(s), delete {plan.Deleted.Count}";
        if (!ShouldProcess(plan.CatalogDirectory, action))
            return;
        var large = plan.Downloaded.Count >= ProgressUpdate.LargeFileCount;
        var result = Session.Run<WorkProgress, PullResult>("Saving Faceberg catalog", p => ProgressUpdate.From(p, large),
            (progress, ct) => puller.PullAsync(repo, target, new PullOptions { Revision = Revision, Force = Force, Progress = progress }, ct));
        WriteVerbose($"Saved Hub commit {result.CommitId} of {repo}: {result.Downloaded.Count} file(s) downloaded, {result.Deleted.Count} deleted.");
        var context = result.ConfigPath is not null
            ? CatalogContext.FromConfig(FacebergConfigLoader.Load(result.ConfigPath), result.ConfigPath)
            : CatalogContext.FromDirectory(result.CatalogDirectory);
        WriteObject(OutputObjects.ToCatalog(context, Session.Await(context.OpenCatalog(Session.Hub).ListTablesAsync(cancellationToken: Session.Cancellation)).Count));
    });
}
