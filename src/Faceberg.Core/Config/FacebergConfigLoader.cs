using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Faceberg.Core.Config;

/// <summary>Reads and validates faceberg.yml. Works on YamlDotNet's representation model rather
/// than a deserializer so every error can point at the line and column of the offending node.</summary>
public static class FacebergConfigLoader
{
    private static readonly string[] RootKeys = ["catalog", "datasets"];
    private static readonly string[] CatalogKeys = ["name", "location", "repo"];
    private static readonly string[] DatasetKeys = ["name", "repo", "configs", "revision"];

    public static FacebergConfig Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FacebergException("ConfigNotFound", FacebergErrorKind.NotFound, $"Config file '{full}' does not exist.");
        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Parses config text. <paramref name="fileName"/> names the file in errors; a relative
    /// catalog location is resolved against its folder.</summary>
    public static FacebergConfig Parse(string text, string fileName)
    {
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(fileName))!;
        var reader = new Reader(fileName);
        var root = reader.LoadRoot(text);
        if (root is null)
            throw reader.Error(1, 1, "the file is empty; expected a 'catalog:' section.");
        var rootMap = reader.Expect<YamlMappingNode>(root, "at the top level", "a mapping with 'catalog' and 'datasets'");
        reader.RejectUnknownKeys(rootMap, RootKeys, "at the top level");

        var catalogNode = reader.Get(rootMap, "catalog")
            ?? throw reader.Error(rootMap.Start, "missing the 'catalog:' section (with 'name' and optionally 'location').");
        var catalogMap = reader.Expect<YamlMappingNode>(catalogNode, "'catalog'", "a mapping with 'name' and 'location'");
        reader.RejectUnknownKeys(catalogMap, CatalogKeys, "in 'catalog'");
        var catalogName = reader.RequiredIdentifier(catalogMap, "name", "'catalog'");
        var locationNode = reader.Get(catalogMap, "location");
        var locationText = locationNode is null ? CatalogConfig.DefaultLocation : reader.RequiredString(locationNode, "'catalog.location'");
        CatalogLocation location;
        try
        {
            location = CatalogLocation.Parse(locationText, baseDirectory);
        }
        catch (FacebergException ex)
        {
            throw reader.Error(locationNode?.Start ?? catalogMap.Start, $"invalid 'location': {ex.Message}");
        }
        var repo = location.RepoId;
        var repoNode = reader.Get(catalogMap, "repo");
        if (repoNode is not null && !IsNull(repoNode))
        {
            var repoText = reader.RequiredString(repoNode, "'catalog.repo'");
            if (!RepoIds.IsValid(repoText))
                throw reader.Error(repoNode.Start, $"'{repoText}' is not a valid dataset repo id; expected 'org/name' (letters, digits, '-', '_', '.').");
            if (repo is not null && repo != repoText)
                throw reader.Error(repoNode.Start, $"'catalog.repo' ({repoText}) and the repo of 'catalog.location' ({repo}) differ; name the catalog repo once.");
            repo = repoText;
        }

        var datasets = new List<DatasetConfig>();
        var firstLineOfName = new Dictionary<string, int>(StringComparer.Ordinal);
        var datasetsNode = reader.Get(rootMap, "datasets");
        if (datasetsNode is not null && !IsNull(datasetsNode))
        {
            var sequence = reader.Expect<YamlSequenceNode>(datasetsNode, "'datasets'", "a list of datasets");
            foreach (var item in sequence.Children)
            {
                var dataset = ReadDataset(reader, item);
                if (firstLineOfName.TryGetValue(dataset.Name, out var firstLine))
                {
                    var nameNode = reader.Get((YamlMappingNode)item, "name")!;
                    throw reader.Error(nameNode.Start, $"duplicate dataset name '{dataset.Name}' (first defined on line {firstLine}); dataset names must be unique.");
                }
                firstLineOfName[dataset.Name] = dataset.Line;
                datasets.Add(dataset);
            }
        }

