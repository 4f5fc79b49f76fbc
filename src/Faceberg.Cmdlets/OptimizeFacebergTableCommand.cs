using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>
/// Optimize-FacebergTable: compacts a table's manifests, expires old snapshots and removes the metadata files
/// nothing references any more. Data files are never deleted.
/// </summary>
[Cmdlet(VerbsCommon.Optimize, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = TableParameters.ByName)]
[OutputType(typeof(OptimizeResult))]
public sealed class OptimizeFacebergTableCommand : FacebergCmdlet
{
    private DatasetTables? _tables;

    /// <summary>Table names or identifiers; wildcards allowed; default: every table of the catalog.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = TableParameters.ByName)]
    [Alias(TableParameters.IdentifierAlias)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Faceberg.Table objects, e.g. from Get-FacebergTable.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TableParameters.ByTable)]
    [ValidateNotNull]
    public Table[] InputObject { get; set; } = [];

    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog.</summary>
    [Parameter(ParameterSetName = TableParameters.ByName)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    /// <summary>Keep the newest this many snapshots of main (with the current one, and any a branch or tag names).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int RetainLast { get; set; }

    /// <summary>Expire only snapshots older than this time.</summary>
    [Parameter]
    public DateTime OlderThan { get; set; }

    /// <summary>The dataset service over this invocation's Hub client.</summary>
    private DatasetTables Tables => _tables ??= new DatasetTables(Session.Hub);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == TableParameters.ByTable)
        {
            foreach (var table in InputObject)
                TableTargets.ForEach(this, null, table, null, Optimize);
            return;
        }
        TableTargets.ForEach(this, Name, null, Catalog, Optimize);
    }

    private void Optimize(TableTarget target)
    {
        var id = target.Identifier;
        int? retainLast = MyInvocation.BoundParameters.ContainsKey(nameof(RetainLast)) ? RetainLast : null;
        DateTimeOffset? olderThan = MyInvocation.BoundParameters.ContainsKey(nameof(OlderThan)) ? new DateTimeOffset(OlderThan) : null;
        var action = "Rewrite manifests and remove unreferenced metadata files"
            + (retainLast is { } n ? $"; expire snapshots beyond the newest {n}" : "")
            + (olderThan is { } t ? $"; expire snapshots older than {t:u}" : "");
        if (!ShouldProcess(id.ToString(), action))
            return;
        var result = Session.Run(ct => Tables.OptimizeAsync(target.Context, id, retainLast, olderThan, ct));
        WriteVerbose($"{id}: {result.ManifestsBefore} manifest(s) before, {result.ManifestsAfter} after; {result.SnapshotsExpired} snapshot(s) expired, "
            + $"{result.SnapshotsRetained} kept; {result.FilesRemoved} metadata file(s) removed ({result.BytesRemoved} bytes).");
        WriteObject(new OptimizeResult
        {
            Table = id.ToString(),
            ManifestsBefore = result.ManifestsBefore,
            ManifestsAfter = result.ManifestsAfter,
            SnapshotsExpired = result.SnapshotsExpired,
            SnapshotsKept = result.SnapshotsRetained,
            FilesRemoved = result.FilesRemoved,
            BytesRemoved = result.BytesRemoved,
        });
    }
}
