using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Faceberg's location provider for new data files: names them so the dataset, read by the `datasets`
/// library or the Hub viewer, still sees every old file where it was and the new ones in the written
/// split of the written config. Candidate places come from the files the config already has (the
/// split's folder, a sibling split folder, the split-prefix folder); candidate names are datasets'
/// sharded <c>&lt;split&gt;-NNNNN-of-NNNNN-&lt;unique&gt;.parquet</c>, then forms that fit other
/// patterns. Each candidate is checked by running Faceberg's own discovery (the card's
/// <c>configs:</c> globs, config folders or datasets' split inference) over the listing with the new
/// files added; the first candidate under which nothing else moves wins.
/// </summary>
public static class DatasetFileNaming
{
    /// <summary>A new per-write token (12 hex digits) that keeps two writes' file names apart.</summary>
    public static string NewUniqueId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();

    /// <summary>
    /// Repository paths for <paramref name="count"/> new Parquet files of split <paramref name="split"/>
    /// of config <paramref name="config"/>.
    /// </summary>
    /// <param name="files">The repository's files at the revision being written on.</param>
    /// <param name="cardData">The dataset card's metadata at that revision (its <c>configs:</c>), if any.</param>
    /// <exception cref="FacebergException"><c>WriteLayoutMismatch</c>: no name would be read back as that split
    /// of that config without changing what the dataset's other files mean; the message says why.</exception>
    public static IReadOnlyList<string> NewFilePaths(IReadOnlyList<RepoFile> files, JsonElement? cardData, string repo,
        string config, string split, int count, string uniqueId)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        if (!SplitPatterns.IsValidSplitName(split))
            throw new FacebergException("WriteInvalidSplitName", FacebergErrorKind.InvalidArgument,
                $"'{split}' is not a valid split name: the `datasets` library needs split names to be words (letters, digits, _) joined by dots.");

        // A token already in some file name (a retried write, a 1-in-2^48 draw) is drawn again, so a name never collides.
        while (files.Any(f => f.Path.Contains(uniqueId, StringComparison.Ordinal)))
            uniqueId = NewUniqueId();

        var before = Assignments(DatasetLayoutResolver.Resolve(files, cardData, repo));
        var configFiles = before.Where(a => a.Config == config).ToList();
        if (configFiles.Count == 0 && before.Count > 0 && before.All(a => a.Config != config))
            throw new FacebergException("WriteConfigNotFound", FacebergErrorKind.NotFound,
                $"Dataset '{repo}' has no config '{config}' any more; sync the table first.");

