namespace Faceberg.Core.Hub;

/// <summary>URL pieces encoded the way huggingface_hub encodes them.</summary>
internal static class HubUrls
{
    /// <summary>A revision as one path segment: no safe characters, so "refs/pr/1" becomes "refs%2Fpr%2F1".</summary>
    public static string Revision(string revision)
    {
        if (string.IsNullOrEmpty(revision))
            throw new FacebergException("InvalidRevision", FacebergErrorKind.InvalidArgument, "A revision (branch, tag or commit sha) is required.");
        return Uri.EscapeDataString(revision);
    }

    /// <summary>A path in the repo for resolve URLs: each segment escaped, '/' kept.</summary>
    public static string FilePath(string path) =>
        string.Join('/', CheckPath(path).Split('/').Select(Uri.EscapeDataString));

    /// <summary>A path in the repo as one segment (tree listing): '/' escaped too.</summary>
    public static string PathSegment(string path) => Uri.EscapeDataString(CheckPath(path));

    public static string CheckPath(string path)
    {
        var trimmed = path?.Trim('/') ?? "";
        if (trimmed.Length == 0 || trimmed.Split('/').Any(s => s is "" or "." or ".."))
            throw new FacebergException("InvalidRepoPath", FacebergErrorKind.InvalidArgument,
                $"'{path}' is not a valid path inside a repo.");
        return trimmed;
    }
}
