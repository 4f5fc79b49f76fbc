using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Discovery;

/// <summary>Which of datasets' default layouts produced a split inference.</summary>
public enum SplitRule
{
    /// <summary><c>data/{split}-NNNNN-of-NNNNN*.*</c> (datasets' <c>SPLIT_PATTERN_SHARDED</c>).</summary>
    ShardedFileName,
    /// <summary><c>**/*.eval</c> → split <c>logs</c> (datasets' <c>DEFAULT_PATTERNS_LOGS</c>).</summary>
    Logs,
    /// <summary><c>**/task.toml</c>, <c>**/instruction.md</c> → split <c>test</c> (<c>DEFAULT_PATTERNS_HARBOR</c>).</summary>
    Harbor,
    /// <summary>A directory named after a split keyword (<c>DEFAULT_PATTERNS_SPLIT_IN_DIR_NAME</c>).</summary>
    DirectoryName,
    /// <summary>A file named after a split keyword (<c>DEFAULT_PATTERNS_SPLIT_IN_FILENAME</c>).</summary>
    FileName,
    /// <summary>Nothing names a split: every file is <c>train</c> (<c>DEFAULT_PATTERNS_ALL</c>).</summary>
    All,
}

/// <summary>A split and its data-files patterns, in datasets' order.</summary>
public sealed record SplitPatternSet(string Split, IReadOnlyList<string> Patterns);

/// <summary>The patterns datasets' <c>get_data_patterns</c> picks for a file listing, and the rule that picked them.</summary>
public sealed record SplitInference(SplitRule Rule, IReadOnlyList<SplitPatternSet> Splits);

/// <summary>A split and the paths it holds.</summary>
public sealed record SplitPaths(string Split, IReadOnlyList<string> Paths);

/// <summary>
/// Split inference of the <c>datasets</c> library (<c>data_files.py</c>: <c>_get_data_files_patterns</c>),
/// applied to a file listing instead of a file system.
/// </summary>
public static class SplitPatterns
{
    public const string Train = "train";
    public const string Validation = "validation";
    public const string Test = "test";

    /// <summary>The default splits, in the order datasets lists them.</summary>
    public static readonly IReadOnlyList<string> DefaultSplits = [Train, Validation, Test];

    /// <summary>datasets' <c>SPLIT_KEYWORDS</c>: the words (aliases included) that name each default split.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string[]>> SplitKeywords =
    [
        new(Train, ["train", "training"]),
        new(Validation, ["validation", "valid", "dev", "val"]),
        new(Test, ["test", "testing", "eval", "evaluation"]),
    ];

    /// <summary>datasets' <c>SPLIT_PATTERN_SHARDED</c>.</summary>
    public const string ShardedSplitPattern = "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";

    // Characters datasets accepts around a split keyword (NON_WORDS_CHARS).
    private const string Separators = "-._ 0-9";

    private static readonly string[] KeywordInFileNamePatterns = ["**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"];

    private static readonly string[] KeywordInDirNamePatterns =
        ["**/{keyword}/**", "**/{keyword}[{sep}]*/**", "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"];

    // datasets' ALL_DEFAULT_PATTERNS, tried in this order after the sharded pattern.
    private static readonly (SplitRule Rule, SplitPatternSet[] Splits)[] DefaultPatterns =
    [
        (SplitRule.Logs, [new("logs", ["**/*.eval"])]),
        (SplitRule.Harbor, [new(Test, ["**/task.toml", "**/instruction.md"])]),
        (SplitRule.DirectoryName, KeywordPatterns(KeywordInDirNamePatterns)),
        (SplitRule.FileName, KeywordPatterns(KeywordInFileNamePatterns)),
        (SplitRule.All, [new(Train, ["**"])]),
    ];

    // string_to_dict(basename, "{split}-[0-9]…*.*"): the rest of the pattern is used as a regex, unanchored.
    private static readonly Regex ShardedSplitName =
        new("(?<split>.+)-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*", RegexOptions.CultureInvariant);

