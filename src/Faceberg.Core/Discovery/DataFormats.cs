namespace Faceberg.Core.Discovery;

/// <summary>
/// Data file formats as the <c>datasets</c> library recognises them by extension
/// (<c>_EXTENSION_TO_MODULE</c>), and its choice of one format for a set of files
/// (<c>infer_module_for_data_files_list</c>).
/// </summary>
public static class DataFormats
{
    public const string Parquet = "parquet";

    /// <summary>The format for archives; datasets looks inside them, the Hub converter does the work for us.</summary>
    public const string Zip = "zip";

    // The tabular/structured modules verbatim, plus the common extensions of datasets' media folder
    // builders (its full image/audio/video lists are long; any of them means "not Parquet" all the same).
    private static readonly Dictionary<string, string> ExtensionToFormat = BuildExtensionMap();

    // imagefolder & co. read these as sidecar metadata; they never decide the format.
    private static readonly HashSet<string> MetadataFileNames = new(StringComparer.Ordinal)
        { "metadata.csv", "metadata.jsonl", "metadata.parquet" };

    // The extensions a Parquet data file can carry that Faceberg can register in a table as-is.
    private static readonly string[] ParquetExtensions = [".parquet", ".geoparquet", ".gpq"];

    /// <summary>True when datasets would accept the path as a data file of some format (its allowed extensions).</summary>
    public static bool IsDataFile(string path) =>
        Suffixes(path).Any(s => ExtensionToFormat.ContainsKey(s) || s == ".zip");

    /// <summary>True when the path is a Parquet file a table can reference directly.</summary>
    public static bool IsParquet(string path)
    {
        var name = BaseName(path);
        return ParquetExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal));
    }

    /// <summary>
    /// The format datasets would pick for these data files: the most common extension, with Parquet winning
    /// ties, then lance, arrow, jsonl, json, csv, then the extension's name; metadata sidecars count last.
    /// Null when no extension is known.
    /// </summary>
    public static string? Infer(IEnumerable<string> paths)
    {
        var counts = new Dictionary<(string Ext, bool IsMetadata), int>();
        foreach (var path in paths)
        {
            var isMetadata = MetadataFileNames.Contains(BaseName(path));
            foreach (var suffix in Suffixes(path))
            {
                var key = (suffix.ToLowerInvariant(), isMetadata);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        var ranked = counts
            .OrderByDescending(kv => !kv.Key.IsMetadata)
            .ThenByDescending(kv => kv.Value)
            .ThenByDescending(kv => kv.Key.Ext == ".parquet")
            .ThenByDescending(kv => kv.Key.Ext == ".lance")
            .ThenByDescending(kv => kv.Key.Ext == ".arrow")
            .ThenByDescending(kv => kv.Key.Ext == ".jsonl")
            .ThenByDescending(kv => kv.Key.Ext == ".json")
            .ThenByDescending(kv => kv.Key.Ext == ".csv")
            .ThenByDescending(kv => kv.Key.Ext, StringComparer.Ordinal);
        foreach (var ((ext, _), _) in ranked)
        {
            if (ExtensionToFormat.TryGetValue(ext, out var format))
                return format;
            if (ext == ".zip")
                return Zip;
        }
        return null;
    }

    private static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    // Every dot-suffix of the base name, as datasets counts them: "a.tar.gz" → ".tar", ".gz".
    private static IEnumerable<string> Suffixes(string path) =>
        BaseName(path).Split('.').Skip(1).Select(s => "." + s);

    private static Dictionary<string, string> BuildExtensionMap()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [".csv"] = "csv", [".tsv"] = "csv",
            [".json"] = "json", [".jsonl"] = "json", [".ndjson"] = "json",
            [".parquet"] = Parquet, [".geoparquet"] = Parquet, [".gpq"] = Parquet,
            [".arrow"] = "arrow",
            [".txt"] = "text",
            [".conll"] = "conll", [".conllu"] = "conll",
            [".tar"] = "webdataset",
            [".xml"] = "xml",
            [".hdf5"] = "hdf5", [".h5"] = "hdf5",
            [".eval"] = "eval",
            [".lance"] = "lance",
            [".tsfile"] = "tsfile",
        };
        void AddMedia(string format, params string[] extensions)
        {
            foreach (var ext in extensions)
            {
                map.TryAdd(ext, format);
                map.TryAdd(ext.ToUpperInvariant(), format);
            }
        }
        AddMedia("imagefolder", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp");
        AddMedia("audiofolder", ".wav", ".mp3", ".flac", ".ogg", ".opus");
        AddMedia("videofolder", ".mp4", ".mov", ".avi", ".mkv", ".webm");
        AddMedia("pdffolder", ".pdf");
        return map;
    }
}
