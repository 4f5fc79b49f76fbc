using System.Text.Json.Nodes;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.LocalHub.Samples;

/// <summary>
/// Writes Parquet files the way the `datasets` library does: rows plus a "huggingface" key-value
/// entry whose JSON holds the dataset features (Value, ClassLabel, Sequence, nested dicts).
/// </summary>
public static class ParquetSamples
{
    /// <summary>The Parquet key-value metadata key the `datasets` library writes its features under.</summary>
    public const string HuggingFaceKey = "huggingface";

    /// <summary>Serializes rows (public properties become columns; nested classes structs, lists lists).</summary>
    /// <param name="features">Features JSON for the "huggingface" metadata entry; none when null.</param>
    /// <param name="rowGroupSize">Rows per row group; one group when null.</param>
    public static byte[] Write<T>(IEnumerable<T> rows, JsonObject? features = null, int? rowGroupSize = null) where T : new()
    {
        var metadata = features is null
            ? null
            : new Dictionary<string, string> { [HuggingFaceKey] = HuggingFaceMetadata(features) };
        var options = new ParquetOptions();
        if (rowGroupSize is { } size) options.RowGroupSize = size;
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream, options, metadata).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>The "huggingface" metadata value: {"info":{"features":{...}}}.</summary>
    public static string HuggingFaceMetadata(JsonObject features) =>
        new JsonObject { ["info"] = new JsonObject { ["features"] = features.DeepClone() } }.ToJsonString();

    public static JsonObject Value(string dtype) => new() { ["dtype"] = dtype, ["_type"] = "Value" };

    public static JsonObject ClassLabel(params string[] names) =>
        new() { ["names"] = new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()), ["_type"] = "ClassLabel" };

    public static JsonObject Sequence(JsonObject feature) => new() { ["feature"] = feature, ["_type"] = "Sequence" };
}
