using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Faceberg.Core.Discovery;

/// <summary>
/// Turns a dataset repository's file listing and card into configs and splits of Parquet files.
/// Pure: the caller lists the files (and <c>refs/convert/parquet</c> when needed) through the Hub.
/// </summary>
public static class DatasetLayoutResolver
{
    /// <summary>The config name datasets gives a dataset without card configs.</summary>
    public const string DefaultConfigName = "default";

    private const string PartialSplitPrefix = "partial-";

    /// <summary>
    /// The layout of a repository revision: the card's <c>configs:</c> when it declares any, else one
    /// config per top-level folder when the folders each carry their own split layout, else datasets'
    /// split inference over the whole repository as config <c>default</c>. Only Parquet files become data
    /// files; when datasets would read the data as another format the layout has no configs and
    /// <see cref="DatasetLayout.NeedsParquetConversion"/> is true.
    /// </summary>
    /// <param name="repo">The dataset id, for error messages only.</param>
    /// <exception cref="DiscoveryException">No data files, a card config matching no files, or an invalid card.</exception>
    public static DatasetLayout Resolve(IReadOnlyList<RepoFile> files, JsonElement? cardData, string repo = "")
    {
        ArgumentNullException.ThrowIfNull(files);
        var cardConfigs = cardData is { } card ? CardConfigs.FromCardData(card) : [];
        var listing = new Listing(files);
        if (cardConfigs.Count > 0)
            return ResolveConfigs(LayoutKind.Card, cardConfigs, listing, repo);
        if (DetectConfigFolders(listing.Paths, listing.RootInference) is { } folders)
            return ResolveConfigs(LayoutKind.ConfigFolders, folders, listing, repo);
        return ResolveConfigs(LayoutKind.Inferred, [new CardConfig(DefaultConfigName, null, null, true)], listing, repo);
    }

    /// <summary>
    /// A listing as resolution reads it: its files by path (<see cref="RepoFileIndex"/>), its distinct paths in listing
    /// order, and the split inference over the whole repository, worked out once however many rules ask for it.
    /// </summary>
    private sealed class Listing(IReadOnlyList<RepoFile> files)
    {
        private SplitInference? _root;
        private List<string>? _paths;

        public Dictionary<string, RepoFile> ByPath { get; } = RepoFileIndex.ByPath(files);

        public IReadOnlyList<string> Paths => _paths ??= [.. ByPath.Keys];

        public SplitInference RootInference() => _root ??= SplitPatterns.InferPatterns(Paths);
    }

    /// <summary>True when the repository's data is in a format other than Parquet (CSV, JSON, text, Arrow…).</summary>
    public static bool NeedsParquetConversion(IReadOnlyList<RepoFile> files, JsonElement? cardData = null) =>
        Resolve(files, cardData).NeedsParquetConversion;

    /// <summary>
    /// The layout of the Hub's Parquet conversion, from the listing of <c>refs/convert/parquet</c>:
    /// <c>&lt;config&gt;/&lt;split&gt;/NNNN.parquet</c>, or <c>&lt;config&gt;/partial-&lt;split&gt;/NNNN.parquet</c>
    /// when only the start of a large split was converted (the split keeps its name and is marked partial).
    /// </summary>
    /// <exception cref="DiscoveryException">The branch holds no converted Parquet files.</exception>
    public static DatasetLayout ResolveParquetConversion(IReadOnlyList<RepoFile> files, string repo = "")
    {
        ArgumentNullException.ThrowIfNull(files);
        var layoutGlob = HubGlob.Compile("*/*/*.parquet");
        var entries = files
            .Where(f => layoutGlob.Matches(f.Path))
            .Select(f =>
            {
                var parts = f.Path.Split('/');
                var partial = parts[1].StartsWith(PartialSplitPrefix, StringComparison.Ordinal);
                return (Config: parts[0], Split: partial ? parts[1][PartialSplitPrefix.Length..] : parts[1], Partial: partial, File: f);
            })
            .ToList();
        if (entries.Count == 0)
            throw new DiscoveryException("DiscoveryNoDataFiles", FacebergErrorKind.NotFound,
                $"The Parquet conversion (refs/convert/parquet) of dataset '{repo}' holds no <config>/<split>/*.parquet files.");

        var configNames = entries.Select(e => e.Config).Distinct().Order(StringComparer.Ordinal).ToList();
        var configs = configNames.Select(config =>
        {
            var ofConfig = entries.Where(e => e.Config == config).ToList();
            var splits = SplitPatterns.OrderSplits(ofConfig.Select(e => e.Split)).Select(split =>
            {
                // A complete conversion supersedes a partial one of the same split.
                var partial = ofConfig.All(e => e.Split != split || e.Partial);
                var splitFiles = ofConfig.Where(e => e.Split == split && e.Partial == partial)
                    .Select(e => e.File).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
                return new DiscoveredSplit(split, splitFiles, partial);
            }).ToList();
            return new DiscoveredConfig(config, splits, configNames.Count == 1 || config == DefaultConfigName);
        }).ToList();
        return new DatasetLayout(LayoutKind.ParquetConversion, configs);
    }

