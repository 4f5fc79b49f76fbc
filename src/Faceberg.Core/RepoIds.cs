using System.Text.RegularExpressions;

namespace Faceberg.Core;

/// <summary>Hugging Face repo ids: "org/name", each part of letters, digits, '-', '_' and '.',
/// not starting or ending with '-' or '.', without "--" or "..", at most 96 characters in all.</summary>
public static partial class RepoIds
{
    public static bool IsValid(string? repoId)
    {
        if (string.IsNullOrEmpty(repoId) || repoId.Length > 96)
            return false;
        var parts = repoId.Split('/');
        return parts.Length == 2 && parts.All(p => PartPattern().IsMatch(p) && !p.Contains("--") && !p.Contains(".."));
    }

    [GeneratedRegex("^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$")]
    private static partial Regex PartPattern();
}
