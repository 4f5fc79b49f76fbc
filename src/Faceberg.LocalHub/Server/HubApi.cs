using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Faceberg.LocalHub.Store;

namespace Faceberg.LocalHub.Server;

/// <summary>The Hub's HTTP endpoints over the store. Routes match the paths huggingface_hub calls.</summary>
internal sealed class HubApi(LocalHubServer server)
{
    private LocalHubStore Store => server.Store;
    private LocalHubOptions Options => server.Options;

    public Task HandleAsync(HubRequest r)
    {
        var s = r.Segments;
        if (Options.RequiredToken is not null && !server.TokenMatches(r.BearerToken))
            throw new LocalHubException(401, null, "Invalid credentials in Authorization header");

        // The upload URL is presigned (checked in UploadObjectAsync); on the Hub's own host it also needs the token.
        if (s.Length == 4 && s[0] == "lfs-upload" && r.Method == "PUT")
        {
            CheckWriteToken(r);
            return UploadObjectAsync(r);
        }
        if (s.Length == 4 && s[0] == "lfs-verify" && r.Method == "POST")
        {
            CheckWriteToken(r);
            return VerifyObjectAsync(r);
        }

        if (s.Length >= 2 && s[0] == "api")
        {
            if (s[1] == "whoami-v2" && s.Length == 2) return WhoAmI(r);
            if (s[1] == "repos" && s.Length == 3 && s[2] == "create" && r.Method == "POST")
            {
                CheckWriteToken(r);
                return CreateRepoAsync(r);
            }
            if (s[1] == "repos" && s.Length == 3 && s[2] == "delete" && r.Method == "DELETE")
            {
                CheckWriteToken(r);
                return DeleteRepoAsync(r);
            }
            if (s[1] == "datasets" && s.Length >= 4) return DatasetApiAsync(r, $"{r.Segment(2)}/{r.Segment(3)}");
        }
        if (s.Length >= 6 && s[0] == "datasets" && s[3] == "resolve" && r.Method is "GET" or "HEAD")
            return ResolveAsync(r, $"{r.Segment(1)}/{r.Segment(2)}");
        if (s.Length == 7 && s[0] == "datasets" && s[2].EndsWith(".git", StringComparison.Ordinal)
            && string.Join('/', s[3..]) == "info/lfs/objects/batch" && r.Method == "POST")
            return LfsBatchAsync(r, $"{r.Segment(1)}/{r.Segment(2)[..^4]}");
        throw new LocalHubException(404, null, $"Not found: {r.Method} {r.RawPath}");
    }

    /// <summary>The CDN host serves LFS objects by sha256 (and accepts uploads); it never checks tokens.</summary>
    public Task HandleCdnAsync(HubRequest r)
    {
        var s = r.Segments;
        if (s.Length == 4 && s[0] == "cdn" && r.Method is "GET" or "HEAD")
        {
            var repoId = $"{r.Segment(1)}/{r.Segment(2)}";
            var sha = r.Segment(3);
            if (!Store.HasObject(repoId, sha)) throw new LocalHubException(404, null, "Object not found");
            return r.ServeContentAsync(() => Store.OpenObject(repoId, sha), Store.ObjectSize(repoId, sha), Quote(sha));
        }
        if (s.Length == 4 && s[0] == "lfs-upload" && r.Method == "PUT") return UploadObjectAsync(r);
        throw new LocalHubException(404, null, $"Not found: {r.Method} {r.RawPath}");
    }

    // ---- /api/datasets/{org}/{name}/... ---------------------------------------------------------

