using System.Text.RegularExpressions;

namespace Faceberg.Core.Hub;

/// <summary>Validation of repo ids ("org/name") with the Hub's rules.</summary>
public static partial class HubRepoId
{
    [GeneratedRegex(@"^([\w\-.]+/)?[\w\-.]+$")]
    private static partial Regex Shape();

    public static bool IsValid(string? repoId) =>
        !string.IsNullOrEmpty(repoId) && repoId.Length <= 96 && Shape().IsMatch(repoId)
        && !repoId.Contains("--") && !repoId.Contains("..") && !repoId.EndsWith(".git", StringComparison.Ordinal)
        && repoId.Split('/').All(part => part[0] is not ('-' or '.') && part[^1] is not ('-' or '.'));

    /// <summary>Throws a <see cref="FacebergException"/> (InvalidArgument) for ids the Hub would reject.</summary>
    public static string Validate(string? repoId)
    {
        if (!IsValid(repoId))
            throw new FacebergException("InvalidRepoId", FacebergErrorKind.InvalidArgument,
                $"'{repoId}' is not a valid Hub repo id. Use 'org/name' with letters, digits, '-', '_' and '.' " +
                "(no '--' or '..', not starting or ending with '-' or '.', at most 96 characters).");
        return repoId!;
    }

    /// <summary>Splits "org/name" into organization (null when absent) and name.</summary>
    public static (string? Organization, string Name) Split(string repoId)
    {
        Validate(repoId);
        var slash = repoId.IndexOf('/');
        return slash < 0 ? (null, repoId) : (repoId[..slash], repoId[(slash + 1)..]);
    }
}
