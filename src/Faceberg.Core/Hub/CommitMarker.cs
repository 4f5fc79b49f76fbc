namespace Faceberg.Core.Hub;

/// <summary>
/// A unique trailer line in each commit's description. After an ambiguous answer to a commit it is how the
/// branch history tells this commit apart from any other with the same title and parent.
/// </summary>
internal static class CommitMarker
{
    public const string Prefix = "Faceberg-Commit-Id: ";

    public static string New() => Prefix + Guid.NewGuid().ToString("N");
}
