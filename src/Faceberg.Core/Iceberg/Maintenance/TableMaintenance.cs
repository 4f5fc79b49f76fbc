using System.Globalization;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Iceberg.Maintenance;

/// <summary>What to expire: snapshots older than <see cref="OlderThan"/>, beyond the newest <see cref="RetainLast"/> of main.</summary>
/// <param name="ReferencedFiles">Metadata-folder files outside Iceberg's model a table version references (a layer's own records).</param>
/// <param name="OwnsFile">Whether a metadata-folder file belongs to that layer, so it is removed once no version references it.</param>
/// <param name="RewriteReferencedFiles">The layer's files rewritten more compactly (new files and the properties naming
/// them), committed with the manifest rewrite; null when there is nothing to rewrite.</param>
public sealed record OptimizeOptions(int? RetainLast = null, DateTimeOffset? OlderThan = null, bool RewriteManifests = true,
    Func<IcebergTable, TableMetadata, CancellationToken, Task<IReadOnlyList<string>>>? ReferencedFiles = null, Func<string, bool>? OwnsFile = null,
    Func<IcebergTable, CancellationToken, Task<ReferencedFilesRewrite?>>? RewriteReferencedFiles = null);

/// <summary>Files of a layer above Iceberg written anew, and the table properties that name them.</summary>
public sealed record ReferencedFilesRewrite(IReadOnlyDictionary<string, string> Properties, IReadOnlyList<FileWrite> Files);

/// <summary>What an optimize did.</summary>
public sealed record OptimizeResult(string Location, int ManifestsBefore, int ManifestsAfter, int SnapshotsExpired, int SnapshotsRetained, int FilesRemoved, long BytesRemoved);

/// <summary>
/// Table maintenance in the Iceberg procedures' terms: rewrite-manifests (every manifest of the current snapshot
/// packed by partition spec, a <c>replace</c> snapshot), expire-snapshots (a <c>remove-snapshots</c> commit; the current
/// snapshot and every snapshot a branch or tag names are kept) and removal of the metadata files no retained snapshot
/// or metadata version references. Data files are never removed: they belong to the dataset repos.
/// </summary>
public static class TableMaintenance
{
    public static async Task<OptimizeResult> OptimizeAsync(IcebergTable table, OptimizeOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        if (options.RetainLast is < 1)
            throw new FacebergException("InvalidRetainLast", FacebergErrorKind.InvalidArgument, "RetainLast must be at least 1: the current snapshot is always kept.");
        var before = table.Metadata;
        var manifestsBefore = (await table.ReadManifestListAsync(null, ct).ConfigureAwait(false)).Count;
        var rewrite = options.RewriteReferencedFiles is { } produce ? await produce(table, ct).ConfigureAwait(false) : null;
        if (options.RewriteManifests && table.CurrentSnapshot != null && manifestsBefore > 1)
        {
            await RewriteManifestsAsync(table, rewrite, ct).ConfigureAwait(false);
        }
        else if (rewrite != null)
        {
            var main = table.CurrentSnapshot?.SnapshotId;
            await table.CommitAsync((current, _, _) =>
            {
                new AssertRefSnapshotId(SnapshotRef.MainBranch, main).Check(current);
                return Task.FromResult(new IcebergTable.PendingCommit(WithProperties(current, rewrite.Properties) with { LastUpdatedMs = IcebergTable.NowMs() },
                    rewrite.Files, KeepsDroppedVersions: true));
            }, ct).ConfigureAwait(false);
        }
        var manifestsAfter = (await table.ReadManifestListAsync(null, ct).ConfigureAwait(false)).Count;

        var expired = ToExpire(table.Metadata, options);
        if (expired.Count > 0)
        {
            var main = table.CurrentSnapshot?.SnapshotId;
            var requirement = new AssertRefSnapshotId(SnapshotRef.MainBranch, main);
            await table.CommitAsync((current, _, _) =>
            {
                requirement.Check(current);
                var updated = TableMetadataBuilder.Apply(current, [new RemoveSnapshots(expired)], IcebergTable.NowMs());
                // Metadata versions older than every retained snapshot describe only expired ones.
                var oldest = updated.Snapshots.Count == 0 ? long.MaxValue : updated.Snapshots.Min(s => s.TimestampMs);
                updated = updated with { MetadataLog = updated.MetadataLog.Where(e => e.TimestampMs >= oldest).ToArray() };
                return Task.FromResult(new IcebergTable.PendingCommit(updated, Array.Empty<FileWrite>(), KeepsDroppedVersions: true));
            }, ct).ConfigureAwait(false);
        }

        var (count, bytes) = await RemoveUnreachableAsync(table, before, options, ct).ConfigureAwait(false);
        return new OptimizeResult(table.Location, manifestsBefore, manifestsAfter, expired.Count, table.Metadata.Snapshots.Count, count, bytes);
    }

