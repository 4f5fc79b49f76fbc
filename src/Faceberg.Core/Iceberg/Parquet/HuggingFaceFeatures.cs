using System.Globalization;
using System.Text;
using System.Text.Json;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// The dataset features the `datasets` library stores in a Parquet file's "huggingface" key-value
/// metadata (<c>{"info": {"features": {column: feature}}}</c>), described in words for Iceberg column
/// docs: what a ClassLabel's integers mean, the Value dtype, that an Image or Audio column is a struct of
/// the encoded file's bytes and path. Docs are a courtesy, so malformed metadata yields no features
/// rather than an error.
/// </summary>
public sealed class HuggingFaceFeatures
{
    /// <summary>The key-value metadata key the `datasets` library writes.</summary>
    public const string MetadataKey = "huggingface";

    /// <summary>Label lists longer than this are cut in docs; the full list stays in <see cref="ClassLabelNames"/>.</summary>
    public const int MaxLabelsInDoc = 100;

    private readonly Dictionary<string, string> _docs;
    private readonly Dictionary<string, IReadOnlyList<string>> _labels;

    private HuggingFaceFeatures(Dictionary<string, string> docs, Dictionary<string, IReadOnlyList<string>> labels)
    {
        _docs = docs;
        _labels = labels;
    }

    /// <summary>One doc per top-level column with a feature.</summary>
    public IReadOnlyDictionary<string, string> ColumnDocs => _docs;

    /// <summary>Class names of top-level ClassLabel columns, index = stored integer.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ClassLabelNames => _labels;

    public static HuggingFaceFeatures? FromKeyValueMetadata(IReadOnlyDictionary<string, string> keyValueMetadata) =>
        keyValueMetadata.TryGetValue(MetadataKey, out var json) ? Parse(json) : null;

    /// <summary>Parses the metadata JSON; null when it is not JSON or has no info.features object.</summary>
    public static HuggingFaceFeatures? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("info", out var info) || info.ValueKind != JsonValueKind.Object
                || !info.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Object)
                return null;

            var docs = new Dictionary<string, string>(StringComparer.Ordinal);
            var labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var column in features.EnumerateObject())
            {
                docs[column.Name] = Describe(column.Value);
                if (TypeOf(column.Value) == "ClassLabel" && column.Value.TryGetProperty("names", out var names) && names.ValueKind == JsonValueKind.Array)
                    labels[column.Name] = names.EnumerateArray().Select(n => n.ToString()).ToArray();
            }
            return new HuggingFaceFeatures(docs, labels);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The schema with each top-level field's doc set from its feature; fields without a feature keep theirs.</summary>
    public Schema ApplyDocs(Schema schema) =>
        new(schema.SchemaId,
            schema.Fields.Select(f => _docs.TryGetValue(f.Name, out var doc) ? f with { Doc = doc } : f),
            schema.IdentifierFieldIds);

    private static string? TypeOf(JsonElement feature) =>
        feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty("_type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString() : null;

    private static string? Text(JsonElement feature, string property) =>
        feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty(property, out var p) && p.ValueKind != JsonValueKind.Null
            ? p.ToString() : null;

    private static string Describe(JsonElement feature)
    {
        if (feature.ValueKind == JsonValueKind.Array)
            return feature.GetArrayLength() == 1 ? "List of " + Describe(feature[0]) : "List";
        if (feature.ValueKind != JsonValueKind.Object)
            return feature.ToString();

        var type = TypeOf(feature);
        switch (type)
        {
            case null:
                // A plain dict of sub-features is stored as a struct.
                return "Struct of " + string.Join("; ", feature.EnumerateObject().Select(p => $"{p.Name}: {Describe(p.Value)}"));
            case "Value":
                return $"Value ({Text(feature, "dtype") ?? "unknown dtype"})";
            case "ClassLabel":
                return DescribeClassLabel(feature);
            case "Image":
                return "Image: struct of bytes (the encoded image file) and path";
            case "Audio":
            {
                var rate = Text(feature, "sampling_rate");
                return "Audio: struct of bytes (the encoded audio file) and path" + (rate != null ? $"; sampling rate {rate} Hz" : "");
            }
            case "Video":
                return "Video: struct of bytes (the encoded video file) and path";
            case "Pdf":
                return "Pdf: struct of bytes (the PDF file) and path";
            case "Sequence":
            case "List":
            case "LargeList":
            {
                var inner = feature.TryGetProperty("feature", out var f) ? Describe(f) : "values";
                var length = Text(feature, "length");
                var fixedLength = length != null && length != "-1" ? $" (length {length})" : "";
                return $"{(type == "Sequence" ? "Sequence" : "List")}{fixedLength} of {inner}";
            }
            case "Translation":
            case "TranslationVariableLanguages":
            {
                var languages = feature.TryGetProperty("languages", out var l) && l.ValueKind == JsonValueKind.Array
                    ? string.Join(", ", l.EnumerateArray().Select(x => x.ToString())) : "unspecified";
                return (type == "Translation" ? "Translation" : "Translation with variable languages") + ": languages " + languages;
            }
            case "Array2D":
            case "Array3D":
            case "Array4D":
            case "Array5D":
            {
                var shape = feature.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array
                    ? "(" + string.Join(", ", s.EnumerateArray().Select(x => x.ToString())) + ")" : "unknown";
                return $"{type}: shape {shape}, dtype {Text(feature, "dtype") ?? "unknown"}";
            }
            default:
                return type;
        }
    }

    private static string DescribeClassLabel(JsonElement feature)
    {
        if (!feature.TryGetProperty("names", out var names) || names.ValueKind != JsonValueKind.Array)
        {
            var count = Text(feature, "num_classes");
            return count != null ? $"ClassLabel: {count} classes" : "ClassLabel";
        }
        var all = names.EnumerateArray().Select(n => n.ToString()).ToArray();
        var text = new StringBuilder("ClassLabel: ");
        text.AppendJoin(", ", all.Take(MaxLabelsInDoc).Select((name, i) => string.Create(CultureInfo.InvariantCulture, $"{i}={name}")));
        if (all.Length > MaxLabelsInDoc)
            text.Append(CultureInfo.InvariantCulture, $", … ({all.Length} classes)");
        return text.ToString();
    }
}
