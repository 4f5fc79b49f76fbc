using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Catalog.Relocation;

/// <summary>
/// Rewrites locations under one table folder to another prefix, as Iceberg's rewrite-table-path does: a
/// value equal to the old location, or under it ("&lt;old&gt;/…"), gets the new location in front of the same
/// rest; anything else (data files in a dataset repo, other tables' files) is left as it is. A local folder is
/// matched in both forms a writer may record: its file:// URI and its plain absolute path.
/// </summary>
public sealed class PathRewrite
{
    private readonly string[] _from;

    public PathRewrite(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        From = from.TrimEnd('/');
        To = to.TrimEnd('/');
        var location = TableLocation.Parse(From);
        _from = location.LocalPath is { } path
            ? new[] { LocalFileIO.ToUri(path), path.Replace('\\', '/') }.Distinct(StringComparer.Ordinal).ToArray()
            : [From];
    }

    /// <summary>The old table location, as its metadata records it.</summary>
    public string From { get; }

    /// <summary>The new table location.</summary>
    public string To { get; }

    /// <summary>The part of <paramref name="value"/> after the old location ("" for the location itself, else "/…"), or null when it is not under it.</summary>
    public string? RestOf(string value)
    {
        foreach (var prefix in _from)
        {
            if (value.Length == prefix.Length && value == prefix)
                return "";
            if (value.Length > prefix.Length && value[prefix.Length] == '/' && value.StartsWith(prefix, StringComparison.Ordinal))
                return value[prefix.Length..];
        }
        return null;
    }

    /// <summary>The rewritten value, or the value itself when it is not under the old location.</summary>
    public string Apply(string value) => RestOf(value) is { } rest ? To + rest : value;
}
