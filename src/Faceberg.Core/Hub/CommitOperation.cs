namespace Faceberg.Core.Hub;

/// <summary>One change in a commit built by <see cref="HubClient.CreateCommitAsync"/>.</summary>
public abstract class CommitOperation
{
    private protected CommitOperation(string path) => PathInRepo = HubUrls.CheckPath(path);

    public string PathInRepo { get; }

    public static CommitOperation Add(string path, byte[] content) => new CommitOperationAdd(path, content);
    public static CommitOperation Delete(string path) => new CommitOperationDelete(path, isFolder: false);
    public static CommitOperation DeleteFolder(string path) => new CommitOperationDelete(path, isFolder: true);
}

public sealed class CommitOperationAdd : CommitOperation
{
    private string? _sha256;

    internal CommitOperationAdd(string path, byte[] content) : base(path) =>
        Content = content ?? throw new ArgumentNullException(nameof(content));

    public byte[] Content { get; }

    /// <summary>Lower-case hex SHA-256 of the content: the LFS object id.</summary>
    public string Sha256 => _sha256 ??= Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Content)).ToLowerInvariant();
}

public sealed class CommitOperationDelete : CommitOperation
{
    internal CommitOperationDelete(string path, bool isFolder) : base(path) => IsFolder = isFolder;

    public bool IsFolder { get; }
}