    private Task DatasetApiAsync(HubRequest r, string repoId)
    {
        var s = r.Segments;
        var action = s.Length > 4 ? s[4] : null;
        // Every action but info, refs and commits names a revision (or branch) in segment 5.
        if (action is not null and not ("refs" or "commits") && s.Length < 6)
            throw new LocalHubException(404, null, $"Not found: {r.Method} {r.RawPath}");
        switch (action, r.Method)
        {
            case (null, "GET"):
                CheckAccess(r, repoId);
                return Info(r, repoId, LocalHubStore.DefaultBranch);
            case ("revision", "GET"):
                CheckAccess(r, repoId);
                return Info(r, repoId, r.Rest(5));
            case ("tree", "GET"):
            {
                CheckAccess(r, repoId);
                var revision = r.Revision(5, out var next);
                return Tree(r, repoId, revision, r.Rest(next));
            }
            case ("paths-info", "POST"):
                CheckAccess(r, repoId);
                return PathsInfoAsync(r, repoId, r.Revision(5, out _));
            case ("refs", "GET"):
                CheckAccess(r, repoId);
                return Refs(r, repoId);
            case ("commits", "GET"):
                CheckAccess(r, repoId);
                return Commits(r, repoId, s.Length > 5 ? r.Revision(5, out _) : LocalHubStore.DefaultBranch);
            case ("preupload", "POST"):
                CheckWriteAccess(r, repoId);
                return PreuploadAsync(r, repoId, r.Revision(5, out _));
            case ("commit", "POST"):
                CheckWriteAccess(r, repoId);
                return CommitAsync(r, repoId, r.Revision(5, out _));
            case ("branch", "POST"):
                CheckWriteAccess(r, repoId);
                return CreateBranchAsync(r, repoId, r.Revision(5, out _));
            case ("branch", "DELETE"):
                CheckWriteAccess(r, repoId);
                Store.DeleteBranch(repoId, r.Revision(5, out _));
                r.Json(200, new JsonObject());
                return Task.CompletedTask;
            case ("tag", "POST"):
                CheckWriteAccess(r, repoId);
                return CreateTagAsync(r, repoId, r.Revision(5, out _));
        }
        throw new LocalHubException(404, null, $"Not found: {r.Method} {r.RawPath}");
    }

    /// <summary>
    /// Private repos answer as missing (401 RepoNotFound) to anyone but the token's owner, as the Hub does.
    /// </summary>
    private void CheckAccess(HubRequest r, string repoId)
    {
        if (!Store.RepoExists(repoId)) throw LocalHubException.RepoNotFound(repoId);
        if (Store.IsPrivate(repoId) && !server.TokenMatches(r.BearerToken))
            throw new LocalHubException(401, "RepoNotFound", $"Repository not found: {repoId}");
    }

    /// <summary>Every write needs the user's token, as on the Hub: none or another one is 401.</summary>
    private void CheckWriteToken(HubRequest r)
    {
        if (r.BearerToken is null) throw new LocalHubException(401, null, "Invalid username or password.");
        if (!server.TokenMatches(r.BearerToken)) throw new LocalHubException(401, null, "Invalid credentials in Authorization header");
    }

    private void CheckWriteAccess(HubRequest r, string repoId)
    {
        CheckAccess(r, repoId);
        CheckWriteToken(r);
    }

    // The properties `expand` may name (huggingface_hub's ExpandDatasetProperty_T); the Hub refuses any other.
    private static readonly HashSet<string> ExpandableProperties = new(StringComparer.Ordinal)
    {
        "author", "cardData", "citation", "createdAt", "disabled", "description", "downloads", "downloadsAllTime", "gated",
        "lastModified", "likes", "paperswithcode_id", "private", "siblings", "sha", "tags", "trendingScore", "usedStorage",
        "resourceGroup", "xetEnabled",
    };

