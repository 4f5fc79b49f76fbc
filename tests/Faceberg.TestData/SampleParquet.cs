using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Faceberg.LocalHub.Samples;

namespace Faceberg.TestData;

/// <summary>A row with every kind of column the tests care about.</summary>
public sealed class SampleRow
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("count")] public int Count { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("score")] public double Score { get; set; }
    [JsonPropertyName("weight")] public float Weight { get; set; }
    [JsonPropertyName("flag")] public bool Flag { get; set; }
    [JsonPropertyName("label")] public long Label { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("tags")] public List<string> Tags { get; set; } = [];
    [JsonPropertyName("meta")] public SampleMeta Meta { get; set; } = new();
}

public sealed class SampleMeta
{
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    // Nullable as the `datasets` library writes every field; a required field inside an optional
    // struct also makes hyparquet (icebird's reader) fail with "parquet struct parsing error".
    [JsonPropertyName("year")] public int? Year { get; set; }
}

/// <summary>
/// Deterministic Parquet files of <see cref="SampleRow"/> with the `datasets` library's
/// "huggingface" metadata (features incl. a ClassLabel, a Sequence and a nested dict).
/// </summary>
public static class SampleParquet
{
    public static readonly string[] LabelNames = ["negative", "neutral", "positive"];

    public static JsonObject Features => new()
    {
        ["id"] = ParquetSamples.Value("int64"),
        ["count"] = ParquetSamples.Value("int32"),
        ["text"] = ParquetSamples.Value("string"),
        ["score"] = ParquetSamples.Value("float64"),
        ["weight"] = ParquetSamples.Value("float32"),
        ["flag"] = ParquetSamples.Value("bool"),
        ["label"] = ParquetSamples.ClassLabel(LabelNames),
        ["comment"] = ParquetSamples.Value("string"),
        ["tags"] = ParquetSamples.Sequence(ParquetSamples.Value("string")),
        ["meta"] = new JsonObject { ["source"] = ParquetSamples.Value("string"), ["year"] = ParquetSamples.Value("int32") },
    };

    /// <summary>Rows with ids <paramref name="startId"/>.. ; values derive from the id only.</summary>
    public static IReadOnlyList<SampleRow> Rows(int count, long startId = 0) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var id = startId + i;
            return new SampleRow
            {
                Id = id,
                Count = (int)(id % 1000),
                Text = $"row {id}",
                Score = id * 0.5,
                Weight = (float)(id % 10) / 4f,
                Flag = id % 2 == 0,
                Label = id % LabelNames.Length,
                Comment = id % 5 == 0 ? null : $"comment {id % 7}",
                Tags = Enumerable.Range(0, (int)(id % 3)).Select(t => $"tag{t}").ToList(),
                Meta = new SampleMeta { Source = id % 2 == 0 ? "web" : "books", Year = 2000 + (int)(id % 25) },
            };
        }).ToList();

    public static byte[] Write(int rowCount, long startId = 0, int? rowGroupSize = null) =>
        ParquetSamples.Write(Rows(rowCount, startId), Features, rowGroupSize);
}
