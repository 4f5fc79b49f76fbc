using System.Text;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>
/// Which of a snapshot's delete files concern a data file, by the Iceberg v2 scan-planning rules:
/// a position delete file applies when the data file's data sequence number is not higher than its own
/// and both have the same partition (spec id and values), and its <c>file_path</c> bounds, when present,
/// admit the data file's path; an equality delete file applies when the data file's data sequence number
/// is strictly lower than its own and the partitions are equal or the delete file's spec is unpartitioned
/// (a global delete).
/// </summary>
internal sealed class DeleteFileIndex
{
    /// <summary>Reserved field id of the position delete column holding the data file path.</summary>
    public const int FilePathFieldId = 2147483546;

    /// <summary>Reserved field id of the position delete column holding the row position.</summary>
    public const int PositionFieldId = 2147483545;

    private readonly IReadOnlyList<DeleteFileTask> _positionDeletes;
    private readonly IReadOnlyList<DeleteFileTask> _equalityDeletes;

    public DeleteFileIndex(IReadOnlyList<DeleteFileTask> deletes)
    {
        _positionDeletes = deletes.Where(d => d.Content == FileContent.PositionDeletes).ToList();
        _equalityDeletes = deletes.Where(d => d.Content == FileContent.EqualityDeletes).ToList();
    }

    public bool IsEmpty => _positionDeletes.Count == 0 && _equalityDeletes.Count == 0;

    /// <summary>Every field id an equality delete of the snapshot compares on.</summary>
    public IEnumerable<int> EqualityFieldIds => _equalityDeletes.SelectMany(d => d.File.EqualityIds ?? []).Distinct();

    public IReadOnlyList<DeleteFileTask> PositionDeletesFor(FileScanTask data) =>
        _positionDeletes.Where(d => data.SequenceNumber <= d.SequenceNumber && SamePartition(data, d) && PathWithinBounds(data.File.FilePath, d.File)).ToList();

    public IReadOnlyList<DeleteFileTask> EqualityDeletesFor(FileScanTask data) =>
        _equalityDeletes.Where(d => data.SequenceNumber < d.SequenceNumber && (d.Spec.IsUnpartitioned || SamePartition(data, d))).ToList();

    private static bool SamePartition(FileScanTask data, DeleteFileTask delete) =>
        data.Spec.SpecId == delete.Spec.SpecId && PartitionValues.Equal(data.File.Partition, delete.File.Partition);

    /// <summary>False when the delete file's <c>file_path</c> bounds (UTF-8, compared bytewise as Iceberg does) exclude the path.</summary>
    private static bool PathWithinBounds(string path, DataFile delete)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (delete.LowerBounds?.TryGetValue(FilePathFieldId, out var lower) == true && bytes.AsSpan().SequenceCompareTo(lower) < 0) return false;
        if (delete.UpperBounds?.TryGetValue(FilePathFieldId, out var upper) == true && bytes.AsSpan().SequenceCompareTo(upper) > 0) return false;
        return true;
    }
}

/// <summary>Equality of partition tuples in their manifest representation (binary values by content).</summary>
internal static class PartitionValues
{
    public static bool Equal(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!EqualityKeyComparer.ValuesEqual(a[i], b[i])) return false;
        return true;
    }
}
