namespace Faceberg;

/// <summary>What Publish-FacebergCatalog did (type name Faceberg.PublishResult).</summary>
public sealed class PublishResult
{
    /// <summary>The catalog repo, "org/name".</summary>
    public string Repository { get; set; } = "";

    /// <summary>The commit that holds the published catalog (the existing head when nothing changed).</summary>
    public string? CommitId { get; set; }
    public string? CommitUrl { get; set; }

    /// <summary>How many files were uploaded; the repo paths are in <see cref="Files"/>.</summary>
    public int FilesUploaded { get; set; }
    public int FilesDeleted { get; set; }
    public string[] Files { get; set; } = [];

    /// <summary>The tables whose files changed, as "namespace.table".</summary>
    public string[] Tables { get; set; } = [];

    /// <summary>The commit summary (which tables and snapshots changed).</summary>
    public string Message { get; set; } = "";

    /// <summary>True when the repo did not exist and was created by this publish.</summary>
    public bool RepositoryCreated { get; set; }

    public override string ToString() => $"{Repository}@{CommitId}";
}
