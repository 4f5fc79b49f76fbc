using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Faceberg.Core.Discovery;

/// <summary>
/// A data-files pattern resolved the way the <c>datasets</c> library resolves it on the Hub
/// (<c>resolve_pattern</c> over fsspec's <c>glob</c>, fsspec ≥ 2023.12):
/// <list type="bullet">
/// <item><c>*</c> matches within one path segment; a segment that is exactly <c>*</c> matches a non-empty name.</item>
/// <item><c>**</c> must be a whole segment; it matches any number of segments (zero included).</item>
/// <item><c>?</c> matches one character except <c>/</c>; <c>[...]</c> / <c>[!...]</c> are character classes.</item>
/// <item>Hidden files and directories (a segment starting with <c>.</c>) and special directories
/// (starting with <c>__</c>) match only when the pattern names as many of them as the path holds.</item>
/// <item>The card and metadata files datasets never treats as data (README.md, dataset_infos.json, …)
/// are skipped unless the pattern names that file.</item>
/// </list>
/// Matching is case-sensitive, like the Hub's paths.
/// </summary>
public sealed class HubGlob
{
    /// <summary>File names datasets' <c>FILES_TO_IGNORE</c> never treats as data.</summary>
    public static readonly IReadOnlyList<string> FilesToIgnore;

    // The array itself for the check every path of a listing goes through: no enumerator, no interface calls.
    private static readonly string[] Ignored =
        ["README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"];

    static HubGlob() => FilesToIgnore = Array.AsReadOnly(Ignored);

    private readonly GlobToken[] _tokens;
    private readonly int _hiddenParts;
    private readonly int _specialParentParts;
    private readonly string _baseName;

    private HubGlob(string pattern, GlobToken[] tokens)
    {
        Pattern = pattern;
        _tokens = tokens;
        var parts = Segments(pattern);
        _hiddenParts = parts.Count(p => IsHiddenPart(p));
        _specialParentParts = parts.Take(Math.Max(parts.Length - 1, 0)).Count(p => IsSpecialPart(p));
        _baseName = parts.Length == 0 ? "" : parts[^1];
    }

    public string Pattern { get; }

