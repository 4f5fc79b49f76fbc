using System.Globalization;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// Shared machinery of snapshot-producing commits. The snapshot id is fixed for the operation and the
/// manifest of added files is written once and reused across retries (its entries inherit sequence
/// numbers); the manifest list and any rewritten manifests are rebuilt on each attempt against the
/// table's then-current snapshot.
/// </summary>
public abstract class SnapshotUpdate<TSelf> where TSelf : SnapshotUpdate<TSelf>
{
    private readonly List<DataFile> _added = new();
    // Files built only while the added manifest is written (AddFilesOnDemand), each dropped once encoded.
    private readonly List<IReadOnlyCollection<DataFile>> _onDemand = new();
    private bool _onDemandChecked;
    // Paths of the added files: the duplicate check must not scan a list, or adding n files costs O(n²).
    private readonly HashSet<string> _addedPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _summary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private readonly List<FileWrite> _propertyFiles = new();
    private readonly List<(string Key, string Prefix, string Extension, PropertyFileProducer Produce)> _producedPropertyFiles = new();
    private (int SpecId, int SchemaId, string Path, byte[] Bytes, ManifestFile File, AddedTotals Totals)? _addedManifest;
    private (bool Set, long? SnapshotId) _requiredBase;

    private protected SnapshotUpdate(IcebergTable table)
    {
        Table = table;
        SnapshotId = IcebergTable.NewSnapshotId();
    }

    private protected IcebergTable Table { get; }

    /// <summary>The id the new snapshot will have.</summary>
    public long SnapshotId { get; }

    public TSelf AddFile(DataFile file)
    {
        Check(file);
        _added.Add(file);
        return (TSelf)this;
    }

