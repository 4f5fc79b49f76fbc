using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Cmdlets;

/// <summary>Get-FacebergSnapshot: a table's snapshots, oldest first, with what each one changed.</summary>
[Cmdlet(VerbsCommon.Get, "FacebergSnapshot", DefaultParameterSetName = TableParameters.ByName)]
[OutputType(typeof(Snapshot))]
public sealed class GetFacebergSnapshotCommand : FacebergCmdlet
{
    /// <summary>Table names or "namespace.table" identifiers; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TableParameters.ByName)]
    [Alias(TableParameters.IdentifierAlias)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>A Faceberg.Table, e.g. from Get-FacebergTable.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TableParameters.ByTable)]
    public Table? InputObject { get; set; }

    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog at or above the current folder.</summary>
    [Parameter(ParameterSetName = TableParameters.ByName)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    protected override void ProcessRecord()
    {
        var access = new TableAccess(() => Session.Hub);
        TableTargets.ForEach(this, Name, InputObject, Catalog, target => WriteSnapshots(access, target));
    }

    private void WriteSnapshots(TableAccess access, TableTarget target)
    {
        var metadata = access.Load(target, Session.Cancellation).Metadata;
        foreach (var snapshot in metadata.Snapshots.OrderBy(s => s.TimestampMs).ThenBy(s => s.SequenceNumber))
        {
            WriteObject(new Snapshot
            {
                Table = target.Identifier.ToString(),
                SnapshotId = snapshot.SnapshotId,
                ParentId = snapshot.ParentSnapshotId,
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(snapshot.TimestampMs),
                Operation = snapshot.Operation,
                Revision = snapshot.Summary.TryGetValue(TableProperties.Revision, out var revision) ? revision : null,
                AddedFiles = snapshot.SummaryLong(SummaryKeys.AddedDataFiles),
                RemovedFiles = snapshot.SummaryLong(SummaryKeys.DeletedDataFiles),
                AddedRecords = snapshot.SummaryLong(SummaryKeys.AddedRecords),
                RemovedRecords = snapshot.SummaryLong(SummaryKeys.DeletedRecords),
                TotalRecords = snapshot.SummaryLong(SummaryKeys.TotalRecords),
                IsCurrent = snapshot.SnapshotId == metadata.CurrentSnapshotId,
                SchemaId = snapshot.SchemaId,
                Summary = snapshot.Summary,
            });
        }
    }
}
