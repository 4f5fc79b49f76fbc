using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Catalog;

/// <summary>
/// Where a table's files are: a local folder (as an absolute path) or a Hub path (<c>hf://datasets/…</c>).
/// <see cref="Uri"/> is the Iceberg location (absolute: <c>file://…</c> for a folder), the form table metadata records.
/// </summary>
public sealed class TableLocation : IEquatable<TableLocation>
{
    private TableLocation(string? localPath, HfUri? hub, string uri)
    {
        LocalPath = localPath;
        Hub = hub;
        Uri = uri;
    }

    /// <summary>The absolute folder of a local table; null for a Hub one.</summary>
    public string? LocalPath { get; }

    /// <summary>The Hub path of a table on the Hub; null for a local one.</summary>
    public HfUri? Hub { get; }

    /// <summary>The location as Iceberg metadata records it.</summary>
    public string Uri { get; }

    public bool IsLocal => LocalPath is not null;

    public static TableLocation Local(string directory) =>
        new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), null, LocalFileIO.ToUri(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))));

    /// <summary>A location as a catalog entry, a cmdlet or table metadata gives it: an hf:// path, a file:// URI or an
    /// absolute local path. Any other scheme is an error, since no file IO could read it.</summary>
    public static TableLocation Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var trimmed = text.Trim().TrimEnd('/');
        if (trimmed.StartsWith(HfUri.Scheme, StringComparison.OrdinalIgnoreCase))
            return new TableLocation(null, HfUri.Parse(trimmed), trimmed);
        if (trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return Local(new System.Uri(trimmed).LocalPath);
        if (HasScheme(trimmed))
            throw new FacebergException("UnsupportedLocation", FacebergErrorKind.NotSupported,
                $"'{trimmed}' is neither a local folder nor an hf:// path; Faceberg reads tables from those only.");
        if (!Path.IsPathFullyQualified(trimmed))
            throw new FacebergException("InvalidLocation", FacebergErrorKind.InvalidArgument, $"Table location '{trimmed}' must be absolute.");
        return Local(trimmed);
    }

    /// <summary>True when <paramref name="text"/> is a URI rather than a path (see <see cref="CatalogLocation.IsUri"/>).</summary>
    public static bool HasScheme(string text) => CatalogLocation.IsUri(text);

    /// <summary>Whether this location is <paramref name="folder"/> itself or inside it.</summary>
    public bool IsWithin(TableLocation folder) =>
        Uri == folder.Uri || Uri.StartsWith(folder.Uri + "/", StringComparison.Ordinal);

    public override string ToString() => LocalPath ?? Uri;
    public bool Equals(TableLocation? other) => other is not null && Uri == other.Uri;
    public override bool Equals(object? obj) => Equals(obj as TableLocation);
    public override int GetHashCode() => Uri.GetHashCode(StringComparison.Ordinal);
}