    // datasets' naming._split_re.
    private static readonly Regex SplitNameRegex = new(@"^\w+(\.\w+)*$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The split <see cref="ShardedSplitName"/> captures from a file name: the longest prefix followed by
    /// <c>-NNNNN-of-NNNN</c> (its greedy <c>.+</c>), "" when there is none.
    /// </summary>
    internal static string ShardedSplitOf(string name) =>
        name.Contains('\n') ? ShardedSplitName.Match(name).Groups["split"].Value : name[..ShardedSplitLength(name)];

    /// <summary>
    /// The length of <see cref="ShardedSplitOf"/>'s answer for a name without a line break (which <c>.</c> does not
    /// match): spelled out because it runs for every sharded file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ShardedSplitLength(ReadOnlySpan<char> name)
    {
        const int Tail = 14; // "-NNNNN-of-NNNN"
        for (var k = name.Length - Tail; k >= 1; k--)
        {
            var rest = name[k..];
            if (rest[0] == '-' && IsDigits(rest.Slice(1, 5)) && rest[6..].StartsWith("-of-", StringComparison.Ordinal) && IsDigits(rest.Slice(10, 4)))
                return k;
        }
        return 0;

        static bool IsDigits(ReadOnlySpan<char> span)
        {
            foreach (var c in span)
                if (!char.IsAsciiDigit(c)) return false;
            return true;
        }
    }

    /// <summary>
    /// The splits the sharded file names among <paramref name="listing"/> give, each once. Sharded names mostly come
    /// in runs of one split, so a split's name is made once per run rather than once per file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static HashSet<string> ShardedSplits(IEnumerable<string> listing)
    {
        var glob = HubGlob.Compile(ShardedSplitPattern.Replace("{split}", "*", StringComparison.Ordinal));
        var splits = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var path in listing)
        {
            if (!glob.Matches(path))
                continue;
            var name = path.AsSpan(path.LastIndexOf('/') + 1);
            if (name.Contains('\n'))
            {
                splits.Add(ShardedSplitOf(name.ToString()));
                continue;
            }
            var split = name[..ShardedSplitLength(name)];
            if (last is null || !split.SequenceEqual(last))
            {
                last = split.ToString();
                splits.Add(last);
            }
        }
        return splits;
    }

    /// <summary>True when <paramref name="split"/> is a valid split name for datasets.</summary>
    public static bool IsValidSplitName(string split) => SplitNameRegex.IsMatch(split);

    /// <summary>
    /// The split patterns datasets infers for <paramref name="paths"/> (relative to the dataset's base
    /// directory): the sharded <c>data/{split}-NNNNN-of-NNNNN</c> names first, then the default patterns
    /// in datasets' order; the first rule that matches any file wins.
    /// </summary>
    /// <exception cref="DiscoveryException">No file matches any rule, or a sharded split name is invalid.</exception>
    public static SplitInference InferPatterns(IEnumerable<string> paths)
    {
        var listing = paths as IReadOnlyCollection<string> ?? paths.ToList();

        var splits = ShardedSplits(listing);
        if (splits.Count > 0)
        {
            var invalid = splits.Where(s => !IsValidSplitName(s)).Order(StringComparer.Ordinal).ToList();
            if (invalid.Count > 0)
                throw new DiscoveryException("DiscoveryInvalidSplitName", FacebergErrorKind.InvalidData,
                    $"Split names must match '{SplitNameRegex}', but the sharded file names give {string.Join(", ", invalid.Select(s => $"'{s}'"))}.");
            return new SplitInference(SplitRule.ShardedFileName,
                OrderSplits(splits)
                    .Select(s => new SplitPatternSet(s, [ShardedSplitPattern.Replace("{split}", s, StringComparison.Ordinal)]))
                    .ToList());
        }

        foreach (var (rule, splitSets) in DefaultPatterns)
        {
            var found = splitSets
                .Where(set => set.Patterns.Any(p => HubGlob.Compile(p).MatchesAny(listing)))
                .ToList();
            if (found.Count > 0)
                return new SplitInference(rule, found);
        }

        throw new DiscoveryException("DiscoveryNoDataFiles", FacebergErrorKind.NotFound, "The listing contains no data files.");
    }