        return new FacebergConfig
        {
            Catalog = new CatalogConfig { Name = catalogName, Location = location, Repo = repo },
            Datasets = datasets,
            SourceFile = fileName,
        };
    }

    private static DatasetConfig ReadDataset(Reader reader, YamlNode item)
    {
        var map = reader.Expect<YamlMappingNode>(item, "a dataset entry", "a mapping with 'name' and 'repo'");
        reader.RejectUnknownKeys(map, DatasetKeys, "in a dataset entry");
        var name = reader.RequiredIdentifier(map, "name", "a dataset entry");
        var repoNode = reader.Get(map, "repo")
            ?? throw reader.Error(map.Start, $"dataset '{name}' is missing 'repo' (the Hub dataset id, 'org/name').");
        var repo = reader.RequiredString(repoNode, $"'repo' of dataset '{name}'");
        if (!RepoIds.IsValid(repo))
            throw reader.Error(repoNode.Start, $"'{repo}' is not a valid dataset repo id; expected 'org/name' (letters, digits, '-', '_', '.').");

        var configs = new List<string>();
        var configsNode = reader.Get(map, "configs");
        if (configsNode is YamlScalarNode single && !IsNull(single))
            configs.Add(reader.RequiredString(single, $"'configs' of dataset '{name}'"));
        else if (configsNode is YamlSequenceNode list)
        {
            foreach (var entry in list.Children)
            {
                var config = reader.RequiredString(entry, $"a config of dataset '{name}'");
                if (configs.Contains(config))
                    throw reader.Error(entry.Start, $"config '{config}' is listed twice for dataset '{name}'.");
                configs.Add(config);
            }
        }
        else if (configsNode is YamlMappingNode)
            throw reader.Error(configsNode.Start, $"'configs' of dataset '{name}' must be a list of config names.");

        var revisionNode = reader.Get(map, "revision");
        var revision = revisionNode is null || IsNull(revisionNode) ? null : reader.RequiredString(revisionNode, $"'revision' of dataset '{name}'");
        return new DatasetConfig { Name = name, Repo = repo, Configs = configs, Revision = revision, Line = (int)map.Start.Line };
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

    /// <summary>Helpers that know the file name for error messages.</summary>
    private sealed class Reader(string fileName)
    {
        public YamlNode? LoadRoot(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                // YamlDotNet reports duplicate mapping keys ("Duplicate key <k>") and syntax errors here.
                var message = TrimLocation(ex.Message);
                var problem = message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                    ? $"key '{message["Duplicate key ".Length..]}' appears twice in the same mapping."
                    : message;
                throw Error(ex.Start, problem, ex);
            }
            if (stream.Documents.Count > 1)
                throw Error(stream.Documents[1].RootNode.Start, "expected a single YAML document.");
            return stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode) ? null : stream.Documents[0].RootNode;
        }

        public T Expect<T>(YamlNode node, string what, string expected) where T : YamlNode =>
            node as T ?? throw Error(node.Start, $"{what} must be {expected}.");

        public YamlNode? Get(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public void RejectUnknownKeys(YamlMappingNode map, string[] allowed, string where)
        {
            foreach (var key in map.Children.Keys)
            {
                var text = (key as YamlScalarNode)?.Value;
                if (text is null || !allowed.Contains(text, StringComparer.Ordinal))
                    throw Error(key.Start, $"unknown key '{text ?? key.ToString()}' {where}; expected one of: {string.Join(", ", allowed)}.");
            }
        }

        public string RequiredString(YamlNode node, string what)
        {
            if (node is not YamlScalarNode scalar || IsNull(scalar))
                throw Error(node.Start, $"{what} must be a non-empty string.");
            var value = scalar.Value!.Trim();
            if (value.Length == 0)
                throw Error(node.Start, $"{what} must be a non-empty string.");
            return value;
        }

        public string RequiredIdentifier(YamlMappingNode map, string key, string owner)
        {
            var node = Get(map, key) ?? throw Error(map.Start, $"{owner} is missing '{key}'.");
            var value = RequiredString(node, $"'{key}' in {owner}");
            if (!TableIdentifier.IsValidPart(value))
                throw Error(node.Start, $"'{value}' is not a valid identifier: use letters, digits, '_' and '-', starting with a letter or '_'.");
            return value;
        }

        public FacebergConfigException Error(Mark mark, string problem, Exception? inner = null) =>
            Error((int)mark.Line, (int)mark.Column, problem, inner);

        public FacebergConfigException Error(int line, int column, string problem, Exception? inner = null) =>
            new(fileName, line, column, problem, inner);

        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (…): "; we print our own location.
        private static string TrimLocation(string message)
        {
            var index = message.LastIndexOf("): ", StringComparison.Ordinal);
            return index >= 0 ? message[(index + 3)..] : message;
        }
    }
}
