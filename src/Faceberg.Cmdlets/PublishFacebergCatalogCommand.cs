using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog.Publishing;

namespace Faceberg.Cmdlets;

/// <summary>Publish-FacebergCatalog: uploads a catalog's changed files to its Hub dataset repo in one commit.</summary>
[Cmdlet(VerbsData.Publish, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PublishResult))]
public sealed class PublishFacebergCatalogCommand : FacebergCmdlet
{
    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    /// <summary>The catalog repo ("org/name"); default: catalog.repo of faceberg.yml, or the repo last published to or pulled from.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepoCompleter))]
    public string? Repository { get; set; }

    /// <summary>The commit summary; default: one naming the tables that changed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Message { get; set; }

    /// <summary>Creates the repo private when it does not exist yet.</summary>
    [Parameter]
    public SwitchParameter Private { get; set; }

    protected override void ProcessRecord() => Try(Catalog, () =>
    {
        var context = ResolveCatalog(Catalog);
        var publisher = new CatalogPublisher(Session.Hub);
        var plan = Session.Run(ct => publisher.PublishAsync(context,
            new PublishOptions { Repository = Repository, Message = Message, Private = Private, WhatIf = true }, ct));
        WriteVerbose($"Planned for {plan.Repository}: {plan.Uploaded.Count} file(s) to upload, {plan.Deleted.Count} to delete.");
        var action = plan.Uploaded.Count + plan.Deleted.Count == 0
            ? "Publish catalog (no changes)"
            : $"Publish catalog: upload {plan.Uploaded.Count} file(s), delete {plan.Deleted.Count} in one commit \"{plan.Summary}\"";
        if (!ShouldProcess($"hf://datasets/{plan.Repository}", action))
            return;
        // Many files (or many bytes) make a long publish: its bar then shows at once.
        var large = plan.Uploaded.Count >= ProgressUpdate.LargeFileCount;
        var result = Session.Run<WorkProgress, Faceberg.Core.Catalog.Publishing.PublishResult>("Publishing Faceberg catalog", p => ProgressUpdate.From(p, large),
            (progress, ct) => publisher.PublishAsync(context,
                new PublishOptions { Repository = Repository, Message = Message, Private = Private, Progress = progress }, ct));
        WriteVerbose(result.CommitId is { } commit
            ? $"Published to {result.Repository}: {result.Uploaded.Count} file(s) uploaded, {result.Deleted.Count} deleted in Hub commit {commit}."
            : $"Nothing to publish: {result.Repository} already holds the catalog.");
        WriteObject(new PublishResult
        {
            Repository = result.Repository,
            CommitId = result.CommitId,
            CommitUrl = result.CommitUrl,
            FilesUploaded = result.Uploaded.Count,
            FilesDeleted = result.Deleted.Count,
            Files = [.. result.Uploaded],
            Tables = result.Tables.Select(t => t.Identifier).ToArray(),
            Message = result.Summary,
            RepositoryCreated = result.RepositoryCreated,
        });
    });
}
