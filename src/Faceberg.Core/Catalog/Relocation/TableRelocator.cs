using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro.Generic;
using Faceberg.Core.Iceberg.Avro;

namespace Faceberg.Core.Catalog.Relocation;

/// <summary>One file a relocation writes: its path inside the table folder ("/metadata/…") and its content.</summary>
public sealed record RelocatedFile(string Rest, byte[] Content);

/// <summary>
/// Rewrites the files of one table folder from the location its metadata records to another, the way Iceberg's
/// rewrite-table-path does: table metadata JSON (location, metadata-log, manifest lists, and any other value under
/// the old location), manifest lists (manifest_path, and manifest_length of a manifest rewritten with it),
/// manifests (data_file.file_path: a data or delete file under the table folder; files elsewhere, such as a dataset
/// repo's hf:// files, keep their path) and Faceberg's own JSON records (plain or gzipped), whatever their shape:
/// every string value under the old location is rewritten. Avro files keep their schema text, header keys and
/// codec. Only the files in <see cref="Folder"/> are read: the old location may be another copy of the catalog,
/// whose files are never opened.
/// </summary>
public sealed class TableRelocator
{
    private static readonly JsonSerializerOptions JsonWrite = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, Result> _done = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
    private readonly bool _newNames;
    private readonly string _suffix;

    /// <param name="folder">The local folder that holds the table's files.</param>
    /// <param name="rewrite">From the location the metadata records to the new one.</param>
    /// <param name="newNames">Write every rewritten file under a new name (Iceberg files never change once written) rather than over itself.</param>
    private TableRelocator(string folder, PathRewrite rewrite, bool newNames)
    {
        Folder = Path.GetFullPath(folder);
        Rewrite = rewrite;
        _newNames = newNames;
        _suffix = "-relocated-" + Guid.NewGuid().ToString("N")[..8];
    }

    public string Folder { get; }
    public PathRewrite Rewrite { get; }

    private sealed record Result(string Rest, byte[]? Content);

