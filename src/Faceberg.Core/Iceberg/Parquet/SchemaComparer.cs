using Faceberg.Core.Iceberg.Spec;
using ListType = Faceberg.Core.Iceberg.Spec.ListType;
using MapType = Faceberg.Core.Iceberg.Spec.MapType;

namespace Faceberg.Core.Iceberg.Parquet;

public enum SchemaCompatibility
{
    /// <summary>The file's columns are the table's (same names, types, required-ness; ids and docs ignored).</summary>
    Identical,
    /// <summary>The file fits once the table schema evolves to <see cref="SchemaComparison.MergedSchema"/> (or as is, if the file only lacks optional columns).</summary>
    Compatible,
    /// <summary>A column differs in a way no schema evolution Faceberg does can reconcile.</summary>
    Conflict,
}

/// <summary>
/// The outcome of comparing a file's schema with a table's.
/// <see cref="MergedSchema"/> keeps every table field id; columns only the file has are appended as
/// optional fields with fresh ids after <c>lastColumnId</c>, and table columns the file has as optional
/// become optional. On a conflict, <see cref="ConflictColumn"/> is the dotted column path and the two
/// types are given as they appear in each schema ("missing" when the file lacks a required column).
/// </summary>
public sealed record SchemaComparison(
    SchemaCompatibility Kind,
    Schema? MergedSchema,
    int LastColumnId,
    IReadOnlyList<string> AddedColumns,
    IReadOnlyList<string> RelaxedColumns,
    string? ConflictColumn = null,
    string? TableType = null,
    string? FileType = null)
{
    public bool IsConflict => Kind == SchemaCompatibility.Conflict;
}

/// <summary>
/// Compares schemas by column name (ids differ between files inspected separately). Types must match
/// exactly: Faceberg does not promote types (int→long, float→double, wider decimals), because the
/// files would then have to be read through a promotion some engines refuse; such files conflict.
/// </summary>
public static class SchemaComparer
{
    /// <param name="lastColumnId">The table's last-column-id; defaults to the highest id in <paramref name="tableSchema"/>.</param>
    public static SchemaComparison Compare(Schema tableSchema, Schema fileSchema, int? lastColumnId = null)
    {
        ArgumentNullException.ThrowIfNull(tableSchema);
        ArgumentNullException.ThrowIfNull(fileSchema);
        var merge = new Merge(lastColumnId ?? tableSchema.HighestFieldId);
        try
        {
            var fields = merge.Fields(tableSchema.Fields, fileSchema.Fields, prefix: null);
            if (merge.Added.Count == 0 && merge.Relaxed.Count == 0 && merge.FileLacksColumns == false)
                return new SchemaComparison(SchemaCompatibility.Identical, tableSchema, merge.LastId, merge.Added, merge.Relaxed);
            var merged = merge.Added.Count == 0 && merge.Relaxed.Count == 0
                ? tableSchema
                : new Schema(tableSchema.SchemaId, fields, tableSchema.IdentifierFieldIds);
            return new SchemaComparison(SchemaCompatibility.Compatible, merged, merge.LastId, merge.Added, merge.Relaxed);
        }
        catch (ConflictFound c)
        {
            return new SchemaComparison(SchemaCompatibility.Conflict, null, lastColumnId ?? tableSchema.HighestFieldId,
                Array.Empty<string>(), Array.Empty<string>(), c.Column, c.TableType, c.FileType);
        }
    }

    private sealed class ConflictFound(string column, string tableType, string fileType) : Exception
    {
        public string Column { get; } = column;
        public string TableType { get; } = tableType;
        public string FileType { get; } = fileType;
    }

    private sealed class Merge(int lastId)
    {
        public int LastId { get; private set; } = lastId;
        public List<string> Added { get; } = new();
        public List<string> Relaxed { get; } = new();
        public bool FileLacksColumns { get; private set; }

        public IReadOnlyList<NestedField> Fields(IReadOnlyList<NestedField> table, IReadOnlyList<NestedField> file, string? prefix)
        {
            var result = new List<NestedField>(table.Count);
            foreach (var t in table)
            {
                var path = Join(prefix, t.Name);
                var f = file.FirstOrDefault(x => x.Name == t.Name);
                if (f == null)
                {
                    if (t.Required) throw new ConflictFound(path, "required " + Describe(t.Type), "missing");
                    FileLacksColumns = true;
                    result.Add(t);
                    continue;
                }
                var required = Requiredness(t.Required, f.Required, path);
                result.Add(t with { Required = required, Type = Type(t.Type, f.Type, path) });
            }

            var added = file.Where(f => table.All(t => t.Name != f.Name)).Select(f => f with { Required = false }).ToArray();
            if (added.Length > 0)
            {
                result.AddRange(FieldIdAssigner.AssignFresh(added, LastId, out var highest));
                LastId = highest;
                Added.AddRange(added.Select(a => Join(prefix, a.Name)));
            }
            return result;
        }

