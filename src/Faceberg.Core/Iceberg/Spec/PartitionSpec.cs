namespace Faceberg.Core.Iceberg.Spec;

public sealed record PartitionField(int SourceId, int FieldId, string Name, Transform Transform);

/// <summary>A partition spec: how partition values derive from source columns.</summary>
public sealed class PartitionSpec : IEquatable<PartitionSpec>
{
    /// <summary>Partition field ids start here so they never collide with schema field ids (spec convention).</summary>
    public const int FirstFieldId = 1000;

    /// <summary>v2's last-partition-id for a table whose specs have no fields.</summary>
    public const int UnpartitionedLastAssignedFieldId = FirstFieldId - 1;

    public PartitionSpec(int specId, IEnumerable<PartitionField> fields)
    {
        SpecId = specId;
        Fields = fields.ToArray();
        var dup = Fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup != null)
            throw new FacebergException("DuplicatePartitionName", FacebergErrorKind.InvalidArgument, $"Partition spec has more than one field named '{dup.Key}'.");
    }

    public static readonly PartitionSpec Unpartitioned = new(0, Array.Empty<PartitionField>());

    public int SpecId { get; }
    public IReadOnlyList<PartitionField> Fields { get; }
    public bool IsUnpartitioned => Fields.Count == 0;
    public int LastAssignedFieldId => Fields.Count == 0 ? UnpartitionedLastAssignedFieldId : Fields.Max(f => f.FieldId);

    /// <summary>An identity spec (id 0) over the named top-level columns, partition field ids from 1000.</summary>
    public static PartitionSpec Identity(Schema schema, params string[] columns)
    {
        var fields = new List<PartitionField>();
        var next = FirstFieldId;
        foreach (var column in columns)
        {
            var source = schema.FindField(column)
                ?? throw new FacebergException("PartitionSourceNotFound", FacebergErrorKind.InvalidArgument, $"Partition source column '{column}' is not in the schema.");
            if (!source.Type.IsPrimitive)
                throw new FacebergException("PartitionSourceNotPrimitive", FacebergErrorKind.InvalidArgument, $"Partition source column '{column}' has non-primitive type {source.Type}.");
            fields.Add(new PartitionField(source.Id, next++, column, Transform.Identity));
        }
        return new PartitionSpec(0, fields);
    }

    /// <summary>The struct type of partition tuples under this spec; every field is optional as the spec requires.</summary>
    public StructType PartitionType(Schema schema) => new(Fields.Select(f =>
    {
        var source = schema.FindField(f.SourceId)
            ?? throw new FacebergException("PartitionSourceNotFound", FacebergErrorKind.InvalidData, $"Partition field '{f.Name}' refers to source id {f.SourceId}, which is not in the schema.");
        return NestedField.Optional(f.FieldId, f.Name, f.Transform.ResultType(source.Type));
    }));

    public PartitionSpec WithSpecId(int specId) => new(specId, Fields);

    public bool Equals(PartitionSpec? other) => other != null && other.SpecId == SpecId && other.Fields.SequenceEqual(Fields);

    /// <summary>Same fields, ignoring spec id.</summary>
    public bool CompatibleWith(PartitionSpec other) => other.Fields.SequenceEqual(Fields);

    public override bool Equals(object? obj) => obj is PartitionSpec p && Equals(p);
    public override int GetHashCode() => HashCode.Combine(SpecId, Fields.Count);
    public override string ToString() => $"spec {SpecId} [" + string.Join(", ", Fields.Select(f => $"{f.FieldId}: {f.Name}: {f.Transform}({f.SourceId})")) + "]";
}
