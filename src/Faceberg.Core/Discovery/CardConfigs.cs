using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Faceberg.Core.Discovery;

/// <summary>One entry of a dataset card's <c>configs:</c> list.</summary>
/// <param name="Name">The <c>config_name</c>.</param>
/// <param name="DataFiles">Split → patterns in card order, as datasets' <c>sanitize_patterns</c> shapes
/// them (a bare string or list means split <c>train</c>); null when the config has no <c>data_files</c>
/// and its splits are inferred inside <paramref name="DataDir"/>.</param>
/// <param name="DataDir">The <c>data_dir</c> the patterns are relative to, or null for the repository root.</param>
/// <param name="IsDefault">The config is the dataset's default (datasets' <c>get_default_config_name</c>).</param>
public sealed record CardConfig(string Name, IReadOnlyList<SplitPatternSet>? DataFiles, string? DataDir, bool IsDefault);

/// <summary>
/// Reads the <c>configs:</c> of a dataset card with the rules of datasets' <c>MetadataConfigs</c>.
/// </summary>
public static class CardConfigs
{
    // huggingface_hub's REGEX_YAML_BLOCK: the front matter between the first two "---" lines.
    private static readonly Regex YamlBlock = new(@"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))", RegexOptions.CultureInvariant);

    private const string Shapes =
        "data_files must be a string, a list of strings, or a list of {split: <name>, path: <pattern or list of patterns>} entries";

    /// <summary>The card's configs from the Hub's <c>cardData</c> JSON; empty when it declares none.</summary>
    /// <exception cref="DiscoveryException">The <c>configs:</c> field is malformed.</exception>
    public static IReadOnlyList<CardConfig> FromCardData(JsonElement cardData)
    {
        if (cardData.ValueKind != JsonValueKind.Object
            || !cardData.TryGetProperty("configs", out var configs)
            || IsFalsy(configs))
            return [];
        if (configs.ValueKind != JsonValueKind.Array)
            throw Invalid($"Expected 'configs' in the dataset card to be a list, but got {configs.GetRawText()}.");

        var parsed = new List<(string Name, IReadOnlyList<SplitPatternSet>? DataFiles, string? DataDir, bool Default)>();
        foreach (var entry in configs.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("config_name", out var nameElement)
                || ScalarText(nameElement) is not { } name)
                throw Invalid($"Each config in the dataset card must have a 'config_name', but got {entry.GetRawText()}.");
            if (parsed.Any(p => p.Name == name))
                throw Invalid($"The dataset card declares config '{name}' more than once.");
            var dataFiles = entry.TryGetProperty("data_files", out var df) && df.ValueKind != JsonValueKind.Null
                ? Sanitize(name, df)
                : null;
            string? dataDir = null;
            if (entry.TryGetProperty("data_dir", out var dd) && dd.ValueKind != JsonValueKind.Null)
                dataDir = dd.ValueKind == JsonValueKind.String
                    ? dd.GetString()
                    : throw Invalid($"Config '{name}': data_dir must be a string, but got {dd.GetRawText()}.");
            var isDefault = entry.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.True;
            parsed.Add((name, dataFiles, string.IsNullOrEmpty(dataDir) ? null : dataDir, isDefault));
        }

        // datasets: the only config, one named "default", or one marked default: true; two candidates is an error.
        var defaults = parsed.Where(p => parsed.Count == 1 || p.Name == "default" || p.Default).Select(p => p.Name).ToList();
        if (defaults.Count > 1)
            throw Invalid($"The dataset card has several default configs: '{defaults[0]}' and '{defaults[1]}'.");