    private Task Info(HubRequest r, string repoId, string revision)
    {
        var commit = Store.GetCommit(repoId, revision);
        // With `expand`, the Hub answers only _id, id and the properties named (dataset_info(expand=[...])).
        var expand = r.Query.GetValues("expand");
        if (expand?.FirstOrDefault(p => !ExpandableProperties.Contains(p)) is { } unknown)
            throw LocalHubException.BadRequest($"\"expand\" must be one of {string.Join(", ", ExpandableProperties.Order(StringComparer.Ordinal))}; got \"{unknown}\"");
        bool Wanted(string property) => expand is null || expand.Contains(property);
        var info = new JsonObject
        {
            ["_id"] = GitHashes.Sha1Hex(repoId)[..24],
            ["id"] = repoId,
        };
        if (Wanted("author")) info["author"] = repoId[..repoId.IndexOf('/')];
        if (Wanted("sha")) info["sha"] = commit.Id;
        if (Wanted("lastModified")) info["lastModified"] = FormatDate(commit.Date);
        if (Wanted("private")) info["private"] = Store.IsPrivate(repoId);
        if (Wanted("gated")) info["gated"] = false;
        if (Wanted("disabled")) info["disabled"] = false;
        if (Wanted("downloads")) info["downloads"] = 0;
        if (Wanted("likes")) info["likes"] = 0;
        if (Wanted("tags")) info["tags"] = new JsonArray();
        var readme = Wanted("cardData") ? commit.Files.FirstOrDefault(f => f.Path == "README.md") : null;
        if (readme is not null && CardData.FromReadme(Encoding.UTF8.GetString(Store.ReadFile(repoId, commit.Id, readme.Path))) is { } card)
            info["cardData"] = card;
        if (Wanted("siblings"))
        {
            var blobs = r.QueryFlag("blobs");
            var siblings = new JsonArray();
            foreach (var file in commit.Files)
            {
                var sibling = new JsonObject { ["rfilename"] = file.Path };
                if (blobs)
                {
                    sibling["size"] = file.Size;
                    sibling["blobId"] = file.GitOid;
                    if (file.IsLfs) sibling["lfs"] = new JsonObject { ["sha256"] = file.Sha256, ["size"] = file.Size, ["pointerSize"] = file.PointerSize };
                }
                siblings.Add(sibling);
            }
            info["siblings"] = siblings;
        }
        if (Wanted("createdAt")) info["createdAt"] = FormatDate(Store.CreatedAt(repoId));
        if (Wanted("usedStorage")) info["usedStorage"] = commit.Files.Sum(f => f.Size);
        r.Json(200, info);
        return Task.CompletedTask;
    }

    // ---- tree and paths-info ----------------------------------------------------------------

    // A listing is paged, and every page's request names the same commit and folder: the last listing is kept with
    // each entry's JSON, so paging through a 100,000-file repo builds the listing and serializes each entry once, not
    // once per page (commits never change). The local Hub runs in the benchmark's process: its time per page would
    // otherwise be charged to the client it serves.
    private readonly object _listingGate = new();
    private (string Key, TreeListing Listing)? _lastListing;

    private Task Tree(HubRequest r, string repoId, string revision, string path)
    {
        var commit = Store.GetCommit(repoId, revision);
        path = path.Trim('/');
        var recursive = r.QueryFlag("recursive");
        var key = $"{repoId}\n{commit.Id}\n{path}\n{recursive}";
        TreeListing listing;
        lock (_listingGate)
        {
            if (_lastListing is { } last && last.Key == key)
            {
                listing = last.Listing;
            }
            else
            {
                var repoListing = new RepoListing(commit.Files);
                if (path.Length > 0 && !repoListing.IsDirectory(path)) throw LocalHubException.EntryNotFound(repoId, revision, path);
                listing = new TreeListing(repoListing.List(path, recursive));
                _lastListing = (key, listing);
            }
        }
        var entries = listing.Entries;

        // The cursor is the last path of the previous page: stable and opaque to clients.
        var start = r.Query["cursor"] is { Length: > 0 } cursor ? listing.IndexAfter(DecodeCursor(cursor)) : 0;
        var pageSize = Math.Max(1, Options.TreePageSize);
        if (int.TryParse(r.Query["limit"], out var limit) && limit > 0) pageSize = Math.Min(pageSize, limit);
        var end = Math.Min(entries.Count, start + pageSize);
        if (end < entries.Count)
            SetNextLink(r, "cursor", EncodeCursor(entries[end - 1].Path));
        if (r.QueryFlag("expand"))
        {
            var history = HistoryListings(repoId, commit.Id);
            r.Json(200, new JsonArray(entries.Skip(start).Take(end - start).Select(e => EntryJson(e, history)).ToArray()));
        }
        else
        {
            r.Bytes(200, listing.Page(start, end), JsonContentType);
        }
        return Task.CompletedTask;
    }

    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>A folder's entries in path order, each serialized (as <see cref="EntryJson"/> writes it without history) once.</summary>
    private sealed class TreeListing(List<RepoEntry> entries)
    {
        private readonly byte[]?[] _json = new byte[entries.Count][];

