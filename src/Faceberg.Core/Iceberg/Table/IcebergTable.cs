using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// An Iceberg v2 table in the Hadoop-style layout: &lt;location&gt;/metadata/v&lt;N&gt;.metadata.json plus
/// version-hint.text holding N. Commits create v&lt;N+1&gt; exclusively (the commit point), then move the
/// hint; readers follow the hint and probe forward, so a stale hint never hides a commit.
/// An instance is not thread-safe; concurrent writers each use their own instance.
/// </summary>
public sealed partial class IcebergTable
{
    public const string VersionHintFile = "version-hint.text";
    public const string MetadataPreviousVersionsMax = "write.metadata.previous-versions-max";
    private const int DefaultPreviousVersionsMax = 100;

    /// <summary>
    /// Whether a commit removes the metadata files that fall out of the metadata log. Faceberg defaults it to true
    /// (the Java library: false): tables are synced for years, and the log still names the last
    /// <see cref="MetadataPreviousVersionsMax"/> versions, while every snapshot stays readable from the current file.
    /// </summary>
    public const string MetadataDeleteAfterCommit = "write.metadata.delete-after-commit.enabled";

    private IcebergTable(IFileIO io, string location, TableMetadata metadata, int version)
    {
        Io = io;
        Location = location;
        Metadata = metadata;
        Version = version;
    }

    public IFileIO Io { get; }
    public string Location { get; }
    public TableMetadata Metadata { get; private set; }

    /// <summary>N of the v&lt;N&gt;.metadata.json this instance reflects.</summary>
    public int Version { get; private set; }

    public string MetadataLocation => MetadataPath(Location, Version);
    public Schema Schema => Metadata.CurrentSchema;
    public PartitionSpec Spec => Metadata.DefaultSpec;
    public Snapshot? CurrentSnapshot => Metadata.CurrentSnapshot;

    /// <summary>How many times a commit is attempted before giving up with <see cref="CommitConflictException"/>.</summary>
    public int MaxCommitAttempts { get; set; } = 10;

    /// <summary>The current snapshot and its ancestors, newest first.</summary>
    public IReadOnlyList<Snapshot> History() => Metadata.History().ToArray();

    public Snapshot? SnapshotAsOf(DateTimeOffset time) => Metadata.SnapshotAsOf(time.ToUnixTimeMilliseconds());

    internal static string MetadataDirectory(string location) => location + "/metadata/";
    internal static string MetadataPath(string location, int version) => string.Create(CultureInfo.InvariantCulture, $"{location}/metadata/v{version}.metadata.json");
    internal static string VersionHintPath(string location) => location + "/metadata/" + VersionHintFile;
    internal string NewMetadataFilePath(string fileName) => MetadataDirectory(Location) + fileName;

