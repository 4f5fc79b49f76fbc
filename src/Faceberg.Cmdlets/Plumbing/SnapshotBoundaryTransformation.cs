using System.Globalization;
using System.Management.Automation;
using Faceberg.Core.Iceberg.Scan;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>
/// Binds a snapshot boundary (-Since, -Until): a snapshot id (a whole number, or a Faceberg.Snapshot from
/// Get-FacebergSnapshot), or a time (a DateTime or DateTimeOffset, or text that parses as one, read in the
/// invariant culture as PowerShell's casts are) that stands for the snapshot current then.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SnapshotBoundaryTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            null => null,
            SnapshotBoundary boundary => boundary,
            Snapshot snapshot => SnapshotBoundary.Of(snapshot.SnapshotId),
            long id => SnapshotBoundary.Of(id),
            int id => SnapshotBoundary.Of(id),
            ulong id when id <= long.MaxValue => SnapshotBoundary.Of((long)id),
            uint id => SnapshotBoundary.Of(id),
            decimal id when decimal.Truncate(id) == id && id is >= long.MinValue and <= long.MaxValue => SnapshotBoundary.Of((long)id),
            DateTime time => SnapshotBoundary.At(new DateTimeOffset(time)),
            DateTimeOffset time => SnapshotBoundary.At(time),
            string text when long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) => SnapshotBoundary.Of(id),
            string text when DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time) => SnapshotBoundary.At(time),
            _ => throw new ArgumentTransformationMetadataException(
                $"'{value}' is neither a snapshot id nor a time: give a snapshot id (see Get-FacebergSnapshot), a Faceberg.Snapshot, or a date and time."),
        };
    }
}
