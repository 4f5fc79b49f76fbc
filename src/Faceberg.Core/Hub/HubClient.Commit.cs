using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faceberg.Core.Hub;

public sealed partial class HubClient
{
    // Batch sizes used by huggingface_hub for preupload and LFS batch calls.
    private const int PreuploadChunk = 256;
    private const int LfsBatchChunk = 256;
    private const int SampleBytes = 512;
    private const string LfsMediaType = "application/vnd.git-lfs+json";

    /// <summary>
    /// Commits <paramref name="operations"/> to <paramref name="branch"/>: preupload (which adds go to LFS),
    /// LFS batch upload of those, then the NDJSON commit. With <paramref name="parentCommit"/> the commit fails
    /// with <see cref="HubCommitConflictException"/> if the branch moved since that commit.
    /// <paramref name="uploaded"/> hears the bytes of added content sent so far (LFS objects as each one is
    /// stored, the rest when the commit is accepted).
    /// </summary>
    public async Task<CommitInfo> CreateCommitAsync(string repoId, string branch, IReadOnlyList<CommitOperation> operations,
        string summary, string? description = null, string? parentCommit = null, CancellationToken ct = default,
        IProgress<long>? uploaded = null)
    {
        HubRepoId.Validate(repoId);
        HubUrls.Revision(branch);
        ArgumentNullException.ThrowIfNull(operations);
        if (string.IsNullOrWhiteSpace(summary))
            throw new FacebergException("InvalidCommitSummary", FacebergErrorKind.InvalidArgument, "A commit needs a non-empty summary.");
        var adds = operations.OfType<CommitOperationAdd>().ToList();
        var duplicate = adds.GroupBy(a => a.PathInRepo).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FacebergException("DuplicateCommitPath", FacebergErrorKind.InvalidArgument,
                $"The commit adds '{duplicate.Key}' more than once.");

        var modes = await PreuploadAsync(repoId, branch, adds, ct).ConfigureAwait(false);
        var lfsAdds = adds.Where(a => modes[a.PathInRepo] is { ShouldIgnore: false, UploadMode: "lfs" }).ToList();
        var sent = new SentBytes(uploaded);
        await UploadLfsAsync(repoId, branch, lfsAdds, sent, ct).ConfigureAwait(false);

        var lines = new List<object>
        {
            Line("header", parentCommit is null
                ? new { summary, description = description ?? "" }
                : new { summary, description = description ?? "", parentCommit }),
        };
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case CommitOperationAdd add when modes[add.PathInRepo].ShouldIgnore:
                    break;
                case CommitOperationAdd add when modes[add.PathInRepo].UploadMode == "lfs":
                    lines.Add(Line("lfsFile", new { path = add.PathInRepo, algo = "sha256", oid = add.Sha256, size = add.Content.LongLength }));
                    break;
                case CommitOperationAdd add:
                    lines.Add(Line("file", new { content = Convert.ToBase64String(add.Content), path = add.PathInRepo, encoding = "base64" }));
                    break;
                case CommitOperationDelete { IsFolder: true } folder:
                    lines.Add(Line("deletedFolder", new { path = folder.PathInRepo }));
                    break;
                case CommitOperationDelete file:
                    lines.Add(Line("deletedFile", new { path = file.PathInRepo }));
                    break;
            }
        }
        var ndjson = new StringBuilder();
        foreach (var line in lines) ndjson.Append(JsonSerializer.Serialize(line, Json)).Append('\n');
        var body = Encoding.UTF8.GetBytes(ndjson.ToString());

        var request = new HubRequest
        {
            Method = HttpMethod.Post,
            Uri = Transport.Api($"api/datasets/{repoId}/commit/{HubUrls.Revision(branch)}"),
            Context = new("commit", repoId, branch),
            Content = () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } },
            Idempotent = false,
        };
        var commit = await Transport.SendAsync(request, ReadJsonAsync<CommitInfo>, ct).ConfigureAwait(false);
        sent.Add(adds.Where(a => modes[a.PathInRepo] is { ShouldIgnore: false, UploadMode: not "lfs" }).Sum(a => a.Content.LongLength));
        return commit;
    }

    /// <summary>A running total of uploaded bytes, added to from parallel LFS uploads.</summary>
    private sealed class SentBytes(IProgress<long>? progress)
    {
        private long _total;

        public void Add(long bytes)
        {
            if (progress is null || bytes == 0) return;
            progress.Report(Interlocked.Add(ref _total, bytes));
        }
    }

    private static Dictionary<string, object> Line(string key, object value) => new() { ["key"] = key, ["value"] = value };

    private sealed class PreuploadResponse
    {
        [JsonPropertyName("files")] public List<PreuploadFile> Files { get; init; } = [];
    }

    private sealed class PreuploadFile
    {
        [JsonPropertyName("path")] public string Path { get; init; } = "";
        [JsonPropertyName("uploadMode")] public string UploadMode { get; init; } = "regular";
        [JsonPropertyName("shouldIgnore")] public bool ShouldIgnore { get; init; }
    }

    /// <summary>POST /api/datasets/{id}/preupload/{rev}: the Hub decides per file whether it goes to LFS.</summary>
    private async Task<Dictionary<string, PreuploadFile>> PreuploadAsync(string repoId, string branch,
        IReadOnlyList<CommitOperationAdd> adds, CancellationToken ct)
    {
        var modes = new Dictionary<string, PreuploadFile>(StringComparer.Ordinal);
        foreach (var chunk in adds.Chunk(PreuploadChunk))
        {
            var payload = new
            {
                files = chunk.Select(a => new
                {
                    path = a.PathInRepo,
                    sample = Convert.ToBase64String(a.Content, 0, Math.Min(SampleBytes, a.Content.Length)),
                    size = a.Content.LongLength,
                }).ToList(),
            };
            var request = new HubRequest
            {
                Method = HttpMethod.Post,
                Uri = Transport.Api($"api/datasets/{repoId}/preupload/{HubUrls.Revision(branch)}"),
                Context = new("prepare upload", repoId, branch),
                Content = () => JsonContent(payload),
            };
            var response = await Transport.SendAsync(request, ReadJsonAsync<PreuploadResponse>, ct).ConfigureAwait(false);
            foreach (var file in response.Files) modes[file.Path] = file;
        }
        foreach (var add in adds)
            if (!modes.ContainsKey(add.PathInRepo))
                throw new HubException("HubInvalidResponse", FacebergErrorKind.InvalidData,
                    $"The Hub's preupload answer for '{repoId}' did not mention '{add.PathInRepo}'.");
        return modes;
    }

    private sealed class LfsBatchResponse
    {
        [JsonPropertyName("objects")] public List<LfsObject> Objects { get; init; } = [];
    }

    private sealed class LfsObject
    {
        [JsonPropertyName("oid")] public string Oid { get; init; } = "";
        [JsonPropertyName("size")] public long Size { get; init; }
        [JsonPropertyName("actions")] public Dictionary<string, LfsAction>? Actions { get; init; }
        [JsonPropertyName("error")] public LfsError? Error { get; init; }
    }

    private sealed class LfsAction
    {
        [JsonPropertyName("href")] public string Href { get; init; } = "";
        [JsonPropertyName("header")] public Dictionary<string, string>? Header { get; init; }
    }

    private sealed class LfsError
    {
        [JsonPropertyName("code")] public int Code { get; init; }
        [JsonPropertyName("message")] public string? Message { get; init; }
    }

    /// <summary>Git LFS batch API (basic transfer): PUT each object the server asks for, then verify if asked.</summary>
    private async Task UploadLfsAsync(string repoId, string branch, IReadOnlyList<CommitOperationAdd> adds, SentBytes sent, CancellationToken ct)
    {
        // The same content under two paths is one LFS object.
        var byOid = adds.GroupBy(a => a.Sha256).ToDictionary(g => g.Key, g => g.First());
        foreach (var chunk in byOid.Values.Chunk(LfsBatchChunk))
        {
            var payload = new
            {
                operation = "upload",
                transfers = new[] { "basic" },
                objects = chunk.Select(a => new { oid = a.Sha256, size = a.Content.LongLength }).ToList(),
                hash_algo = "sha256",
                @ref = new { name = branch },
            };
            var lfsHeaders = new Dictionary<string, string> { ["Accept"] = LfsMediaType };
            var request = new HubRequest
            {
                Method = HttpMethod.Post,
                Uri = Transport.Api($"datasets/{repoId}.git/info/lfs/objects/batch"),
                Context = new("start LFS upload", repoId, branch),
                Headers = lfsHeaders,
                Content = () => new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(payload, Json))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue(LfsMediaType) },
                },
            };
            var batch = await Transport.SendAsync(request, ReadJsonAsync<LfsBatchResponse>, ct).ConfigureAwait(false);
            await Task.WhenAll(batch.Objects.Select(o => UploadLfsObjectAsync(repoId, branch, o, byOid, sent, ct))).ConfigureAwait(false);
        }
    }

    private async Task UploadLfsObjectAsync(string repoId, string branch, LfsObject lfs,
        IReadOnlyDictionary<string, CommitOperationAdd> byOid, SentBytes sent, CancellationToken ct)
    {
        if (!byOid.TryGetValue(lfs.Oid, out var add))
            throw new HubException("HubInvalidResponse", FacebergErrorKind.InvalidData,
                $"The LFS batch answer for '{repoId}' names an object that was not requested ({lfs.Oid}).");
        if (lfs.Error is { } error)
            throw new HubException("HubLfsRejected", FacebergErrorKind.InvalidData,
                $"The Hub refused the LFS upload of '{add.PathInRepo}' to '{repoId}': {error.Code} {error.Message}");
        // No actions: the Hub already has this object.
        if (lfs.Actions is null)
        {
            sent.Add(add.Content.LongLength);
            return;
        }

        if (lfs.Actions.TryGetValue("upload", out var upload))
        {
            var put = new HubRequest
            {
                Method = HttpMethod.Put,
                Uri = new Uri(Endpoint, upload.Href),
                Context = new("upload LFS object for", repoId, branch, add.PathInRepo),
                Headers = upload.Header,
                Content = () => new ByteArrayContent(add.Content),
            };
            await Transport.SendAsync(put, (_, _) => Task.FromResult(true), ct).ConfigureAwait(false);
        }
        if (lfs.Actions.TryGetValue("verify", out var verify))
        {
            var post = new HubRequest
            {
                Method = HttpMethod.Post,
                Uri = new Uri(Endpoint, verify.Href),
                Context = new("verify LFS object for", repoId, branch, add.PathInRepo),
                Headers = verify.Header,
                Content = () => new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { oid = add.Sha256, size = add.Content.LongLength }, Json))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue(LfsMediaType) },
                },
            };
            await Transport.SendAsync(post, (_, _) => Task.FromResult(true), ct).ConfigureAwait(false);
        }
        sent.Add(add.Content.LongLength);
    }
}