        public List<RepoEntry> Entries { get; } = entries;

        /// <summary>The index of the first entry whose path sorts after <paramref name="path"/>.</summary>
        public int IndexAfter(string path)
        {
            int low = 0, high = Entries.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (string.CompareOrdinal(Entries[middle].Path, path) > 0) high = middle;
                else low = middle + 1;
            }
            return low;
        }

        /// <summary>The JSON array of entries <paramref name="start"/> to <paramref name="end"/> (exclusive).</summary>
        public byte[] Page(int start, int end)
        {
            var length = 2 + Math.Max(0, end - start - 1);
            for (var i = start; i < end; i++)
                // Two requests may serialize the same entry at once; both write the same bytes.
                length += (_json[i] ??= Serialize(Entries[i])).Length;
            var page = new byte[length];
            var at = 0;
            page[at++] = (byte)'[';
            for (var i = start; i < end; i++)
            {
                if (i > start) page[at++] = (byte)',';
                _json[i]!.CopyTo(page, at);
                at += _json[i]!.Length;
            }
            page[at] = (byte)']';
            return page;
        }

        // One writer per thread, reset for each entry: a listing serializes thousands of entries.
        [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
        [ThreadStatic] private static System.Text.Json.Utf8JsonWriter? t_writer;

        private static byte[] Serialize(RepoEntry entry)
        {
            var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(512);
            buffer.ResetWrittenCount();
            var json = t_writer ??= new System.Text.Json.Utf8JsonWriter(buffer);
            json.Reset(buffer);
            json.WriteStartObject();
            json.WriteString("type", entry.File is null ? "directory" : "file");
            json.WriteString("oid", entry.Oid);
            json.WriteNumber("size", entry.File?.Size ?? 0);
            json.WriteString("path", entry.Path);
            if (entry.File is { IsLfs: true } file)
            {
                json.WriteStartObject("lfs");
                json.WriteString("oid", file.Sha256);
                json.WriteNumber("size", file.Size);
                json.WriteNumber("pointerSize", file.PointerSize);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }

    private async Task PathsInfoAsync(HubRequest r, string repoId, string revision)
    {
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        var (paths, expand) = ParsePathsInfoBody(r, body);
        var commit = Store.GetCommit(repoId, revision);
        var listing = new RepoListing(commit.Files);
        var history = expand ? HistoryListings(repoId, commit.Id) : null;
        var result = new JsonArray();
        foreach (var path in paths.Select(p => p.Trim('/')).Distinct(StringComparer.Ordinal))
            if (listing.Find(path) is { } entry) result.Add(EntryJson(entry, history));
        r.Json(200, result);
    }

    private static (List<string> Paths, bool Expand) ParsePathsInfoBody(HubRequest r, byte[] body)
    {
        var contentType = r.Context.Request.ContentType ?? "";
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            var json = JsonNode.Parse(body);
            var paths = json?["paths"] switch
            {
                JsonArray array => array.Select(p => p!.GetValue<string>()).ToList(),
                JsonValue value => [value.GetValue<string>()],
                _ => new List<string>(),
            };
            var expand = json?["expand"] is JsonValue e && (e.TryGetValue<bool>(out var b) ? b : e.ToString() is "1" or "true");
            return (paths, expand);
        }
        var form = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body));
        var expandText = form["expand"];
        return ((form.GetValues("paths") ?? []).ToList(), expandText is "1" or "true" or "True");
    }

    /// <summary>Each commit of the first-parent history with its listing, newest first (for lastCommit).</summary>
    private List<(HubCommit Commit, RepoListing Listing)> HistoryListings(string repoId, string sha) =>
        Store.GetHistory(repoId, sha).Select(c => (c, new RepoListing(c.Files))).ToList();

    private static JsonObject EntryJson(RepoEntry entry, IReadOnlyList<(HubCommit Commit, RepoListing Listing)>? history)
    {
        var json = new JsonObject
        {
            ["type"] = entry.File is null ? "directory" : "file",
            ["oid"] = entry.Oid,
            ["size"] = entry.File?.Size ?? 0,
            ["path"] = entry.Path,
        };
        if (entry.File is { IsLfs: true } file)
            json["lfs"] = new JsonObject { ["oid"] = file.Sha256, ["size"] = file.Size, ["pointerSize"] = file.PointerSize };
        if (history is not null && LastCommit(entry, history) is { } last)
        {
            json["lastCommit"] = new JsonObject { ["id"] = last.Id, ["title"] = last.Title, ["date"] = FormatDate(last.Date) };
            if (entry.File is not null) json["securityFileStatus"] = new JsonObject { ["status"] = "unscanned" };
        }
        return json;
    }

    /// <summary>The oldest commit of the unbroken run, from the newest, in which the entry is unchanged.</summary>
    private static HubCommit? LastCommit(RepoEntry entry, IReadOnlyList<(HubCommit Commit, RepoListing Listing)> history)
    {
        HubCommit? last = null;
        foreach (var (commit, listing) in history)
        {
            if (listing.Find(entry.Path)?.Oid != entry.Oid) break;
            last = commit;
        }
        return last;
    }

    // ---- refs and commits -------------------------------------------------------------------

    private Task Refs(HubRequest r, string repoId)
    {
        JsonObject RefJson(HubRef hubRef) => new() { ["name"] = hubRef.Name, ["ref"] = hubRef.Ref, ["targetCommit"] = hubRef.TargetCommit };
        var refs = Store.GetRefs(repoId);
        var json = new JsonObject
        {
            ["branches"] = new JsonArray(refs.Where(x => x.Kind == "branch").Select(x => (JsonNode)RefJson(x)).ToArray()),
            ["converts"] = new JsonArray(refs.Where(x => x.Kind == "convert").Select(x => (JsonNode)RefJson(x)).ToArray()),
            ["tags"] = new JsonArray(refs.Where(x => x.Kind == "tag").Select(x => (JsonNode)RefJson(x)).ToArray()),
        };
        if (r.QueryFlag("include_prs"))
            json["pullRequests"] = new JsonArray(refs.Where(x => x.Kind == "pr").Select(x => (JsonNode)RefJson(x)).ToArray());
        r.Json(200, json);
        return Task.CompletedTask;
    }

    private Task Commits(HubRequest r, string repoId, string revision)
    {
        var history = Store.GetHistory(repoId, revision);
        var pageSize = Math.Max(1, Options.CommitsPageSize);
        var pageIndex = int.TryParse(r.Query["p"], out var p) && p > 0 ? p : 0;
        var page = history.Skip(pageIndex * pageSize).Take(pageSize).ToList();
        if ((pageIndex + 1) * pageSize < history.Count) SetNextLink(r, "p", (pageIndex + 1).ToString(CultureInfo.InvariantCulture));
        r.Response.Headers["X-Total-Count"] = history.Count.ToString(CultureInfo.InvariantCulture);
        r.Json(200, new JsonArray(page.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["title"] = c.Title,
            ["message"] = c.Message,
            ["authors"] = new JsonArray(new JsonObject { ["user"] = c.Author }),
            ["date"] = FormatDate(c.Date),
        }).ToArray()));
        return Task.CompletedTask;
    }

    // ---- file reads -------------------------------------------------------------------------

    private Task ResolveAsync(HubRequest r, string repoId)
    {
        CheckAccess(r, repoId);
        var revision = r.Revision(4, out var next);
        var path = r.Rest(next);
        var sha = Store.ResolveRevision(repoId, revision);
        var file = Store.FindFile(repoId, sha, path) ?? throw LocalHubException.EntryNotFound(repoId, revision, path);
        r.Response.Headers["X-Repo-Commit"] = sha;
        if (file.IsLfs)
        {
            r.Response.Headers["X-Linked-Etag"] = Quote(file.Sha256);
            r.Response.Headers["X-Linked-Size"] = file.Size.ToString(CultureInfo.InvariantCulture);
            if (server.CdnEndpoint is { } cdn)
            {
                // The Hub answers LFS reads with a redirect to its CDN; a client must not forward its token there.
                r.Response.Headers["ETag"] = Quote(file.GitOid);
                r.Response.Headers["Location"] = $"{cdn}/cdn/{repoId}/{file.Sha256}?expires={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
                r.Empty(302);
                return Task.CompletedTask;
            }
        }
        return r.ServeContentAsync(() => Store.OpenObject(repoId, file.Sha256), file.Size, Quote(file.IsLfs ? file.Sha256 : file.GitOid));
    }

    // ---- repo management --------------------------------------------------------------------

    private Task WhoAmI(HubRequest r)
    {
        if (!server.TokenMatches(r.BearerToken)) throw new LocalHubException(401, null, "Invalid credentials in Authorization header");
        r.Json(200, new JsonObject
        {
            ["type"] = "user",
            ["name"] = Options.UserName,
            ["fullname"] = Options.UserName,
            ["orgs"] = new JsonArray(),
            ["auth"] = new JsonObject { ["type"] = "access_token", ["accessToken"] = new JsonObject { ["displayName"] = "local", ["role"] = "write" } },
        });
        return Task.CompletedTask;
    }

    private async Task CreateRepoAsync(HubRequest r)
    {
        var body = await r.ReadJsonAsync().ConfigureAwait(false);
        var repoId = RepoIdFromBody(body);
        var isPrivate = body["private"] is JsonValue p && p.TryGetValue<bool>(out var b) && b;
        var url = $"{server.Endpoint}/datasets/{repoId}";
        try
        {
            Store.CreateRepo(repoId, isPrivate);
        }
        catch (LocalHubException e) when (e.StatusCode == 409)
        {
            r.Json(409, new JsonObject { ["error"] = "You already created this dataset repo", ["url"] = url });
            return;
        }
        r.Json(200, new JsonObject { ["url"] = url, ["name"] = repoId, ["id"] = GitHashes.Sha1Hex(repoId)[..24] });
    }

    private async Task DeleteRepoAsync(HubRequest r)
    {
        var repoId = RepoIdFromBody(await r.ReadJsonAsync().ConfigureAwait(false));
        Store.DeleteRepo(repoId);
        r.Empty(200);
    }

    private string RepoIdFromBody(JsonNode body)
    {
        var type = body["type"]?.GetValue<string>();
        if (type != "dataset")
            throw LocalHubException.BadRequest($"The local Hub only hosts dataset repos (type '{type ?? "model"}' requested)");
        var name = body["name"]?.GetValue<string>() ?? throw LocalHubException.BadRequest("Missing name");
        var organization = body["organization"]?.GetValue<string>();
        return name.Contains('/') ? name : $"{organization ?? Options.UserName}/{name}";
    }

    private async Task CreateBranchAsync(HubRequest r, string repoId, string branch)
    {
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        var startingPoint = body.Length > 0 ? JsonNode.Parse(body)?["startingPoint"]?.GetValue<string>() : null;
        Store.CreateBranch(repoId, branch, startingPoint);
        r.Json(200, new JsonObject());
    }

    private async Task CreateTagAsync(HubRequest r, string repoId, string revision)
    {
        var body = await r.ReadJsonAsync().ConfigureAwait(false);
        var tag = body["tag"]?.GetValue<string>() ?? throw LocalHubException.BadRequest("Missing tag");
        Store.CreateTag(repoId, tag, revision);
        r.Json(200, new JsonObject());
    }

    // ---- uploads and commits ----------------------------------------------------------------

    private async Task PreuploadAsync(HubRequest r, string repoId, string revision)
    {
        var body = await r.ReadJsonAsync().ConfigureAwait(false);
        var sha = Store.ResolveRevision(repoId, revision);
        var existing = Store.GetFiles(repoId, sha).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var files = new JsonArray();
        foreach (var item in body["files"]?.AsArray() ?? [])
        {
            var path = item!["path"]!.GetValue<string>();
            var size = item["size"]?.GetValue<long>() ?? 0;
            var sample = item["sample"]?.GetValue<string>() is { } s ? Convert.FromBase64String(s) : [];
            var result = new JsonObject
            {
                ["path"] = path,
                ["uploadMode"] = Store.LfsPolicy.IsLfs(path, size, sample) ? "lfs" : "regular",
                ["shouldIgnore"] = false,
            };
            if (existing.TryGetValue(path, out var current)) result["oid"] = current.GitOid;
            files.Add(result);
        }
        r.Json(200, new JsonObject { ["files"] = files, ["commitOid"] = sha });
    }

    private async Task LfsBatchAsync(HubRequest r, string repoId)
    {
        CheckAccess(r, repoId);
        var body = await r.ReadJsonAsync().ConfigureAwait(false);
        var operation = body["operation"]?.GetValue<string>() ?? "download";
        if (operation != "download") CheckWriteToken(r);
        var objectHost = server.CdnEndpoint ?? server.Endpoint;
        var objects = new JsonArray();
        foreach (var item in body["objects"]?.AsArray() ?? [])
        {
            var oid = item!["oid"]!.GetValue<string>().ToLowerInvariant();
            var size = item["size"]!.GetValue<long>();
            var result = new JsonObject { ["oid"] = oid, ["size"] = size, ["authenticated"] = true };
            var present = Store.HasObject(repoId, oid);
            if (operation == "upload" && !present)
            {
                result["actions"] = new JsonObject
                {
                    ["upload"] = new JsonObject { ["href"] = $"{objectHost}/lfs-upload/{repoId}/{oid}?size={size}&sig={server.SignUpload(repoId, oid, size)}", ["expires_in"] = 3600 },
                    ["verify"] = new JsonObject { ["href"] = $"{server.Endpoint}/lfs-verify/{repoId}/{oid}", ["expires_in"] = 3600 },
                };
            }
            else if (operation == "download")
            {
                result["actions"] = present
                    ? new JsonObject { ["download"] = new JsonObject { ["href"] = $"{objectHost}/cdn/{repoId}/{oid}", ["expires_in"] = 3600 } }
                    : null;
                if (!present) result["error"] = new JsonObject { ["code"] = 404, ["message"] = "Object does not exist" };
            }
            objects.Add(result);
        }
        r.Json(200, new JsonObject { ["transfer"] = "basic", ["objects"] = objects, ["hash_algo"] = "sha256" },
            "application/vnd.git-lfs+json");
    }

    private async Task UploadObjectAsync(HubRequest r)
    {
        var repoId = $"{r.Segment(1)}/{r.Segment(2)}";
        if (!Store.RepoExists(repoId)) throw LocalHubException.RepoNotFound(repoId);
        // Like a presigned URL: only an upload a batch call handed out (repo, object and size signed) is accepted.
        if (!long.TryParse(r.Query["size"], out var size) || !server.UploadSignatureMatches(repoId, r.Segment(3).ToLowerInvariant(), size, r.Query["sig"]))
            throw new LocalHubException(403, null, "Request has expired or the signature does not match");
        await Store.PutObjectAsync(repoId, r.Context.Request.InputStream, r.Segment(3), size).ConfigureAwait(false);
        r.Empty(200);
    }

    private async Task VerifyObjectAsync(HubRequest r)
    {
        var repoId = $"{r.Segment(1)}/{r.Segment(2)}";
        var body = await r.ReadJsonAsync().ConfigureAwait(false);
        var oid = r.Segment(3);
        var size = body["size"]?.GetValue<long>();
        if (!Store.RepoExists(repoId) || !Store.HasObject(repoId, oid) || (size is { } s && Store.ObjectSize(repoId, oid) != s))
            throw new LocalHubException(404, null, $"Object {oid} was not uploaded");
        r.Json(200, new JsonObject { ["oid"] = oid, ["size"] = size });
    }

    private async Task CommitAsync(HubRequest r, string repoId, string revision)
    {
        // huggingface_hub sends NDJSON; any other type (a form a web page can post) is refused before reading it.
        var mediaType = (r.Context.Request.ContentType ?? "").Split(';', 2)[0].Trim();
        if (!mediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase))
            throw new LocalHubException(415, null, $"Unsupported Content-Type '{mediaType}': a commit is sent as application/x-ndjson");
        var body = Encoding.UTF8.GetString(await r.ReadBodyAsync().ConfigureAwait(false));
        string summary = "", description = "";
        string? parentCommit = null;
        var operations = new List<CommitOperation>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            JsonNode node;
            try { node = JsonNode.Parse(line)!; }
            catch (System.Text.Json.JsonException e) { throw LocalHubException.BadRequest($"Invalid NDJSON line: {e.Message}"); }
            var key = node["key"]?.GetValue<string>();
            var value = node["value"] ?? throw LocalHubException.BadRequest("NDJSON line without value");
            string Path() => value["path"]?.GetValue<string>() ?? throw LocalHubException.BadRequest($"{key} without path");
            switch (key)
            {
                case "header":
                    summary = value["summary"]?.GetValue<string>() ?? "";
                    description = value["description"]?.GetValue<string>() ?? "";
                    parentCommit = value["parentCommit"]?.GetValue<string>();
                    break;
                case "file":
                    var content = value["content"]?.GetValue<string>() ?? "";
                    var bytes = value["encoding"]?.GetValue<string>() == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
                    operations.Add(new AddFileOperation(Path(), Store.PutObject(repoId, bytes), bytes.Length, IsLfs: false));
                    break;
                case "lfsFile":
                    var oid = value["oid"]?.GetValue<string>()?.ToLowerInvariant() ?? throw LocalHubException.BadRequest("lfsFile without oid");
                    var size = value["size"]?.GetValue<long>() ?? -1;
                    if (!Store.HasObject(repoId, oid) || Store.ObjectSize(repoId, oid) != size)
                        throw LocalHubException.BadRequest($"LFS object {oid} for {Path()} was not uploaded (or has another size)");
                    operations.Add(new AddFileOperation(Path(), oid, size, IsLfs: true));
                    break;
                case "deletedFile":
                    operations.Add(new DeleteFileOperation(Path()));
                    break;
                case "deletedFolder":
                    operations.Add(new DeleteFolderOperation(Path()));
                    break;
                default:
                    throw LocalHubException.BadRequest($"Unknown NDJSON key: {key}");
            }
        }
        if (summary.Length == 0) throw LocalHubException.BadRequest("The commit header needs a summary");

        string? pullRequestUrl = null;
        var branch = revision;
        if (r.QueryFlag("create_pr"))
        {
            if (parentCommit is not null && !string.Equals(parentCommit, Store.ResolveRevision(repoId, revision), StringComparison.OrdinalIgnoreCase))
                throw new LocalHubException(412, null, "A commit has happened since. Please refresh and try again.");
            var number = Store.CreatePullRequest(repoId, revision);
            branch = $"refs/pr/{number}";
            pullRequestUrl = $"{server.Endpoint}/datasets/{repoId}/discussions/{number}";
            // The PR ref was just created at the checked parent, so there is nothing left to race with.
            parentCommit = null;
        }
        var sha = Store.Commit(repoId, operations, summary, description, branch, parentCommit);
        r.Json(200, new JsonObject
        {
            ["success"] = true,
            ["commitOid"] = sha,
            ["commitUrl"] = $"{server.Endpoint}/datasets/{repoId}/commit/{sha}",
            ["hookOutput"] = "",
            ["pullRequestUrl"] = pullRequestUrl,
        });
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void SetNextLink(HubRequest r, string parameter, string value)
    {
        var query = HttpUtility.ParseQueryString(r.Query.ToString() ?? "");
        query[parameter] = value;
        r.Response.Headers["Link"] = $"<{server.Endpoint}{r.RawPath}?{query}>; rel=\"next\"";
    }

    private static string EncodeCursor(string path) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(path)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeCursor(string cursor)
    {
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(base64)); }
        catch (FormatException) { throw LocalHubException.BadRequest("Invalid cursor"); }
    }

    private static string Quote(string value) => $"\"{value}\"";

    internal static string FormatDate(DateTimeOffset date) =>
        date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
