using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

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
    public static readonly IReadOnlyList<string> FilesToIgnore =
        ["README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"];

    private Regex _regex;
    private readonly int _hiddenParts;
    private readonly int _specialParentParts;
    private readonly string _baseName;

    private HubGlob(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
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
        var glob = new HubGlob(pattern, new Regex(Translate(pattern), RegexOptions.Singleline | RegexOptions.CultureInvariant));
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
    public bool IsMatch(string path) => CurrentRegex().IsMatch(path);

    // Globs are cached and tried on every listing: interpreted until one has matched enough paths to repay compiling it
    // (emitting and compiling the matcher costs tens of milliseconds in a process that has not compiled one yet), then
    // compiled, which matches several times faster. A listing that large is compiled for before its first path, since a
    // process often resolves one listing only. Either regex gives the same answers, so a race that compiles twice is harmless.
    private const int MatchesBeforeCompiling = 20_000;
    private int _matchCount;

    private Regex CurrentRegex()
    {
        if (_matchCount <= MatchesBeforeCompiling && Interlocked.Increment(ref _matchCount) == MatchesBeforeCompiling)
            Compile();
        return _regex;
    }

    private void CompileFor<T>(IEnumerable<T> listing)
    {
        if (_matchCount <= MatchesBeforeCompiling && listing.TryGetNonEnumeratedCount(out var count) && count >= MatchesBeforeCompiling
            && Interlocked.Exchange(ref _matchCount, MatchesBeforeCompiling + 1) <= MatchesBeforeCompiling)
            Compile();
    }

    private void Compile() => _regex = new Regex(_regex.ToString(), _regex.Options | RegexOptions.Compiled);

    /// <summary>The path is one <c>resolve_pattern</c> would return for this pattern.</summary>
    public bool Matches(string path) => CurrentRegex().IsMatch(path) && PassesNameRules(path);

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
        foreach (var ignored in FilesToIgnore)
            if (name.SequenceEqual(ignored)) return true;
        return false;
    }

    /// <summary>True when the pattern resolves to at least one of <paramref name="paths"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MatchesAny(IEnumerable<string> paths)
    {
        CompileFor(paths);
        foreach (var path in paths)
            if (Matches(path)) return true;
        return false;
    }

    /// <summary>The paths this pattern resolves to, sorted ordinally as fsspec's glob returns them.</summary>
    public IReadOnlyList<string> Filter(IEnumerable<string> paths)
    {
        var matched = Where(paths);
        matched.Sort(StringComparer.Ordinal);
        return matched;
    }

    /// <summary>The paths this pattern resolves to, in the order given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<string> Where(IEnumerable<string> paths)
    {
        CompileFor(paths);
        var matched = new List<string>();
        foreach (var path in paths)
            if (Matches(path)) matched.Add(path);
        return matched;
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    // A segment made only of dots (".", "..") is navigation, not a hidden name.
    private static bool IsHiddenPart(ReadOnlySpan<char> part) => part.StartsWith(".") && part.ContainsAnyExcept('.');

    private static bool IsSpecialPart(ReadOnlySpan<char> part) => part.StartsWith("__", StringComparison.Ordinal);

    // Mirrors fsspec.utils.glob_translate: the pattern is split on "/" and each segment translated.
    private static string Translate(string pattern)
    {
        var sb = new StringBuilder("^");
        var parts = pattern.Split('/');
        var last = parts.Length - 1;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "*")
            {
                sb.Append(i < last ? "[^/]+/" : "[^/]+");
                continue;
            }
            if (part == "**")
            {
                sb.Append(i < last ? "(?:.+/)?" : ".*");
                continue;
            }
            if (part.Contains("**", StringComparison.Ordinal))
                throw new DiscoveryException("DiscoveryInvalidPattern", FacebergErrorKind.InvalidData,
                    $"Invalid data files pattern '{pattern}': '**' can only be an entire path component.");
            TranslateSegment(part, sb);
            if (i < last)
                sb.Append('/');
        }
        return sb.Append(@"\z").ToString();
    }

    // fnmatch-style translation of one segment, with "*" and "?" kept inside the segment.
    private static void TranslateSegment(string part, StringBuilder sb)
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
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
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
                        sb.Append(@"\[");
                        break;
                    }
                    AppendClass(part.AsSpan(i, j - i), sb);
                    i = j + 1;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
    }

    private static void AppendClass(ReadOnlySpan<char> body, StringBuilder sb)
    {
        var negated = body.Length > 0 && body[0] == '!';
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
        if (items.Count == 0)
        {
            sb.Append(negated ? "." : "(?!)");
            return;
        }
        sb.Append(negated ? "[^" : "[");
        foreach (var (low, high) in items)
        {
            AppendClassChar(low, sb);
            if (high != low)
            {
                sb.Append('-');
                AppendClassChar(high, sb);
            }
        }
        sb.Append(']');
    }

    private static void AppendClassChar(char c, StringBuilder sb)
    {
        if (c is '\\' or '[' or ']' or '^' or '-')
            sb.Append('\\');
        sb.Append(c);
    }
}