    /// <summary>The snapshots to expire: not current, not named by a ref, not among the newest RetainLast of main, older than OlderThan.</summary>
    internal static IReadOnlyList<long> ToExpire(TableMetadata metadata, OptimizeOptions options)
    {
        if (options.RetainLast is null && options.OlderThan is null) return [];
        var keep = new HashSet<long>(metadata.Refs.Values.Select(r => r.SnapshotId));
        if (metadata.CurrentSnapshotId is { } current) keep.Add(current);
        foreach (var s in metadata.History().Take(options.RetainLast ?? 1)) keep.Add(s.SnapshotId);
        var cutoff = options.OlderThan?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        return metadata.Snapshots.Where(s => !keep.Contains(s.SnapshotId) && s.TimestampMs < cutoff).Select(s => s.SnapshotId).ToList();
    }

    private static TableMetadata WithProperties(TableMetadata metadata, IReadOnlyDictionary<string, string>? properties)
    {
        if (properties is null || properties.Count == 0) return metadata;
        var merged = new Dictionary<string, string>(metadata.Properties, StringComparer.Ordinal);
        foreach (var (key, value) in properties) merged[key] = value;
        return metadata with { Properties = merged };
    }

    private static Task RewriteManifestsAsync(IcebergTable table, ReferencedFilesRewrite? rewrite, CancellationToken ct)
    {
        var snapshotId = IcebergTable.NewSnapshotId();
        var main = table.CurrentSnapshot?.SnapshotId;
        return table.CommitAsync(async (current, attempt, token) =>
        {
            // Rewritten layer files describe the snapshot they were computed from: another writer's snapshot fails the commit.
            if (rewrite != null) new AssertRefSnapshotId(SnapshotRef.MainBranch, main).Check(current);
            var parent = current.CurrentSnapshot ?? throw new CommitConflictException($"Table '{table.Location}' lost its current snapshot while its manifests were rewritten.");
            var sequenceNumber = current.LastSequenceNumber + 1;
            var manifests = await new ScanPlanner(table.Io, current).ReadManifestListAsync(parent, token).ConfigureAwait(false);
            var files = new List<FileWrite>(rewrite?.Files ?? []);
            var merger = ManifestMerger.FromProperties(current.Properties);
            var rewritten = await merger.MergeAsync(manifests.Where(m => m.HasLiveFiles || m.Content == ManifestContent.Deletes).ToList(), snapshotId, sequenceNumber,
                (m, t) => table.ReadManifestAsync(m, t),
                bytes =>
                {
                    var path = table.NewMetadataFilePath($"{Guid.NewGuid():D}-m{files.Count}.avro");
                    files.Add(new FileWrite(path, bytes, Overwrite: false));
                    return path;
                }, force: true, token).ConfigureAwait(false);
            var listPath = table.NewMetadataFilePath($"snap-{snapshotId}-{attempt}-{Guid.NewGuid():D}.avro");
            files.Add(new FileWrite(listPath, ManifestListIO.Write(rewritten, snapshotId, parent.SnapshotId, sequenceNumber), Overwrite: false));
            var summary = new Dictionary<string, string>(StringComparer.Ordinal) { [SummaryKeys.Operation] = SnapshotOperation.Replace };
            foreach (var key in new[] { SummaryKeys.TotalRecords, SummaryKeys.TotalFilesSize, SummaryKeys.TotalDataFiles, SummaryKeys.TotalDeleteFiles, SummaryKeys.TotalPositionDeletes, SummaryKeys.TotalEqualityDeletes })
                if (parent.Summary.TryGetValue(key, out var v)) summary[key] = v;
            summary["manifests-created"] = rewritten.Count(m => m.AddedSnapshotId == snapshotId).ToString(CultureInfo.InvariantCulture);
            summary["manifests-replaced"] = (manifests.Count - rewritten.Count(m => m.AddedSnapshotId != snapshotId)).ToString(CultureInfo.InvariantCulture);
            var now = IcebergTable.NowMs();
            var snapshot = new Snapshot(snapshotId, parent.SnapshotId, sequenceNumber, now, listPath, summary, parent.SchemaId ?? current.CurrentSchemaId);
            var refs = new Dictionary<string, SnapshotRef>(current.Refs, StringComparer.Ordinal) { [SnapshotRef.MainBranch] = new SnapshotRef(snapshotId, SnapshotRef.Branch) };
            var updated = WithProperties(current, rewrite?.Properties) with
            {
                LastSequenceNumber = sequenceNumber,
                LastUpdatedMs = now,
                CurrentSnapshotId = snapshotId,
                Snapshots = current.Snapshots.Append(snapshot).ToArray(),
                SnapshotLog = current.SnapshotLog.Append(new SnapshotLogEntry(snapshotId, now)).ToArray(),
                Refs = refs,
            };
            return new IcebergTable.PendingCommit(updated, files, KeepsDroppedVersions: true);
        }, ct);
    }

