using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>Sync-FacebergTable: brings tables up to the commit their dataset's ref points at now.</summary>
[Cmdlet(VerbsData.Sync, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NameSet)]
[OutputType(typeof(SyncResult))]
public sealed class SyncFacebergTableCommand : DatasetCmdlet
{
    private const string NameSet = "Name";
    private const string InputSet = "InputObject";

    /// <summary>Table names or identifiers; wildcards allowed; default: every table of the catalog.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Faceberg.Table objects, e.g. from Get-FacebergTable.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [ValidateNotNull]
    public Table[] InputObject { get; set; } = [];

    /// <summary>A Faceberg.Catalog object or a path; default: the nearest catalog.</summary>
    [Parameter(ParameterSetName = NameSet)]
    public object? Catalog { get; set; }

    protected override string ProgressActivity => "Syncing Faceberg tables";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputSet)
        {
            foreach (var table in InputObject)
            {
                CatalogContext context;
                TableIdentifier id;
                try
                {
                    context = ResolveCatalog(table);
                    id = TableIdentifier.Parse(table.Identifier);
                }
                catch (FacebergException e)
                {
                    WriteFailure(table, e);
                    continue;
                }
                Sync(context, id);
            }
            return;
        }

        try
        {
            var context = ResolveCatalog(Catalog);
            var selected = TableFilter.Select(context.ListTables(), Name, out var unmatched);
            foreach (var table in selected)
                Sync(context, table.Identifier);
            foreach (var name in unmatched)
                WriteFailure(name, new FacebergException("TableNotFound", FacebergErrorKind.NotFound,
                    $"Table '{name}' does not exist in catalog '{context.Name}' ({context.Location.Path})."));
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            WriteFailure(Catalog, e);
        }
    }

    private void Sync(CatalogContext context, TableIdentifier id)
    {
        // -WhatIf still asks the Hub what changed (reading no footers, writing nothing); a declined -Confirm does nothing.
        var whatIf = !ShouldProcess(id.ToString(), "Sync with its dataset's current revision");
        if (whatIf && !WhatIfRequested)
            return;
        var throttle = ThrottleLimit;
        var result = Run((progress, ct) => Tables.SyncAsync(context, id,
            new SyncOptions { WhatIf = whatIf, ThrottleLimit = throttle, Progress = progress }, ct));
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
