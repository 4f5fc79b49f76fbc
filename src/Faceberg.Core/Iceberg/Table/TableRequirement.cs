using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// A precondition of a table commit, as the Iceberg REST protocol names them (<c>TableRequirement</c>, its
/// <c>type</c> discriminator). Every requirement is checked against the table's metadata as it is when the
/// commit is written, and again on each retry, so a commit never applies to a table it did not expect.
/// </summary>
public abstract record TableRequirement
{
    /// <summary>The REST <c>type</c> of the requirement, e.g. <c>assert-ref-snapshot-id</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Throws <see cref="CommitFailedException"/> unless the requirement holds on <paramref name="current"/>
    /// (null: the table does not exist yet).</summary>
    public void Check(TableMetadata? current)
    {
        if (current is null)
        {
            if (this is not AssertCreate)
                throw Failed("the table does not exist");
            return;
        }
        if (Violation(current) is { } why)
            throw Failed(why);
    }

    /// <summary>Why the requirement fails on existing metadata, or null when it holds.</summary>
    private protected abstract string? Violation(TableMetadata current);

    private CommitFailedException Failed(string why) => new(this, $"Requirement {Type} failed: {why}.");
}

/// <summary>The table must not exist yet (a create committed as a change).</summary>
public sealed record AssertCreate : TableRequirement
{
    public override string Type => "assert-create";
    private protected override string? Violation(TableMetadata current) => "the table already exists";
}

public sealed record AssertTableUuid(Guid Uuid) : TableRequirement
{
    public override string Type => "assert-table-uuid";
    private protected override string? Violation(TableMetadata current) =>
        current.TableUuid == Uuid ? null : $"the table's uuid is {current.TableUuid:D}, not {Uuid:D}";
}

/// <summary>Ref <paramref name="Ref"/> must point at <paramref name="SnapshotId"/>; a null id means the ref must not exist.</summary>
public sealed record AssertRefSnapshotId(string Ref, long? SnapshotId) : TableRequirement
{
    public override string Type => "assert-ref-snapshot-id";
    private protected override string? Violation(TableMetadata current)
    {
        var found = current.Refs.TryGetValue(Ref, out var r) ? r.SnapshotId : (long?)null;
        if (found == SnapshotId)
            return null;
        return (found, SnapshotId) switch
        {
            (null, _) => $"ref '{Ref}' does not exist, expected it at snapshot {SnapshotId}",
            (_, null) => $"ref '{Ref}' exists (snapshot {found}), expected it not to",
            _ => $"ref '{Ref}' is at snapshot {found}, not {SnapshotId}",
        };
    }
}

public sealed record AssertLastAssignedFieldId(int LastAssignedFieldId) : TableRequirement
{
    public override string Type => "assert-last-assigned-field-id";
    private protected override string? Violation(TableMetadata current) =>
        current.LastColumnId == LastAssignedFieldId ? null : $"the last assigned field id is {current.LastColumnId}, not {LastAssignedFieldId}";
}

public sealed record AssertCurrentSchemaId(int CurrentSchemaId) : TableRequirement
{
    public override string Type => "assert-current-schema-id";
    private protected override string? Violation(TableMetadata current) =>
        current.CurrentSchemaId == CurrentSchemaId ? null : $"the current schema id is {current.CurrentSchemaId}, not {CurrentSchemaId}";
}

public sealed record AssertLastAssignedPartitionId(int LastAssignedPartitionId) : TableRequirement
{
    public override string Type => "assert-last-assigned-partition-id";
    private protected override string? Violation(TableMetadata current) =>
        current.LastPartitionId == LastAssignedPartitionId ? null : $"the last assigned partition id is {current.LastPartitionId}, not {LastAssignedPartitionId}";
}

public sealed record AssertDefaultSpecId(int DefaultSpecId) : TableRequirement
{
    public override string Type => "assert-default-spec-id";
    private protected override string? Violation(TableMetadata current) =>
        current.DefaultSpecId == DefaultSpecId ? null : $"the default spec id is {current.DefaultSpecId}, not {DefaultSpecId}";
}

public sealed record AssertDefaultSortOrderId(int DefaultSortOrderId) : TableRequirement
{
    public override string Type => "assert-default-sort-order-id";
    private protected override string? Violation(TableMetadata current) =>
        current.DefaultSortOrderId == DefaultSortOrderId ? null : $"the default sort order id is {current.DefaultSortOrderId}, not {DefaultSortOrderId}";
}
