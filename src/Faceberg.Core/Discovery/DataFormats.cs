using System.Runtime.CompilerServices;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsDataFile(string path)
    {
        // Checked for every path of a listing: a plain loop over the suffixes, most names have one.
        var name = BaseName(path);
        for (var dot = name.IndexOf('.'); dot >= 0;)
        {
            var suffix = NextSuffix(name, ref dot);
            if (suffix.SequenceEqual(".parquet") || suffix.SequenceEqual(".zip") || ExtensionToFormat.ContainsKey(suffix.ToString()))
                return true;
        }
        return false;
    }

    /// <summary>True when the path is a Parquet file a table can reference directly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsParquet(string path)
    {
        foreach (var extension in ParquetExtensions)
            if (path.EndsWith(extension, StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>
    /// The format datasets would pick for these data files: the most common extension, with Parquet winning
    /// ties, then lance, arrow, jsonl, json, csv, then the extension's name; metadata sidecars count last.
    /// Null when no extension is known.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Infer(IEnumerable<string> paths)
    {
        var counts = new Dictionary<(string Ext, bool IsMetadata), int>();
        // A listing repeats a few extensions thousands of times: each is lower-cased once, not once per file.
        var recent = new (string Suffix, string Lower)[8];
        int recentCount = 0, evict = 0;
        foreach (var path in paths)
        {
            var name = BaseName(path);
            var isMetadata = name.StartsWith("metadata.", StringComparison.Ordinal) && MetadataFileNames.Contains(name.ToString());
            for (var dot = name.IndexOf('.'); dot >= 0;)
            {
                var suffix = NextSuffix(name, ref dot);
                string? lower = null;
                for (var i = 0; i < recentCount; i++)
                    if (suffix.SequenceEqual(recent[i].Suffix)) { lower = recent[i].Lower; break; }
                if (lower is null)
                {
                    var text = suffix.ToString();
                    lower = text.ToLowerInvariant();
                    if (recentCount < recent.Length) recent[recentCount++] = (text, lower);
                    else recent[evict++ % recent.Length] = (text, lower);
                }
                var key = (lower, isMetadata);
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

    private static ReadOnlySpan<char> BaseName(string path) => path.AsSpan(path.LastIndexOf('/') + 1);

    // Every dot-suffix of the base name, as datasets counts them: "a.tar.gz" → ".tar", ".gz". Returns the suffix
    // starting at index dot and moves dot to the next one (-1 after the last).
    private static ReadOnlySpan<char> NextSuffix(ReadOnlySpan<char> name, ref int dot)
    {
        var length = name[(dot + 1)..].IndexOf('.');
        var suffix = length < 0 ? name[dot..] : name.Slice(dot, length + 1);
        dot = length < 0 ? -1 : dot + 1 + length;
        return suffix;
    }

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
