using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Runtime.CompilerServices;
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
    /// <summary>Where the newest record file of the chain is (the table property's value when it was read).</summary>
    internal string Location { get; init; } = "";

    /// <summary>The commit the record's files were listed at.</summary>
    internal string Revision { get; init; } = "";

    /// <summary>The record files this record is made of, newest first.</summary>
    internal IReadOnlyList<string> Chain { get; init; } = [];

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
    /// <paramref name="read"/> is the record the change was planned from, when the caller read one: while the table
    /// still names it, the new record is written as a change to it without reading it again (record files are never
    /// rewritten: each has a new name).
    /// </summary>
    public static void AddTo<T>(SnapshotUpdate<T> update, string dataRevision, IEnumerable<PlannedFile> files, DatasetFileRecord? read = null)
        where T : SnapshotUpdate<T>
    {
        var list = files.ToList();
        var snapshotId = update.SnapshotId;
        update.SetPropertyFile(TableProperties.RevisionFiles, FilePrefix, "json.gz", async (table, current, ct) =>
        {
            var previous = current.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) && location.Length > 0
                ? read is not null && read.Location == location ? read : await ReadChainAsync(table, location, ct).ConfigureAwait(false)
                : null;
            // A record without splits is written out in full, so every record after it has them all.
            if (previous is not { Splits: { } previousSplits })
                return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, null, 0, snapshotId, list, []), previous?.Chain ?? []);

            var (changed, removed) = Changes(previous.Files, previousSplits, list);
            if (previous.Chain.Count > MaxChain(current.Properties) || (changed.Count + removed.Count) * 4 > Math.Max(list.Count, 16))
                return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, null, 0, snapshotId, list, []), previous.Chain);
            return new SnapshotUpdate<T>.PropertyFileContent(Write(dataRevision, location, previous.Chain.Count, snapshotId, changed, removed), []);
        });
    }

    /// <summary>The files of <paramref name="now"/> that are new or differ from <paramref name="before"/> (content or
    /// split), and the paths of <paramref name="before"/> that <paramref name="now"/> no longer has.</summary>
    /// <remarks>A record lists its files in the order they were committed, and a new listing mostly keeps that order, so
    /// both lists are walked side by side and only files out of step are looked up by path.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (List<PlannedFile> Changed, List<string> Removed) Changes(IReadOnlyList<RepoFile> before, IReadOnlyDictionary<string, string> splits,
        List<PlannedFile> now)
    {
        Dictionary<string, int>? byPath = null;
        var changed = new List<PlannedFile>();
        var seen = new bool[before.Count];
        var matched = 0;
        var next = 0;
        foreach (var file in now)
        {
            var path = file.File.Path;
            int at;
            if (next < before.Count && string.Equals(before[next].Path, path, StringComparison.Ordinal))
                at = next++;
            else if (matched == before.Count)
            {
                // Each of before's files is matched already: this one is new (a path listed twice is new again, which a
                // change record states harmlessly).
                changed.Add(file);
                continue;
            }
            else
            {
                byPath ??= RepoFileIndex.PositionsByPath(before);
                if (!byPath.TryGetValue(path, out at))
                {
                    changed.Add(file);
                    continue;
                }
            }
            if (!seen[at])
            {
                seen[at] = true;
                matched++;
            }
            var b = before[at];
            if (b.ContentId != file.File.ContentId || b.Size != file.File.Size || splits[path] != file.Split)
                changed.Add(file);
        }
        var removed = new List<string>();
        // When each of before's files was matched, none is gone.
        if (matched < before.Count)
        {
            var paths = new HashSet<string>(now.Count, StringComparer.Ordinal);
            foreach (var file in now)
                paths.Add(file.File.Path);
            foreach (var file in before)
                if (!paths.Contains(file.Path))
                    removed.Add(file.Path);
        }
        return (changed, removed);
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
        return record is not null && string.Equals(record.Revision, dataRevision, StringComparison.OrdinalIgnoreCase) ? record : null;
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

    /// <summary>One record file as written: a full record, or a change to the record at <see cref="Base"/>.</summary>
    private sealed class Link
    {
        public int Format;
        public string Revision = "";
        public long? SnapshotId;
        public string? Base;
        public List<(string Path, long Size, string Id, string? Split)> Files = [];
        public readonly List<string> Removed = [];
    }

    /// <summary>Resolves a record by applying its chain from the full record; null when any link is missing or unreadable.</summary>
    private static async Task<DatasetFileRecord?> ReadChainAsync(IcebergTable table, string location, CancellationToken ct)
    {
        var links = new List<Link>();
        var locations = new List<string>();
        try
        {
            var next = location;
            while (next is not null)
            {
                if (links.Count > MaxChainLength * 4 || locations.Contains(next)) return null;
                byte[] bytes;
                try
                {
                    bytes = await table.Io.ReadAllBytesAsync(next, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
                {
                    return null;
                }
                var link = ParseLink(Gunzip(bytes).Span);
                locations.Add(next);
                links.Add(link);
                next = link.Format switch
                {
                    FullFormat => null,
                    ChainFormat => link.Base ?? throw new FormatException("a change record without a base"),
                    _ => throw new FormatException($"record format {link.Format}"),
                };
            }
            return Apply(links, locations);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            return null;
        }
    }

    private static ReadOnlyMemory<byte> Gunzip(byte[] bytes)
    {
        // A gzip member ends with its uncompressed size (mod 2^32): the buffer is sized once, not grown while inflating.
        var size = bytes.Length >= 18 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(^4)) : 0u;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var json = new MemoryStream((int)Math.Min(Math.Max(size, (uint)bytes.Length), 256u << 20) + 1);
        gzip.CopyTo(json, 1 << 16);
        return json.GetBuffer().AsMemory(0, (int)json.Length);
    }

    // A full record lists every file of the table (about 130 bytes of JSON each), and a sync reads it once per process:
    // read field by field, optimized from the first call, rather than through a document of every value.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Link ParseLink(ReadOnlySpan<byte> json)
    {
        var link = new Link();
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        bool hasFormat = false, hasRevision = false, hasFiles = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("format"))
            {
                Expect(ref reader, JsonTokenType.Number);
                link.Format = reader.GetInt32();
                hasFormat = true;
            }
            else if (reader.ValueTextEquals("revision"))
            {
                link.Revision = ReadString(ref reader);
                hasRevision = true;
            }
            else if (reader.ValueTextEquals("snapshot-id"))
            {
                Expect(ref reader, JsonTokenType.Number);
                link.SnapshotId = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("base"))
            {
                link.Base = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("files"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                // About 130 bytes a file: the list is sized once instead of growing through every power of two.
                link.Files = new(json.Length / 128 + 1);
                string? lastSplit = null;
                while (Next(ref reader) == JsonTokenType.StartObject)
                    link.Files.Add(ParseFile(ref reader, ref lastSplit));
                hasFiles = true;
            }
            else if (reader.ValueTextEquals("removed"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) == JsonTokenType.String)
                    link.Removed.Add(reader.GetString()!);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        if (!hasFormat || !hasRevision || !hasFiles)
            throw new FormatException("a record without its format, revision or files");
        return link;
    }

    /// <param name="lastSplit">The split the previous file named: a table has few, so files share one string each.</param>
    private static (string Path, long Size, string Id, string? Split) ParseFile(ref Utf8JsonReader reader, ref string? lastSplit)
    {
        string? path = null, id = null, split = null;
        long? size = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("path")) path = ReadString(ref reader);
            else if (reader.ValueTextEquals("id")) id = ReadOptionalString(ref reader);
            else if (reader.ValueTextEquals("split"))
            {
                split = Next(ref reader) == JsonTokenType.String && lastSplit is not null && reader.ValueTextEquals(lastSplit)
                    ? lastSplit
                    : OptionalString(ref reader);
                lastSplit = split ?? lastSplit;
            }
            else if (reader.ValueTextEquals("size"))
            {
                Expect(ref reader, JsonTokenType.Number);
                size = reader.GetInt64();
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        if (path is null || size is null)
            throw new FormatException("a file without a path or size");
        return (path, size.Value, id ?? "", split);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new FormatException("a truncated record");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type) throw new FormatException($"{reader.TokenType} where the record has a {type}");
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String);
        return reader.GetString()!;
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return OptionalString(ref reader);
    }

    private static string? OptionalString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        var type => throw new FormatException($"{type} where the record has a string"),
    };

    /// <summary>The record the chain describes: the full record (the last link) with each change applied, newest last.
    /// A file keeps the place it was first listed at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DatasetFileRecord Apply(List<Link> links, List<string> locations)
    {
        var capacity = links[^1].Files.Count;
        // One index by path serves both the chain's changes and the splits the record answers for.
        var index = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        var files = new List<RepoFile?>(capacity);
        var splits = new List<string?>(capacity);
        var allSplits = true;
        for (var i = links.Count - 1; i >= 0; i--)
        {
            foreach (var path in links[i].Removed)
                if (index.TryGetValue(path, out var at))
                    files[at] = null;
            foreach (var (path, size, id, split) in links[i].Files)
            {
                var file = new RepoFile(path, size, id);
                if (index.TryGetValue(path, out var at))
                {
                    files[at] = file;
                    splits[at] = split;
                }
                else
                {
                    index.Add(path, files.Count);
                    files.Add(file);
                    splits.Add(split);
                }
                allSplits &= split is not null;
            }
        }
        var live = new List<RepoFile>(files.Count);
        foreach (var file in files)
            if (file is not null)
                live.Add(file);
        var newest = links[0];
        return new DatasetFileRecord(live, allSplits ? new RecordedSplits(index, files, splits, live.Count) : null, newest.SnapshotId)
        {
            Location = locations[0],
            Revision = newest.Revision,
            Chain = locations,
        };
    }

    /// <summary>The split of each live file of a record, read through the index <see cref="Apply"/> built.</summary>
    private sealed class RecordedSplits(Dictionary<string, int> index, List<RepoFile?> files, List<string?> splits, int count)
        : IReadOnlyDictionary<string, string>
    {
        public int Count => count;

        public string this[string key] => TryGetValue(key, out var split) ? split : throw new KeyNotFoundException($"'{key}' is not a recorded file.");

        public IEnumerable<string> Keys => this.Select(e => e.Key);

        public IEnumerable<string> Values => this.Select(e => e.Value);

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
        {
            if (index.TryGetValue(key, out var at) && files[at] is not null)
            {
                value = splits[at]!;
                return true;
            }
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            for (var i = 0; i < files.Count; i++)
                if (files[i] is { } file)
                    yield return new KeyValuePair<string, string>(file.Path, splits[i]!);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