    /// <summary>
    /// Adds <paramref name="files"/> without holding them: the collection is enumerated when the manifest of added files
    /// is written (once per commit, again only when a retry finds another schema or spec), each file is checked and
    /// encoded and then dropped, so a commit of many files never holds every <see cref="DataFile"/> at once (a
    /// collection that builds each file as it is enumerated keeps only what it builds them from). Every enumeration
    /// must give the same files; the checks of <see cref="AddFile"/> fail the commit instead of this call.
    /// </summary>
    public TSelf AddFilesOnDemand(IReadOnlyCollection<DataFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count > 0)
            _onDemand.Add(files);
        return (TSelf)this;
    }

    private void Check(DataFile file)
    {
        if (file.Content != FileContent.Data)
            throw new FacebergException("DeleteFilesNotSupported", FacebergErrorKind.NotSupported, $"Only data files can be added; '{file.FilePath}' is a {file.Content} file.");
        if (string.IsNullOrWhiteSpace(file.FilePath) || file.RecordCount < 0 || file.FileSizeInBytes < 0)
            throw new FacebergException("InvalidDataFile", FacebergErrorKind.InvalidArgument,
                $"Data file '{file.FilePath}' needs a path and non-negative record count and size (got {file.RecordCount} records, {file.FileSizeInBytes} bytes).");
        if (!_addedPaths.Add(file.FilePath))
            throw new FacebergException("DuplicateDataFile", FacebergErrorKind.InvalidArgument, $"Data file '{file.FilePath}' is added twice.");
    }

    private int AddedCount => _added.Count + _onDemand.Sum(files => files.Count);

    /// <summary>Every added file, the on-demand ones built as they are enumerated (and checked on the first pass).</summary>
    private IEnumerable<DataFile> AddedFiles()
    {
        foreach (var file in _added)
            yield return file;
        var check = !_onDemandChecked;
        foreach (var files in _onDemand)
            foreach (var file in files)
            {
                if (check) Check(file);
                yield return file;
            }
        _onDemandChecked = true;
    }

    /// <summary>What the snapshot summary needs of the added files, counted while their manifest is written.</summary>
    private sealed record AddedTotals(int Files, long Records, long Size, IReadOnlySet<string> PartitionKeys)
    {
        public static readonly AddedTotals None = new(0, 0, 0, new HashSet<string>());
    }

    public TSelf AddFiles(IEnumerable<DataFile> files)
    {
        foreach (var f in files) AddFile(f);
        return (TSelf)this;
    }

    /// <summary>Adds a custom key to the snapshot summary (standard counters are computed).</summary>
    public TSelf SetSummary(string key, string value)
    {
        _summary[key] = value;
        return (TSelf)this;
    }

    /// <summary>Sets a table property in the same commit as the snapshot, so readers never see one without the other.</summary>
    public TSelf SetProperty(string key, string value)
    {
        _properties[key] = value;
        return (TSelf)this;
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new, uniquely named file in the table's metadata folder as part
    /// of this commit and sets property <paramref name="key"/> to its location: the file exists before any
    /// metadata version points at it, and a failed commit deletes it with the commit's other files.
    /// </summary>
    /// <returns>The file's location.</returns>
    public string SetPropertyFile(string key, string fileNamePrefix, string extension, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Table.NewMetadataFilePath($"{fileNamePrefix}-{SnapshotId}-{Guid.NewGuid():D}.{extension}");
        _propertyFiles.Add(new FileWrite(path, content, Overwrite: false));
        _properties[key] = path;
        return path;
    }

    /// <summary>What a <see cref="PropertyFileProducer"/> makes: the file's content and the metadata files it supersedes.</summary>
    public sealed record PropertyFileContent(byte[] Content, IReadOnlyList<string> Supersedes);

    /// <summary>Computes a property file against the table version a commit attempt applies to.</summary>
    public delegate Task<PropertyFileContent> PropertyFileProducer(IcebergTable table, TableMetadata current, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="SetPropertyFile(string, string, string, byte[])"/>, with content computed on every attempt against the
    /// table version it applies to (a file written as a change to the previous one); the files it supersedes are removed
    /// by the same commit.
    /// </summary>
    public TSelf SetPropertyFile(string key, string fileNamePrefix, string extension, PropertyFileProducer produce)
    {
        ArgumentNullException.ThrowIfNull(produce);
        _producedPropertyFiles.Add((key, fileNamePrefix, extension, produce));
        return (TSelf)this;
    }

    /// <summary>
    /// Requires the table's current snapshot (<c>main</c>) to still be <paramref name="snapshotId"/> (null: no snapshot)
    /// when the commit applies, as the REST requirement assert-ref-snapshot-id does: a commit computed against that
    /// snapshot then fails with <see cref="CommitConflictException"/> instead of being retried on top of another
    /// writer's. Metadata-only commits in between (schema, properties) do not break it.
    /// </summary>
    public TSelf RequireCurrentSnapshot(long? snapshotId)
    {
        _requiredBase = (true, snapshotId);
        return (TSelf)this;
    }

    /// <summary>Commits, retrying against newer table versions; returns the new snapshot.</summary>
    public async Task<Snapshot> CommitAsync(IReadOnlyDictionary<string, string>? summaryExtras = null, CancellationToken cancellationToken = default)
    {
        if (summaryExtras != null)
            foreach (var (k, v) in summaryExtras) _summary[k] = v;
        await Table.CommitAsync(PrepareAsync, cancellationToken).ConfigureAwait(false);
        return Table.Metadata.SnapshotById(SnapshotId);
    }

    /// <summary>
    /// This snapshot as a catalog commit against the table as loaded: the manifests and manifest list it needs
    /// (<see cref="StagedSnapshot.Files"/>, to be written before the commit), the requirement that <c>main</c> is
    /// still the snapshot they were built on (assert-ref-snapshot-id), and the updates add-snapshot,
    /// set-snapshot-ref main and set-properties. A commit that fails its requirement is re-planned by the caller
    /// against the winner's snapshot, never retried as is.
    /// </summary>
    public async Task<StagedSnapshot> StageAsync(IReadOnlyDictionary<string, string>? summaryExtras = null, CancellationToken cancellationToken = default)
    {
        if (summaryExtras != null)
            foreach (var (k, v) in summaryExtras) _summary[k] = v;
        var current = Table.Metadata;
        var pending = await PrepareAsync(current, 1, cancellationToken).ConfigureAwait(false);
        var snapshot = pending.Metadata.SnapshotById(SnapshotId);
        var updates = new List<TableUpdate>
        {
            new AddSnapshot(snapshot),
            new SetSnapshotRef(SnapshotRef.MainBranch, new SnapshotRef(SnapshotId, SnapshotRef.Branch)),
        };
        // The properties this snapshot sets, those whose file this attempt produced included.
        var properties = new Dictionary<string, string>(_properties, StringComparer.Ordinal);
        foreach (var (key, _, _, _) in _producedPropertyFiles)
            properties[key] = pending.Metadata.Properties[key];
        if (properties.Count > 0)
            updates.Add(new SetProperties(properties));
        // Files the produced ones supersede are removed by the same commit.
        var files = pending.Files.Concat((pending.Removals ?? []).Select(FileWrite.Deletion)).ToList();
        return new StagedSnapshot(snapshot, [new AssertRefSnapshotId(SnapshotRef.MainBranch, current.CurrentSnapshot?.SnapshotId)], updates, files);
    }

    /// <summary>The files to remove from the parent snapshot's manifests; empty for appends.</summary>
    private protected abstract RemovalPlan PlanRemovals(IReadOnlyList<(ManifestFile File, ManifestContents Contents)> manifests, int attempt);

    private protected abstract bool NeedsManifestContents { get; }

    private protected sealed record RemovalPlan(IReadOnlySet<string> Paths);

    private async Task<IcebergTable.PendingCommit> PrepareAsync(TableMetadata current, int attempt, CancellationToken ct)
    {
        var parent = current.CurrentSnapshot;
        if (_requiredBase.Set && parent?.SnapshotId != _requiredBase.SnapshotId)
            throw new CommitConflictException(
                $"Table '{Table.Location}' changed while the commit was prepared: its current snapshot is {parent?.SnapshotId.ToString(CultureInfo.InvariantCulture) ?? "none"}, "
                + $"not {_requiredBase.SnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "none"}. Nothing was committed.");
        // Property files are computed against the same table version as the manifests but need nothing they write, so they
        // are computed on another thread meanwhile.
        var produced = new Task<PropertyFileContent>[_producedPropertyFiles.Count];
        for (var i = 0; i < produced.Length; i++)
        {
            var produce = _producedPropertyFiles[i].Produce;
            produced[i] = Task.Run(() => produce(Table, current, ct), ct);
        }
        try
        {
            return await PrepareAsync(current, attempt, produced, ct).ConfigureAwait(false);
        }
        catch
        {
            // Awaited so that no computation outlives the attempt and none of their failures goes unobserved.
            await Task.WhenAll(produced).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IcebergTable.PendingCommit> PrepareAsync(TableMetadata current, int attempt, Task<PropertyFileContent>[] produced, CancellationToken ct)
    {
        var parent = current.CurrentSnapshot;
        var sequenceNumber = current.LastSequenceNumber + 1;
        var now = IcebergTable.NowMs();
        var schema = current.CurrentSchema;
        var spec = current.DefaultSpec;
        var files = new List<FileWrite>(_propertyFiles);
        var manifests = new List<ManifestFile>();

        var parentManifests = parent == null ? Array.Empty<ManifestFile>() : await Table.ReadManifestListAsync(parent, ct).ConfigureAwait(false);

        // Removals: rewrite each manifest holding a removed file; carry the others over untouched.
        var removedEntries = new List<DataFile>();
        if (NeedsManifestContents)
        {
            var live = parentManifests.Where(m => m.Content == ManifestContent.Data && m.HasLiveFiles).ToArray();
            var contents = await Task.WhenAll(live.Select(m => Table.ReadManifestAsync(m, ct))).ConfigureAwait(false);
            var pairs = live.Zip(contents).ToArray();
            var plan = PlanRemovals(pairs, attempt);
            foreach (var (file, content) in pairs)
            {
                if (!content.Entries.Any(e => e.Status != ManifestEntryStatus.Deleted && plan.Paths.Contains(e.DataFile.FilePath)))
                {
                    manifests.Add(file);
                    continue;
                }
                var entries = new List<ManifestEntry>();
                foreach (var e in content.Entries)
                {
                    if (e.Status == ManifestEntryStatus.Deleted) continue;
                    if (plan.Paths.Contains(e.DataFile.FilePath))
                    {
                        entries.Add(e with { Status = ManifestEntryStatus.Deleted, SnapshotId = SnapshotId });
                        removedEntries.Add(e.DataFile);
                    }
                    else
                    {
                        entries.Add(e with { Status = ManifestEntryStatus.Existing });
                    }
                }
                var path = Table.NewMetadataFilePath($"{Guid.NewGuid():D}-m{files.Count}.avro");
                var bytes = ManifestIO.Write(content.Schema, content.Spec, entries);
                files.Add(new FileWrite(path, bytes, Overwrite: false));
                var liveEntries = entries.Where(e => e.Status == ManifestEntryStatus.Existing).ToArray();
                manifests.Add(new ManifestFile
                {
                    ManifestPath = path,
                    ManifestLength = bytes.Length,
                    PartitionSpecId = content.Spec.SpecId,
                    SequenceNumber = sequenceNumber,
                    MinSequenceNumber = liveEntries.Length == 0 ? sequenceNumber : liveEntries.Min(e => e.SequenceNumber ?? sequenceNumber),
                    AddedSnapshotId = SnapshotId,
                    ExistingFilesCount = liveEntries.Length,
                    ExistingRowsCount = liveEntries.Sum(e => e.DataFile.RecordCount),
                    DeletedFilesCount = entries.Count - liveEntries.Length,
                    DeletedRowsCount = entries.Where(e => e.Status == ManifestEntryStatus.Deleted).Sum(e => e.DataFile.RecordCount),
                    Partitions = ManifestIO.Summarize(content.Spec.PartitionType(content.Schema), entries.Select(e => e.DataFile)),
                });
            }
            // Delete manifests (none written by Faceberg, but another writer's) stay as they are.
            manifests.AddRange(parentManifests.Where(m => m.Content == ManifestContent.Deletes));
        }
        else
        {
            // Manifests with only DELETED entries described their own snapshot's removals; they are not carried on.
            manifests.AddRange(parentManifests.Where(m => m.HasLiveFiles || m.Content == ManifestContent.Deletes));
        }

        var added = AddedTotals.None;
        if (AddedCount > 0)
        {
            if (_addedManifest is not { } cached || cached.SpecId != spec.SpecId || cached.SchemaId != schema.SchemaId)
            {
                var path = Table.NewMetadataFilePath($"{Guid.NewGuid():D}-m-added.avro");
                // One pass over the added files: each is encoded, counted and summarized as it comes, and not kept.
                var partitionType = spec.PartitionType(schema);
                var partitions = new PartitionSummaryBuilder(partitionType);
                var partitionKeys = new HashSet<string>(StringComparer.Ordinal);
                int count = 0;
                long records = 0, size = 0;
                var bytes = ManifestIO.Write(schema, spec, AddedFiles().Select(f =>
                {
                    ManifestIO.RequirePartitionArity(f, spec, partitionType.Fields.Count);
                    count++;
                    records += f.RecordCount;
                    size += f.FileSizeInBytes;
                    partitions.Add(f.Partition);
                    partitionKeys.Add(PartitionKey(f.Partition));
                    return new ManifestEntry(ManifestEntryStatus.Added, SnapshotId, null, null, f);
                }));
                var file = new ManifestFile
                {
                    ManifestPath = path,
                    ManifestLength = bytes.Length,
                    PartitionSpecId = spec.SpecId,
                    SequenceNumber = 0,
                    MinSequenceNumber = 0,
                    AddedSnapshotId = SnapshotId,
                    AddedFilesCount = count,
                    AddedRowsCount = records,
                    Partitions = partitions.Build(),
                };
                _addedManifest = cached = (spec.SpecId, schema.SchemaId, path, bytes, file, new AddedTotals(count, records, size, partitionKeys));
            }
            added = cached.Totals;
            files.Add(new FileWrite(cached.Path, cached.Bytes, Overwrite: false));
            // New manifests go first, as readers expect the newest data at the front.
            manifests.Insert(0, cached.File with { SequenceNumber = sequenceNumber, MinSequenceNumber = sequenceNumber });
        }

        // Bounded growth: small manifests are merged once enough pile up (commit.manifest.* properties).
        var mergedManifests = await ManifestMerger.FromProperties(current.Properties).MergeAsync(manifests, SnapshotId, sequenceNumber,
            (m, token) => files.FirstOrDefault(f => f.Path == m.ManifestPath) is { } pendingFile
                ? Task.FromResult(ManifestIO.Read(pendingFile.Data, $"Manifest '{m.ManifestPath}'", m))
                : Table.ReadManifestAsync(m, token),
            bytes =>
            {
                var path = Table.NewMetadataFilePath($"{Guid.NewGuid():D}-m{files.Count}.avro");
                files.Add(new FileWrite(path, bytes, Overwrite: false));
                return path;
            }, force: false, ct).ConfigureAwait(false);
        manifests = mergedManifests.ToList();
        // A manifest this attempt wrote and merging folded into another is not written at all.
        var listed = manifests.Select(m => m.ManifestPath).ToHashSet(StringComparer.Ordinal);
        files.RemoveAll(f => f.Path.EndsWith(".avro", StringComparison.Ordinal) && !listed.Contains(f.Path) && !_propertyFiles.Contains(f));

        var listPath = Table.NewMetadataFilePath($"snap-{SnapshotId}-{attempt}-{Guid.NewGuid():D}.avro");
        files.Add(new FileWrite(listPath, ManifestListIO.Write(manifests, SnapshotId, parent?.SnapshotId, sequenceNumber), Overwrite: false));

        var summary = await BuildSummaryAsync(parent, added, removedEntries, ct).ConfigureAwait(false);
        var snapshot = new Snapshot(SnapshotId, parent?.SnapshotId, sequenceNumber, now, listPath, summary, schema.SchemaId);
        var refs = new Dictionary<string, SnapshotRef>(current.Refs, StringComparer.Ordinal)
        {
            [SnapshotRef.MainBranch] = new SnapshotRef(SnapshotId, SnapshotRef.Branch),
        };
        var properties = current.Properties;
        var removals = new List<string>();
        var attemptProperties = new Dictionary<string, string>(_properties, StringComparer.Ordinal);
        for (var i = 0; i < produced.Length; i++)
        {
            var (key, prefix, extension, _) = _producedPropertyFiles[i];
            var content = await produced[i].ConfigureAwait(false);
            var path = Table.NewMetadataFilePath($"{prefix}-{SnapshotId}-{Guid.NewGuid():D}.{extension}");
            files.Add(new FileWrite(path, content.Content, Overwrite: false));
            attemptProperties[key] = path;
            removals.AddRange(content.Supersedes);
        }
        if (attemptProperties.Count > 0)
        {
            var merged = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal);
            foreach (var (k, v) in attemptProperties) merged[k] = v;
            properties = merged;
        }
        var updated = current with
        {
            Properties = properties,
            LastSequenceNumber = sequenceNumber,
            LastUpdatedMs = now,
            CurrentSnapshotId = SnapshotId,
            Snapshots = current.Snapshots.Append(snapshot).ToArray(),
            SnapshotLog = current.SnapshotLog.Append(new SnapshotLogEntry(SnapshotId, now)).ToArray(),
            Refs = refs,
        };
        return new IcebergTable.PendingCommit(updated, files, removals);
    }

    private async Task<Dictionary<string, string>> BuildSummaryAsync(Snapshot? parent, AddedTotals added, IReadOnlyList<DataFile> removed, CancellationToken ct)
    {
        var operation = (added.Files > 0, removed.Count > 0) switch
        {
            (true, true) => SnapshotOperation.Overwrite,
            (false, true) => SnapshotOperation.Delete,
            _ => SnapshotOperation.Append,
        };
        var summary = new Dictionary<string, string>(StringComparer.Ordinal) { [SummaryKeys.Operation] = operation };
        void Counter(string key, long value)
        {
            if (value != 0) summary[key] = value.ToString(CultureInfo.InvariantCulture);
        }

        long addedRecords = added.Records, addedSize = added.Size;
        long removedRecords = removed.Sum(f => f.RecordCount), removedSize = removed.Sum(f => f.FileSizeInBytes);
        Counter(SummaryKeys.AddedDataFiles, added.Files);
        Counter(SummaryKeys.DeletedDataFiles, removed.Count);
        Counter(SummaryKeys.AddedRecords, addedRecords);
        Counter(SummaryKeys.DeletedRecords, removedRecords);
        Counter(SummaryKeys.AddedFilesSize, addedSize);
        Counter(SummaryKeys.RemovedFilesSize, removedSize);
        summary[SummaryKeys.ChangedPartitionCount] = added.PartitionKeys.Concat(removed.Select(f => PartitionKey(f.Partition))).Distinct(StringComparer.Ordinal).Count()
            .ToString(CultureInfo.InvariantCulture);

        var totals = await ParentTotalsAsync(parent, ct).ConfigureAwait(false);
        summary[SummaryKeys.TotalRecords] = Str(totals.Records + addedRecords - removedRecords);
        summary[SummaryKeys.TotalFilesSize] = Str(totals.Size + addedSize - removedSize);
        summary[SummaryKeys.TotalDataFiles] = Str(totals.DataFiles + added.Files - removed.Count);
        summary[SummaryKeys.TotalDeleteFiles] = Str(totals.DeleteFiles);
        summary[SummaryKeys.TotalPositionDeletes] = Str(totals.PositionDeletes);
        summary[SummaryKeys.TotalEqualityDeletes] = Str(totals.EqualityDeletes);

        foreach (var (k, v) in _summary)
            if (!summary.ContainsKey(k)) summary[k] = v;
        return summary;
    }

    private sealed record Totals(long Records, long Size, long DataFiles, long DeleteFiles, long PositionDeletes, long EqualityDeletes);

    private async Task<Totals> ParentTotalsAsync(Snapshot? parent, CancellationToken ct)
    {
        if (parent == null) return new Totals(0, 0, 0, 0, 0, 0);
        var s = parent;
        if (s.SummaryLong(SummaryKeys.TotalRecords) is { } r && s.SummaryLong(SummaryKeys.TotalFilesSize) is { } size && s.SummaryLong(SummaryKeys.TotalDataFiles) is { } n)
        {
            return new Totals(r, size, n, s.SummaryLong(SummaryKeys.TotalDeleteFiles) ?? 0,
                s.SummaryLong(SummaryKeys.TotalPositionDeletes) ?? 0, s.SummaryLong(SummaryKeys.TotalEqualityDeletes) ?? 0);
        }
        // A parent written by a tool that omits totals: count its live files.
        var plan = await Table.PlanAsync(parent.SnapshotId, null, ct).ConfigureAwait(false);
        var files = (await plan.ListDataFilesAsync(ct).ConfigureAwait(false)).Select(t => t.File).ToList();
        var deletes = plan.DeleteFiles.Select(d => d.File).ToList();
        return new Totals(files.Sum(f => f.RecordCount), files.Sum(f => f.FileSizeInBytes) + deletes.Sum(f => f.FileSizeInBytes), files.Count, deletes.Count,
            deletes.Where(f => f.Content == FileContent.PositionDeletes).Sum(f => f.RecordCount),
            deletes.Where(f => f.Content == FileContent.EqualityDeletes).Sum(f => f.RecordCount));
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string PartitionKey(IReadOnlyList<object?> partition) =>
        string.Join("\u001f", partition.Select(v => v switch
        {
            null => "\u0000",
            byte[] b => Convert.ToHexString(b),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));
}

/// <summary>A snapshot staged for a catalog commit (see <see cref="SnapshotUpdate{TSelf}.StageAsync"/>).</summary>
/// <param name="Files">New manifests, manifest list and property files, uniquely named: written before the commit,
/// deleted again when it fails; and, as <see cref="FileWrite.Delete"/> entries, the metadata files they supersede,
/// removed by the commit.</param>
public sealed record StagedSnapshot(Snapshot Snapshot, IReadOnlyList<TableRequirement> Requirements, IReadOnlyList<TableUpdate> Updates,
    IReadOnlyList<FileWrite> Files);

/// <summary>A fast append.</summary>
public sealed class AppendFiles : SnapshotUpdate<AppendFiles>
{
    internal AppendFiles(IcebergTable table) : base(table) { }

    private protected override bool NeedsManifestContents => false;

    private protected override RemovalPlan PlanRemovals(IReadOnlyList<(ManifestFile File, ManifestContents Contents)> manifests, int attempt) =>
        new(new HashSet<string>());
}

/// <summary>Removes files (by path or predicate) and adds files in one snapshot.</summary>
public sealed class OverwriteFiles : SnapshotUpdate<OverwriteFiles>
{
    private readonly HashSet<string> _deletePaths = new(StringComparer.Ordinal);
    private readonly List<Func<DataFile, bool>> _deleteWhere = new();

    internal OverwriteFiles(IcebergTable table) : base(table) { }

    /// <summary>Removes a file that must be live in the table when the commit applies.</summary>
    public OverwriteFiles DeleteFile(string filePath)
    {
        _deletePaths.Add(filePath);
        return this;
    }

    public OverwriteFiles DeleteFile(DataFile file) => DeleteFile(file.FilePath);

    /// <summary>Removes every live file matching <paramref name="predicate"/>, evaluated against the table at commit time.</summary>
    public OverwriteFiles DeleteWhere(Func<DataFile, bool> predicate)
    {
        _deleteWhere.Add(predicate);
        return this;
    }

    private protected override bool NeedsManifestContents => _deletePaths.Count > 0 || _deleteWhere.Count > 0;

    private protected override RemovalPlan PlanRemovals(IReadOnlyList<(ManifestFile File, ManifestContents Contents)> manifests, int attempt)
    {
        var live = manifests.SelectMany(m => m.Contents.Entries).Where(e => e.Status != ManifestEntryStatus.Deleted).Select(e => e.DataFile).ToArray();
        var livePaths = live.Select(f => f.FilePath).ToHashSet(StringComparer.Ordinal);
        var missing = _deletePaths.Where(p => !livePaths.Contains(p)).ToArray();
        if (missing.Length > 0)
        {
            var message = $"Cannot delete '{missing[0]}' from table '{Table.Location}': it is not a live file of the table";
            if (attempt > 1) throw new CommitConflictException(message + " any more (a concurrent commit removed it).");
            throw new FacebergException("DataFileNotFound", FacebergErrorKind.NotFound, message + ".");
        }
        var paths = new HashSet<string>(_deletePaths, StringComparer.Ordinal);
        foreach (var f in live)
            if (_deleteWhere.Any(p => p(f))) paths.Add(f.FilePath);
        return new RemovalPlan(paths);
    }
}
