using System.IO.Compression;
using System.Text.Json;
using Faceberg.Core.Discovery;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// The identities (path, content id, size) of a dataset table's files at the commit its data was read
/// from, kept with the table so a sync can compare revisions without listing the old commit's tree.
/// Iceberg has no place for a file's source content id (key_metadata is for encryption, Puffin blobs for
/// column statistics), so it is a Faceberg-owned gzipped JSON file in the table's metadata folder, written by
/// the same commit that sets <see cref="TableProperties.RevisionFiles"/> to its location; readers other
/// than Faceberg ignore both.
/// </summary>
internal static class RevisionFileRecord
{
    private const int Format = 1;
    private const string FilePrefix = "faceberg-files";

    /// <summary>Adds the record of <paramref name="files"/> at <paramref name="dataRevision"/> to a commit.</summary>
    public static void AddTo<T>(SnapshotUpdate<T> update, string dataRevision, IEnumerable<RepoFile> files) where T : SnapshotUpdate<T>
    {
        var buffer = new MemoryStream();
        // Content ids are hex digests: gzip halves the ~130 bytes a file takes as JSON.
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var json = new Utf8JsonWriter(gzip))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("revision", dataRevision);
            json.WriteStartArray("files");
            foreach (var file in files)
            {
                json.WriteStartObject();
                json.WriteString("path", file.Path);
                json.WriteString("id", file.ContentId);
                json.WriteNumber("size", file.Size);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        update.SetPropertyFile(TableProperties.RevisionFiles, FilePrefix, "json.gz", buffer.ToArray());
    }

    /// <summary>
    /// The recorded files of <paramref name="table"/> when the record exists and describes
    /// <paramref name="dataRevision"/>; null otherwise (a table created before the record existed, or whose
    /// record is missing, unreadable or stale), and the caller lists the revision instead.
    /// </summary>
    public static async Task<IReadOnlyList<RepoFile>?> ReadAsync(IcebergTable table, string dataRevision, CancellationToken ct)
    {
        if (!table.Metadata.Properties.TryGetValue(TableProperties.RevisionFiles, out var location) || location.Length == 0)
            return null;
        byte[] bytes;
        try
        {
            bytes = await table.Io.ReadAllBytesAsync(location, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var doc = JsonDocument.Parse(gzip);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetInt32() != Format
                || !string.Equals(root.GetProperty("revision").GetString(), dataRevision, StringComparison.OrdinalIgnoreCase))
                return null;
            var files = new List<RepoFile>();
            foreach (var file in root.GetProperty("files").EnumerateArray())
                files.Add(new RepoFile(file.GetProperty("path").GetString() ?? throw new FormatException("a file without a path"), file.GetProperty("size").GetInt64(), file.GetProperty("id").GetString() ?? ""));
            return files;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
