using System.Text;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Tests.Discovery;

/// <summary>
/// The reference HubGlob's matcher is checked against: fsspec.utils.glob_translate's regex, as datasets'
/// resolve_pattern builds it. The pattern is split on "/", "*" and "**" whole segments become segment and
/// any-depth matches, and every other segment is translated fnmatch-style with "*" and "?" kept inside it.
/// </summary>
internal static class FsspecGlobRegex
{
    public static Regex For(string pattern) =>
        new(Translate(pattern), RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static string Translate(string pattern)
    {
        var sb = new StringBuilder("^");
        var parts = pattern.Split('/');
        var last = parts.Length - 1;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "*")
                sb.Append(i < last ? "[^/]+/" : "[^/]+");
            else if (part == "**")
                sb.Append(i < last ? "(?:.+/)?" : ".*");
            else
            {
                TranslateSegment(part, sb);
                if (i < last) sb.Append('/');
            }
        }
        return sb.Append(@"\z").ToString();
    }

    private static void TranslateSegment(string part, StringBuilder sb)
    {
        var i = 0;
        var n = part.Length;
        while (i < n)
        {
            var c = part[i++];
            if (c == '*')
            {
                while (i < n && part[i] == '*') i++;
                sb.Append("[^/]*");
            }
            else if (c == '?')
                sb.Append("[^/]");
            else if (c == '[' && ClassEnd(part, i) is var end && end < n)
            {
                AppendClass(part[i..end], sb);
                i = end + 1;
            }
            else
                // An unclosed bracket is a literal, as in fnmatch.
                sb.Append(Regex.Escape(c.ToString()));
        }
    }

    private static int ClassEnd(string part, int start)
    {
        var j = start;
        if (j < part.Length && part[j] == '!') j++;
        if (j < part.Length && part[j] == ']') j++;
        while (j < part.Length && part[j] != ']') j++;
        return j;
    }

    private static void AppendClass(string body, StringBuilder sb)
    {
        var negated = body.StartsWith('!');
        var inner = new StringBuilder();
        for (var k = negated ? 1 : 0; k < body.Length; k++)
        {
            if (k + 2 < body.Length && body[k + 1] == '-')
            {
                // fnmatch drops reversed ranges ("[z-a]").
                if (body[k] <= body[k + 2]) inner.Append(Escaped(body[k])).Append('-').Append(Escaped(body[k + 2]));
                k += 2;
            }
            else
                inner.Append(Escaped(body[k]));
        }
        if (inner.Length == 0)
            sb.Append(negated ? "." : "(?!)");
        else
            sb.Append(negated ? "[^" : "[").Append(inner).Append(']');
    }

    private static string Escaped(char c) => c is '\\' or '[' or ']' or '^' or '-' ? "\\" + c : c.ToString();
}
