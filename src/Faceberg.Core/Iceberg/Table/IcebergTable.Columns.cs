using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>Top-level column changes for <see cref="IcebergTable.UpdateColumnsAsync"/>, applied adds, then renames, then drops.</summary>
public sealed record ColumnChanges
{
    /// <summary>New optional columns; their ids (and nested ids) are assigned by the commit.</summary>
    public IReadOnlyList<NestedField> Add { get; init; } = [];

    /// <summary>Old name → new name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Rename { get; init; } = [];

    public IReadOnlyList<string> Drop { get; init; } = [];

    public bool IsEmpty => Add.Count == 0 && Rename.Count == 0 && Drop.Count == 0;

    /// <summary>
    /// The table's one schema evolution: the new schema these changes make of <paramref name="current"/>'s current
    /// schema (every surviving field keeps its id), the last column id after it, and the extended name mapping
    /// (<see cref="NameMapping.Extend"/>). Its guards hold for every caller (Update-FacebergTable and dataset syncs):
    /// added columns are optional; no column type changes (Faceberg promotes no types, see
    /// <see cref="Faceberg.Core.Iceberg.Parquet.SchemaComparer"/>); only the columns named in <see cref="Drop"/> leave
    /// the schema; a new or renamed-to name must not still be another field's name in the name mapping, so files
    /// without field ids that still carry an old column name resolve to the renamed field and dropped columns in old
    /// files resolve to nothing; partition source and identifier columns cannot be renamed or dropped. Callers apply
    /// it to the table as each commit attempt finds it, so a concurrent rename or drop cannot slip past the guards.
    /// </summary>
    /// <exception cref="FacebergException">ColumnNotFound, ColumnExists, RequiredColumnAdded,
    /// ColumnIsPartitionSource, ColumnIsIdentifier, ColumnNameInMapping.</exception>
    public (Schema Schema, int LastColumnId, string NameMapping) ApplyTo(TableMetadata current, string tableName)
    {
        ArgumentNullException.ThrowIfNull(current);
        foreach (var c in Add)
        {
            if (c.Required)
                throw new FacebergException("RequiredColumnAdded", FacebergErrorKind.InvalidArgument,
                    $"Column '{c.Name}' must be optional: a required column cannot be added to a table with existing data.");
        }
        var schema = current.CurrentSchema;
        var fields = schema.Fields.ToList();
        var mapping = current.Properties.TryGetValue(NameMapping.PropertyKey, out var json) ? NameMapping.Parse(json) : null;
        var partitionSources = current.PartitionSpecs.SelectMany(s => s.Fields).Select(f => f.SourceId).ToHashSet();

        int IndexOf(string name) => fields.FindIndex(f => f.Name == name) is var i and >= 0 ? i
            : throw new FacebergException("ColumnNotFound", FacebergErrorKind.NotFound,
                $"Table '{tableName}' has no column '{name}' (columns: {string.Join(", ", fields.Select(f => f.Name))}).");
        void RequireFreeName(string name, int? forId)
        {
            if (fields.Any(f => f.Name == name))
                throw new FacebergException("ColumnExists", FacebergErrorKind.AlreadyExists, $"Table '{tableName}' already has a column '{name}'.");
            // Old files resolve names through the mapping; a name still mapped to another field would read its data.
            var mapped = mapping?.Fields.FirstOrDefault(m => m.Names.Contains(name) && m.FieldId != forId);
            if (mapped != null)
                throw new FacebergException("ColumnNameInMapping", FacebergErrorKind.InvalidArgument,
                    $"'{name}' is still the name of field {mapped.FieldId} in the table's name mapping (a renamed or dropped column), so older files' '{name}' column would be read as the new one.");
        }
        void RequireMutable(NestedField field, string verb)
        {
            if (partitionSources.Contains(field.Id))
                throw new FacebergException("ColumnIsPartitionSource", FacebergErrorKind.InvalidArgument,
                    $"Column '{field.Name}' cannot be {verb}: the table is partitioned by it.");
            if (schema.IdentifierFieldIds.Contains(field.Id))
                throw new FacebergException("ColumnIsIdentifier", FacebergErrorKind.InvalidArgument,
                    $"Column '{field.Name}' cannot be {verb}: it is an identifier field of the table.");
        }

        foreach (var c in Add)
            RequireFreeName(c.Name, null);
        var added = FieldIdAssigner.AssignFresh(Add, current.LastColumnId, out var nextId);
        if (added.Select(a => a.Name).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new FacebergException("ColumnExists", FacebergErrorKind.InvalidArgument, $"Column '{twice.Key}' is added twice.");
        fields.AddRange(added);
        foreach (var (from, to) in Rename)
        {
            var i = IndexOf(from);
            RequireMutable(fields[i], "renamed");
            if (from == to) continue;
            RequireFreeName(to, fields[i].Id);
            fields[i] = fields[i] with { Name = to };
        }
        foreach (var name in Drop)
        {
            var i = IndexOf(name);
            RequireMutable(fields[i], "dropped");
            fields.RemoveAt(i);
        }

        var newSchema = new Schema(current.Schemas.Max(s => s.SchemaId) + 1, fields, schema.IdentifierFieldIds);
        var lastColumnId = Math.Max(current.LastColumnId, Add.Count > 0 ? nextId : current.LastColumnId);
        return (newSchema, lastColumnId, (mapping ?? NameMapping.FromSchema(schema)).Extend(newSchema).ToJson());
    }

    /// <summary>
    /// These changes as one catalog commit against <paramref name="current"/>: add-schema, set-current-schema and the
    /// extended name mapping, required to apply to the same current schema and last column id they were planned on.
    /// </summary>
    public (IReadOnlyList<TableRequirement> Requirements, IReadOnlyList<TableUpdate> Updates) ToCommit(TableMetadata current, string tableName)
    {
        var (schema, lastColumnId, mapping) = ApplyTo(current, tableName);
        return (
            [new AssertCurrentSchemaId(current.CurrentSchemaId), new AssertLastAssignedFieldId(current.LastColumnId)],
            [new AddSchema(schema, lastColumnId), new SetCurrentSchema(-1),
             new SetProperties(new Dictionary<string, string>(StringComparer.Ordinal) { [NameMapping.PropertyKey] = mapping })]);
    }
}

public sealed partial class IcebergTable
{
    /// <summary>Adds, renames and drops top-level columns in one new schema (see <see cref="ColumnChanges.ApplyTo"/>).</summary>
    public Task UpdateColumnsAsync(ColumnChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return CommitAsync((current, _, _) =>
        {
            var (schema, lastColumnId, mapping) = changes.ApplyTo(current, Location);
            var props = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal) { [NameMapping.PropertyKey] = mapping };
            var updated = current with
            {
                Schemas = current.Schemas.Append(schema).ToArray(),
                CurrentSchemaId = schema.SchemaId,
                LastColumnId = lastColumnId,
                Properties = props,
                LastUpdatedMs = NowMs(),
            };
            return Task.FromResult(new PendingCommit(updated, Array.Empty<FileWrite>()));
        }, cancellationToken);
    }
}
