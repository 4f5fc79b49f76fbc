using System.Runtime.CompilerServices;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Scan;

/// <summary>
/// Decides, from the metadata alone, which manifests and files a scan needs. The planner asks it of every
/// data manifest (partition summaries) and every live data file (partition values, column metrics); it
/// answers false only when no row of them can match.
/// </summary>
public interface IScanFilter
{
    bool MightMatch(ManifestFile manifest, PartitionSpec spec);

    bool MightMatch(DataFile file, PartitionSpec spec);
}

/// <summary>A live data file to read, with the spec its partition values follow and its data sequence number.</summary>
public sealed record FileScanTask(DataFile File, PartitionSpec Spec, long SequenceNumber);

/// <summary>
/// A live delete file of the snapshot: position deletes (<see cref="FileContent.PositionDeletes"/>) or
/// equality deletes on <see cref="DataFile.EqualityIds"/>. Under the v2 rules it applies to data files of
/// the same partition whose sequence number is lower (equality) or not higher (position) than its own.
/// </summary>
public sealed record DeleteFileTask(DataFile File, PartitionSpec Spec, long SequenceNumber)
{
    public FileContent Content => File.Content;
}

/// <summary>How a plan reads manifests.</summary>
public sealed record ScanPlanOptions
{
    /// <summary>Data manifests read ahead concurrently while files are handed out; 1 reads one manifest at a time (row limits).</summary>
    public int ManifestReadAhead { get; init; } = 8;
}

/// <summary>
/// The one walk of a snapshot's metadata: snapshot → manifest list → manifests → live files. Every reader
/// of a table's files (row scans, table planning, totals) goes through it, so every caller sees the same
/// rule for delete manifests: their live delete files are collected into the plan (<see cref="ScanPlan.DeleteFiles"/>)
/// with their sequence numbers, for the row reader to apply.
/// </summary>
public sealed class ScanPlanner
{
    private readonly IFileIO _io;
    private readonly TableMetadata _metadata;
    private readonly string _tableLocation;

    public ScanPlanner(IFileIO io, TableMetadata metadata)
    {
        _io = io ?? throw new ArgumentNullException(nameof(io));
        _metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
        _tableLocation = metadata.Location;
    }

    /// <summary>
    /// Reads the snapshot's manifest list and its delete manifests (all of them: a delete file may concern
    /// any data file). Data manifests are read as the plan's data files are enumerated.
    /// </summary>
    public async Task<ScanPlan> PlanAsync(Snapshot? snapshot, IScanFilter? filter = null, ScanPlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScanPlanOptions();
        if (snapshot == null) return new ScanPlan(this, null, filter, options, [], []);
        var manifests = await ReadManifestListAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var live = manifests.Where(m => m.HasLiveFiles).ToList();
        var deleteManifests = live.Where(m => m.Content == ManifestContent.Deletes).ToList();
        var deleteContents = await Task.WhenAll(deleteManifests.Select(m => ReadManifestAsync(m, cancellationToken))).ConfigureAwait(false);
        var deletes = new List<DeleteFileTask>();
        for (var i = 0; i < deleteManifests.Count; i++)
        {
            foreach (var entry in deleteContents[i].Entries)
            {
                if (entry.Status == ManifestEntryStatus.Deleted || entry.DataFile.Content == FileContent.Data) continue;
                deletes.Add(new DeleteFileTask(entry.DataFile, deleteContents[i].Spec, SequenceNumberOf(entry, deleteManifests[i])));
            }
        }
        return new ScanPlan(this, snapshot, filter, options, live.Where(m => m.Content == ManifestContent.Data).ToList(), deletes);
    }

    /// <summary>
    /// Plans the data files the snapshots of <paramref name="range"/> appended: its end snapshot's live files
    /// added in the range. Manifests written before the range are not read. Fails when a delete file newer
    /// than the range's start exists; older ones cannot apply to files added after them, so the plan has none.
    /// </summary>
    public async Task<ScanPlan> PlanAppendsAsync(IncrementalAppendRange range, IScanFilter? filter = null, ScanPlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var plan = await PlanAsync(range.End, filter, options, cancellationToken).ConfigureAwait(false);
        range.RequireNoNewDeleteFiles(plan.DeleteFiles, _tableLocation);
        return plan.AppendedIn(range);
    }