    /// <summary>Compiles <paramref name="pattern"/>, relative to the repository root.</summary>
    /// <exception cref="DiscoveryException">The pattern puts <c>**</c> inside a segment, which fsspec rejects.</exception>
    public static HubGlob Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length == 0)
            throw new DiscoveryException("DiscoveryInvalidPattern", FacebergErrorKind.InvalidData, "A data files pattern is empty.");
        // Inference tries the same few dozen patterns on every dataset, so compiled globs are shared;
        // the cap keeps arbitrary card patterns from growing the cache without bound.
        if (Cache.TryGetValue(pattern, out var cached))
            return cached;
        var glob = new HubGlob(pattern, Tokenize(pattern));
        if (Cache.Count < MaxCachedPatterns)
            Cache.TryAdd(pattern, glob);
        return glob;
    }

    private const int MaxCachedPatterns = 512;

    private static readonly ConcurrentDictionary<string, HubGlob> Cache = new(StringComparer.Ordinal);

    /// <summary>Joins a config's <c>data_dir</c> and a pattern as datasets' <c>xjoin</c> does.</summary>
    public static string Join(string? baseDir, string pattern)
    {
        var trimmed = baseDir?.Trim('/');
        return string.IsNullOrEmpty(trimmed) ? pattern : trimmed + "/" + pattern;
    }

    /// <summary>True when the pattern has glob characters (Python's <c>glob.has_magic</c>).</summary>
    public static bool HasMagic(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The path matches the glob expression itself, before the hidden/special/ignored-file rules.</summary>
    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return MatchFrom(_tokens, 0, path, 0);
    }

    /// <summary>The path is one <c>resolve_pattern</c> would return for this pattern.</summary>
    public bool Matches(string path) => IsMatch(path) && PassesNameRules(path);

    // Run for each path of a listing, once per sync: optimized from its first call rather than after tiering up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool PassesNameRules(string path)
    {
        // Segment by segment without splitting: a listing of 100,000 paths is matched against several globs.
        int hidden = 0, special = 0;
        var name = ReadOnlySpan<char>.Empty;
        var rest = path.AsSpan();
        while (true)
        {
            var slash = rest.IndexOf('/');
            var part = slash < 0 ? rest : rest[..slash];
            if (!part.IsEmpty)
            {
                // The previous segment has one after it, so it is a parent.
                if (IsSpecialPart(name)) special++;
                if (IsHiddenPart(part)) hidden++;
                name = part;
            }
            if (slash < 0) break;
            rest = rest[(slash + 1)..];
        }
        if (!name.SequenceEqual(_baseName) && IsIgnoredFile(name))
            return false;
        return special == _specialParentParts && hidden == _hiddenParts;
    }

    private static bool IsIgnoredFile(ReadOnlySpan<char> name)
    {
        foreach (var ignored in Ignored)
            if (name.SequenceEqual(ignored)) return true;
        return false;
    }

    /// <summary>True when the pattern resolves to at least one of <paramref name="paths"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MatchesAny(IEnumerable<string> paths)
    {
        foreach (var path in paths)
            if (Matches(path)) return true;
        return false;
    }

    /// <summary>The paths this pattern resolves to, sorted ordinally as fsspec's glob returns them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<string> Filter(IEnumerable<string> paths)
    {
        var matched = Where(paths);
        // Listings mostly come sorted already, so a check spares most sorts.
        for (var i = 1; i < matched.Count; i++)
        {
            if (string.CompareOrdinal(matched[i - 1], matched[i]) > 0)
            {
                matched.Sort(StringComparer.Ordinal);
                break;
            }
        }
        return matched;
    }

    /// <summary>The paths this pattern resolves to, in the order given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<string> Where(IEnumerable<string> paths)
    {
        var matched = new List<string>();
        foreach (var path in paths)
            if (Matches(path)) matched.Add(path);
        return matched;
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    // A segment made only of dots (".", "..") is navigation, not a hidden name.
    private static bool IsHiddenPart(ReadOnlySpan<char> part) => part.StartsWith(".") && part.ContainsAnyExcept('.');

    private static bool IsSpecialPart(ReadOnlySpan<char> part) => part.StartsWith("__", StringComparison.Ordinal);

    private static List<(char Low, char High)> ClassItems(ReadOnlySpan<char> body, out bool negated)
    {
        negated = body.Length > 0 && body[0] == '!';
        var items = new List<(char Low, char High)>();
        for (var k = negated ? 1 : 0; k < body.Length; k++)
        {
            if (k + 2 < body.Length && body[k + 1] == '-')
            {
                // fnmatch drops reversed ranges ("[z-a]") instead of failing; .NET would throw.
                if (body[k] <= body[k + 2])
                    items.Add((body[k], body[k + 2]));
                k += 2;
            }
            else
            {
                items.Add((body[k], body[k]));
            }
        }
        return items;
    }

    // ---- matching ----------------------------------------------------------------------------------------------
    // fsspec.utils.glob_translate's regex (the pattern split on "/", each segment translated fnmatch-style), as a token
    // list matched with backtracking: no regex to construct or interpret, since every glob is tried on every path of a
    // listing. Tests check it against that regex (tests/Faceberg.Core.Tests/Discovery/FsspecGlobRegex.cs).

    private enum GlobTokenKind
    {
        /// <summary>One given character.</summary>
        Literal,
        /// <summary><c>[^/]</c>: one character other than a slash.</summary>
        NonSlash,
        /// <summary><c>[^/]*</c>.</summary>
        NonSlashRun,
        /// <summary><c>[^/]+</c>: a whole <c>*</c> segment.</summary>
        NonSlashRunPlus,
        /// <summary>A character class; negated ones match a slash too, as the regex does.</summary>
        Class,
        /// <summary><c>.</c> in single-line mode: any character (a negated empty class).</summary>
        AnyChar,
        /// <summary><c>(?!)</c>: nothing (an empty class).</summary>
        Nothing,
        /// <summary><c>(?:.+/)?</c>: a <c>**</c> segment before another.</summary>
        AnySegments,
        /// <summary><c>.*</c>: a final <c>**</c> segment.</summary>
        AnyRest,
    }

    private readonly record struct GlobToken(GlobTokenKind Kind, char Char = default, (char Low, char High)[]? Ranges = null, bool Negated = false);

    private static GlobToken[] Tokenize(string pattern)
    {
        var tokens = new List<GlobToken>();
        var parts = pattern.Split('/');
        var last = parts.Length - 1;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "*")
                tokens.Add(new GlobToken(GlobTokenKind.NonSlashRunPlus));
            else if (part == "**")
            {
                tokens.Add(new GlobToken(i < last ? GlobTokenKind.AnySegments : GlobTokenKind.AnyRest));
                continue;
            }
            else if (part.Contains("**", StringComparison.Ordinal))
                throw new DiscoveryException("DiscoveryInvalidPattern", FacebergErrorKind.InvalidData,
                    $"Invalid data files pattern '{pattern}': '**' can only be an entire path component.");
            else
                TokenizeSegment(part, tokens);
            if (i < last)
                tokens.Add(new GlobToken(GlobTokenKind.Literal, '/'));
        }
        return [.. tokens];
    }

    private static void TokenizeSegment(string part, List<GlobToken> tokens)
    {
        var i = 0;
        var n = part.Length;
        while (i < n)
        {
            var c = part[i++];
            switch (c)
            {
                case '*':
                    while (i < n && part[i] == '*')
                        i++;
                    tokens.Add(new GlobToken(GlobTokenKind.NonSlashRun));
                    break;
                case '?':
                    tokens.Add(new GlobToken(GlobTokenKind.NonSlash));
                    break;
                case '[':
                    var j = i;
                    if (j < n && part[j] == '!')
                        j++;
                    if (j < n && part[j] == ']')
                        j++;
                    while (j < n && part[j] != ']')
                        j++;
                    if (j >= n)
                    {
                        // An unclosed bracket is a literal, as in fnmatch.
                        tokens.Add(new GlobToken(GlobTokenKind.Literal, '['));
                        break;
                    }
                    var items = ClassItems(part.AsSpan(i, j - i), out var negated);
                    tokens.Add(items.Count == 0
                        ? new GlobToken(negated ? GlobTokenKind.AnyChar : GlobTokenKind.Nothing)
                        : new GlobToken(GlobTokenKind.Class, Ranges: [.. items], Negated: negated));
                    i = j + 1;
                    break;
                default:
                    tokens.Add(new GlobToken(GlobTokenKind.Literal, c));
                    break;
            }
        }
    }

    /// <summary>True when <paramref name="tokens"/> from <paramref name="t"/> on match all of <paramref name="path"/> from <paramref name="p"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool MatchFrom(GlobToken[] tokens, int t, string path, int p)
    {
        for (; t < tokens.Length; t++)
        {
            ref readonly var token = ref tokens[t];
            switch (token.Kind)
            {
                case GlobTokenKind.Literal:
                    if (p >= path.Length || path[p] != token.Char) return false;
                    p++;
                    break;
                case GlobTokenKind.NonSlash:
                    if (p >= path.Length || path[p] == '/') return false;
                    p++;
                    break;
                case GlobTokenKind.AnyChar:
                    if (p >= path.Length) return false;
                    p++;
                    break;
                case GlobTokenKind.Class:
                    if (p >= path.Length || InClass(token.Ranges!, path[p]) == token.Negated) return false;
                    p++;
                    break;
                case GlobTokenKind.Nothing:
                    return false;
                case GlobTokenKind.AnyRest:
                    // Always the last token: it takes whatever is left.
                    return true;
                case GlobTokenKind.NonSlashRun:
                case GlobTokenKind.NonSlashRunPlus:
                {
                    var end = path.IndexOf('/', p);
                    if (end < 0) end = path.Length;
                    var least = token.Kind == GlobTokenKind.NonSlashRunPlus ? p + 1 : p;
                    // The run's end is tried from the longest down, as the regex backtracks; when the pattern ends
                    // here only the path's end can do, and when a literal follows only the places holding it can.
                    if (t + 1 == tokens.Length)
                        return end == path.Length && least <= end;
                    if (tokens[t + 1].Kind == GlobTokenKind.Literal)
                    {
                        var last = Math.Min(end, path.Length - 1);
                        if (last < least) return false;
                        var candidates = path.AsSpan(least, last - least + 1);
                        for (var k = candidates.LastIndexOf(tokens[t + 1].Char); k >= 0; k = candidates[..k].LastIndexOf(tokens[t + 1].Char))
                            if (MatchFrom(tokens, t + 2, path, least + k + 1)) return true;
                        return false;
                    }
                    for (var k = end; k >= least; k--)
                        if (MatchFrom(tokens, t + 1, path, k)) return true;
                    return false;
                }
                case GlobTokenKind.AnySegments:
                {
                    // Nothing, or one character or more (slashes included) up to and with a slash.
                    if (MatchFrom(tokens, t + 1, path, p)) return true;
                    for (var k = path.IndexOf('/', p + 1 <= path.Length ? p + 1 : path.Length); k >= 0; k = path.IndexOf('/', k + 1))
                        if (MatchFrom(tokens, t + 1, path, k + 1)) return true;
                    return false;
                }
            }
        }
        return p == path.Length;
    }

    private static bool InClass((char Low, char High)[] ranges, char c)
    {
        foreach (var (low, high) in ranges)
            if (c >= low && c <= high) return true;
        return false;
    }
}
