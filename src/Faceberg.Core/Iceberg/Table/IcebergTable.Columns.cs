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
}

public sealed partial class IcebergTable
{
    /// <summary>
    /// The table's one schema evolution: adds, renames and drops top-level columns in one new schema, keeping
    /// every surviving field's id. Its guards hold for every caller (Update-FacebergTable and dataset syncs):
    /// added columns are optional; no column type changes (Faceberg promotes no types, see
    /// <see cref="Faceberg.Core.Iceberg.Parquet.SchemaComparer"/>); only the columns named in <see cref="ColumnChanges.Drop"/> leave
    /// the schema; a new or renamed-to name must not still be another field's name in the name mapping; and
    /// partition source and identifier columns cannot be renamed or dropped. The guards run against the table
    /// as each commit attempt finds it, so a concurrent rename or drop cannot slip past them. The name mapping
    /// is extended (<see cref="NameMapping.Extend"/>), so files without field ids that still carry an old
    /// column name resolve to the renamed field, and dropped columns in old files resolve to nothing.
    /// </summary>
    /// <exception cref="FacebergException">ColumnNotFound, ColumnExists, RequiredColumnAdded,
    /// ColumnIsPartitionSource, ColumnIsIdentifier, ColumnNameInMapping.</exception>
    public Task UpdateColumnsAsync(ColumnChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var c in changes.Add)
        {
            if (c.Required)
                throw new FacebergException("RequiredColumnAdded", FacebergErrorKind.InvalidArgument,
                    $"Column '{c.Name}' must be optional: a required column cannot be added to a table with existing data.");
        }
        return CommitAsync((current, _, _) =>
        {
            var schema = current.CurrentSchema;
            var fields = schema.Fields.ToList();
            var mapping = current.Properties.TryGetValue(NameMapping.PropertyKey, out var json) ? NameMapping.Parse(json) : null;
            var partitionSources = current.PartitionSpecs.SelectMany(s => s.Fields).Select(f => f.SourceId).ToHashSet();

            int IndexOf(string name) => fields.FindIndex(f => f.Name == name) is var i and >= 0 ? i
                : throw new FacebergException("ColumnNotFound", FacebergErrorKind.NotFound,
                    $"Table '{Location}' has no column '{name}' (columns: {string.Join(", ", fields.Select(f => f.Name))}).");
            void RequireFreeName(string name, int? forId)
            {
                if (fields.Any(f => f.Name == name))
                    throw new FacebergException("ColumnExists", FacebergErrorKind.AlreadyExists, $"Table '{Location}' already has a column '{name}'.");
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

            foreach (var c in changes.Add)
                RequireFreeName(c.Name, null);
            var added = FieldIdAssigner.AssignFresh(changes.Add, current.LastColumnId, out var nextId);
            if (added.Select(a => a.Name).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new FacebergException("ColumnExists", FacebergErrorKind.InvalidArgument, $"Column '{twice.Key}' is added twice.");
            fields.AddRange(added);
            foreach (var (from, to) in changes.Rename)
            {
                var i = IndexOf(from);
                RequireMutable(fields[i], "renamed");
                if (from == to) continue;
                RequireFreeName(to, fields[i].Id);
                fields[i] = fields[i] with { Name = to };
            }
            foreach (var name in changes.Drop)
            {
                var i = IndexOf(name);
                RequireMutable(fields[i], "dropped");
                fields.RemoveAt(i);
            }

            var newSchema = new Schema(current.Schemas.Max(s => s.SchemaId) + 1, fields, schema.IdentifierFieldIds);
            var props = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal)
            {
                [NameMapping.PropertyKey] = (mapping ?? NameMapping.FromSchema(schema)).Extend(newSchema).ToJson(),
            };
            var updated = current with
            {
                Schemas = current.Schemas.Append(newSchema).ToArray(),
                CurrentSchemaId = newSchema.SchemaId,
                LastColumnId = Math.Max(current.LastColumnId, changes.Add.Count > 0 ? nextId : current.LastColumnId),
                Properties = props,
                LastUpdatedMs = NowMs(),
            };
            return Task.FromResult(new PendingCommit(updated, Array.Empty<FileWrite>()));
        }, cancellationToken);
    }
}