        string? firstProblem = null;
        foreach (var folder in CandidateFolders(configFiles, split))
        {
            foreach (var name in CandidateNames(split, count, uniqueId))
            {
                var paths = Enumerable.Range(0, count).Select(i => Join(folder, name(i))).ToList();
                var problem = Check(files, cardData, repo, config, split, before, paths);
                if (problem is null) return paths;
                firstProblem ??= $"a new file such as '{paths[0]}' {problem}";
            }
        }
        var cardNote = DescribeCardPatterns(cardData, config, split);
        throw new FacebergException("WriteLayoutMismatch", FacebergErrorKind.NotSupported,
            $"Cannot add files to split '{split}' of config '{config}' in dataset '{repo}' without breaking how the dataset is read: {firstProblem}.{cardNote} "
            + "Nothing was written. Add a data_files pattern for the new files to the README's configs (or write to a split the layout already has).");
    }

    /// <summary>(config, split, path) for every data file of a layout.</summary>
    private static HashSet<(string Config, string Split, string Path)> Assignments(DatasetLayout layout) =>
        layout.Configs.SelectMany(c => c.Splits.SelectMany(s => s.Files.Select(f => (c.Name, s.Name, f.Path)))).ToHashSet();

    private static string? Check(IReadOnlyList<RepoFile> files, JsonElement? cardData, string repo, string config, string split,
        HashSet<(string Config, string Split, string Path)> before, IReadOnlyList<string> paths)
    {
        DatasetLayout after;
        try
        {
            after = DatasetLayoutResolver.Resolve(files.Concat(paths.Select(p => new RepoFile(p, 0, ""))).ToList(), cardData, repo);
        }
        catch (FacebergException e)
        {
            return "would make the dataset unreadable: " + e.Message;
        }
        var assigned = Assignments(after);
        var mine = assigned.Where(a => paths.Contains(a.Path)).ToList();
        if (!mine.Any(a => a.Config == config && a.Split == split))
        {
            var elsewhere = mine.FirstOrDefault();
            return elsewhere.Path is null
                ? $"would not be read as split '{split}' of config '{config}' (no data_files pattern or split rule matches it)"
                : $"would be read as split '{elsewhere.Split}' of config '{elsewhere.Config}'";
        }
        if (mine.FirstOrDefault(a => a.Config != config || a.Split != split) is { Path: not null } other)
            return $"would also be read as split '{other.Split}' of config '{other.Config}'";
        var others = assigned.Where(a => !paths.Contains(a.Path)).ToHashSet();
        if (!others.SetEquals(before))
        {
            var moved = before.Except(others).FirstOrDefault();
            return moved.Path is null
                ? "would change how the dataset's existing files are read"
                : $"would change how existing file '{moved.Path}' is read (now split '{moved.Split}' of config '{moved.Config}')";
        }
        return null;
    }

    /// <summary>Folders to try, most specific first: where the split's files are, then siblings of other splits' files.</summary>
    private static IEnumerable<string> CandidateFolders(IReadOnlyList<(string Config, string Split, string Path)> configFiles, string split)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> FoldersOf(IEnumerable<string> paths) =>
            paths.Select(Folder).GroupBy(f => f, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key);

        foreach (var folder in FoldersOf(configFiles.Where(f => f.Split == split).Select(f => f.Path)))
            if (seen.Add(folder)) yield return folder;
        foreach (var (otherSplit, folder) in configFiles.Where(f => f.Split != split).Select(f => (f.Split, Folder(f.Path))).Distinct())
        {
            // A split folder (data/train) suggests a sibling folder for this split (data/test).
            var last = folder[(folder.LastIndexOf('/') + 1)..];
            if (last == otherSplit)
            {
                var parent = folder.Length > last.Length ? folder[..(folder.Length - last.Length - 1)] : "";
                var sibling = Join(parent, split);
                if (seen.Add(sibling)) yield return sibling;
            }
            if (seen.Add(folder)) yield return folder;
        }
        var configFolder = configFiles.Select(f => f.Path.Split('/')[0]).Distinct().ToList();
        var defaults = configFolder.Count == 1 && configFiles.All(f => f.Path.Contains('/')) && configFolder[0] != "data"
            ? new[] { Join(configFolder[0], split), configFolder[0], "data" }
            : new[] { "data" };
        foreach (var folder in defaults)
            if (seen.Add(folder)) yield return folder;
    }

    /// <summary>File name forms, in preference order: datasets' sharded names, then forms for repos whose patterns or rules want other names.</summary>
    private static IEnumerable<Func<int, string>> CandidateNames(string split, int total, string unique)
    {
        string Shard(int i) => string.Create(CultureInfo.InvariantCulture, $"{i:D5}-of-{total:D5}");
        string Part(int i) => string.Create(CultureInfo.InvariantCulture, $"{i:D5}");
        yield return i => $"{split}-{Shard(i)}-{unique}.parquet";
        // Outside datasets' sharded layout, a "-NNNNN-of-NNNNN" name under data/ would switch the whole repo to it.
        yield return i => $"{split}-{unique}-{Part(i)}.parquet";
        yield return i => $"part-{unique}-{Part(i)}.parquet";
        yield return i => $"{unique}-{Part(i)}.parquet";
    }

    private static string DescribeCardPatterns(JsonElement? cardData, string config, string split)
    {
        if (cardData is not { } card) return "";
        IReadOnlyList<CardConfig> configs;
        try { configs = CardConfigs.FromCardData(card); }
        catch (FacebergException) { return ""; }
        var entry = configs.FirstOrDefault(c => c.Name == config);
        if (entry?.DataFiles is null) return "";
        var patterns = entry.DataFiles.FirstOrDefault(s => s.Split == split)?.Patterns;
        return patterns is null
            ? $" The README's configs give config '{config}' no data_files for split '{split}'."
            : $" The README's configs read split '{split}' of config '{config}' from {string.Join(", ", patterns.Select(p => $"'{p}'"))}.";
    }

    private static string Folder(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[..i] : "";

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;
}