    /// <summary>
    /// Every file of the table folder rewritten over itself (same names): all metadata versions, manifest lists,
    /// manifests and records, so the whole history reads at the new location. Files with nothing to rewrite are
    /// not listed.
    /// </summary>
    public static IReadOnlyList<RelocatedFile> RewriteAll(string folder, PathRewrite rewrite)
    {
        var relocator = new TableRelocator(folder, rewrite, newNames: false);
        if (Directory.Exists(relocator.Folder))
        {
            foreach (var file in Directory.EnumerateFiles(relocator.Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var rest = "/" + Path.GetRelativePath(relocator.Folder, file).Replace('\\', '/');
                if (!rest.Split('/').Any(p => p.StartsWith('.')))
                    relocator.Process(rest);
            }
        }
        return relocator.Written();
    }

    /// <summary>
    /// A new metadata version v<paramref name="currentVersion"/>+1 at the new location: the current version's
    /// metadata rewritten, with the manifest lists, manifests and records it reaches written anew under new names,
    /// and the current version appended to the metadata log. No existing file changes; the new metadata file is
    /// the last of <see cref="RelocatedVersion.Files"/>.
    /// </summary>
    public static RelocatedVersion NewVersion(string folder, PathRewrite rewrite, int currentVersion, long nowMs)
    {
        var relocator = new TableRelocator(folder, rewrite, newNames: true);
        var currentRest = string.Create(CultureInfo.InvariantCulture, $"/metadata/v{currentVersion}.metadata.json");
        var currentFile = relocator.LocalFile(currentRest);
        var root = ParseJson(File.ReadAllBytes(currentFile), currentFile);
        relocator.RewriteStrings(root, follow: true);
        if (root is JsonObject metadata)
        {
            var previousUpdate = metadata["last-updated-ms"]?.GetValue<long>() ?? nowMs;
            if (metadata["metadata-log"] is not JsonArray log)
                metadata["metadata-log"] = log = [];
            log.Add(new JsonObject
            {
                ["timestamp-ms"] = previousUpdate,
                ["metadata-file"] = rewrite.To + currentRest,
            });
            metadata["last-updated-ms"] = Math.Max(nowMs, previousUpdate);
        }
        var next = currentVersion + 1;
        var files = relocator.Written().ToList();
        files.Add(new RelocatedFile(string.Create(CultureInfo.InvariantCulture, $"/metadata/v{next}.metadata.json"), SerializeJson(root)));
        return new RelocatedVersion(next, files);
    }

    private IReadOnlyList<RelocatedFile> Written() =>
        _done.Values.Where(r => r.Content is not null).Select(r => new RelocatedFile(r.Rest, r.Content!)).OrderBy(f => f.Rest, StringComparer.Ordinal).ToList();

    private string LocalFile(string rest) => Path.Combine(Folder, rest.TrimStart('/').Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The file at <paramref name="rest"/> rewritten (memoized; references it holds first); unchanged files map to themselves.</summary>
    private Result Process(string rest)
    {
        if (_done.TryGetValue(rest, out var done))
            return done;
        // Paths come from metadata, which may be anyone's (a pulled repo): only files inside the table folder are read or
        // rewritten; "<old>/../elsewhere" is rewritten as a string and never followed.
        if (!IsInsideFolder(rest))
            return new Result(rest, null);
        var file = LocalFile(rest);
        // A reference cycle between records would recurse forever; the second visit keeps the name it has.
        if (!_inProgress.Add(rest) || !File.Exists(file) || !IsRewritable(rest))
            return new Result(rest, null);
        var bytes = File.ReadAllBytes(file);
        var content = Rewritten(rest, bytes, file);
        _inProgress.Remove(rest);
        var result = content is null ? new Result(rest, null) : new Result(_newNames ? Renamed(rest) : rest, content);
        _done[rest] = result;
        return result;
    }

    private bool IsInsideFolder(string rest) =>
        !rest.Split('/').Any(p => p is "." or "..") && !rest.Contains('\\', StringComparison.Ordinal)
        && PathSafety.IsSameOrInside(LocalFile(rest), Folder) && LocalFile(rest) != Folder;

    private static bool IsRewritable(string rest) =>
        rest.EndsWith(".avro", StringComparison.Ordinal) || rest.EndsWith(".json", StringComparison.Ordinal) || rest.EndsWith(".json.gz", StringComparison.Ordinal);

    private byte[]? Rewritten(string rest, byte[] bytes, string file)
    {
        if (rest.EndsWith(".avro", StringComparison.Ordinal))
        {
            return AvroKind(bytes, file) switch
            {
                "manifest_file" => AvroContainer.Rewrite(bytes, file, RewriteManifestListEntry),
                "manifest_entry" => AvroContainer.Rewrite(bytes, file, RewriteManifestEntry),
                _ => null,
            };
        }
        var gzipped = rest.EndsWith(".gz", StringComparison.Ordinal);
        JsonNode? root;
        try
        {
            root = ParseJson(gzipped ? Gunzip(bytes) : bytes, file);
        }
        catch (FacebergException) when (!rest.EndsWith(".metadata.json", StringComparison.Ordinal))
        {
            return null; // Not JSON after all: a file of someone else's, left as it is.
        }
        if (!RewriteStrings(root, follow: !rest.EndsWith(".metadata.json", StringComparison.Ordinal) || _newNames))
            return null;
        var json = SerializeJson(root);
        return gzipped ? Gzip(json) : json;
    }

    private static string? AvroKind(byte[] bytes, string file)
    {
        var header = AvroContainer.ReadHeaderMetadata(bytes, file);
        if (!header.TryGetValue("avro.schema", out var schema))
            return null;
        return JsonNode.Parse(schema) is JsonObject o && o["name"] is JsonValue name && name.TryGetValue<string>(out var n) ? n : null;
    }

    private bool RewriteManifestListEntry(GenericRecord record)
    {
        if (!record.TryGetValue("manifest_path", out var value) || value is not string path || Rewrite.RestOf(path) is not { } rest)
            return false;
        var manifest = Process(rest);
        record.Add("manifest_path", Rewrite.To + manifest.Rest);
        if (manifest.Content is { } content)
            record.Add("manifest_length", (long)content.Length);
        return true;
    }

    private bool RewriteManifestEntry(GenericRecord entry)
    {
        if (!entry.TryGetValue("data_file", out var value) || value is not GenericRecord file
            || !file.TryGetValue("file_path", out var p) || p is not string path || Rewrite.RestOf(path) is null)
            return false;
        file.Add("file_path", Rewrite.Apply(path));
        return true;
    }

    /// <summary>Rewrites every string under the old location; with <paramref name="follow"/>, the files they name in
    /// the folder are rewritten first (a renamed one is then named by its new name). Metadata versions are never
    /// followed: the metadata log keeps naming them.</summary>
    private bool RewriteStrings(JsonNode? node, bool follow)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        if (Relocate(s, follow) is { } next) { o[key] = next; changed = true; }
                    }
                    else
                        changed |= RewriteStrings(child, follow);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        if (Relocate(s, follow) is { } next) { a[i] = next; changed = true; }
                    }
                    else
                        changed |= RewriteStrings(a[i], follow);
                }
                break;
        }
        return changed;
    }

    private string? Relocate(string value, bool follow)
    {
        if (Rewrite.RestOf(value) is not { } rest)
            return null;
        if (follow && rest.Length > 0 && !rest.EndsWith(".metadata.json", StringComparison.Ordinal))
            rest = Process(rest).Rest;
        return Rewrite.To + rest;
    }

    private string Renamed(string rest)
    {
        var slash = rest.LastIndexOf('/');
        var name = rest[(slash + 1)..];
        var dot = name.EndsWith(".json.gz", StringComparison.Ordinal) ? name.Length - ".json.gz".Length : name.LastIndexOf('.');
        if (dot <= 0)
            dot = name.Length;
        return rest[..(slash + 1)] + name[..dot] + _suffix + name[dot..];
    }

    private static JsonNode? ParseJson(byte[] bytes, string file)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new FacebergException("InvalidTableFile", FacebergErrorKind.InvalidData, $"'{file}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private static byte[] SerializeJson(JsonNode? node) => JsonSerializer.SerializeToUtf8Bytes(node, JsonWrite);

    private static byte[] Gunzip(byte[] bytes)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new FacebergException("InvalidTableFile", FacebergErrorKind.InvalidData, $"not gzip data: {ex.Message}", ex);
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(bytes);
        return output.ToArray();
    }
}

/// <summary>A relocation written as a new metadata version: the files to write (new names only), the metadata file last.</summary>
public sealed record RelocatedVersion(int Version, IReadOnlyList<RelocatedFile> Files);
