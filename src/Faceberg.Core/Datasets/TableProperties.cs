namespace Faceberg.Core.Datasets;

/// <summary>The table properties and snapshot summary keys Faceberg writes on dataset tables.</summary>
public static class TableProperties
{
    /// <summary>The dataset's name in faceberg.yml.</summary>
    public const string Dataset = "faceberg.dataset";

    /// <summary>The Hub dataset repo, "org/name".</summary>
    public const string Repo = "faceberg.repo";

    /// <summary>The dataset config the table exposes.</summary>
    public const string Config = "faceberg.config";

    /// <summary>The commit sha the table reflects (also a snapshot summary key).</summary>
    public const string Revision = "faceberg.revision";

    /// <summary>The ref the table follows: the configured branch, tag or sha, or <c>main</c>.</summary>
    public const string Ref = "faceberg.ref";

    /// <summary>The <c>refs/convert/parquet</c> commit the data files come from, for datasets that are not Parquet.</summary>
    public const string SourceRevision = "faceberg.source-revision";

    /// <summary>Location of the JSON record of the table's files (path, content id, size) at the commit its data was
    /// read from, written in the same commit as the snapshot; lets a sync skip listing the old commit.</summary>
    public const string RevisionFiles = "faceberg.revision-files";

    /// <summary>How many change records may follow a full file record before the next is full again (default
    /// <see cref="RevisionFileRecord.MaxChainLength"/>; 0: every record is full).</summary>
    public const string RevisionFilesMaxChain = "faceberg.revision-files.max-chain";

    /// <summary>Iceberg's own property: where data files go; here the pinned dataset repo.</summary>
    public const string WriteDataPath = "write.data.path";

    /// <summary>The partition column holding each file's split. Its value lives only in the manifests.</summary>
    public const string SplitColumn = "split";

    /// <summary>Snapshot summary: the commit the table reflected before a sync.</summary>
    public const string PreviousRevision = "faceberg.previous-revision";

    /// <summary>Snapshot summary: data files a sync added, removed and replaced.</summary>
    public const string AddedFiles = "faceberg.added-files";
    public const string RemovedFiles = "faceberg.removed-files";
    public const string ReplacedFiles = "faceberg.replaced-files";
}
