using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using System.Collections.Concurrent;

namespace Faceberg.Core.Rest;

/// <summary>
/// The REST catalog routes, each mapped onto one <see cref="ICatalog"/> call. Routes are served both unprefixed
/// (clients that send no warehouse) and under <c>/v1/{prefix}/</c> (what <c>/v1/config?warehouse=</c> announces).
/// Namespaces have one level here, so a multi-part namespace (parts joined by <c>%1F</c>) names none that exists.
/// </summary>
internal sealed class RestCatalogRoutes
{
    /// <summary>The routes announced in <c>/v1/config</c>'s <c>endpoints</c>; multi-table transactions are absent
    /// because the catalog cannot commit to several tables atomically.</summary>
    internal static readonly string[] Endpoints =
    [
        "GET /v1/{prefix}/namespaces",
        "POST /v1/{prefix}/namespaces",
        "GET /v1/{prefix}/namespaces/{namespace}",
        "HEAD /v1/{prefix}/namespaces/{namespace}",
        "DELETE /v1/{prefix}/namespaces/{namespace}",
        "POST /v1/{prefix}/namespaces/{namespace}/properties",
        "GET /v1/{prefix}/namespaces/{namespace}/tables",
        "POST /v1/{prefix}/namespaces/{namespace}/tables",
        "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "POST /v1/{prefix}/namespaces/{namespace}/register",
        "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
        "POST /v1/{prefix}/tables/rename",
    ];

    private const char NamespaceSeparator = '\u001f';

    private readonly ICatalog _catalog;
    private readonly string _prefix;
    private readonly bool _readOnly;
    private readonly Uri? _hubEndpoint;
    private readonly ConcurrentDictionary<TableIdentifier, SemaphoreSlim> _commitLocks = new();

    public RestCatalogRoutes(ICatalog catalog, string prefix, bool readOnly, Uri? hubEndpoint)
    {
        _catalog = catalog;
        _prefix = prefix;
        _readOnly = readOnly;
        _hubEndpoint = hubEndpoint;
    }

    public async Task<RestResponse> HandleAsync(HttpListenerRequest request, string rawPath, CancellationToken ct)
    {
        var method = request.HttpMethod.ToUpperInvariant();
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length == 0 || segments[0] != "v1")
            throw NoRoute(method, rawPath);
        var route = segments.AsSpan(1);
        if (route.Length == 1 && route[0] == "config")
            return method == "GET" ? Config(request) : throw NoRoute(method, rawPath);
        // A prefix segment is recognised only where an unprefixed route cannot start with it.
        if (route.Length > 0 && route[0] == _prefix && route[0] is not ("namespaces" or "tables" or "transactions"))
            route = route[1..];

