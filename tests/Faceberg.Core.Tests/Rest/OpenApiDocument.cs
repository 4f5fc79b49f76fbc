using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Faceberg.Core.Tests.Rest;

/// <summary>
/// The pinned Iceberg REST OpenAPI document (tests/interop/rest-catalog-open-api.yaml), read to check answers against
/// it: the status is one the route declares, and a JSON body has the fields its schema requires.
/// </summary>
public sealed class OpenApiDocument
{
    private readonly YamlMappingNode _root;

    private OpenApiDocument(YamlMappingNode root) => _root = root;

    public static OpenApiDocument Pinned { get; } = Load();

    private static OpenApiDocument Load()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "interop", "rest-catalog-open-api.yaml"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var yaml = new YamlStream();
        using var reader = File.OpenText(Path.Combine(dir!.FullName, "tests", "interop", "rest-catalog-open-api.yaml"));
        yaml.Load(reader);
        return new OpenApiDocument((YamlMappingNode)yaml.Documents[0].RootNode);
    }

    /// <summary>Asserts that <paramref name="status"/> is declared for the operation and that the body carries the
    /// required fields of the declared schema (and, for errors, of the error model).</summary>
    public void AssertConforms(string method, string pathTemplate, int status, string? body)
    {
        var paths = Map(_root, "paths");
        var path = Map(paths, pathTemplate);
        var operation = Map(path, method.ToLowerInvariant());
        var responses = Map(operation, "responses");
        var key = responses.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)
            .FirstOrDefault(k => k == status.ToString()) ?? (status >= 500 ? responses.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).FirstOrDefault(k => k == "5XX") : null);
        Assert.True(key is not null, $"{method} {pathTemplate} does not declare status {status}; it declares {string.Join(", ", responses.Children.Keys)}.");
        var response = Resolve((YamlMappingNode)responses.Children[new YamlScalarNode(key)]);
        // HTTP answers HEAD without a body, whatever the declared content.
        if (method == "HEAD") return;
        if (!response.Children.ContainsKey(new YamlScalarNode("content")))
        {
            Assert.True(string.IsNullOrEmpty(body), $"{method} {pathTemplate} {status} has no content, but the server sent a body.");
            return;
        }
        Assert.False(string.IsNullOrEmpty(body), $"{method} {pathTemplate} {status} needs a body.");
        var schema = Resolve(Map(Map(Map(response, "content"), "application/json"), "schema"));
        using var doc = JsonDocument.Parse(body!);
        AssertRequired(schema, doc.RootElement, $"{method} {pathTemplate} {status}");
    }

    private void AssertRequired(YamlMappingNode schema, JsonElement value, string where)
    {
        if (schema.Children.TryGetValue(new YamlScalarNode("allOf"), out var allOf))
        {
            foreach (var part in ((YamlSequenceNode)allOf).Children) AssertRequired(Resolve((YamlMappingNode)part), value, where);
        }
        if (schema.Children.TryGetValue(new YamlScalarNode("required"), out var required))
        {
            Assert.Equal(JsonValueKind.Object, value.ValueKind);
            foreach (var field in ((YamlSequenceNode)required).Children.Select(f => ((YamlScalarNode)f).Value!))
            {
                Assert.True(value.TryGetProperty(field, out var child), $"{where}: the answer lacks required field '{field}'.");
                // Nested objects the document defines by reference are checked too (the error model, table metadata).
                if (schema.Children.TryGetValue(new YamlScalarNode("properties"), out var props)
                    && ((YamlMappingNode)props).Children.TryGetValue(new YamlScalarNode(field), out var fieldSchema)
                    && fieldSchema is YamlMappingNode fs && fs.Children.ContainsKey(new YamlScalarNode("$ref")))
                    AssertRequired(Resolve(fs), child, where + "." + field);
            }
        }
    }

    private YamlMappingNode Resolve(YamlMappingNode node)
    {
        while (node.Children.TryGetValue(new YamlScalarNode("$ref"), out var reference))
        {
            var parts = ((YamlScalarNode)reference).Value!.TrimStart('#', '/').Split('/');
            var target = _root;
            foreach (var p in parts) target = Map(target, p);
            node = target;
        }
        return node;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode m
            ? m
            : throw new Xunit.Sdk.XunitException($"The OpenAPI document has no '{key}' here.");
}
