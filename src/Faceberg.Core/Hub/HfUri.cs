using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Hub;

/// <summary>
/// <c>hf://datasets/&lt;org&gt;/&lt;name&gt;[@&lt;revision&gt;]/&lt;path&gt;</c>, parsed like huggingface_hub's HfFileSystem:
/// the revision may be URL-encoded (<c>@refs%2Fconvert%2Fparquet</c>), and the special refs
/// <c>refs/convert/*</c> and <c>refs/pr/N</c> may also appear unencoded.
/// </summary>
public sealed partial record HfUri
{
    public const string Scheme = "hf://";
    private const string DatasetsPrefix = "datasets/";

    public HfUri(string repoId, string? revision, string path)
    {
        RepoId = RequireNamespaced(repoId);
        Revision = string.IsNullOrEmpty(revision) ? null : revision;
        Path = (path ?? "").Trim('/');
    }

    public string RepoId { get; }

    /// <summary>Branch, tag or commit sha; null means the default branch.</summary>
    public string? Revision { get; }

    /// <summary>Path inside the repo, without leading '/'; empty for the repo root.</summary>
    public string Path { get; }

    [GeneratedRegex(@"^(refs/convert/\w+|refs/pr/\d+)")]
    private static partial Regex SpecialRef();

    public static HfUri Parse(string uri) =>
        TryParse(uri, out var parsed, out var error) ? parsed
            : throw new FacebergException("InvalidHfUri", FacebergErrorKind.InvalidArgument, error);

    public static bool TryParse(string? uri, [NotNullWhen(true)] out HfUri? parsed) => TryParse(uri, out parsed, out _);

    private static bool TryParse(string? uri, [NotNullWhen(true)] out HfUri? parsed, out string error)
    {
        parsed = null;
        error = $"'{uri}' is not an hf:// dataset path; expected hf://datasets/<org>/<name>[@<revision>]/<path>.";
        if (uri is null || !uri.StartsWith(Scheme + DatasetsPrefix, StringComparison.Ordinal)) return false;
        var rest = uri[(Scheme.Length + DatasetsPrefix.Length)..];

        string repoId, path;
        string? revision = null;
        var at = rest.IndexOf('@');
        var firstSlash = rest.IndexOf('/');
        if (at >= 0 && firstSlash >= 0 && at > firstSlash && rest.IndexOf('/', firstSlash + 1) is var second && (second < 0 || second > at))
        {
            repoId = rest[..at];
            var revisionAndPath = rest[(at + 1)..];
            var special = SpecialRef().Match(revisionAndPath);
            string rawRevision;
            if (special.Success)
            {
                rawRevision = special.Value;
                path = revisionAndPath[special.Length..];
            }
            else
            {
                var slash = revisionAndPath.IndexOf('/');
                rawRevision = slash < 0 ? revisionAndPath : revisionAndPath[..slash];
                path = slash < 0 ? "" : revisionAndPath[(slash + 1)..];
            }
            revision = Uri.UnescapeDataString(rawRevision);
            if (revision.Length == 0) return false;
        }
        else
        {
            var parts = rest.Split('/', 3);
            if (parts.Length < 2) return false;
            repoId = parts[0] + "/" + parts[1];
            path = parts.Length == 3 ? parts[2] : "";
        }
        if (!HubRepoId.IsValid(repoId) || !repoId.Contains('/')) return false;
        parsed = new HfUri(repoId, revision, path);
        return true;
    }

    /// <summary>Formats like HfFileSystem: special refs as-is, any other revision with every reserved character escaped.</summary>
    public override string ToString()
    {
        var text = Scheme + DatasetsPrefix + RepoId;
        if (Revision is not null) text += "@" + FormatRevision(Revision);
        return Path.Length == 0 ? text : text + "/" + Path;
    }

    public static string FormatRevision(string revision)
    {
        var special = SpecialRef().Match(revision);
        return special.Success && special.Length == revision.Length ? revision : Uri.EscapeDataString(revision);
    }

    public HfUri WithPath(string path) => new(RepoId, Revision, path);

    private static string RequireNamespaced(string repoId)
    {
        HubRepoId.Validate(repoId);
        if (!repoId.Contains('/'))
            throw new FacebergException("InvalidHfUri", FacebergErrorKind.InvalidArgument,
                $"hf:// dataset paths need a namespaced repo id ('org/name'), not '{repoId}'.");
        return repoId;
    }
}
