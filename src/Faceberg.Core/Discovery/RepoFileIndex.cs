using System.Runtime.CompilerServices;

namespace Faceberg.Core.Discovery;

/// <summary>
/// The files of a listing by path. A Hub listing, and a file record Faceberg writes, name each path once; should one
/// name a path twice anyway, the first entry is the one kept, as a table registers a path only once, under its first
/// split (<see cref="Datasets.DatasetPlanner.FilesOf(DiscoveredConfig)"/>).
/// </summary>
public static class RepoFileIndex
{
    /// <summary>The files by path, the first of a repeated path kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Dictionary<string, RepoFile> ByPath(IReadOnlyList<RepoFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var byPath = new Dictionary<string, RepoFile>(files.Count, StringComparer.Ordinal);
        foreach (var file in files)
            byPath.TryAdd(file.Path, file);
        return byPath;
    }

    /// <summary>The position of each path in <paramref name="files"/>, the first of a repeated path kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Dictionary<string, int> PositionsByPath(IReadOnlyList<RepoFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var positions = new Dictionary<string, int>(files.Count, StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
            positions.TryAdd(files[i].Path, i);
        return positions;
    }
}