    /// <summary>
    /// Removes the metadata files the table referenced before (its metadata versions, manifest lists, manifests, file
    /// records) that neither the current version nor a retained snapshot references now. Only files the table
    /// referenced are candidates, so a concurrent writer's not-yet-committed files are never touched.
    /// </summary>
    private static async Task<(int Count, long Bytes)> RemoveUnreachableAsync(IcebergTable table, TableMetadata before, OptimizeOptions options, CancellationToken ct)
    {
        var now = table.Metadata;
        var reachable = new HashSet<string>(StringComparer.Ordinal) { table.MetadataLocation };
        reachable.UnionWith(now.MetadataLog.Select(e => e.MetadataFile));
        foreach (var s in now.Snapshots)
        {
            reachable.Add(s.ManifestList);
            foreach (var m in await new ScanPlanner(table.Io, now).ReadManifestListAsync(s, ct).ConfigureAwait(false)) reachable.Add(m.ManifestPath);
        }
        if (options.ReferencedFiles != null) reachable.UnionWith(await options.ReferencedFiles(table, now, ct).ConfigureAwait(false));

        var candidates = new HashSet<string>(StringComparer.Ordinal);
        candidates.UnionWith(before.MetadataLog.Select(e => e.MetadataFile));
        var folder = table.Location + "/metadata/";
        foreach (var path in await table.Io.ListAsync(folder, ct).ConfigureAwait(false))
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            // Only versions older than this one: a newer version is another writer's commit.
            if (name.StartsWith('v') && name.EndsWith(".metadata.json", StringComparison.Ordinal)
                && int.TryParse(name[1..^".metadata.json".Length], NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version < table.Version)
                candidates.Add(path);
            else if (options.OwnsFile?.Invoke(path) == true)
                candidates.Add(path);
        }
        foreach (var s in before.Snapshots)
        {
            candidates.Add(s.ManifestList);
            try
            {
                foreach (var m in await new ScanPlanner(table.Io, before).ReadManifestListAsync(s, ct).ConfigureAwait(false)) candidates.Add(m.ManifestPath);
            }
            catch (FacebergException e) when (e.Kind == FacebergErrorKind.NotFound)
            {
            }
        }
        var remove = candidates.Where(p => !reachable.Contains(p) && p.StartsWith(folder, StringComparison.Ordinal)).ToList();
        long bytes = 0;
        var existing = new List<string>();
        foreach (var path in remove)
        {
            try
            {
                bytes += (await table.Io.ReadAllBytesAsync(path, ct).ConfigureAwait(false)).LongLength;
                existing.Add(path);
            }
            catch (FacebergException e) when (e.Kind == FacebergErrorKind.NotFound)
            {
            }
        }
        var target = table.Io is FileIORouter router ? router.Resolve(table.Location) : table.Io;
        if (existing.Count == 0) return (0, 0);
        if (target is IBatchFileIO batch)
            await batch.TryWriteBatchAsync(existing.Select(FileWrite.Deletion).ToList(), ct).ConfigureAwait(false);
        else
            foreach (var path in existing) await target.DeleteAsync(path, ct).ConfigureAwait(false);
        return (existing.Count, bytes);
    }
}