    /// <summary>
    /// Faceberg's config-folders rule (datasets has no such inference; it would merge the folders' splits):
    /// without card configs, when every data file lies inside a top-level folder, there are at least two
    /// such folders, none is itself named like a split, the repository is not in datasets' sharded
    /// <c>data/{split}-NNNNN-of-NNNNN</c> layout, and inside each folder datasets' inference finds named
    /// splits (not the everything-is-train fallback), each folder is a config named after it.
    /// </summary>
    internal static IReadOnlyList<CardConfig>? DetectConfigFolders(IReadOnlyList<string> paths) =>
        DetectConfigFolders(paths, () => SplitPatterns.InferPatterns(paths));

    /// <param name="rootInference">The split inference over all of <paramref name="paths"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IReadOnlyList<CardConfig>? DetectConfigFolders(IReadOnlyList<string> paths, Func<SplitInference> rootInference)
    {
        var anyFile = HubGlob.Compile("**");
        var found = new HashSet<string>(StringComparer.Ordinal);
        // Paths come folder by folder, so a folder's name is made once per run of its files.
        string? last = null;
        foreach (var path in paths)
        {
            if (!DataFormats.IsDataFile(path) || !anyFile.Matches(path))
                continue;
            var slash = path.IndexOf('/');
            if (slash < 0)
                return null;
            var folder = path.AsSpan(0, slash);
            if (last is null || !folder.SequenceEqual(last))
            {
                last = folder.ToString();
                found.Add(last);
            }
        }
        if (found.Count < 2)
            return null;
        var folders = found.Order(StringComparer.Ordinal).ToList();
        if (folders.Any(f => SplitPatterns.SplitOfDirectoryName(f) is not null))
            return null;
        if (rootInference().Rule == SplitRule.ShardedFileName)
            return null;
        foreach (var folder in folders)
        {
            var inside = RelativeTo(paths, folder);
            if (SplitPatterns.InferPatterns(inside).Rule == SplitRule.All)
                return null;
        }
        return folders.Select(f => new CardConfig(f, null, f, false)).ToList();
    }

