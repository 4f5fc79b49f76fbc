using System.IO.Compression;
using System.Text.Json;
using Faceberg.Core.Discovery;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// A dataset table's file record as read: its files at the data commit, the split each was committed under (null when
/// the record was written without them) and the snapshot whose commit wrote it (null when it does not say).
/// </summary>
public sealed record DatasetFileRecord(IReadOnlyList<RepoFile> Files, IReadOnlyDictionary<string, string>? Splits, long? SnapshotId)
{
    /// <summary>True when the record lists exactly the live files of snapshot <paramref name="snapshotId"/>, each with its
    /// partition value: the commit that wrote it made that snapshot, and the record has every file's split.</summary>
    public bool DescribesSnapshot(long? snapshotId) => Splits is not null && SnapshotId is { } id && id == snapshotId;
}

/// <summary>
/// The identities (path, content id, size) of a dataset table's files at the commit its data was read
/// from, kept with the table so a sync can compare revisions without listing the old commit's tree.
/// Iceberg has no place for a file's source content id (key_metadata is for encryption, Puffin blobs for
/// column statistics), so it is a Faceberg-owned gzipped JSON file in the table's metadata folder, written by
/// the same commit that sets <see cref="TableProperties.RevisionFiles"/> to its location; readers other
/// than Faceberg ignore both.
/// <para>
/// A record is written as a change to the previous one (format 2: the files added or changed and the paths removed,
/// with the location of the record it applies to), so a sync costs in proportion to what changed. Once
/// <see cref="MaxChainLength"/> changes follow the full record, or the change is large next to the whole, a full
/// record is written instead and the same commit removes the chain it replaces (unless
/// write.metadata.delete-after-commit.enabled is false). Format 1 (always full) is still read.
/// </para>
/// <para>
/// Each file also records the split it was committed under, and the record names the snapshot whose commit wrote it:
/// while that snapshot is still the table's current one, its live files are exactly the recorded files in their
/// recorded splits, so a sync that only adds files needs neither the manifests nor any other listing.
/// </para>
/// </summary>
internal static class RevisionFileRecord
{
    private const int FullFormat = 1;
    private const int ChainFormat = 2;
    private const string FilePrefix = "faceberg-files";

    /// <summary>How many change records may follow a full one before the next record is full again, unless the table
    /// property <see cref="TableProperties.RevisionFilesMaxChain"/> says otherwise.</summary>
    internal const int MaxChainLength = 32;

    /// <summary>
    /// Adds the record of <paramref name="files"/> (each with the split it is committed under) at
    /// <paramref name="dataRevision"/> to a commit whose snapshot makes exactly these files live; the record names that
    /// snapshot, so a later sync that finds it still current can trust the record as the table's live files.
    /// </summary>
    public static void AddTo<T>(SnapshotUpdate<T> update, string dataRevision, IEnumerable<PlannedFile> files) where T : SnapshotUpdate<T>
    {
        var list = files.ToList();
        var snapshotId = update.SnapshotId;
        update.SetPropertyFile(TableProperties.RevisionFiles, FilePrefix, "json.gz", async (table, current, ct) =>
        {
            var previous = current.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) && location.Length > 0
                ? LastRead(table, location) ?? await ReadChainAsync(table, location, ct).ConfigureAwait(false)
                : null;
            // A record without splits is written out in full, so every record after it has them all.
            if (previous is not { Splits: { } previousSplits })
                return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, null, 0, snapshotId, list, []), previous?.Chain ?? []);

