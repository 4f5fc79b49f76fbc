using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Rest;
using Faceberg.Core.Tests.Publishing;

namespace Faceberg.Core.Tests.Rest;

/// <summary>The REST catalog server over a local catalog, every answer checked against the pinned OpenAPI document.</summary>
public sealed class RestCatalogServerTests : IDisposable
{
    private const string ClientToken = "client-secret-token";
    private const string Ns = "/v1/{prefix}/namespaces/{namespace}";
    private const string Tbl = "/v1/{prefix}/namespaces/{namespace}/tables/{table}";

    private static readonly Schema TwoColumns = new(0, [NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "text", PrimitiveType.String)]);

    private readonly TempDirectory _temp = new();
    private readonly List<RestCatalogServer> _servers = [];
    private readonly List<string> _log = [];

    private (RestCatalogServer Server, HttpClient Client, ICatalog Catalog) Start(string? token = ClientToken, bool readOnly = false, ICatalog? catalog = null, Uri? hub = null)
    {
        catalog ??= LocalCatalog.Create(_temp.Combine("c" + Guid.NewGuid().ToString("N")[..6]), new FileIORouter());
        var server = RestCatalogServer.Start(catalog, new RestServerOptions
        {
            Port = 0, ClientToken = token, ReadOnly = readOnly, HubEndpoint = hub,
            Log = entry => { lock (_log) _log.Add(entry.ToString()); },
        });
        _servers.Add(server);
        var client = new HttpClient { BaseAddress = server.Endpoint };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (server, client, catalog);
    }

    private static async Task<(int Status, string Body, HttpResponseMessage Response)> Send(HttpClient client, HttpMethod method, string path, object? body = null,
        string? checkAgainst = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (checkAgainst is not null) OpenApiDocument.Pinned.AssertConforms(method.Method, checkAgainst, (int)response.StatusCode, text);
        return ((int)response.StatusCode, text, response);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static void AssertError(string body, int code, string type)
    {
        var error = Json(body).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    private static object CreateTableBody(string name) => new Dictionary<string, object>
    {
        ["name"] = name,
        ["schema"] = JsonDocument.Parse(SpecJson.ToJson(TwoColumns)).RootElement,
        ["properties"] = new Dictionary<string, string> { ["owner"] = "ana" },
    };

    [Fact]
    public async Task Config_announces_a_prefix_only_to_clients_that_name_a_warehouse_and_both_route_forms_work()
    {
        var (_, client, _) = Start();
        var (status, body, _) = await Send(client, HttpMethod.Get, "/v1/config", checkAgainst: "/v1/config");
        Assert.Equal(200, status);
        var plain = Json(body);
        Assert.Empty(plain.GetProperty("overrides").EnumerateObject());
        var endpoints = plain.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}", endpoints);
        Assert.DoesNotContain("POST /v1/{prefix}/transactions/commit", endpoints);

        (status, body, _) = await Send(client, HttpMethod.Get, "/v1/config?warehouse=anything", checkAgainst: "/v1/config");
        Assert.Equal(200, status);
        var prefix = Json(body).GetProperty("overrides").GetProperty("prefix").GetString();
        Assert.Equal("faceberg", prefix);

        var unprefixed = await Send(client, HttpMethod.Get, "/v1/namespaces", checkAgainst: "/v1/{prefix}/namespaces");
        var prefixed = await Send(client, HttpMethod.Get, $"/v1/{prefix}/namespaces", checkAgainst: "/v1/{prefix}/namespaces");
        Assert.Equal(200, unprefixed.Status);
        Assert.Equal(unprefixed.Body, prefixed.Body);
    }

    [Fact]
    public async Task Namespaces_are_created_listed_in_pages_loaded_updated_and_dropped_only_when_empty()
    {
        var (_, client, catalog) = Start();
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            var (s, b, _) = await Send(client, HttpMethod.Post, "/v1/namespaces",
                new { @namespace = new[] { name }, properties = new Dictionary<string, string> { ["owner"] = name } }, "/v1/{prefix}/namespaces");
            Assert.Equal(200, s);
            Assert.Equal(name, Json(b).GetProperty("properties").GetProperty("owner").GetString());
        }
        var again = await Send(client, HttpMethod.Post, "/v1/namespaces", new { @namespace = new[] { "alpha" } }, "/v1/{prefix}/namespaces");
        AssertError(again.Body, 409, "AlreadyExistsException");

        var seen = new List<string>();
        string? token = null;
        do
        {
            var url = "/v1/namespaces?pageSize=2" + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token));
            var (s, b, _) = await Send(client, HttpMethod.Get, url, checkAgainst: "/v1/{prefix}/namespaces");
            Assert.Equal(200, s);
            var page = Json(b);
            var names = page.GetProperty("namespaces").EnumerateArray().Select(n => n[0].GetString()!).ToList();
            Assert.True(names.Count <= 2);
            seen.AddRange(names);
            token = page.TryGetProperty("next-page-token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal((await catalog.ListNamespacesAsync()).OrderBy(n => n, StringComparer.Ordinal), seen);

        var children = await Send(client, HttpMethod.Get, "/v1/namespaces?parent=alpha", checkAgainst: "/v1/{prefix}/namespaces");
        Assert.Empty(Json(children.Body).GetProperty("namespaces").EnumerateArray());

        var loaded = await Send(client, HttpMethod.Get, "/v1/namespaces/beta", checkAgainst: Ns);
        Assert.Equal("beta", Json(loaded.Body).GetProperty("properties").GetProperty("owner").GetString());
        Assert.Equal(204, (await Send(client, HttpMethod.Head, "/v1/namespaces/beta", checkAgainst: Ns)).Status);
        Assert.Equal(404, (await Send(client, HttpMethod.Head, "/v1/namespaces/nope", checkAgainst: Ns)).Status);
        var multi = await Send(client, HttpMethod.Get, "/v1/namespaces/alpha%1Fbeta", checkAgainst: Ns);
        AssertError(multi.Body, 404, "NoSuchNamespaceException");

        var update = await Send(client, HttpMethod.Post, "/v1/namespaces/beta/properties",
            new { updates = new Dictionary<string, string> { ["tier"] = "gold" }, removals = new[] { "owner", "absent" } }, Ns + "/properties");
        Assert.Equal(200, update.Status);
        Assert.Equal(["tier"], Json(update.Body).GetProperty("updated").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["absent"], Json(update.Body).GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("gold", (await catalog.LoadNamespaceAsync("beta"))["tier"]);

        await catalog.CreateTableAsync(new TableIdentifier("gamma", "t"), TwoColumns);
        var notEmpty = await Send(client, HttpMethod.Delete, "/v1/namespaces/gamma", checkAgainst: Ns);
        AssertError(notEmpty.Body, 409, "NamespaceNotEmptyException");
        Assert.Equal(204, (await Send(client, HttpMethod.Delete, "/v1/namespaces/alpha", checkAgainst: Ns)).Status);
        Assert.False(await catalog.NamespaceExistsAsync("alpha"));
        AssertError((await Send(client, HttpMethod.Delete, "/v1/namespaces/alpha", checkAgainst: Ns)).Body, 404, "NoSuchNamespaceException");
    }

    [Fact]
    public async Task Tables_are_created_listed_in_pages_loaded_with_etags_and_checked_for_existence()
    {
        var (_, client, catalog) = Start();
        foreach (var name in new[] { "a", "b", "c" })
            Assert.Equal(200, (await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables", CreateTableBody(name), Ns + "/tables")).Status);
        AssertError((await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables", CreateTableBody("a"), Ns + "/tables")).Body, 409, "AlreadyExistsException");

        var first = Json((await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables?pageSize=2", checkAgainst: Ns + "/tables")).Body);
        Assert.Equal(["a", "b"], first.GetProperty("identifiers").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        var next = first.GetProperty("next-page-token").GetString()!;
        var second = Json((await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables?pageSize=2&pageToken=" + Uri.EscapeDataString(next), checkAgainst: Ns + "/tables")).Body);
        Assert.Equal(["c"], second.GetProperty("identifiers").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next-page-token").ValueKind);
        AssertError((await Send(client, HttpMethod.Get, "/v1/namespaces/nope/tables", checkAgainst: Ns + "/tables")).Body, 404, "NoSuchNamespaceException");

        var (status, body, response) = await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/a", checkAgainst: Tbl);
        Assert.Equal(200, status);
        var table = Json(body);
        var expected = await catalog.LoadTableAsync(new TableIdentifier("default", "a"));
        Assert.Equal(expected.MetadataLocation, table.GetProperty("metadata-location").GetString());
        Assert.Equal(expected.Metadata.TableUuid.ToString(), table.GetProperty("metadata").GetProperty("table-uuid").GetString());
        Assert.Equal("ana", table.GetProperty("metadata").GetProperty("properties").GetProperty("owner").GetString());
        Assert.Equal(JsonValueKind.Object, table.GetProperty("config").ValueKind);
        var etag = response.Headers.ETag!.Tag;

        var cached = await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/a", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", etag), checkAgainst: Tbl);
        Assert.Equal(304, cached.Status);
        Assert.Equal("", cached.Body);
        var refs = await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/a?snapshots=refs", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", etag), checkAgainst: Tbl);
        Assert.Equal(200, refs.Status);
        Assert.NotEqual(etag, refs.Response.Headers.ETag!.Tag);
        AssertError((await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/a?snapshots=some", checkAgainst: Tbl)).Body, 400, "BadRequestException");

        Assert.Equal(204, (await Send(client, HttpMethod.Head, "/v1/namespaces/default/tables/a", checkAgainst: Tbl)).Status);
        Assert.Equal(404, (await Send(client, HttpMethod.Head, "/v1/namespaces/default/tables/zz", checkAgainst: Tbl)).Status);
        AssertError((await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/zz", checkAgainst: Tbl)).Body, 404, "NoSuchTableException");
    }

    [Fact]
    public async Task A_commit_applies_requirements_and_updates_and_a_stale_requirement_is_409()
    {
        var (_, client, catalog) = Start();
        var id = new TableIdentifier("default", "t");
        var created = await catalog.CreateTableAsync(id, TwoColumns);
        var commit = new
        {
            requirements = new object[] { new { type = "assert-table-uuid", uuid = created.Metadata.TableUuid.ToString() } },
            updates = new object[] { new { action = "set-properties", updates = new Dictionary<string, string> { ["comment"] = "hello" } } },
        };
        var (status, body, _) = await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t", commit, Tbl);
        Assert.Equal(200, status);
        var committed = Json(body);
        Assert.Equal("hello", committed.GetProperty("metadata").GetProperty("properties").GetProperty("comment").GetString());
        var after = await catalog.LoadTableAsync(id);
        Assert.Equal(after.MetadataLocation, committed.GetProperty("metadata-location").GetString());
        Assert.NotEqual(created.MetadataLocation, after.MetadataLocation);

        var stale = new
        {
            requirements = new object[] { new { type = "assert-ref-snapshot-id", @ref = "main", snapshot_id = 0 } },
            updates = new object[] { new { action = "set-properties", updates = new Dictionary<string, string> { ["comment"] = "lost" } } },
        };
        var staleJson = JsonSerializer.Serialize(stale).Replace("snapshot_id", "snapshot-id");
        var (staleStatus, staleBody, _) = await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t", staleJson, Tbl);
        Assert.Equal(409, staleStatus);
        AssertError(staleBody, 409, "CommitFailedException");
        Assert.Equal("hello", (await catalog.LoadTableAsync(id)).Metadata.Properties["comment"]);

        var unknown = await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t",
            new { requirements = Array.Empty<object>(), updates = new object[] { new { action = "do-something-new" } } }, Tbl);
        AssertError(unknown.Body, 400, "BadRequestException");
        AssertError((await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t", "{not json", Tbl)).Body, 400, "BadRequestException");
        AssertError((await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/missing", commit, Tbl)).Body, 404, "NoSuchTableException");
    }

    [Fact]
    public async Task Tables_are_registered_renamed_dropped_and_metrics_accepted_while_transactions_are_refused()
    {
        var (_, client, catalog) = Start();
        var created = await catalog.CreateTableAsync(new TableIdentifier("default", "t"), TwoColumns);

        Assert.Equal(204, (await Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t/metrics",
            "{\"report-type\":\"commit-report\"}", Tbl + "/metrics")).Status);

        var rename = await Send(client, HttpMethod.Post, "/v1/tables/rename",
            new { source = new { @namespace = new[] { "default" }, name = "t" }, destination = new { @namespace = new[] { "default" }, name = "u" } }, "/v1/{prefix}/tables/rename");
        Assert.Equal(204, rename.Status);
        Assert.True(await catalog.TableExistsAsync(new TableIdentifier("default", "u")));
        var missing = await Send(client, HttpMethod.Post, "/v1/tables/rename",
            new { source = new { @namespace = new[] { "default" }, name = "t" }, destination = new { @namespace = new[] { "default" }, name = "v" } }, "/v1/{prefix}/tables/rename");
        AssertError(missing.Body, 404, "NoSuchTableException");

        Assert.Equal(204, (await Send(client, HttpMethod.Delete, "/v1/namespaces/default/tables/u", checkAgainst: Tbl)).Status);
        var register = await Send(client, HttpMethod.Post, "/v1/namespaces/default/register",
            JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = "back", ["metadata-location"] = created.MetadataLocation }), Ns + "/register");
        Assert.Equal(200, register.Status);
        Assert.Equal(created.MetadataLocation, Json(register.Body).GetProperty("metadata-location").GetString());

        // A purge deletes the catalog's metadata folder for the table, never a file outside it.
        var outside = _temp.Write("data/keep.parquet", "not really parquet");
        Assert.Equal(204, (await Send(client, HttpMethod.Delete, "/v1/namespaces/default/tables/back?purgeRequested=true", checkAgainst: Tbl)).Status);
        Assert.True(File.Exists(outside));
        Assert.False(await catalog.TableExistsAsync(new TableIdentifier("default", "back")));

        var transaction = await Send(client, HttpMethod.Post, "/v1/transactions/commit", new { table_changes = Array.Empty<object>() });
        Assert.Equal(406, transaction.Status);
        AssertError(transaction.Body, 406, "UnsupportedOperationException");
    }

    [Fact]
    public async Task A_token_server_refuses_requests_without_the_bearer_token()
    {
        var (server, _, _) = Start();
        Assert.False(server.ReadOnly);
        using var anonymous = new HttpClient { BaseAddress = server.Endpoint };
        var (status, body, response) = await Send(anonymous, HttpMethod.Get, "/v1/config", checkAgainst: "/v1/config");
        Assert.Equal(401, status);
        AssertError(body, 401, "NotAuthorizedException");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientToken + "x");
        AssertError((await Send(anonymous, HttpMethod.Get, "/v1/namespaces", checkAgainst: "/v1/{prefix}/namespaces")).Body, 401, "NotAuthorizedException");
        Assert.DoesNotContain(ClientToken, body);
    }

    [Fact]
    public async Task Without_a_token_or_with_read_only_the_server_reads_but_refuses_changes()
    {
        foreach (var (token, readOnly) in new[] { ((string?)null, false), (ClientToken, true) })
        {
            var (server, client, catalog) = Start(token, readOnly);
            Assert.True(server.ReadOnly);
            await catalog.CreateTableAsync(new TableIdentifier("default", "t"), TwoColumns);
            Assert.Equal(200, (await Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/t", checkAgainst: Tbl)).Status);
            var create = await Send(client, HttpMethod.Post, "/v1/namespaces", new { @namespace = new[] { "x" } }, "/v1/{prefix}/namespaces");
            AssertError(create.Body, 403, "ForbiddenException");
            Assert.Contains("read-only", Json(create.Body).GetProperty("error").GetProperty("message").GetString());
            AssertError((await Send(client, HttpMethod.Delete, "/v1/namespaces/default/tables/t", checkAgainst: Tbl)).Body, 403, "ForbiddenException");
            Assert.False(await catalog.NamespaceExistsAsync("x"));
        }
    }

    [Fact]
    public async Task Sixty_four_parallel_loads_all_succeed_and_every_request_is_logged()
    {
        var (_, client, catalog) = Start();
        var created = await catalog.CreateTableAsync(new TableIdentifier("default", "t"), TwoColumns);
        var loads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Send(client, HttpMethod.Get, "/v1/namespaces/default/tables/t")));
        if (loads.Any(l => l.Status != 200))
        {
            await Task.Delay(500);
            lock (_log) Assert.Fail("Not every load succeeded; the server logged: " + string.Join(" | ", _log.Where(l => !l.Contains(" 200 ", StringComparison.Ordinal))));
        }
        Assert.All(loads, l => Assert.Equal(created.MetadataLocation, Json(l.Body).GetProperty("metadata-location").GetString()));
        // The server logs a request once its answer is closed, which can be just after the client has read it.
        int Logged() { lock (_log) return _log.Count(l => l.StartsWith("GET /v1/namespaces/default/tables/t 200 ", StringComparison.Ordinal)); }
        for (var wait = 0; wait < 100 && Logged() < 64; wait++) await Task.Delay(50);
        Assert.Equal(64, Logged());
    }

    [Fact]
    public async Task Concurrent_commits_to_one_table_all_land()
    {
        var (_, client, catalog) = Start();
        var id = new TableIdentifier("default", "t");
        await catalog.CreateTableAsync(id, TwoColumns);
        var commits = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Send(client, HttpMethod.Post, "/v1/namespaces/default/tables/t", new
        {
            requirements = Array.Empty<object>(),
            updates = new object[] { new { action = "set-properties", updates = new Dictionary<string, string> { [$"k{i}"] = "v" } } },
        })));
        Assert.All(commits, c => Assert.Equal(200, c.Status));
        var properties = (await catalog.LoadTableAsync(id)).Metadata.Properties;
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal("v", properties[$"k{i}"]));
    }

    [Fact]
    public async Task Stop_is_graceful_and_the_port_is_released()
    {
        var (server, client, _) = Start();
        Assert.Equal(200, (await Send(client, HttpMethod.Get, "/v1/config")).Status);
        await server.StopAsync();
        Assert.False(server.IsRunning);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/v1/config"));
    }

    public void Dispose()
    {
        foreach (var s in _servers) s.StopAsync().GetAwaiter().GetResult();
        _temp.Dispose();
    }
}

/// <summary>A server over a catalog on a Hub: tables tell engines the Hub endpoint, and no answer carries the Hub token.</summary>
public sealed class RestCatalogServerHubTests(PublishHubFixture fixture) : IClassFixture<PublishHubFixture>
{
    [Fact]
    public async Task Loaded_tables_name_the_hub_endpoint_and_no_answer_carries_the_hub_token()
    {
        var repo = PublishHubFixture.NewRepo();
        var catalog = await HubCatalog.CreateAsync(fixture.Hub.Client, repo);
        var schema = new Schema(0, [NestedField.Require(1, "id", PrimitiveType.Long)]);
        await catalog.CreateTableAsync(new TableIdentifier("default", "t"), schema);
        await using var server = RestCatalogServer.Start(catalog, new RestServerOptions { ClientToken = "c", HubEndpoint = fixture.Hub.Client.Endpoint });
        using var client = new HttpClient { BaseAddress = server.Endpoint };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "c");
        var hubToken = fixture.Hub.Server.Token;
        Assert.False(string.IsNullOrEmpty(hubToken));

        var answers = new List<string>();
        foreach (var path in new[] { "/v1/config", "/v1/config?warehouse=w", "/v1/namespaces", "/v1/namespaces/default", "/v1/namespaces/default/tables",
                     "/v1/namespaces/default/tables/t", "/v1/namespaces/default/tables/missing", "/v1/nothing-here" })
        {
            var response = await client.GetAsync(path);
            answers.Add(response.Headers + "\n" + await response.Content.ReadAsStringAsync());
        }
        var commit = await client.PostAsync("/v1/namespaces/default/tables/t", new StringContent(
            "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":{\"a\":\"b\"}}]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, commit.StatusCode);
        answers.Add(await commit.Content.ReadAsStringAsync());

        Assert.All(answers, a => Assert.DoesNotContain(hubToken, a));
        var load = JsonDocument.Parse(answers[5][answers[5].IndexOf('{')..]).RootElement;
        Assert.StartsWith("hf://datasets/" + repo, load.GetProperty("metadata-location").GetString());
        var config = load.GetProperty("config");
        Assert.Equal(fixture.Hub.Client.Endpoint.ToString().TrimEnd('/'), config.GetProperty("hf.endpoint").GetString());
        Assert.DoesNotContain(config.EnumerateObject(), p => p.Name.Contains("token", StringComparison.OrdinalIgnoreCase));
    }
}