    [GeneratedRegex(@"^v(\d+)\.metadata\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataFileName();

    // ---- create / load ----

    /// <summary>
    /// Creates a table at <paramref name="location"/> (a full URI) with no snapshots. Adds the
    /// schema.name-mapping.default property unless given, so files without field ids resolve by name.
    /// </summary>
    public static async Task<IcebergTable> CreateAsync(IFileIO io, string location, Schema schema, PartitionSpec? spec = null,
        IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        location = location.TrimEnd('/');
        var props = new Dictionary<string, string>(properties ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        props.TryAdd(NameMapping.PropertyKey, NameMapping.FromSchema(schema).ToJson());
        var metadata = TableMetadata.NewTable(location, schema, spec ?? PartitionSpec.Unpartitioned, props, NowMs());
        return await CreateAsync(io, metadata, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a table whose first version is <paramref name="metadata"/> (at its own location), with no snapshots
    /// but those the metadata holds (a create committed as a change carries them).</summary>
    public static async Task<IcebergTable> CreateAsync(IFileIO io, TableMetadata metadata, CancellationToken cancellationToken = default)
    {
        var location = metadata.Location.TrimEnd('/');
        if (await FindCurrentVersionAsync(io, location, cancellationToken).ConfigureAwait(false) != null)
            throw TableExists(location);

        var json = Encoding.UTF8.GetBytes(SpecJson.ToJson(metadata));
        var hint = Encoding.ASCII.GetBytes("1");
        var target = ResolveTarget(io, location);
        if (target is IBatchFileIO batch)
        {
            var ok = await batch.TryWriteBatchAsync(new[]
            {
                new FileWrite(MetadataPath(location, 1), json, Overwrite: false),
                new FileWrite(VersionHintPath(location), hint, Overwrite: true),
            }, cancellationToken).ConfigureAwait(false);
            if (!ok) throw TableExists(location);
        }
        else
        {
            try
            {
                await target.WriteAsync(MetadataPath(location, 1), json, overwrite: false, cancellationToken).ConfigureAwait(false);
            }
            catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.AlreadyExists)
            {
                throw TableExists(location);
            }
            await target.WriteAsync(VersionHintPath(location), hint, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        return new IcebergTable(io, location, metadata, 1);
    }

    /// <summary>Loads the newest committed version of the table at <paramref name="location"/>.</summary>
    public static async Task<IcebergTable> LoadAsync(IFileIO io, string location, CancellationToken cancellationToken = default)
    {
        location = location.TrimEnd('/');
        var (metadata, version) = await ReadLatestAsync(io, location, cancellationToken).ConfigureAwait(false);
        return new IcebergTable(io, location, metadata, version);
    }

    /// <summary>Re-reads the newest committed version.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var (metadata, version) = await ReadLatestAsync(Io, Location, cancellationToken).ConfigureAwait(false);
        Metadata = metadata;
        Version = version;
    }

    private static async Task<(TableMetadata, int)> ReadLatestAsync(IFileIO io, string location, CancellationToken ct)
    {
        var version = await FindCurrentVersionAsync(io, location, ct).ConfigureAwait(false)
            ?? throw new FacebergException("TableNotFound", FacebergErrorKind.NotFound, $"No Iceberg table at '{location}' (no metadata/v<N>.metadata.json).");
        // Commits publish metadata files whole (atomic create locally, one Hub commit), so an unreadable latest
        // file is damage, not a half-finished commit: reading an older version instead would silently roll the
        // table back, and the next commit would then collide with the damaged file forever.
        for (var v = version; v >= 1; v--)
        {
            var path = MetadataPath(location, v);
            byte[] bytes;
            try
            {
                bytes = await io.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
            }
            catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.NotFound)
            {
                continue;
            }
            try
            {
                var metadata = SpecJson.ParseTableMetadata(Encoding.UTF8.GetString(bytes));
                RequireConsistent(metadata);
                return (metadata, v);
            }
            catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.NotSupported)
            {
                // Not damage: a table this version cannot read (a newer format version, say). The id stays; the file is named.
                throw new FacebergException(ex.ErrorId, ex.Kind, $"Table metadata '{path}': {ex.Message}", ex);
            }
            catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.InvalidData)
            {
                throw new FacebergException("TableMetadataUnreadable", FacebergErrorKind.InvalidData,
                    $"The latest metadata file of the table at '{location}', '{path}', cannot be read: {ex.Message} "
                    + "Faceberg does not fall back to an older version, which would silently roll the table back. "
                    + "Restore the file from a backup or, for a table on the Hub, from the repo's history"
                    + (v > 1 ? $"; or, to roll the table back deliberately, delete it and write {v - 1} to {VersionHintFile}." : "."), ex);
            }
        }
        throw new FacebergException("TableNotFound", FacebergErrorKind.NotFound, $"No readable table metadata at '{location}'.");
    }

    /// <summary>What every reader of the file relies on: the current schema and the current snapshot it names exist.</summary>
    private static void RequireConsistent(TableMetadata metadata)
    {
        _ = metadata.CurrentSchema;
        if (metadata.CurrentSnapshotId is { } id && id >= 0 && metadata.Snapshots.All(s => s.SnapshotId != id))
            throw new FacebergException("SnapshotNotFound", FacebergErrorKind.InvalidData,
                $"its current-snapshot-id {id} names no snapshot of the file.");
    }

    /// <summary>
    /// N of the newest metadata file: the hint's value, probed forward while v(N+1) exists (a writer
    /// may have committed without moving the hint yet); a listing when the hint is missing or wrong.
    /// </summary>
    internal static async Task<int?> FindCurrentVersionAsync(IFileIO io, string location, CancellationToken ct)
    {
        int? hinted = null;
        try
        {
            var text = Encoding.ASCII.GetString(await io.ReadAllBytesAsync(VersionHintPath(location), ct).ConfigureAwait(false)).Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) hinted = n;
        }
        catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.NotFound)
        {
        }

        if (hinted is { } v && await io.ExistsAsync(MetadataPath(location, v), ct).ConfigureAwait(false))
        {
            while (await io.ExistsAsync(MetadataPath(location, v + 1), ct).ConfigureAwait(false)) v++;
            return v;
        }

        int? max = null;
        foreach (var path in await io.ListAsync(MetadataDirectory(location), ct).ConfigureAwait(false))
        {
            var m = MetadataFileName().Match(path[(path.LastIndexOf('/') + 1)..]);
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (max == null || n > max)) max = n;
        }
        return max;
    }

    private static FacebergException TableExists(string location) =>
        new("TableAlreadyExists", FacebergErrorKind.AlreadyExists, $"An Iceberg table already exists at '{location}'.");

    private static IFileIO ResolveTarget(IFileIO io, string location) => io is FileIORouter router ? router.Resolve(location) : io;

    internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// A random positive snapshot id below 2^53: JavaScript readers (icebird) parse metadata JSON numbers
    /// as doubles, and ids in that range survive the trip exactly.
    /// </summary>
    internal static long NewSnapshotId()
    {
        const long mask = (1L << 53) - 1;
        long id;
        do id = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & mask;
        while (id == 0);
        return id;
    }

    // ---- commits ----

    /// <summary>What one commit attempt wants published: new files (uniquely named) and the new metadata.</summary>
    /// <param name="Removals">Files of the table's metadata folder the new version no longer references (a superseded
    /// record); they are removed with the commit (in the same batch where the store has batches).</param>
    /// <param name="KeepsDroppedVersions">Leaves the metadata versions that fall out of the log in place (table maintenance
    /// removes and counts them afterwards).</param>
    internal sealed record PendingCommit(TableMetadata Metadata, IReadOnlyList<FileWrite> Files, IReadOnlyList<string>? Removals = null,
        bool KeepsDroppedVersions = false);

    /// <summary>
    /// Runs the optimistic commit loop: prepare against the current metadata, publish v(N+1)
    /// exclusively, move the hint; on losing the race refresh, re-prepare and retry.
    /// </summary>
    internal async Task CommitAsync(Func<TableMetadata, int, CancellationToken, Task<PendingCommit>> prepare, CancellationToken ct)
    {
        var target = ResolveTarget(Io, Location);
        var written = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await CommitWithRetriesAsync(target, written, prepare, ct).ConfigureAwait(false);
        }
        catch
        {
            // Whatever this operation wrote is referenced by no committed version.
            await DeleteQuietlyAsync(target, written, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CommitWithRetriesAsync(IFileIO target, HashSet<string> written,
        Func<TableMetadata, int, CancellationToken, Task<PendingCommit>> prepare, CancellationToken ct)
    {
        Exception? lastConflict = null;
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var baseMetadata = Metadata;
            var pending = await prepare(baseMetadata, attempt, ct).ConfigureAwait(false);
            var newMetadata = Finish(baseMetadata, pending.Metadata);
            var next = Version + 1;
            var metadataBytes = Encoding.UTF8.GetBytes(SpecJson.ToJson(newMetadata));
            var hint = Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture));
            var removals = Removals(baseMetadata, newMetadata, pending);

            bool committed;
            if (target is IBatchFileIO batch)
            {
                var writes = pending.Files.Select(f => f with { Overwrite = true }).ToList();
                writes.Add(new FileWrite(MetadataPath(Location, next), metadataBytes, Overwrite: false));
                writes.Add(new FileWrite(VersionHintPath(Location), hint, Overwrite: true));
                // A Hub commit deleting a missing file fails as a whole, so only files that exist are removed.
                foreach (var path in removals)
                    if (await target.ExistsAsync(path, ct).ConfigureAwait(false)) writes.Add(FileWrite.Deletion(path));
                committed = await batch.TryWriteBatchAsync(writes, ct).ConfigureAwait(false);
            }
            else
            {
                foreach (var file in pending.Files)
                {
                    if (!written.Add(file.Path)) continue;
                    await target.WriteAsync(file.Path, file.Data, overwrite: false, ct).ConfigureAwait(false);
                }
                try
                {
                    await target.WriteAsync(MetadataPath(Location, next), metadataBytes, overwrite: false, ct).ConfigureAwait(false);
                    committed = true;
                }
                catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.AlreadyExists)
                {
                    committed = false;
                    lastConflict = ex;
                }
                if (committed)
                {
                    // The commit is durable once v(N+1) exists; the hint only speeds up readers, who
                    // probe forward past a stale one, so failing to move it must not fail the commit.
                    try
                    {
                        await target.WriteAsync(VersionHintPath(Location), hint, overwrite: true, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FacebergException)
                    {
                    }
                }
            }

            if (committed)
            {
                Metadata = newMetadata;
                Version = next;
                var kept = pending.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
                var superseded = written.Where(p => !kept.Contains(p)).ToArray();
                written.Clear();
                await DeleteQuietlyAsync(target, superseded, ct).ConfigureAwait(false);
                if (target is not IBatchFileIO) await DeleteQuietlyAsync(target, removals, ct).ConfigureAwait(false);
                return;
            }

            await RefreshAsync(ct).ConfigureAwait(false);
            // Jittered backoff so two writers retrying in lockstep do not collide forever.
            await Task.Delay(Random.Shared.Next(5, 25 * attempt), ct).ConfigureAwait(false);
        }

        throw new CommitConflictException(
            $"Could not commit to table '{Location}' after {MaxCommitAttempts} attempts: other writers committed first each time.", lastConflict);
    }

    private TableMetadata Finish(TableMetadata baseMetadata, TableMetadata updated)
    {
        var max = updated.Properties.TryGetValue(MetadataPreviousVersionsMax, out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Max(n, 1)
            : DefaultPreviousVersionsMax;
        // The update's log: the base's, or a shorter one when maintenance dropped versions of expired snapshots.
        var log = updated.MetadataLog.Append(new MetadataLogEntry(MetadataLocation, baseMetadata.LastUpdatedMs)).ToList();
        if (log.Count > max) log.RemoveRange(0, log.Count - max);
        return updated with
        {
            MetadataLog = log,
            LastUpdatedMs = Math.Max(updated.LastUpdatedMs, baseMetadata.LastUpdatedMs),
        };
    }

    /// <summary>
    /// What a commit removes when <see cref="MetadataDeleteAfterCommit"/> holds: the metadata files that fell out of the
    /// log and the files the operation superseded, never anything outside this table's metadata folder.
    /// </summary>
    private List<string> Removals(TableMetadata baseMetadata, TableMetadata newMetadata, PendingCommit pending)
    {
        var result = new List<string>();
        if (DeletesAfterCommit(newMetadata.Properties) && !pending.KeepsDroppedVersions)
        {
            var kept = newMetadata.MetadataLog.Select(e => e.MetadataFile).ToHashSet(StringComparer.Ordinal);
            kept.Add(MetadataLocation);
            result.AddRange(baseMetadata.MetadataLog.Select(e => e.MetadataFile).Where(f => !kept.Contains(f)));
            if (pending.Removals != null) result.AddRange(pending.Removals);
        }
        var folder = MetadataDirectory(Location);
        var written = pending.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return result.Where(p => p.StartsWith(folder, StringComparison.Ordinal) && !p.Contains("/../", StringComparison.Ordinal) && !written.Contains(p))
            .Distinct(StringComparer.Ordinal).ToList();
    }

    internal static bool DeletesAfterCommit(IReadOnlyDictionary<string, string> properties) =>
        !properties.TryGetValue(MetadataDeleteAfterCommit, out var v) || !string.Equals(v.Trim(), "false", StringComparison.OrdinalIgnoreCase);

    private static async Task DeleteQuietlyAsync(IFileIO io, IEnumerable<string> paths, CancellationToken ct)
    {
        foreach (var path in paths.ToArray())
        {
            try
            {
                await io.DeleteAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FacebergException)
            {
                // An orphaned, unreferenced file is harmless; the commit outcome stands.
            }
        }
    }

    // ---- commits in the REST protocol's terms ----

    /// <summary>
    /// Commits <paramref name="updates"/> if every one of <paramref name="requirements"/> holds: both are checked and
    /// applied against the newest version on every attempt, so losing a race to a writer that invalidated a requirement
    /// fails with <see cref="CommitFailedException"/> instead of overwriting its change.
    /// </summary>
    public Task CommitChangesAsync(IReadOnlyList<TableRequirement> requirements, IReadOnlyList<TableUpdate> updates, CancellationToken cancellationToken = default) =>
        CommitChangesAsync(requirements, updates, [], cancellationToken);

    /// <summary>Commits (requirements, updates) with <paramref name="files"/> written in the same batch as the new
    /// metadata version (one Hub commit on the Hub); its <see cref="FileWrite.Delete"/> entries are removed with the
    /// commit, and only when they are in this table's metadata folder.</summary>
    public Task CommitChangesAsync(IReadOnlyList<TableRequirement> requirements, IReadOnlyList<TableUpdate> updates,
        IReadOnlyList<FileWrite> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(requirements);
        ArgumentNullException.ThrowIfNull(updates);
        var writes = files.Where(f => !f.Delete).ToList();
        var removals = files.Where(f => f.Delete).Select(f => f.Path).ToList();
        return CommitAsync((current, _, _) =>
        {
            foreach (var requirement in requirements)
                requirement.Check(current);
            return Task.FromResult(new PendingCommit(TableMetadataBuilder.Apply(current, updates, NowMs()), writes, removals));
        }, cancellationToken);
    }

    // ---- metadata-only updates ----

    /// <summary>Sets and removes table properties.</summary>
    public Task UpdatePropertiesAsync(IReadOnlyDictionary<string, string>? set, IEnumerable<string>? remove = null, CancellationToken cancellationToken = default)
    {
        var removals = remove?.ToArray() ?? Array.Empty<string>();
        return CommitAsync((current, _, _) =>
        {
            var props = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal);
            foreach (var key in removals) props.Remove(key);
            if (set != null)
                foreach (var (k, v) in set) props[k] = v;
            return Task.FromResult(new PendingCommit(current with { Properties = props, LastUpdatedMs = NowMs() }, Array.Empty<FileWrite>()));
        }, cancellationToken);
    }

    // ---- snapshot updates ----

    /// <summary>A fast append: new files go into one new manifest; existing manifests are reused.</summary>
    public AppendFiles NewAppend() => new(this);

    /// <summary>Deletes and/or adds files in one snapshot (operation overwrite, delete or append).</summary>
    public OverwriteFiles NewOverwrite() => new(this);

    // ---- reading ----

    /// <summary>The planner of this table's scans: the one walk over its manifests.</summary>
    public ScanPlanner NewScanPlanner() => new(Io, Metadata);

    /// <summary>The manifests of a snapshot (the current one by default); empty for a table without snapshots.</summary>
    /// <remarks>The last list read is kept: a manifest list is never rewritten under its name (each has a new one), and a
    /// commit reads its parent's list again after a planner of the same table read it.</remarks>
    public async Task<IReadOnlyList<ManifestFile>> ReadManifestListAsync(Snapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        snapshot ??= CurrentSnapshot;
        if (snapshot == null) return Array.Empty<ManifestFile>();
        if (Volatile.Read(ref _lastManifestList) is { } last && last.Path == snapshot.ManifestList)
            return last.Manifests;
        var manifests = await NewScanPlanner().ReadManifestListAsync(snapshot, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastManifestList, new ManifestListRead(snapshot.ManifestList, manifests));
        return manifests;
    }

    private sealed record ManifestListRead(string Path, IReadOnlyList<ManifestFile> Manifests);

    private ManifestListRead? _lastManifestList;

    public Task<ManifestContents> ReadManifestAsync(ManifestFile manifest, CancellationToken cancellationToken = default) =>
        NewScanPlanner().ReadManifestAsync(manifest, cancellationToken);

    /// <summary>
    /// The snapshot's plan (the current one by default): its live delete files, and its live data files
    /// with manifests whose partition summaries rule out <paramref name="filter"/> skipped unread.
    /// </summary>
    public Task<ScanPlan> PlanAsync(long? snapshotId = null, PartitionFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var snapshot = snapshotId is { } id ? Metadata.SnapshotById(id) : CurrentSnapshot;
        return NewScanPlanner().PlanAsync(snapshot, filter?.Bind(Metadata.CurrentSchema), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The live data files of a snapshot (the current one by default), as <see cref="PlanAsync"/> plans
    /// them; the snapshot's delete files are in that plan.
    /// </summary>
    public async Task<IReadOnlyList<DataFile>> PlanFilesAsync(long? snapshotId = null, PartitionFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(snapshotId, filter, cancellationToken).ConfigureAwait(false);
        var files = await plan.ListDataFilesAsync(cancellationToken).ConfigureAwait(false);
        PlannedManifests = plan.ManifestsRead;
        return files.Select(f => f.File).ToArray();
    }

    /// <summary>How many manifests the last plan read (observability for pruning).</summary>
    public int PlannedManifests { get; private set; }
}
