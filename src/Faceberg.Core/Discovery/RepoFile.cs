namespace Faceberg.Core.Discovery;

/// <summary>
/// One file of a dataset repository at some revision, as the Hub tree listing reports it.
/// </summary>
/// <param name="Path">Repository-relative path with forward slashes, no leading slash.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ContentId">The LFS sha256 for LFS files, otherwise the git blob oid. Two revisions hold
/// the same content at a path exactly when the content ids agree, which is what sync diffs on.</param>
public sealed record RepoFile(string Path, long Size, string ContentId);