    /// <summary>
    /// Ordered split → paths for <paramref name="paths"/>, following <see cref="InferPatterns"/>.
    /// </summary>
    public static IReadOnlyList<SplitPaths> Infer(IEnumerable<string> paths)
    {
        var listing = paths as IReadOnlyCollection<string> ?? paths.ToList();
        return InferPatterns(listing).Splits
            .Select(set => new SplitPaths(set.Split, Resolve(listing, set.Patterns)))
            .ToList();
    }

    /// <summary>
    /// The paths the patterns resolve to, pattern by pattern, each pattern's matches sorted as fsspec
    /// returns them. A path matched by several patterns is kept once, at its first match, because a
    /// table must not register the same file twice (datasets would read it twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<string> Resolve(IEnumerable<string> paths, IEnumerable<string> patterns, string? baseDir = null)
    {
        // Every pattern is anchored under baseDir, so a prefix test spares the regexes the rest of the repo.
        var prefix = string.IsNullOrEmpty(baseDir?.Trim('/')) ? "" : baseDir.Trim('/') + "/";
        IEnumerable<string> listing = paths as IReadOnlyCollection<string> ?? paths.ToList();
        if (prefix.Length > 0)
        {
            var under = new List<string>();
            foreach (var path in paths)
                if (path.StartsWith(prefix, StringComparison.Ordinal)) under.Add(path);
            listing = under;
        }
        var globs = patterns.Select(p => HubGlob.Compile(HubGlob.Join(baseDir, p))).ToList();
        if (globs.Count == 1)
        {
            // One pattern's matches are sorted, so a path listed twice is matched twice in a row.
            var matched = globs[0].Filter(listing);
            var distinct = new List<string>(matched.Count);
            foreach (var path in matched)
                if (distinct.Count == 0 || !string.Equals(distinct[^1], path, StringComparison.Ordinal))
                    distinct.Add(path);
            return distinct;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var glob in globs)
            foreach (var path in glob.Filter(listing))
                if (seen.Add(path))
                    result.Add(path);
        return result;
    }

    /// <summary>train, validation, test first (those present), then the others in ordinal order.</summary>
    public static IReadOnlyList<string> OrderSplits(IEnumerable<string> splits)
    {
        var distinct = splits.Distinct(StringComparer.Ordinal).ToList();
        return DefaultSplits.Where(distinct.Contains)
            .Concat(distinct.Where(s => !DefaultSplits.Contains(s)).Order(StringComparer.Ordinal))
            .ToList();
    }

    /// <summary>
    /// The default split a single directory name designates under datasets' directory-name patterns,
    /// or null when the name designates none (e.g. <c>train</c>, <c>my_test</c>, <c>dev-1</c> → a split).
    /// </summary>
    public static string? SplitOfDirectoryName(string directoryName)
    {
        var probe = directoryName + "/x";
        foreach (var set in DefaultPatterns.First(d => d.Rule == SplitRule.DirectoryName).Splits)
            if (set.Patterns.Any(p => HubGlob.Compile(p).Matches(probe)))
                return set.Split;
        return null;
    }

    private static SplitPatternSet[] KeywordPatterns(string[] basePatterns) =>
        SplitKeywords
            .Select(kv => new SplitPatternSet(kv.Key,
                kv.Value.SelectMany(keyword => basePatterns.Select(p =>
                    p.Replace("{keyword}", keyword, StringComparison.Ordinal).Replace("{sep}", Separators, StringComparison.Ordinal)))
                    .ToList()))
            .ToArray();
}
