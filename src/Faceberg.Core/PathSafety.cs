namespace Faceberg.Core;

/// <summary>
/// Checks that a path taken from untrusted input (a pulled faceberg.yml, a catalog.json entry) stays inside the
/// folder the user named, also when a symbolic link on the way points elsewhere.
/// </summary>
public static class PathSafety
{
    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (lexically).</summary>
    public static bool IsSameOrInside(string path, string folder) => Relative(path, folder) is { } r && (r == "." || IsDescendant(r));

    /// <summary>True when <paramref name="path"/> lies strictly under <paramref name="folder"/> (lexically).</summary>
    public static bool IsInside(string path, string folder) => Relative(path, folder) is { } r && r != "." && IsDescendant(r);

    private static string? Relative(string path, string folder)
    {
        path = Path.GetFullPath(path);
        folder = Path.GetFullPath(folder);
        var relative = Path.GetRelativePath(folder, path);
        if (Path.IsPathRooted(relative))
            return null;
        return relative;
    }

    private static bool IsDescendant(string relative) =>
        !relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Contains("..", StringComparer.Ordinal);

    /// <summary>
    /// Fails with <paramref name="errorId"/> when an existing part of <paramref name="path"/> below <paramref name="folder"/>
    /// is a symbolic link whose target lies outside <paramref name="folder"/>.
    /// </summary>
    public static void RequireNoLinkEscape(string path, string folder, string errorId)
    {
        path = Path.GetFullPath(path);
        folder = Path.GetFullPath(folder);
        if (!IsSameOrInside(path, folder))
            throw Escape(errorId, path, folder);
        var realFolder = RealPath(folder);
        var current = folder;
        foreach (var part in Path.GetRelativePath(folder, path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (!info.Exists && !Directory.Exists(current))
                return;
            if (info.LinkTarget is not null && !IsSameOrInside(RealPath(current), realFolder))
                throw Escape(errorId, path, folder);
        }
    }

    /// <summary>The path with every symbolic link on it followed (as far as the path exists).</summary>
    public static string RealPath(string path)
    {
        path = Path.GetFullPath(path);
        var root = Path.GetPathRoot(path)!;
        var current = root;
        foreach (var part in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            for (var hops = 0; hops < 40; hops++)
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.LinkTarget is not { } target)
                    break;
                current = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, target));
            }
        }
        return current;
    }

    private static FacebergException Escape(string errorId, string path, string folder) =>
        new(errorId, FacebergErrorKind.InvalidData, $"'{path}' leads outside '{folder}' (through '..', an absolute path or a symbolic link); refused.");
}