        return parsed.Select(p => new CardConfig(p.Name, p.DataFiles, p.DataDir, defaults.Contains(p.Name))).ToList();
    }

    /// <summary>The card's configs from the README.md text (its YAML front matter); empty when it declares none.</summary>
    public static IReadOnlyList<CardConfig> FromReadme(string readmeText) =>
        ReadmeToCardData(readmeText) is { } cardData ? FromCardData(cardData) : [];

    /// <summary>
    /// The README's YAML front matter as JSON, shaped like the Hub's <c>cardData</c>; null when the README
    /// has no front matter. Scalars follow YAML 1.1 as PyYAML's <c>safe_load</c> reads them (true/yes/on are
    /// booleans, unquoted numbers are numbers).
    /// </summary>
    public static JsonElement? ReadmeToCardData(string readmeText)
    {
        ArgumentNullException.ThrowIfNull(readmeText);
        var match = YamlBlock.Match(readmeText);
        if (!match.Success)
            return null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(match.Groups[2].Value));
        }
        catch (YamlException e)
        {
            throw new DiscoveryException("DiscoveryInvalidCard", FacebergErrorKind.InvalidData,
                $"The README.md YAML front matter is not valid YAML: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return null;
        return JsonSerializer.SerializeToElement(ToJson(root));
    }

    // datasets' _raise_if_data_files_field_not_valid + sanitize_patterns.
    private static IReadOnlyList<SplitPatternSet> Sanitize(string config, JsonElement dataFiles)
    {
        switch (dataFiles.ValueKind)
        {
            case JsonValueKind.String:
                return [new SplitPatternSet(SplitPatterns.Train, [dataFiles.GetString()!])];
            case JsonValueKind.Array:
                var items = dataFiles.EnumerateArray().ToList();
                if (items.All(i => i.ValueKind == JsonValueKind.String))
                    return items.Count == 0 ? [] : [new SplitPatternSet(SplitPatterns.Train, items.Select(i => i.GetString()!).ToList())];
                if (!items.All(i => i.ValueKind == JsonValueKind.Object))
                    throw Invalid($"Config '{config}': {Shapes}, not a mix of strings and entries; got {dataFiles.GetRawText()}.");
                var sets = new List<SplitPatternSet>();
                foreach (var item in items)
                {
                    var properties = item.EnumerateObject().ToList();
                    if (properties.Count != 2 || !item.TryGetProperty("split", out var split) || split.ValueKind != JsonValueKind.String
                        || !item.TryGetProperty("path", out var path))
                        throw Invalid($"Config '{config}': {Shapes}; got {item.GetRawText()}.");
                    var splitName = split.GetString()!;
                    if (!SplitPatterns.IsValidSplitName(splitName))
                        throw Invalid($"Config '{config}': split name '{splitName}' is not valid (letters, digits, '_' and '.' only).");
                    if (sets.Any(s => s.Split == splitName))
                        throw Invalid($"Config '{config}': split '{splitName}' is listed more than once in data_files.");
                    sets.Add(new SplitPatternSet(splitName, PathList(config, path)));
                }
                return sets;
            default:
                throw Invalid($"Config '{config}': {Shapes}; got {dataFiles.GetRawText()}.");
        }
    }

    private static IReadOnlyList<string> PathList(string config, JsonElement path)
    {
        if (path.ValueKind == JsonValueKind.String)
            return [path.GetString()!];
        if (path.ValueKind == JsonValueKind.Array && path.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String))
            return path.EnumerateArray().Select(p => p.GetString()!).ToList();
        throw Invalid($"Config '{config}': a data_files path must be a string or a list of strings; got {path.GetRawText()}.");
    }

    // Config names may be written as YAML numbers (e.g. config_name: 2020); datasets keeps them as names.
    private static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };

    // datasets tests `if card_data.get("configs")`: Python's falsy values mean "no configs".
    private static bool IsFalsy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => true,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Number => value.GetDouble() == 0,
        _ => false,
    };

    private static DiscoveryException Invalid(string message) =>
        new("DiscoveryInvalidCard", FacebergErrorKind.InvalidData, message);

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => ScalarToJson(scalar),
        _ => null,
    };

    private static JsonNode? ScalarToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }
        if (Regex.IsMatch(text, @"^[-+]?[0-9]+$") && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (Regex.IsMatch(text, @"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
