using System.Management.Automation;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Cmdlets;

/// <summary>Get-FacebergSnapshot: a table's snapshots, oldest first, with what each one changed.</summary>
[Cmdlet(VerbsCommon.Get, "FacebergSnapshot", DefaultParameterSetName = ByName)]
[OutputType(typeof(Snapshot))]
public sealed class GetFacebergSnapshotCommand : FacebergTableCmdlet
{
    protected override void ProcessTable(TableTarget target)
    {
        var metadata = Access.Load(target, Cancellation).Metadata;
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
