using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>Sync-FacebergTable: brings tables up to the commit their dataset's ref points at now.</summary>
[Cmdlet(VerbsData.Sync, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TableParameters.ByName)]
[OutputType(typeof(SyncResult))]
public sealed class SyncFacebergTableCommand : FacebergCmdlet
{
    private const string ProgressActivity = "Syncing Faceberg tables";
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

    /// <summary>Most Parquet footers read from the Hub at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = DatasetTables.DefaultThrottleLimit;

    /// <summary>The dataset service over this invocation's Hub client.</summary>
    private DatasetTables Tables => _tables ??= new DatasetTables(Session.Hub);

    protected override void BeginProcessing() => Session.MinConcurrency = ThrottleLimit;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == TableParameters.ByTable)
        {
            foreach (var table in InputObject)
                TableTargets.ForEach(this, null, table, null, Sync);
            return;
        }
        TableTargets.ForEach(this, Name, null, Catalog, Sync);
    }

    private void Sync(TableTarget target)
    {
        var id = target.Identifier;
        // -WhatIf still asks the Hub what changed (reading no footers, writing nothing); a declined -Confirm does nothing.
        var whatIf = !ShouldProcess(id.ToString(), "Sync with its dataset's current revision");
        if (whatIf && !WhatIfRequested)
            return;
        var throttle = ThrottleLimit;
        var result = Session.Run<DatasetProgress, Faceberg.Core.Datasets.SyncResult>(ProgressActivity, ProgressUpdate.From, (progress, ct) => Tables.SyncAsync(target.Context, id,
            new SyncOptions { WhatIf = whatIf, ThrottleLimit = throttle, Progress = progress }, ct));
        WriteVerbose($"{result.Table}: revision {result.FromRevision ?? "(none)"} checked against {result.Repo}@{result.ToRevision ?? "(unknown)"}; "
            + $"{result.Added} file(s) added, {result.Removed} removed, {result.Replaced} replaced; {result.Status}"
            + (result.SnapshotId is { } snapshot ? $", snapshot {snapshot}." : "."));
        WriteObject(new SyncResult
        {
            Table = result.Table.ToString(),
            Repo = result.Repo,
            Config = result.Config,
            FromRevision = result.FromRevision,
            ToRevision = result.ToRevision,
            Added = result.Added,
            Removed = result.Removed,
            Replaced = result.Replaced,
            AddedColumns = result.AddedColumns.ToArray(),
            SnapshotId = result.SnapshotId,
            Status = result.Status.ToString(),
        });
        if (result.Error is not null)
            WriteFailure(id.ToString(), result.Error);
    }
}
