using System.Management.Automation;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Hub;

namespace Faceberg.Cmdlets;

/// <summary>Publish-FacebergCatalog: uploads a catalog's changed files to its Hub dataset repo in one commit.</summary>
[Cmdlet(VerbsData.Publish, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PublishResult))]
public sealed class PublishFacebergCatalogCommand : FacebergCmdlet
{
    /// <summary>A Faceberg.Catalog object or a path; default: the nearest catalog.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public object? Catalog { get; set; }

    /// <summary>The catalog repo ("org/name"); default: catalog.repo of faceberg.yml, or the repo last published to or pulled from.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>The commit summary; default: one naming the tables that changed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Message { get; set; }

    /// <summary>Creates the repo private when it does not exist yet.</summary>
    [Parameter]
    public SwitchParameter Private { get; set; }

    /// <summary>Hugging Face access token; default HF_TOKEN, then the token file. Never written anywhere.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    protected override void ProcessRecord() => Try(Catalog, () =>
    {
        var context = ResolveCatalog(Catalog);
        using var hub = HubClient.FromEnvironment(Token);
        var publisher = new CatalogPublisher(hub);
        var options = new PublishOptions { Repository = Repository, Message = Message, Private = Private };
        var plan = publisher.PublishAsync(context, new PublishOptions { Repository = Repository, Message = Message, Private = Private, WhatIf = true })
            .GetAwaiter().GetResult();
        var action = plan.Uploaded.Count + plan.Deleted.Count == 0
            ? "Publish catalog (no changes)"
            : $"Publish catalog: upload {plan.Uploaded.Count} file(s), delete {plan.Deleted.Count} in one commit \"{plan.Summary}\"";
        if (!ShouldProcess($"hf://datasets/{plan.Repository}", action))
            return;
        var result = publisher.PublishAsync(context, options).GetAwaiter().GetResult();
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
