namespace Faceberg.Core.Iceberg.Table;

/// <summary>A commit's requirement does not hold on the table's current metadata (the REST protocol's 409
/// CommitFailedException): the caller's view of the table is stale. <see cref="Requirement"/> names the check.</summary>
public sealed class CommitFailedException : FacebergException
{
    public CommitFailedException(TableRequirement requirement, string message)
        : base("CommitFailed", FacebergErrorKind.Conflict, message)
    {
        Requirement = requirement;
    }

    /// <summary>The requirement that failed.</summary>
    public TableRequirement Requirement { get; }
}
