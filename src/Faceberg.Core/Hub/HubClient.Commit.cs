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

        // The marker makes this commit recognisable in the branch history after an ambiguous answer.
        var marker = CommitMarker.New();
        var fullDescription = string.IsNullOrWhiteSpace(description) ? marker : description.TrimEnd() + "\n\n" + marker;
        var lines = new List<object>();
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

        // A commit is not idempotent: after an answer that does not say whether it was applied, the branch
        // history says. Landed: that commit is the result. Not landed: a resend is safe because it carries a
        // parentCommit guard (the caller's, or the head just read), so at most one copy can ever land.
        var inlineBytes = adds.Where(a => modes[a.PathInRepo] is { ShouldIgnore: false, UploadMode: not "lfs" }).Sum(a => a.Content.LongLength);
        CommitInfo Landed(CommitInfo info)
        {
            sent.Add(inlineBytes);
            return info;
        }
        var guard = parentCommit;
        HubUnavailableException? ambiguous = null;
        for (var attempt = 0; ; attempt++)
        {
            var body = CommitBody(summary, fullDescription, guard, lines);
            try
            {
                CrashPoints.Reach(CrashPoints.HubCommitSending);
                var result = await SendCommitAsync(repoId, branch, body, ct).ConfigureAwait(false);
                CrashPoints.Reach(CrashPoints.HubCommitLanded);
                return Landed(result);
            }
            catch (HubUnavailableException e) when (e.MayHaveBeenApplied)
            {
                ambiguous = e;
            }
            catch (HubCommitConflictException) when (ambiguous is not null)
            {
                // The branch moved since the guard: possibly by an earlier attempt of this very commit.
                var check = await FindCommitAsync(repoId, branch, summary, marker, guard, ambiguous, ct).ConfigureAwait(false);
                if (check.Landed is { } landed) return Landed(landed);
                throw;
            }

            var outcome = await FindCommitAsync(repoId, branch, summary, marker, guard, ambiguous, ct).ConfigureAwait(false);
            if (outcome.Landed is { } info) return Landed(info);
            if (attempt >= Options.MaxRetries)
                throw new HubUnavailableException(
                    $"Could not commit \"{summary}\" to branch '{branch}' of '{repoId}': the Hub failed {attempt + 1} time(s) ({Reason(ambiguous)}). "
                    + $"Faceberg checked the branch history: the commit is not on it (head {outcome.Head ?? "none"}), so nothing was written. Retry later.",
                    ambiguous.StatusCode, ambiguous);
            guard ??= outcome.Head;
            await Task.Delay(Transport.RetryDelay(attempt, null), ct).ConfigureAwait(false);
        }
    }

    private static byte[] CommitBody(string summary, string description, string? parentCommit, IReadOnlyList<object> operations)
    {
        var header = Line("header", parentCommit is null
            ? new { summary, description }
            : new { summary, description, parentCommit });
        var ndjson = new StringBuilder();
        ndjson.Append(JsonSerializer.Serialize(header, Json)).Append('\n');
        foreach (var line in operations) ndjson.Append(JsonSerializer.Serialize(line, Json)).Append('\n');
        return Encoding.UTF8.GetBytes(ndjson.ToString());
    }

    private Task<CommitInfo> SendCommitAsync(string repoId, string branch, byte[] body, CancellationToken ct)
    {
        var request = new HubRequest
        {
            Method = HttpMethod.Post,
            Uri = Transport.Api($"api/datasets/{repoId}/commit/{HubUrls.Revision(branch)}"),
            Context = new("commit", repoId, branch),
            Content = () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } },
            Idempotent = false,
        };
        return Transport.SendAsync(request, ReadJsonAsync<CommitInfo>, ct);
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

    private const int MaxHistoryPagesChecked = 20;

    /// <summary>What the branch history says about a commit whose answer was ambiguous.</summary>
    private sealed record CommitCheck(CommitInfo? Landed, string? Head);

    /// <summary>
    /// Looks for the commit carrying <paramref name="marker"/> in the branch history, newest first, down to
    /// <paramref name="parent"/> (the commit it was based on: anything older cannot be it).
    /// </summary>
    /// <exception cref="HubCommitOutcomeUnknownException">The history could not be read, or the parent is not in it.</exception>
    private async Task<CommitCheck> FindCommitAsync(string repoId, string branch, string summary, string marker, string? parent,
        HubUnavailableException ambiguous, CancellationToken ct)
    {
        string? head = null;
        try
        {
            Uri? next = Transport.Api($"api/datasets/{repoId}/commits/{HubUrls.Revision(branch)}");
            for (var page = 0; next is not null && page < MaxHistoryPagesChecked; page++)
            {
                var current = next;
                var (commits, link) = await Transport.SendAsync(
                    new HubRequest { Method = HttpMethod.Get, Uri = current, Context = new("list commits", repoId, branch) },
                    async (response, token) => (await ReadJsonAsync<List<HubCommit>>(response, token).ConfigureAwait(false), NextLink(response, current)),
                    ct).ConfigureAwait(false);
                foreach (var commit in commits)
                {
                    head ??= commit.Id;
                    if (commit.Message.Contains(marker, StringComparison.Ordinal) || commit.Title.Contains(marker, StringComparison.Ordinal))
                        return new CommitCheck(new CommitInfo { CommitOid = commit.Id, CommitUrl = new Uri(Endpoint, $"datasets/{repoId}/commit/{commit.Id}").ToString() }, head);
                    if (parent is not null && string.Equals(commit.Id, parent, StringComparison.OrdinalIgnoreCase))
                        return new CommitCheck(null, head);
                }
                next = link;
            }
            if (next is null && parent is null) return new CommitCheck(null, head);
        }
        catch (FacebergException e)
        {
            throw OutcomeUnknown(repoId, branch, summary, marker, ambiguous, $"reading the branch history failed too: {e.Message}", e);
        }
        throw OutcomeUnknown(repoId, branch, summary, marker, ambiguous,
            parent is null
                ? $"its newest {MaxHistoryPagesChecked} pages of history do not settle it"
                : $"the commit it was based on ({parent}) is not in the newest {MaxHistoryPagesChecked} pages of its history", null);
    }

    private HubCommitOutcomeUnknownException OutcomeUnknown(string repoId, string branch, string summary, string marker,
        HubUnavailableException ambiguous, string why, Exception? inner) =>
        new($"The commit \"{summary}\" to branch '{branch}' of '{repoId}' got no clear answer from the Hub ({Reason(ambiguous)}), and whether it landed "
            + $"is unknown: {why}. It may or may not be on the branch. Before running the command again, look in "
            + $"{new Uri(Endpoint, $"datasets/{repoId}/commits/{branch}")} for a commit whose description contains '{marker}': if it is there, the change was made.",
            marker, inner ?? ambiguous);

    private static string Reason(HubUnavailableException e) =>
        e.StatusCode is { } status ? $"HTTP {(int)status}" : "the connection failed before an answer arrived";

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
