using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

public class HuggingFaceFeaturesTests
{
    private const string Features = """
        {"info": {"features": {
          "text": {"dtype": "string", "_type": "Value"},
          "label": {"names": ["neg", "pos"], "_type": "ClassLabel"},
          "image": {"_type": "Image"},
          "audio": {"sampling_rate": 16000, "_type": "Audio"},
          "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "Sequence"},
          "ner": {"feature": {"names": ["O", "B-PER"], "_type": "ClassLabel"}, "_type": "List"},
          "answers": {"text": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "Sequence"}, "start": {"dtype": "int32", "_type": "Value"}},
          "pairs": [{"dtype": "int64", "_type": "Value"}],
          "translation": {"languages": ["de", "en"], "_type": "Translation"},
          "grid": {"shape": [2, 3], "dtype": "float32", "_type": "Array2D"},
          "emb": {"feature": {"dtype": "float32", "_type": "Value"}, "length": 4, "_type": "Sequence"}
        }}}
        """;

    [Fact]
    public void Describes_every_feature_kind()
    {
        var features = HuggingFaceFeatures.Parse(Features)!;
        Assert.Equal(new Dictionary<string, string>
        {
            ["text"] = "Value (string)",
            ["label"] = "ClassLabel: 0=neg, 1=pos",
            ["image"] = "Image: struct of bytes (the encoded image file) and path",
            ["audio"] = "Audio: struct of bytes (the encoded audio file) and path; sampling rate 16000 Hz",
            ["tokens"] = "Sequence of Value (string)",
            ["ner"] = "List of ClassLabel: 0=O, 1=B-PER",
            ["answers"] = "Struct of text: Sequence of Value (string); start: Value (int32)",
            ["pairs"] = "List of Value (int64)",
            ["translation"] = "Translation: languages de, en",
            ["grid"] = "Array2D: shape (2, 3), dtype float32",
            ["emb"] = "Sequence (length 4) of Value (float32)",
        }, features.ColumnDocs);
        Assert.Equal(new[] { "neg", "pos" }, features.ClassLabelNames["label"]);
        Assert.False(features.ClassLabelNames.ContainsKey("ner"));
    }

    [Fact]
    public void Applies_docs_to_top_level_fields_only()
    {
        var schema = new Schema(0,
            NestedField.Optional(1, "text", PrimitiveType.String),
            NestedField.Optional(2, "label", PrimitiveType.Long),
            NestedField.Optional(3, "other", PrimitiveType.Int, "kept"));
        var documented = HuggingFaceFeatures.Parse(Features)!.ApplyDocs(schema);
        Assert.Equal(new string?[] { "Value (string)", "ClassLabel: 0=neg, 1=pos", "kept" }, documented.Fields.Select(f => f.Doc));
        Assert.Equal(schema.Fields.Select(f => (f.Id, f.Name, f.Type)), documented.Fields.Select(f => (f.Id, f.Name, f.Type)));
    }

    [Fact]
    public void Long_label_lists_are_cut_in_the_doc()
    {
        var names = string.Join(",", Enumerable.Range(0, 150).Select(i => $"\"c{i}\""));
        var features = HuggingFaceFeatures.Parse("{\"info\":{\"features\":{\"l\":{\"names\":[" + names + "],\"_type\":\"ClassLabel\"}}}}")!;
        Assert.StartsWith("ClassLabel: 0=c0, 1=c1,", features.ColumnDocs["l"]);
        Assert.EndsWith("99=c99, … (150 classes)", features.ColumnDocs["l"]);
        Assert.Equal(150, features.ClassLabelNames["l"].Count);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"info": {}}""")]
    [InlineData("""{"info": {"features": []}}""")]
    public void Malformed_metadata_gives_no_features(string json) => Assert.Null(HuggingFaceFeatures.Parse(json));

    [Fact]
    public void Reads_the_huggingface_key()
    {
        Assert.Null(HuggingFaceFeatures.FromKeyValueMetadata(new Dictionary<string, string> { ["pandas"] = "{}" }));
        Assert.NotNull(HuggingFaceFeatures.FromKeyValueMetadata(new Dictionary<string, string> { ["huggingface"] = Features }));
    }
}