        switch (route.Length)
        {
            case 1 when route[0] == "namespaces":
                return method switch
                {
                    "GET" => await ListNamespacesAsync(request, ct).ConfigureAwait(false),
                    "POST" => await CreateNamespaceAsync(request, ct).ConfigureAwait(false),
                    _ => throw NoRoute(method, rawPath),
                };
            case 2 when route[0] == "namespaces":
            {
                var ns = route[1];
                return method switch
                {
                    "GET" => await LoadNamespaceAsync(ns, ct).ConfigureAwait(false),
                    "HEAD" => await NamespaceExistsAsync(ns, ct).ConfigureAwait(false) ? RestResponse.NoContent() : throw NamespaceMissing(ns),
                    "DELETE" => await DropNamespaceAsync(ns, ct).ConfigureAwait(false),
                    _ => throw NoRoute(method, rawPath),
                };
            }
            case 3 when route[0] == "namespaces" && route[2] == "properties" && method == "POST":
                return await UpdateNamespaceAsync(route[1], request, ct).ConfigureAwait(false);
            case 3 when route[0] == "namespaces" && route[2] == "tables":
                return method switch
                {
                    "GET" => await ListTablesAsync(route[1], request, ct).ConfigureAwait(false),
                    "POST" => await CreateTableAsync(route[1], request, ct).ConfigureAwait(false),
                    _ => throw NoRoute(method, rawPath),
                };
            case 3 when route[0] == "namespaces" && route[2] == "register" && method == "POST":
                return await RegisterTableAsync(route[1], request, ct).ConfigureAwait(false);
            case 4 when route[0] == "namespaces" && route[2] == "tables":
            {
                var ns = route[1];
                var table = route[3];
                return method switch
                {
                    "GET" => await LoadTableAsync(ns, table, request, ct).ConfigureAwait(false),
                    "HEAD" => await TableExistsAsync(ns, table, ct).ConfigureAwait(false),
                    "POST" => await CommitTableAsync(ns, table, request, ct).ConfigureAwait(false),
                    "DELETE" => await DropTableAsync(ns, table, request, ct).ConfigureAwait(false),
                    _ => throw NoRoute(method, rawPath),
                };
            }
            case 5 when route[0] == "namespaces" && route[2] == "tables" && route[4] == "metrics" && method == "POST":
                return await ReportMetricsAsync(route[1], route[3], request, ct).ConfigureAwait(false);
            case 2 when route[0] == "tables" && route[1] == "rename" && method == "POST":
                return await RenameTableAsync(request, ct).ConfigureAwait(false);
            case 2 when route[0] == "transactions" && route[1] == "commit" && method == "POST":
                RequireWritable();
                throw RestError.Unsupported("Multi-table transactions are not supported: this catalog cannot commit to several tables atomically. Commit each table separately.");
            default:
                throw NoRoute(method, rawPath);
        }
    }

    // ---- configuration ----

    private RestResponse Config(HttpListenerRequest request)
    {
        var overrides = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(request.QueryString["warehouse"]) && !string.IsNullOrEmpty(_prefix))
            overrides["prefix"] = _prefix;
        return RestResponse.Json(new Dictionary<string, object>
        {
            ["defaults"] = new Dictionary<string, string>(),
            ["overrides"] = overrides,
            ["endpoints"] = Endpoints,
        });
    }

    // ---- namespaces ----

    private async Task<RestResponse> ListNamespacesAsync(HttpListenerRequest request, CancellationToken ct)
    {
        var parentText = request.QueryString["parent"];
        string? parent = null;
        if (!string.IsNullOrEmpty(parentText))
        {
            parent = SingleLevel(parentText);
            if (parent is null || !await _catalog.NamespaceExistsAsync(parent, ct).ConfigureAwait(false))
                throw NamespaceMissing(parentText);
        }
        var names = await _catalog.ListNamespacesAsync(parent, ct).ConfigureAwait(false);
        var (page, next) = Page(names.OrderBy(n => n, StringComparer.Ordinal).ToList(), n => n, request);
        return RestResponse.Json(new Dictionary<string, object?>
        {
            ["namespaces"] = page.Select(n => new[] { n }).ToArray(),
            ["next-page-token"] = next,
        });
    }

    private async Task<RestResponse> CreateNamespaceAsync(HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        var parts = NamespaceArray(body.RootElement, "namespace");
        if (parts.Length != 1)
            throw RestError.BadRequest($"Namespaces have one level in this catalog; '{string.Join('.', parts)}' has {parts.Length}.");
        var properties = StringMap(body.RootElement, "properties");
        await _catalog.CreateNamespaceAsync(parts[0], properties, ct).ConfigureAwait(false);
        var stored = await _catalog.LoadNamespaceAsync(parts[0], ct).ConfigureAwait(false);
        return RestResponse.Json(new Dictionary<string, object> { ["namespace"] = parts, ["properties"] = stored });
    }

    private async Task<RestResponse> LoadNamespaceAsync(string ns, CancellationToken ct)
    {
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        var properties = await _catalog.LoadNamespaceAsync(name, ct).ConfigureAwait(false);
        return RestResponse.Json(new Dictionary<string, object> { ["namespace"] = new[] { name }, ["properties"] = properties });
    }

    private async Task<bool> NamespaceExistsAsync(string ns, CancellationToken ct) =>
        SingleLevel(ns) is { } name && await _catalog.NamespaceExistsAsync(name, ct).ConfigureAwait(false);

    private async Task<RestResponse> DropNamespaceAsync(string ns, CancellationToken ct)
    {
        RequireWritable();
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        await _catalog.DropNamespaceAsync(name, ct).ConfigureAwait(false);
        return RestResponse.NoContent();
    }

    private async Task<RestResponse> UpdateNamespaceAsync(string ns, HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        var updates = StringMap(body.RootElement, "updates");
        var removals = body.RootElement.TryGetProperty("removals", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.GetString() ?? throw RestError.BadRequest("'removals' holds strings.")).ToList()
            : null;
        if (updates is not null && removals is not null && removals.FirstOrDefault(updates.ContainsKey) is { } both)
            throw new RestError(422, "UnprocessableEntityException", $"The key '{both}' is both updated and removed.");
        var change = await _catalog.UpdateNamespacePropertiesAsync(name, updates, removals, ct).ConfigureAwait(false);
        return RestResponse.Json(new Dictionary<string, object>
        {
            ["updated"] = change.Updated,
            ["removed"] = change.Removed,
            ["missing"] = change.Missing,
        });
    }

    // ---- tables ----

    private async Task<RestResponse> ListTablesAsync(string ns, HttpListenerRequest request, CancellationToken ct)
    {
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        if (!await _catalog.NamespaceExistsAsync(name, ct).ConfigureAwait(false))
            throw NamespaceMissing(ns);
        var tables = await _catalog.ListTablesAsync(name, ct).ConfigureAwait(false);
        var (page, next) = Page(tables.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(), t => t.Name, request);
        return RestResponse.Json(new Dictionary<string, object?>
        {
            ["identifiers"] = page.Select(Identifier).ToArray(),
            ["next-page-token"] = next,
        });
    }

    private async Task<RestResponse> LoadTableAsync(string ns, string table, HttpListenerRequest request, CancellationToken ct)
    {
        var id = TableId(ns, table);
        var snapshots = request.QueryString["snapshots"] ?? "all";
        if (snapshots is not ("all" or "refs"))
            throw RestError.BadRequest($"'snapshots' is 'all' or 'refs', not '{snapshots}'.");
        var loaded = await _catalog.LoadTableAsync(id, ct).ConfigureAwait(false);
        var etag = ETag(loaded.MetadataLocation, snapshots);
        if (Matches(request.Headers["If-None-Match"], etag))
            return RestResponse.NotModified(etag);
        return RestResponse.Json(LoadResult(loaded, snapshots), new Dictionary<string, string> { ["ETag"] = etag });
    }

    private async Task<RestResponse> TableExistsAsync(string ns, string table, CancellationToken ct)
    {
        if (SingleLevel(ns) is not { } name || !TableIdentifier.IsValidPart(name) || !TableIdentifier.IsValidPart(table)
            || !await _catalog.TableExistsAsync(new TableIdentifier(name, table), ct).ConfigureAwait(false))
            throw RestError.NoSuchTable($"Table '{ns}.{table}' does not exist.");
        return RestResponse.NoContent();
    }

    private async Task<RestResponse> CreateTableAsync(string ns, HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        var root = body.RootElement;
        var tableName = RequiredString(root, "name");
        if (root.TryGetProperty("stage-create", out var stage) && stage.ValueKind == JsonValueKind.True)
            throw RestError.Unsupported("Staged table creation is not supported; create the table without 'stage-create'.");
        if (root.TryGetProperty("write-order", out var order) && order.ValueKind == JsonValueKind.Object
            && order.TryGetProperty("fields", out var fields) && fields.GetArrayLength() > 0)
            throw RestError.Unsupported("Sort orders are not supported at table creation.");
        if (!root.TryGetProperty("schema", out var schemaJson) || schemaJson.ValueKind != JsonValueKind.Object)
            throw RestError.BadRequest("'schema' is required.");
        var schema = SpecJson.ReadSchema(schemaJson);
        var spec = root.TryGetProperty("partition-spec", out var specJson) && specJson.ValueKind == JsonValueKind.Object
            ? SpecJson.ReadPartitionSpec(specJson) : null;
        var location = root.TryGetProperty("location", out var loc) && loc.ValueKind == JsonValueKind.String ? loc.GetString() : null;
        var loaded = await _catalog.CreateTableAsync(new TableIdentifier(name, tableName), schema, spec,
            StringMap(root, "properties"), location, ct).ConfigureAwait(false);
        return RestResponse.Json(LoadResult(loaded, "all"), new Dictionary<string, string> { ["ETag"] = ETag(loaded.MetadataLocation, "all") });
    }

    private async Task<RestResponse> RegisterTableAsync(string ns, HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        var root = body.RootElement;
        if (root.TryGetProperty("overwrite", out var overwrite) && overwrite.ValueKind == JsonValueKind.True)
            throw RestError.Unsupported("Registering over an existing table is not supported: drop it first.");
        var loaded = await _catalog.RegisterTableAsync(new TableIdentifier(name, RequiredString(root, "name")),
            RequiredString(root, "metadata-location"), ct).ConfigureAwait(false);
        return RestResponse.Json(LoadResult(loaded, "all"), new Dictionary<string, string> { ["ETag"] = ETag(loaded.MetadataLocation, "all") });
    }

    private async Task<RestResponse> CommitTableAsync(string ns, string table, HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        var id = TableId(ns, table);
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        IReadOnlyList<TableRequirement> requirements;
        IReadOnlyList<TableUpdate> updates;
        try
        {
            (requirements, updates) = TableChangeJson.ReadCommit(body.RootElement);
        }
        catch (FacebergException e)
        {
            throw RestError.From(e, tableRoute: true, commit: true);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw RestError.BadRequest($"The commit request is malformed: {e.Message}");
        }
        // Commits to one table from this server are serialized, so concurrent clients queue here instead of racing
        // the catalog's optimistic retries; writers elsewhere are still caught by the requirements.
        var gate = _commitLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        LoadedTable committed;
        try
        {
            committed = await _catalog.CommitTableAsync(id, requirements, updates, ct).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
        var metadata = JsonNode.Parse(SpecJson.ToJson(committed.Metadata));
        return RestResponse.Json(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["metadata-location"] = committed.MetadataLocation,
            ["metadata"] = metadata,
        }));
    }

    private async Task<RestResponse> DropTableAsync(string ns, string table, HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        var purge = string.Equals(request.QueryString["purgeRequested"], "true", StringComparison.OrdinalIgnoreCase);
        // A purge removes the metadata folder the catalog owns for the table; the data files belong to the datasets.
        await _catalog.DropTableAsync(TableId(ns, table), purge, ct).ConfigureAwait(false);
        return RestResponse.NoContent();
    }

    private async Task<RestResponse> RenameTableAsync(HttpListenerRequest request, CancellationToken ct)
    {
        RequireWritable();
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        var from = IdentifierFrom(body.RootElement, "source");
        var to = IdentifierFrom(body.RootElement, "destination");
        if (!await _catalog.TableExistsAsync(from, ct).ConfigureAwait(false))
            throw RestError.NoSuchTable($"Table '{from}' does not exist.");
        if (!await _catalog.NamespaceExistsAsync(to.Namespace, ct).ConfigureAwait(false))
            throw RestError.NoSuchNamespace($"Namespace '{to.Namespace}' does not exist.");
        await _catalog.RenameTableAsync(from, to, ct).ConfigureAwait(false);
        return RestResponse.NoContent();
    }

    private async Task<RestResponse> ReportMetricsAsync(string ns, string table, HttpListenerRequest request, CancellationToken ct)
    {
        // Reports are accepted and not stored: the catalog keeps no metrics. The body must still be a report.
        using var body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
        if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("report-type", out _))
            throw RestError.BadRequest("A metrics report needs 'report-type'.");
        if (!await _catalog.TableExistsAsync(TableId(ns, table), ct).ConfigureAwait(false))
            throw RestError.NoSuchTable($"Table '{ns}.{table}' does not exist.");
        return RestResponse.NoContent();
    }

    // ---- shapes ----

    private byte[] LoadResult(LoadedTable loaded, string snapshots)
    {
        var metadata = JsonNode.Parse(SpecJson.ToJson(loaded.Metadata))!.AsObject();
        if (snapshots == "refs" && metadata["snapshots"] is JsonArray all)
        {
            var referenced = loaded.Metadata.Refs.Values.Select(r => r.SnapshotId).ToHashSet();
            var kept = new JsonArray();
            foreach (var s in all.ToList())
            {
                if (s?["snapshot-id"]?.GetValue<long>() is { } sid && referenced.Contains(sid))
                    kept.Add(s.DeepClone());
            }
            metadata["snapshots"] = kept;
        }
        var config = new JsonObject();
        // Engines read hf:// data files from the Hub themselves; they get its endpoint, never this server's token.
        if (_hubEndpoint is not null)
            config["hf.endpoint"] = _hubEndpoint.GetLeftPart(UriPartial.Authority) + _hubEndpoint.AbsolutePath.TrimEnd('/');
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["metadata-location"] = loaded.MetadataLocation,
            ["metadata"] = metadata,
            ["config"] = config,
        });
    }

    private static object Identifier(TableIdentifier id) => new Dictionary<string, object> { ["namespace"] = new[] { id.Namespace }, ["name"] = id.Name };

    /// <summary>Distinct per metadata file and per snapshot selection, as the protocol asks of ETags.</summary>
    private static string ETag(string metadataLocation, string snapshots) =>
        "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(metadataLocation + "\n" + snapshots)))[..32].ToLowerInvariant() + "\"";

    private static bool Matches(string? ifNoneMatch, string etag) =>
        ifNoneMatch is not null && ifNoneMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == etag || t == "W/" + etag);

    /// <summary>Pages an ordered list: the token is the (encoded) key of the last item handed out, so pages stay
    /// consistent while items are added or removed between requests.</summary>
    private static (IReadOnlyList<T> Page, string? Next) Page<T>(List<T> ordered, Func<T, string> key, HttpListenerRequest request)
    {
        var sizeText = request.QueryString["pageSize"];
        var token = request.QueryString["pageToken"];
        int? size = null;
        if (!string.IsNullOrEmpty(sizeText))
        {
            if (!int.TryParse(sizeText, out var n) || n < 1) throw RestError.BadRequest("'pageSize' is a positive integer.");
            size = n;
        }
        IEnumerable<T> rest = ordered;
        if (!string.IsNullOrEmpty(token))
        {
            string after;
            try { after = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
            catch (FormatException) { throw RestError.BadRequest("'pageToken' is not a token this server handed out."); }
            rest = ordered.Where(item => string.CompareOrdinal(key(item), after) > 0);
        }
        var remaining = rest.ToList();
        if (size is not { } limit || remaining.Count <= limit)
            return (remaining, null);
        var page = remaining.Take(limit).ToList();
        return (page, Convert.ToBase64String(Encoding.UTF8.GetBytes(key(page[^1]))));
    }

    private void RequireWritable()
    {
        if (_readOnly)
            throw RestError.Forbidden("This server is read-only: it was started without a client token or with -ReadOnly, so it refuses changes.");
    }

    /// <summary>The one level of a path namespace, or null when it has several parts (none exists here).</summary>
    private static string? SingleLevel(string ns)
    {
        var parts = ns.Split(NamespaceSeparator);
        return parts.Length == 1 && TableIdentifier.IsValidPart(parts[0]) ? parts[0] : null;
    }

    private static TableIdentifier TableId(string ns, string table)
    {
        var name = SingleLevel(ns) ?? throw NamespaceMissing(ns);
        if (!TableIdentifier.IsValidPart(table)) throw RestError.NoSuchTable($"Table '{name}.{table}' does not exist.");
        return new TableIdentifier(name, table);
    }

    private static TableIdentifier IdentifierFrom(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var e) || e.ValueKind != JsonValueKind.Object)
            throw RestError.BadRequest($"'{property}' is required: {{\"namespace\": [...], \"name\": ...}}.");
        var parts = NamespaceArray(e, "namespace");
        if (parts.Length != 1)
            throw RestError.NoSuchNamespace($"Namespace '{string.Join('.', parts)}' does not exist (namespaces have one level here).");
        return new TableIdentifier(parts[0], RequiredString(e, "name"));
    }

    private static string[] NamespaceArray(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var e) || e.ValueKind != JsonValueKind.Array)
            throw RestError.BadRequest($"'{property}' is required as an array of strings.");
        return e.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()! : throw RestError.BadRequest($"'{property}' holds strings.")).ToArray();
    }

    private static string RequiredString(JsonElement root, string property) =>
        root.TryGetProperty(property, out var e) && e.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(e.GetString())
            ? e.GetString()!
            : throw RestError.BadRequest($"'{property}' is required.");

    private static Dictionary<string, string>? StringMap(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Object) throw RestError.BadRequest($"'{property}' is an object of strings.");
        return e.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw RestError.BadRequest($"'{property}.{p.Name}' is a string."));
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpListenerRequest request, CancellationToken ct)
    {
        if (!request.HasEntityBody) throw RestError.BadRequest("This route needs a JSON request body.");
        var doc = await JsonDocument.ParseAsync(request.InputStream, cancellationToken: ct).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw RestError.BadRequest("The request body is a JSON object.");
        }
        return doc;
    }

    private static RestError NamespaceMissing(string ns) =>
        RestError.NoSuchNamespace($"Namespace '{ns.Replace(NamespaceSeparator, '.')}' does not exist.");

    private static RestError NoRoute(string method, string path) =>
        new(404, "NoSuchEndpointException", $"{method} {path} is not a route of this REST catalog.");
}