        private bool Requiredness(bool table, bool file, string path)
        {
            if (table && !file)
            {
                Relaxed.Add(path);
                return false;
            }
            return table;
        }

        private IcebergType Type(IcebergType table, IcebergType file, string path)
        {
            switch (table, file)
            {
                case (PrimitiveType t, PrimitiveType f) when t.Equals(f):
                    return t;
                case (StructType t, StructType f):
                    return new StructType(Fields(t.Fields, f.Fields, path));
                case (ListType t, ListType f):
                {
                    var elementPath = path + ".element";
                    var required = Requiredness(t.ElementRequired, f.ElementRequired, elementPath);
                    return new ListType(t.ElementId, Type(t.Element, f.Element, elementPath), required);
                }
                case (MapType t, MapType f):
                {
                    var key = Type(t.Key, f.Key, path + ".key");
                    var valuePath = path + ".value";
                    var required = Requiredness(t.ValueRequired, f.ValueRequired, valuePath);
                    return new MapType(t.KeyId, key, t.ValueId, Type(t.Value, f.Value, valuePath), required);
                }
                default:
                    throw new ConflictFound(path, Describe(table), Describe(file));
            }
        }
    }

    private static string Describe(IcebergType type) => type switch
    {
        // StructType's own ToString lists ids, which differ between files and say nothing to a user.
        StructType s => "struct<" + string.Join(", ", s.Fields.Select(f => $"{f.Name}: {Describe(f.Type)}")) + ">",
        ListType l => $"list<{Describe(l.Element)}>",
        MapType m => $"map<{Describe(m.Key)}, {Describe(m.Value)}>",
        _ => type.ToString()!,
    };

    private static string Join(string? prefix, string name) => prefix == null ? name : prefix + "." + name;
}

/// <summary>A file's schema disagrees with the schema the other files of the same table agreed on.</summary>
public sealed class SchemaConflictException : FacebergException
{
    public SchemaConflictException(string column, string firstFile, string firstType, string secondFile, string secondType)
        : base("ParquetSchemaConflict", FacebergErrorKind.InvalidData,
            $"Files '{firstFile}' and '{secondFile}' disagree on column '{column}': {firstType} in '{firstFile}', {secondType} in '{secondFile}'.")
    {
        Column = column;
        FirstFile = firstFile;
        SecondFile = secondFile;
    }

    public string Column { get; }
    public string FirstFile { get; }
    public string SecondFile { get; }
}

/// <summary>Builds one table schema from the schemas of several files that form the table.</summary>
public static class SchemaUnion
{
    /// <summary>
    /// The first file's schema (its ids and column order), evolved by each later file as
    /// <see cref="SchemaComparer"/> allows. A conflict names the column, the file that brought the
    /// column in first and the file that disagrees.
    /// </summary>
    public static Schema Union(IReadOnlyList<(string FileUri, Schema Schema)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
            throw new FacebergException("NoFiles", FacebergErrorKind.InvalidArgument, "A schema union needs at least one file.");

        var table = files[0].Schema;
        var lastId = table.HighestFieldId;
        // Which file introduced each column, so a conflict can name the file that disagrees with it.
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (uri, schema) in files.Skip(1))
        {
            var comparison = SchemaComparer.Compare(table, schema, lastId);
            if (comparison.IsConflict)
            {
                var first = OriginOf(comparison.ConflictColumn!, origin) ?? files[0].FileUri;
                throw new SchemaConflictException(comparison.ConflictColumn!, first, comparison.TableType!, uri, comparison.FileType!);
            }
            foreach (var added in comparison.AddedColumns) origin[added] = uri;
            table = comparison.MergedSchema!;
            lastId = comparison.LastColumnId;
        }
        return table;
    }

    private static string? OriginOf(string column, Dictionary<string, string> origin)
    {
        for (var path = column; ; )
        {
            if (origin.TryGetValue(path, out var uri)) return uri;
            var dot = path.LastIndexOf('.');
            if (dot < 0) return null;
            path = path[..dot];
        }
    }
}
