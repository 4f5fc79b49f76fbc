using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Faceberg.LocalHub.Store;

namespace Faceberg.LocalHub.Samples;

/// <summary>
/// The demo datasets of the quickstart and of Start-FacebergLocalHub -Sample: demo/movie-reviews
/// (split file prefixes, train and test), demo/iris (flat data/*.parquet) and demo/translations
/// (README configs with two configs). Generated deterministically, so every run serves the same bytes.
/// </summary>
public static class SampleHub
{
    public const string MovieReviews = "demo/movie-reviews";
    public const string Iris = "demo/iris";
    public const string Translations = "demo/translations";

    public static IReadOnlyList<string> RepoIds { get; } = [MovieReviews, Iris, Translations];

    /// <summary>Creates the demo repos in a store over <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Create(string directory) => Create(new LocalHubStore(directory));

    /// <summary>Creates whichever demo repos are missing; existing ones are left as they are.</summary>
    /// <returns>The repos created now.</returns>
    public static IReadOnlyList<string> Create(LocalHubStore store)
    {
        var created = new List<string>();
        if (!store.RepoExists(MovieReviews)) { CreateMovieReviews(store); created.Add(MovieReviews); }
        if (!store.RepoExists(Iris)) { CreateIris(store); created.Add(Iris); }
        if (!store.RepoExists(Translations)) { CreateTranslations(store); created.Add(Translations); }
        return created;
    }

    // ---- movie reviews ------------------------------------------------------------------------

    public sealed class MovieReview
    {
        [JsonPropertyName("text")] public string Text { get; set; } = "";
        [JsonPropertyName("label")] public long Label { get; set; }
    }

    private static readonly string[] Positive = ["a moving", "a delightful", "an inventive", "a beautifully shot", "a sharp"];
    private static readonly string[] Negative = ["a tedious", "a muddled", "a lifeless", "an overlong", "a clumsy"];
    private static readonly string[] Subjects = ["heist thriller", "family drama", "space opera", "romantic comedy", "war epic", "documentary"];

    private static IEnumerable<MovieReview> Reviews(int start, int count) => Enumerable.Range(start, count).Select(i =>
    {
        var positive = (i * 7 + 3) % 5 < 3;
        var adjectives = positive ? Positive : Negative;
        return new MovieReview
        {
            Text = $"Review {i}: {adjectives[i % adjectives.Length]} {Subjects[i % Subjects.Length]}{(positive ? ", worth seeing twice." : " that I cannot recommend.")}",
            Label = positive ? 1 : 0,
        };
    });

    private static readonly JsonObject ReviewFeatures = new()
    {
        ["text"] = ParquetSamples.Value("string"),
        ["label"] = ParquetSamples.ClassLabel("neg", "pos"),
    };

    private static void CreateMovieReviews(LocalHubStore store)
    {
        store.CreateRepo(MovieReviews);
        store.Commit(MovieReviews, new Dictionary<string, byte[]>
        {
            ["README.md"] = Utf8("---\nlicense: cc-by-4.0\ntask_categories:\n- text-classification\nlanguage:\n- en\npretty_name: Movie reviews\n---\n# Movie reviews\n\nShort synthetic movie reviews labelled neg/pos.\n"),
            ["data/train-00000-of-00001.parquet"] = ParquetSamples.Write(Reviews(0, 200), ReviewFeatures),
        }, null, "Add movie reviews (train)");
        store.Commit(MovieReviews, new Dictionary<string, byte[]>
        {
            ["data/train-00000-of-00002.parquet"] = ParquetSamples.Write(Reviews(0, 200), ReviewFeatures),
            ["data/train-00001-of-00002.parquet"] = ParquetSamples.Write(Reviews(200, 200), ReviewFeatures),
            ["data/test-00000-of-00001.parquet"] = ParquetSamples.Write(Reviews(10_000, 100), ReviewFeatures),
        }, ["data/train-00000-of-00001.parquet"], "Reshard train into two files and add test");
    }

    // ---- iris ---------------------------------------------------------------------------------

    public sealed class IrisFlower
    {
        [JsonPropertyName("sepal_length")] public double SepalLength { get; set; }
        [JsonPropertyName("sepal_width")] public double SepalWidth { get; set; }
        [JsonPropertyName("petal_length")] public double PetalLength { get; set; }
        [JsonPropertyName("petal_width")] public double PetalWidth { get; set; }
        [JsonPropertyName("species")] public long Species { get; set; }
    }

