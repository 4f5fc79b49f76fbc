using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// One change of a table commit, as the Iceberg REST protocol names them (<c>TableUpdate</c>, its <c>action</c>
/// discriminator). Updates are applied in order by <see cref="TableMetadataBuilder"/>; an id of -1 in the
/// set-current/set-default updates means "the one added earlier in this commit", as in the protocol.
/// </summary>
public abstract record TableUpdate
{
    /// <summary>The REST <c>action</c> of the update, e.g. <c>add-snapshot</c>.</summary>
    public abstract string Action { get; }

    internal abstract void ApplyTo(TableMetadataBuilder builder);
}

public sealed record AssignUuid(Guid Uuid) : TableUpdate
{
    public override string Action => "assign-uuid";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.AssignUuid(Uuid);
}

public sealed record UpgradeFormatVersion(int FormatVersion) : TableUpdate
{
    public override string Action => "upgrade-format-version";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.UpgradeFormatVersion(FormatVersion);
}

/// <summary>Adds a schema; its id is reassigned when another id is free or an equal schema exists.
/// <paramref name="LastColumnId"/> is the protocol's deprecated field: the highest field id is used when absent.</summary>
public sealed record AddSchema(Schema Schema, int? LastColumnId = null) : TableUpdate
{
    public override string Action => "add-schema";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.AddSchema(Schema, LastColumnId);
}

public sealed record SetCurrentSchema(int SchemaId) : TableUpdate
{
    public override string Action => "set-current-schema";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetCurrentSchema(SchemaId);
}

public sealed record AddPartitionSpec(PartitionSpec Spec) : TableUpdate
{
    public override string Action => "add-spec";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.AddSpec(Spec);
}

public sealed record SetDefaultSpec(int SpecId) : TableUpdate
{
    public override string Action => "set-default-spec";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetDefaultSpec(SpecId);
}

public sealed record AddSortOrder(SortOrder SortOrder) : TableUpdate
{
    public override string Action => "add-sort-order";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.AddSortOrder(SortOrder);
}

public sealed record SetDefaultSortOrder(int SortOrderId) : TableUpdate
{
    public override string Action => "set-default-sort-order";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetDefaultSortOrder(SortOrderId);
}

/// <summary>Adds a snapshot whose manifest list the writer already stored; it becomes current only through a
/// <see cref="SetSnapshotRef"/> of the main branch.</summary>
public sealed record AddSnapshot(Snapshot Snapshot) : TableUpdate
{
    public override string Action => "add-snapshot";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.AddSnapshot(Snapshot);
}

public sealed record SetSnapshotRef(string RefName, SnapshotRef Ref) : TableUpdate
{
    public override string Action => "set-snapshot-ref";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetRef(RefName, Ref);
}

public sealed record RemoveSnapshots(IReadOnlyList<long> SnapshotIds) : TableUpdate
{
    public override string Action => "remove-snapshots";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.RemoveSnapshots(SnapshotIds);
}

public sealed record RemoveSnapshotRef(string RefName) : TableUpdate
{
    public override string Action => "remove-snapshot-ref";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.RemoveRef(RefName);
}

public sealed record SetLocation(string Location) : TableUpdate
{
    public override string Action => "set-location";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetLocation(Location);
}

public sealed record SetProperties(IReadOnlyDictionary<string, string> Updates) : TableUpdate
{
    public override string Action => "set-properties";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.SetProperties(Updates);
}

public sealed record RemoveProperties(IReadOnlyList<string> Removals) : TableUpdate
{
    public override string Action => "remove-properties";
    internal override void ApplyTo(TableMetadataBuilder builder) => builder.RemoveProperties(Removals);
}