    /// <summary>The snapshot's manifests as its manifest list names them.</summary>
    public async Task<IReadOnlyList<ManifestFile>> ReadManifestListAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        var bytes = await _io.ReadAllBytesAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false);
        return ManifestListIO.Read(bytes, $"Manifest list '{snapshot.ManifestList}'");
    }

    public async Task<ManifestContents> ReadManifestAsync(ManifestFile manifest, CancellationToken cancellationToken = default)
    {
        var bytes = await _io.ReadAllBytesAsync(manifest.ManifestPath, cancellationToken).ConfigureAwait(false);
        return ManifestIO.Read(bytes, $"Manifest '{manifest.ManifestPath}'", manifest);
    }

    internal PartitionSpec SpecOf(ManifestFile manifest) => _metadata.SpecById(manifest.PartitionSpecId);

    internal string TableLocation => _tableLocation;

    /// <summary>An entry's data sequence number; null in the entry means inherited from the manifest (files it added).</summary>
    internal static long SequenceNumberOf(ManifestEntry entry, ManifestFile manifest) => entry.SequenceNumber ?? manifest.SequenceNumber;
}

/// <summary>
/// The files a scan of one snapshot reads: its live delete files (known up front) and its live data files
/// (enumerated manifest by manifest, pruned by the filter). Counters make pruning observable.
/// </summary>
public sealed class ScanPlan
{
    private readonly ScanPlanner _planner;
    private readonly IScanFilter? _filter;
    private readonly ScanPlanOptions _options;
    private readonly IReadOnlyList<ManifestFile> _dataManifests;
    private readonly IncrementalAppendRange? _appends;

    internal ScanPlan(ScanPlanner planner, Snapshot? snapshot, IScanFilter? filter, ScanPlanOptions options,
        IReadOnlyList<ManifestFile> dataManifests, IReadOnlyList<DeleteFileTask> deleteFiles, IncrementalAppendRange? appends = null)
    {
        _planner = planner;
        Snapshot = snapshot;
        _filter = filter;
        _options = options;
        _dataManifests = dataManifests;
        DeleteFiles = deleteFiles;
        _appends = appends;
    }

    /// <summary>This plan narrowed to the files <paramref name="range"/> appended, with no delete files (the caller checked they cannot apply).</summary>
    internal ScanPlan AppendedIn(IncrementalAppendRange range) =>
        new(_planner, Snapshot, _filter, _options, _dataManifests, [], range);

    /// <summary>The snapshot planned; null for a table without snapshots (no files).</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>Every live delete file of the snapshot.</summary>
    public IReadOnlyList<DeleteFileTask> DeleteFiles { get; }

    public int ManifestsRead { get; private set; }
    public int ManifestsSkipped { get; private set; }
    public int FilesSkipped { get; private set; }

    /// <summary>The live data files that might match the filter, manifest by manifest in manifest-list order.</summary>
    public async IAsyncEnumerable<FileScanTask> DataFilesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<(ManifestFile Manifest, Task<ManifestContents> Contents)>();
        var next = 0;
        try
        {
            while (true)
            {
                while (pending.Count < Math.Max(1, _options.ManifestReadAhead) && next < _dataManifests.Count)
                {
                    var manifest = _dataManifests[next++];
                    if ((_appends != null && !_appends.MightHaveAdded(manifest))
                        || (_filter != null && !_filter.MightMatch(manifest, _planner.SpecOf(manifest))))
                    {
                        ManifestsSkipped++;
                        continue;
                    }
                    ManifestsRead++;
                    pending.Enqueue((manifest, _planner.ReadManifestAsync(manifest, stop.Token)));
                }
                if (pending.Count == 0) yield break;
                var (current, read) = pending.Dequeue();
                var contents = await read.ConfigureAwait(false);
                foreach (var entry in contents.Entries)
                {
                    if (entry.Status == ManifestEntryStatus.Deleted || entry.DataFile.Content != FileContent.Data) continue;
                    if (_appends != null && !_appends.Added(entry)) continue;
                    if (_filter != null && !_filter.MightMatch(entry.DataFile, contents.Spec))
                    {
                        FilesSkipped++;
                        continue;
                    }
                    yield return new FileScanTask(entry.DataFile, contents.Spec, ScanPlanner.SequenceNumberOf(entry, current));
                }
            }
        }
        finally
        {
            // Manifests read ahead that nobody will use: stop them and let their failures concern nobody.
            stop.Cancel();
            foreach (var (_, task) in pending)
            {
                try { await task.ConfigureAwait(false); }
                catch (Exception e) when (e is OperationCanceledException or FacebergException or IOException or HttpRequestException) { }
            }
        }
    }

    /// <summary>Every live data file that might match the filter.</summary>
    public async Task<IReadOnlyList<FileScanTask>> ListDataFilesAsync(CancellationToken cancellationToken = default)
    {
        var files = new List<FileScanTask>();
        await foreach (var file in DataFilesAsync(cancellationToken).ConfigureAwait(false)) files.Add(file);
        return files;
    }
}