    private static readonly double[][] SpeciesMeans = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]];

    private static IEnumerable<IrisFlower> Flowers(int species, int count)
    {
        // A fixed seed per species: the same flowers on every machine and run.
        var random = new Random(17 + species);
        var mean = SpeciesMeans[species];
        double Around(double m) => Math.Round(m + (random.NextDouble() - 0.5) * m * 0.2, 1);
        return Enumerable.Range(0, count).Select(_ => new IrisFlower
        {
            SepalLength = Around(mean[0]), SepalWidth = Around(mean[1]), PetalLength = Around(mean[2]), PetalWidth = Around(mean[3]), Species = species,
        }).ToList();
    }

    private static void CreateIris(LocalHubStore store)
    {
        var features = new JsonObject
        {
            ["sepal_length"] = ParquetSamples.Value("float64"),
            ["sepal_width"] = ParquetSamples.Value("float64"),
            ["petal_length"] = ParquetSamples.Value("float64"),
            ["petal_width"] = ParquetSamples.Value("float64"),
            ["species"] = ParquetSamples.ClassLabel("setosa", "versicolor", "virginica"),
        };
        store.CreateRepo(Iris);
        store.Commit(Iris, new Dictionary<string, byte[]>
        {
            ["README.md"] = Utf8("---\nlicense: cc0-1.0\npretty_name: Iris\n---\n# Iris\n\nA synthetic take on Fisher's iris measurements.\n"),
            ["data/iris-00000.parquet"] = ParquetSamples.Write(Flowers(0, 50).Concat(Flowers(1, 50)), features),
        }, null, "Add setosa and versicolor");
        store.Commit(Iris, new Dictionary<string, byte[]>
        {
            ["data/iris-00001.parquet"] = ParquetSamples.Write(Flowers(2, 50), features),
        }, null, "Add virginica");
    }

    // ---- translations -------------------------------------------------------------------------

    public sealed class TranslationPair
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("source")] public string Source { get; set; } = "";
        [JsonPropertyName("target")] public string Target { get; set; } = "";
    }

    private static readonly (string En, string Fr, string De)[] Phrases =
    [
        ("good morning", "bonjour", "guten Morgen"), ("thank you", "merci", "danke"), ("the cat sleeps", "le chat dort", "die Katze schläft"),
        ("where is the station", "où est la gare", "wo ist der Bahnhof"), ("I like tea", "j'aime le thé", "ich mag Tee"),
        ("see you tomorrow", "à demain", "bis morgen"), ("the sky is blue", "le ciel est bleu", "der Himmel ist blau"),
    ];

    private static IEnumerable<TranslationPair> Pairs(bool french, int start, int count) => Enumerable.Range(start, count).Select(i =>
    {
        var phrase = Phrases[i % Phrases.Length];
        return new TranslationPair { Id = i, Source = $"{phrase.En} ({i})", Target = $"{(french ? phrase.Fr : phrase.De)} ({i})" };
    });

    private static void CreateTranslations(LocalHubStore store)
    {
        var features = new JsonObject { ["id"] = ParquetSamples.Value("int64"), ["source"] = ParquetSamples.Value("string"), ["target"] = ParquetSamples.Value("string") };
        const string card = """
            ---
            license: cc-by-sa-4.0
            pretty_name: Translations
            configs:
            - config_name: en-fr
              default: true
              data_files:
              - split: train
                path: en-fr/train-*.parquet
              - split: test
                path: en-fr/test-*.parquet
            - config_name: en-de
              data_files:
              - split: train
                path: en-de/train-*.parquet
            ---
            # Translations

            Short English phrases with French and German translations, one config per language pair.

            """;
        store.CreateRepo(Translations);
        store.Commit(Translations, new Dictionary<string, byte[]>
        {
            ["README.md"] = Utf8(card),
            ["en-fr/train-00000-of-00001.parquet"] = ParquetSamples.Write(Pairs(true, 0, 70), features),
            ["en-fr/test-00000-of-00001.parquet"] = ParquetSamples.Write(Pairs(true, 1000, 14), features),
        }, null, "Add en-fr");
        store.Commit(Translations, new Dictionary<string, byte[]>
        {
            ["en-de/train-00000-of-00001.parquet"] = ParquetSamples.Write(Pairs(false, 0, 70), features),
        }, null, "Add en-de");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
