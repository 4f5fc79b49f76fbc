using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faceberg.Core.Hub;

/// <summary>GET /api/datasets/{id}[/revision/{rev}].</summary>
public sealed class DatasetInfo
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    /// <summary>Commit sha the revision resolved to.</summary>
    [JsonPropertyName("sha")] public string? Sha { get; init; }
    [JsonPropertyName("lastModified")] public DateTimeOffset? LastModified { get; init; }
    [JsonPropertyName("private")] public bool Private { get; init; }
    [JsonPropertyName("siblings")] public IReadOnlyList<HubSibling> Siblings { get; init; } = [];
    /// <summary>The README's YAML front matter as JSON (configs, data_files, …), when there is one.</summary>
    [JsonPropertyName("cardData")] public JsonElement? CardData { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyList<string> Tags { get; init; } = [];
}

public sealed class HubSibling
{
    [JsonPropertyName("rfilename")] public string RFilename { get; init; } = "";
    [JsonPropertyName("size")] public long? Size { get; init; }
    [JsonPropertyName("blobId")] public string? BlobId { get; init; }
    [JsonPropertyName("lfs")] public HubLfsInfo? Lfs { get; init; }
}

/// <summary>One entry of a tree listing or paths-info answer.</summary>
public sealed class HubTreeEntry
{
    /// <summary>"file" or "directory".</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    [JsonPropertyName("size")] public long Size { get; init; }
    /// <summary>Git blob id (files) or tree id (directories).</summary>
    [JsonPropertyName("oid")] public string Oid { get; init; } = "";
    [JsonPropertyName("lfs")] public HubLfsInfo? Lfs { get; init; }

    [JsonIgnore] public bool IsFile => Type == "file";
    [JsonIgnore] public bool IsDirectory => Type == "directory";
}

public sealed class HubLfsInfo
{
    /// <summary>SHA-256 of the content.</summary>
    [JsonPropertyName("oid")] public string Oid { get; init; } = "";
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("pointerSize")] public long? PointerSize { get; init; }
}

/// <summary>GET /api/datasets/{id}/refs.</summary>
public sealed class HubRefs
{
    [JsonPropertyName("branches")] public IReadOnlyList<HubRef> Branches { get; init; } = [];
    /// <summary>Conversion branches such as refs/convert/parquet.</summary>
    [JsonPropertyName("converts")] public IReadOnlyList<HubRef> Converts { get; init; } = [];
    [JsonPropertyName("tags")] public IReadOnlyList<HubRef> Tags { get; init; } = [];
}

public sealed class HubRef
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>Full ref, e.g. refs/heads/main or refs/convert/parquet.</summary>
    [JsonPropertyName("ref")] public string Ref { get; init; } = "";
    [JsonPropertyName("targetCommit")] public string TargetCommit { get; init; } = "";
}

/// <summary>One entry of GET /api/datasets/{id}/commits/{rev}.</summary>
public sealed class HubCommit
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("title")] public string Title { get; init; } = "";
    [JsonPropertyName("message")] public string Message { get; init; } = "";
    [JsonPropertyName("date")] public DateTimeOffset? Date { get; init; }
    [JsonPropertyName("authors")] public IReadOnlyList<HubCommitAuthor> Authors { get; init; } = [];
}

public sealed class HubCommitAuthor
{
    [JsonPropertyName("user")] public string User { get; init; } = "";
}

/// <summary>What a HEAD on a resolve URL tells about a file.</summary>
public sealed record HubFileMetadata(long Size, string? ETag, string? CommitSha, Uri? Location);

/// <summary>Result of a commit.</summary>
public sealed class CommitInfo
{
    [JsonPropertyName("commitOid")] public string CommitOid { get; init; } = "";
    [JsonPropertyName("commitUrl")] public string CommitUrl { get; init; } = "";
}