    private static DatasetLayout ResolveConfigs(LayoutKind kind, IReadOnlyList<CardConfig> configs, Listing listing, string repo)
    {
        var byPath = listing.ByPath;
        var paths = listing.Paths;

        var resolved = new List<(CardConfig Config, List<(string Split, IReadOnlyList<string> DataFiles)> Splits, string Format)>();
        foreach (var config in configs)
        {
            var patternSets = config.DataFiles ?? InferInside(kind, config, listing, repo);
            var splits = new List<(string Split, IReadOnlyList<string> DataFiles)>();
            foreach (var set in patternSets)
            {
                foreach (var literal in set.Patterns.Where(p => !HubGlob.HasMagic(p)))
                    if (!byPath.ContainsKey(HubGlob.Join(config.DataDir, literal)))
                        throw new DiscoveryException("DiscoveryPatternMatchesNothing", FacebergErrorKind.NotFound,
                            $"{Describe(kind, config, repo)}: data file '{HubGlob.Join(config.DataDir, literal)}' of split '{set.Split}' does not exist.");
                var dataFiles = DataFilesOf(SplitPatterns.Resolve(paths, set.Patterns, config.DataDir));
                // An inferred split whose matches are all non-data files (notes, scripts) is no split;
                // a split the card declares must have data.
                if (dataFiles.Count == 0 && config.DataFiles is null)
                    continue;
                if (dataFiles.Count == 0)
                    throw new DiscoveryException("DiscoveryPatternMatchesNothing", FacebergErrorKind.NotFound,
                        $"{Describe(kind, config, repo)}: the data_files patterns of split '{set.Split}' " +
                        $"({string.Join(", ", set.Patterns.Select(p => $"'{HubGlob.Join(config.DataDir, p)}'"))}) match no data files.");
                splits.Add((set.Split, dataFiles));
            }
            if (splits.Count == 0)
                throw config.DataFiles is null
                    ? NoDataFiles(kind, config, repo, null)
                    : new DiscoveryException("DiscoveryPatternMatchesNothing", FacebergErrorKind.NotFound,
                        $"{Describe(kind, config, repo)}: data_files lists no splits.");

            // datasets infers one format per split and refuses splits that disagree.
            var formats = splits.Select(s => DataFormats.Infer(s.DataFiles)).Distinct().ToList();
            if (formats.Count > 1)
                throw new DiscoveryException("DiscoveryMixedFormats", FacebergErrorKind.InvalidData,
                    $"{Describe(kind, config, repo)}: the splits hold different data formats ({string.Join(", ", splits.Select(s => $"{s.Split}: {DataFormats.Infer(s.DataFiles)}"))}).");
            // Every split holds data files, and a data file always has a known format.
            resolved.Add((config, splits, formats[0]!));
        }

        // The Hub converts a whole dataset, so one non-Parquet config sends every config to the conversion.
        var nonParquet = resolved.FirstOrDefault(r => r.Format != DataFormats.Parquet);
        if (nonParquet.Config is not null)
            return new DatasetLayout(kind, [], nonParquet.Format);

        var discovered = resolved.Select(r => new DiscoveredConfig(
            r.Config.Name,
            r.Splits.Select(s =>
            {
                var parquet = ParquetFilesOf(s.DataFiles, byPath);
                if (parquet.Count == 0)
                    throw new DiscoveryException("DiscoveryPatternMatchesNothing", FacebergErrorKind.NotFound,
                        $"{Describe(kind, r.Config, repo)}: split '{s.Split}' has no Parquet files.");
                return new DiscoveredSplit(s.Split, parquet);
            }).ToList(),
            r.Config.IsDefault)).ToList();
        return new DatasetLayout(kind, discovered);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<string> DataFilesOf(IReadOnlyList<string> paths)
    {
        var dataFiles = new List<string>(paths.Count);
        foreach (var path in paths)
            if (DataFormats.IsDataFile(path))
                dataFiles.Add(path);
        return dataFiles;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<RepoFile> ParquetFilesOf(IReadOnlyList<string> dataFiles, Dictionary<string, RepoFile> byPath)
    {
        var parquet = new List<RepoFile>(dataFiles.Count);
        foreach (var path in dataFiles)
            if (DataFormats.IsParquet(path))
                parquet.Add(byPath[path]);
        return parquet;
    }

    private static IReadOnlyList<SplitPatternSet> InferInside(LayoutKind kind, CardConfig config, Listing listing, string repo)
    {
        try
        {
            return (config.DataDir is null ? listing.RootInference() : SplitPatterns.InferPatterns(RelativeTo(listing.Paths, config.DataDir.Trim('/')))).Splits;
        }
        catch (DiscoveryException e) when (e.ErrorId == "DiscoveryNoDataFiles")
        {
            throw NoDataFiles(kind, config, repo, e);
        }
    }

    private static DiscoveryException NoDataFiles(LayoutKind kind, CardConfig config, string repo, Exception? inner)
    {
        var message = config.DataDir is null
            ? $"Dataset '{repo}' contains no data files."
            : $"{Describe(kind, config, repo)}: data_dir '{config.DataDir}' contains no data files.";
        return new DiscoveryException("DiscoveryNoDataFiles", FacebergErrorKind.NotFound, message, inner);
    }

    private static List<string> RelativeTo(IEnumerable<string> paths, string folder) =>
        paths.Where(p => p.StartsWith(folder + "/", StringComparison.Ordinal)).Select(p => p[(folder.Length + 1)..]).ToList();

    private static string Describe(LayoutKind kind, CardConfig config, string repo) => kind switch
    {
        LayoutKind.Card => $"Config '{config.Name}' in the card of dataset '{repo}'",
        LayoutKind.ConfigFolders => $"Config folder '{config.Name}' of dataset '{repo}'",
        _ => $"Dataset '{repo}'",
    };
}
