using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faceberg.Core.Catalog;

/// <summary>
/// What a working copy last exchanged with its catalog repo: the repo, the commit it was published at or
/// pulled from, and the content id of every catalog file in that commit. Kept in <c>.faceberg/.published</c>
/// so "is the local copy ahead of the published catalog" needs no network, and the next publish is
/// guarded by that commit (<c>parentCommit</c>).
/// </summary>
public sealed class PublishState
{
    public const string FileName = ".published";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    [JsonPropertyName("repository")] public string Repository { get; init; } = "";

    [JsonPropertyName("commit")] public string Commit { get; init; } = "";

    /// <summary>Repo path → content id as the Hub reports it (LFS sha256, else git blob oid).</summary>
    [JsonPropertyName("files")] public SortedDictionary<string, string> Files { get; init; } = new(StringComparer.Ordinal);

    public static string PathIn(string catalogDirectory) => Path.Combine(catalogDirectory, FileName);

    /// <summary>The state of the working copy at <paramref name="catalogDirectory"/>, or null when it was never published or pulled.</summary>
    public static PublishState? Read(string catalogDirectory)
    {
        var path = PathIn(catalogDirectory);
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<PublishState>(File.ReadAllBytes(path), Options)
                   ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new FacebergException("PublishStateCorrupt", FacebergErrorKind.InvalidData,
                $"'{path}' is not a valid publish state file ({ex.Message}); delete it and pull the catalog again.", ex);
        }
    }

    public void Write(string catalogDirectory) =>
        AtomicFile.WriteAllBytes(PathIn(catalogDirectory), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Options) + "\n"));
}
