using System.Text.RegularExpressions;

namespace Faceberg.Core;

public enum CatalogLocationKind { Local, HubDataset }

/// <summary>Where a catalog lives: a local directory, or a Hugging Face dataset repo
/// (<c>hf://datasets/org/repo</c>) that holds the catalog files.</summary>
public sealed partial class CatalogLocation : IEquatable<CatalogLocation>
{
    public const string HubPrefix = "hf://datasets/";

    private CatalogLocation(CatalogLocationKind kind, string path, string? repoId)
    {
        Kind = kind;
        Path = path;
        RepoId = repoId;
    }

    public CatalogLocationKind Kind { get; }

    /// <summary>The absolute directory for a local catalog, or the <c>hf://datasets/org/repo</c> URI.</summary>
    public string Path { get; }

    /// <summary>The dataset repo id ("org/name") of a Hub catalog; null for a local one.</summary>
    public string? RepoId { get; }

    public bool IsLocal => Kind == CatalogLocationKind.Local;

    public static CatalogLocation Local(string directory) =>
        new(CatalogLocationKind.Local, System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory)), null);

    /// <summary>Parses a location as written in faceberg.yml or given to a cmdlet. Relative paths
    /// are resolved against <paramref name="baseDirectory"/>.</summary>
    public static CatalogLocation Parse(string text, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid("The catalog location must not be empty.");
        var trimmed = text.Trim();
        if (IsHub(trimmed))
        {
            if (!trimmed.StartsWith(HubPrefix, StringComparison.Ordinal))
                throw Invalid($"'{trimmed}' is not a Hub dataset location; expected 'hf://datasets/<org>/<repo>'.");
            var repo = trimmed[HubPrefix.Length..].TrimEnd('/');
            if (!RepoIds.IsValid(repo))
                throw Invalid($"'{trimmed}' does not name a dataset repo; expected 'hf://datasets/<org>/<repo>'.");
            return new CatalogLocation(CatalogLocationKind.HubDataset, HubPrefix + repo, repo);
        }
        if (SchemePattern().IsMatch(trimmed))
            throw Invalid($"'{trimmed}' is neither a local path nor an 'hf://datasets/<org>/<repo>' location.");
        if (trimmed.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            throw Invalid($"'{trimmed}' contains characters that are not allowed in a path.");
        return Local(System.IO.Path.Combine(baseDirectory, trimmed));
    }

    /// <summary>True when <paramref name="text"/> names a Hub location (<c>hf://…</c>) rather than a path.</summary>
    public static bool IsHub(string text) => text.TrimStart().StartsWith("hf://", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="text"/> is a URI (a scheme of two letters or more before "://") rather than a
    /// path; one letter is a Windows drive ("C:\...").</summary>
    public static bool IsUri(string text) => SchemePattern().IsMatch(text);

    private static FacebergException Invalid(string message) =>
        new("InvalidCatalogLocation", FacebergErrorKind.InvalidArgument, message);

    // A URI scheme of two letters or more: one letter is a Windows drive ("C:\...").
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+://")]
    private static partial Regex SchemePattern();

    public override string ToString() => Path;
    public bool Equals(CatalogLocation? other) => other is not null && Kind == other.Kind && Path == other.Path;
    public override bool Equals(object? obj) => Equals(obj as CatalogLocation);
    public override int GetHashCode() => HashCode.Combine(Kind, Path);
}
