using System.Globalization;
using Faceberg.Core.Iceberg.Avro;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// Merges small data manifests of one partition spec into fewer, as the Java library's ManifestMergeManager does on
/// append: manifests are packed (oldest first, one open bin) up to the target size; a bin holding the commit's newest
/// manifest is merged only once it has reached the minimum count, any other bin of more than one manifest always.
/// Merged entries keep their data and file sequence numbers and snapshot ids explicitly (as EXISTING), so readers
/// see the same files with the same sequence numbers; entries added by the committing snapshot stay ADDED and
/// inherit, DELETED entries of older snapshots are dropped.
/// </summary>
public sealed class ManifestMerger
{
    public const string MergeEnabled = "commit.manifest-merge.enabled";
    public const string MinCountToMerge = "commit.manifest.min-count-to-merge";
    public const string TargetSizeBytes = "commit.manifest.target-size-bytes";
    public const int DefaultMinCountToMerge = 100;
    public const long DefaultTargetSizeBytes = 8L * 1024 * 1024;

    public ManifestMerger(bool enabled, int minCount, long targetSize)
    {
        Enabled = enabled;
        MinCount = Math.Max(minCount, 1);
        TargetSize = Math.Max(targetSize, 1);
    }

    public bool Enabled { get; }
    public int MinCount { get; }
    public long TargetSize { get; }

    /// <summary>The settings of a table's properties, with the Java library's defaults.</summary>
    public static ManifestMerger FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        var enabled = !properties.TryGetValue(MergeEnabled, out var e) || !string.Equals(e.Trim(), "false", StringComparison.OrdinalIgnoreCase);
        var min = properties.TryGetValue(MinCountToMerge, out var m) && int.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out var mi) ? mi : DefaultMinCountToMerge;
        var size = properties.TryGetValue(TargetSizeBytes, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var si) ? si : DefaultTargetSizeBytes;
        return new ManifestMerger(enabled, min, size);
    }

    /// <summary>Writes a merged manifest; returns its location.</summary>
    public delegate string ManifestSink(byte[] bytes);

    /// <summary>
    /// The manifests of the new snapshot after merging <paramref name="manifests"/> (newest first, as they go into the
    /// manifest list). <paramref name="force"/> merges every bin of more than one manifest (a manifest rewrite).
    /// </summary>
    public async Task<IReadOnlyList<ManifestFile>> MergeAsync(IReadOnlyList<ManifestFile> manifests, long snapshotId, long sequenceNumber,
        Func<ManifestFile, CancellationToken, Task<ManifestContents>> read, ManifestSink write, bool force, CancellationToken ct)
    {
        if ((!Enabled && !force) || manifests.Count < 2) return manifests;
        var first = manifests[0];
        var result = new List<ManifestFile>();
        foreach (var group in DataManifestsBySpec(manifests))
        {
            foreach (var bin in PackEnd(group))
            {
                if (bin.Count == 1 || (!force && bin.Contains(first) && bin.Count < MinCount))
                {
                    result.AddRange(bin);
                    continue;
                }
                result.Add(await MergeBinAsync(bin, snapshotId, sequenceNumber, read, write, ct).ConfigureAwait(false));
            }
        }
        result.AddRange(manifests.Where(m => m.Content == ManifestContent.Deletes));
        return result;
    }

    /// <summary>The data manifests grouped by partition spec, the groups in the order their spec first appears (newest
    /// first). A plain loop: a table has a spec or two, and a grouping over an int key is compiled anew in every process.</summary>
    private static List<List<ManifestFile>> DataManifestsBySpec(IReadOnlyList<ManifestFile> manifests)
    {
        var groups = new List<List<ManifestFile>>();
        foreach (var manifest in manifests)
        {
            if (manifest.Content != ManifestContent.Data) continue;
            var group = groups.Find(g => g[0].PartitionSpecId == manifest.PartitionSpecId);
            if (group is null)
                groups.Add(group = []);
            group.Add(manifest);
        }
        return groups;
    }

    /// <summary>Bins of consecutive manifests up to the target size, filled from the oldest so the newest bin is the partial one.</summary>
    private List<List<ManifestFile>> PackEnd(List<ManifestFile> newestFirst)
    {
        var bins = new List<List<ManifestFile>>();
        List<ManifestFile>? bin = null;
        long size = 0;
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            var m = newestFirst[i];
            if (bin == null || (bin.Count > 0 && size + m.ManifestLength > TargetSize))
            {
                bin = new List<ManifestFile>();
                bins.Add(bin);
                size = 0;
            }
            bin.Insert(0, m);
            size += m.ManifestLength;
        }
        bins.Reverse();
        return bins;
    }

    private static async Task<ManifestFile> MergeBinAsync(List<ManifestFile> bin, long snapshotId, long sequenceNumber,
        Func<ManifestFile, CancellationToken, Task<ManifestContents>> read, ManifestSink write, CancellationToken ct)
    {
        var contents = await Task.WhenAll(bin.Select(m => read(m, ct))).ConfigureAwait(false);
        var entries = new List<ManifestEntry>();
        for (var i = 0; i < bin.Count; i++)
        {
            foreach (var e in contents[i].Entries)
            {
                var ownSnapshot = e.SnapshotId == snapshotId;
                switch (e.Status)
                {
                    case ManifestEntryStatus.Deleted when ownSnapshot:
                        entries.Add(e);
                        break;
                    case ManifestEntryStatus.Deleted:
                        break;
                    case ManifestEntryStatus.Added when ownSnapshot:
                        // Added by this commit: the merged manifest's sequence number is the snapshot's, so the entry inherits it.
                        entries.Add(e with { SequenceNumber = null, FileSequenceNumber = null });
                        break;
                    default:
                        entries.Add(e with
                        {
                            Status = ManifestEntryStatus.Existing,
                            SequenceNumber = e.SequenceNumber ?? bin[i].SequenceNumber,
                            FileSequenceNumber = e.FileSequenceNumber ?? e.SequenceNumber ?? bin[i].SequenceNumber,
                        });
                        break;
                }
            }
        }
        var newest = contents[0];
        var bytes = ManifestIO.Write(newest.Schema, newest.Spec, entries);
        var path = write(bytes);
        var added = entries.Where(e => e.Status == ManifestEntryStatus.Added).ToArray();
        var existing = entries.Where(e => e.Status == ManifestEntryStatus.Existing).ToArray();
        var deleted = entries.Where(e => e.Status == ManifestEntryStatus.Deleted).ToArray();
        return new ManifestFile
        {
            ManifestPath = path,
            ManifestLength = bytes.Length,
            PartitionSpecId = newest.Spec.SpecId,
            SequenceNumber = sequenceNumber,
            MinSequenceNumber = existing.Length == 0 ? sequenceNumber : Math.Min(existing.Min(e => e.SequenceNumber!.Value), added.Length > 0 ? sequenceNumber : long.MaxValue),
            AddedSnapshotId = snapshotId,
            AddedFilesCount = added.Length,
            ExistingFilesCount = existing.Length,
            DeletedFilesCount = deleted.Length,
            AddedRowsCount = added.Sum(e => e.DataFile.RecordCount),
            ExistingRowsCount = existing.Sum(e => e.DataFile.RecordCount),
            DeletedRowsCount = deleted.Sum(e => e.DataFile.RecordCount),
            Partitions = ManifestIO.Summarize(newest.Spec.PartitionType(newest.Schema), entries.Select(e => e.DataFile)),
        };
    }
}