            var before = previous.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            var now = list.Select(f => f.File.Path).ToHashSet(StringComparer.Ordinal);
            var changed = list.Where(f => !before.TryGetValue(f.File.Path, out var b) || b.ContentId != f.File.ContentId || b.Size != f.File.Size
                                          || previousSplits[f.File.Path] != f.Split).ToList();
            var removed = previous.Files.Where(f => !now.Contains(f.Path)).Select(f => f.Path).ToList();
            if (previous.Chain.Count > MaxChain(current.Properties) || (changed.Count + removed.Count) * 4 > Math.Max(list.Count, 16))
                return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, null, 0, snapshotId, list, []), previous.Chain);
            return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, location, previous.Chain.Count, snapshotId, changed, removed), []);
        });
    }

    private static int MaxChain(IReadOnlyDictionary<string, string> properties) =>
        properties.TryGetValue(TableProperties.RevisionFilesMaxChain, out var text)
        && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max)
            ? max
            : MaxChainLength;

    private static byte[] Write(string dataRevision, string? baseLocation, int depth, long? snapshotId, IEnumerable<PlannedFile> files,
        IReadOnlyList<string> removed) =>
        Write(dataRevision, baseLocation, depth, snapshotId, files.Select(f => ((string?)f.Split, f.File)), removed);

    private static byte[] Write(string dataRevision, string? baseLocation, int depth, long? snapshotId, IEnumerable<(string? Split, RepoFile File)> files,
        IReadOnlyList<string> removed)
    {
        var buffer = new MemoryStream();
        // Content ids are hex digests: gzip halves the ~130 bytes a file takes as JSON.
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var json = new Utf8JsonWriter(gzip))
        {
            json.WriteStartObject();
            json.WriteNumber("format", baseLocation is null ? FullFormat : ChainFormat);
            json.WriteString("revision", dataRevision);
            if (snapshotId is { } id)
                json.WriteNumber("snapshot-id", id);
            if (baseLocation is not null)
            {
                json.WriteString("base", baseLocation);
                json.WriteNumber("depth", depth);
            }
            json.WriteStartArray("files");
            foreach (var (split, file) in files)
            {
                json.WriteStartObject();
                json.WriteString("path", file.Path);
                json.WriteString("id", file.ContentId);
                json.WriteNumber("size", file.Size);
                if (split is not null)
                    json.WriteString("split", split);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (baseLocation is not null)
            {
                json.WriteStartArray("removed");
                foreach (var path in removed) json.WriteStringValue(path);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The record of <paramref name="table"/> when it exists and describes <paramref name="dataRevision"/>; null
    /// otherwise (a table created before the record existed, or whose record is missing, unreadable or stale), and the
    /// caller lists the revision instead.
    /// </summary>
    public static async Task<DatasetFileRecord?> ReadAsync(IcebergTable table, string dataRevision, CancellationToken ct)
    {
        if (!table.Metadata.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) || location.Length == 0)
            return null;
        var record = await ReadChainAsync(table, location, ct).ConfigureAwait(false);
        if (record is not null)
            LastReads.AddOrUpdate(table, new LastReadRecord(location, record));
        return record is not null && string.Equals(record.Revision, dataRevision, StringComparison.OrdinalIgnoreCase)
            ? new DatasetFileRecord(record.Files, record.Splits, record.SnapshotId)
            : null;
    }

    /// <summary>The record files a table's current record is made of (itself and the records it applies to).</summary>
    public static async Task<IReadOnlyList<string>> ChainAsync(IcebergTable table, TableMetadata metadata, CancellationToken ct)
    {
        if (!metadata.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) || location.Length == 0)
            return [];
        return (await ReadChainAsync(table, location, ct).ConfigureAwait(false))?.Chain ?? [location];
    }

    /// <summary>
    /// The current record of <paramref name="table"/> as one full record, when it is a chain of changes; null when it
    /// is already full, missing or unreadable (then there is nothing to compact).
    /// </summary>
    public static async Task<byte[]?> CompactAsync(IcebergTable table, CancellationToken ct)
    {
        if (!table.Metadata.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) || location.Length == 0)
            return null;
        var record = await ReadChainAsync(table, location, ct).ConfigureAwait(false);
        if (record is not { Chain.Count: > 1 }) return null;
        var splits = record.Splits;
        // The compacted record lists the same files as the chain, for the snapshot the chain's newest link named.
        return Write(record.Revision, null, 0, record.SnapshotId, record.Files.Select(f => (splits?[f.Path], f)), []);
    }

    /// <summary>A new record file's location in the table's metadata folder.</summary>
    public static string NewLocation(IcebergTable table, long snapshotId) =>
        table.NewMetadataFilePath($"{FilePrefix}-{snapshotId}-{Guid.NewGuid():D}.json.gz");

    /// <summary>True for the name of a file record in a metadata folder.</summary>
    public static bool IsRecordFile(string path) => path[(path.LastIndexOf('/') + 1)..].StartsWith(FilePrefix + "-", StringComparison.Ordinal);

    /// <param name="Splits">Each file's split; null when a link of the chain was written without them.</param>
    /// <param name="SnapshotId">The snapshot whose commit wrote the newest link; null when that link does not say.</param>
    private sealed record Record(string Revision, IReadOnlyList<RepoFile> Files, IReadOnlyDictionary<string, string>? Splits, long? SnapshotId,
        IReadOnlyList<string> Chain);

    private sealed record LastReadRecord(string Location, Record Record);

    // The record a sync read to plan is the one its commit writes the next change against (record files are never
    // rewritten in place: each has a new name), so the commit takes it from the table instance the sync loaded instead
    // of reading and parsing it again.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IcebergTable, LastReadRecord> LastReads = new();

    private static Record? LastRead(IcebergTable table, string location) =>
        LastReads.TryGetValue(table, out var last) && last.Location == location ? last.Record : null;

    /// <summary>Resolves a record by applying its chain from the full record; null when any link is missing or unreadable.</summary>
    private static async Task<Record?> ReadChainAsync(IcebergTable table, string location, CancellationToken ct)
    {
        var links = new List<(string Location, JsonDocument Doc)>();
        try
        {
            var next = location;
            while (next is not null)
            {
                if (links.Count > MaxChainLength * 4 || links.Any(l => l.Location == next)) return null;
                byte[] bytes;
                try
                {
                    bytes = await table.Io.ReadAllBytesAsync(next, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
                {
                    return null;
                }
                using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
                    links.Add((next, JsonDocument.Parse(gzip)));
                var root = links[^1].Doc.RootElement;
                var format = root.GetProperty("format").GetInt32();
                next = format switch
                {
                    FullFormat => null,
                    ChainFormat => root.GetProperty("base").GetString() ?? throw new FormatException("a change record without a base"),
                    _ => throw new FormatException($"record format {format}"),
                };
            }
            var files = new Dictionary<string, RepoFile>(StringComparer.Ordinal);
            var splits = new Dictionary<string, string>(StringComparer.Ordinal);
            var allSplits = true;
            var order = new List<string>();
            for (var i = links.Count - 1; i >= 0; i--)
            {
                var root = links[i].Doc.RootElement;
                if (root.TryGetProperty("removed", out var removed))
                    foreach (var path in removed.EnumerateArray())
                        files.Remove(path.GetString() ?? "");
                foreach (var file in root.GetProperty("files").EnumerateArray())
                {
                    var path = file.GetProperty("path").GetString() ?? throw new FormatException("a file without a path");
                    if (!files.ContainsKey(path)) order.Add(path);
                    files[path] = new RepoFile(path, file.GetProperty("size").GetInt64(), file.GetProperty("id").GetString() ?? "");
                    if (file.TryGetProperty("split", out var split) && split.GetString() is { } name)
                        splits[path] = name;
                    else
                        allSplits = false;
                }
            }
            var newest = links[0].Doc.RootElement;
            var revision = newest.GetProperty("revision").GetString() ?? "";
            long? snapshotId = newest.TryGetProperty("snapshot-id", out var id) ? id.GetInt64() : null;
            return new Record(revision, order.Distinct(StringComparer.Ordinal).Where(files.ContainsKey).Select(p => files[p]).ToList(),
                allSplits ? splits : null, snapshotId, links.Select(l => l.Location).ToList());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or InvalidDataException)
        {
            return null;
        }
        finally
        {
            foreach (var (_, doc) in links) doc.Dispose();
        }
    }
}
