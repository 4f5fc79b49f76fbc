using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>
/// The one rule by which a name a user gives (a -Property, a filter column, a key of a written row) finds a
/// table column: the exact name, else the one name equal to it ignoring case (PowerShell is
/// case-insensitive); several names equal ignoring case and none exact is an error naming them. Columns of
/// data files find table fields by field id, else by the table's name mapping (whose default is the schema's
/// own names): see <see cref="ParquetColumnLayout"/>.
/// </summary>
public static class ColumnResolver
{
    /// <summary>
    /// The position in <paramref name="names"/> of <paramref name="name"/>: exact, else the single
    /// case-insensitive match; -1 when none. Several case-insensitive matches and no exact one throw
    /// AmbiguousColumn, naming them.
    /// </summary>
    public static int IndexOf(IReadOnlyList<string> names, string name)
    {
        var found = -1;
        List<string>? candidates = null;
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal)) return i;
            if (!string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) continue;
            if (found < 0) found = i;
            else (candidates ??= [names[found]]).Add(names[i]);
        }
        if (candidates != null) throw Ambiguous(name, candidates);
        return found;
    }

    /// <summary>A top-level column of <paramref name="schema"/> by name; ColumnNotFound when it has none.</summary>
    public static NestedField TopLevel(Schema schema, string name)
    {
        var i = IndexOf(schema.Fields.Select(f => f.Name).ToArray(), name);
        return i >= 0 ? schema.Fields[i] : throw NotFound(schema, name);
    }

    /// <summary>A column at any struct depth by its dotted name ("a.b"); ColumnNotFound when it has none.</summary>
    public static NestedField Field(Schema schema, string name)
    {
        if (schema.FindField(name) is { } exact) return exact;
        var fields = schema.AllFields().ToList();
        var names = fields.Select(f => schema.FindColumnName(f.Id) ?? f.Name).ToArray();
        var i = IndexOf(names, name);
        return i >= 0 ? fields[i] : throw NotFound(schema, name);
    }

    internal static FacebergException Ambiguous(string name, IEnumerable<string> candidates) =>
        new("AmbiguousColumn", FacebergErrorKind.InvalidArgument,
            $"Column name '{name}' matches {string.Join(", ", candidates.Select(c => $"'{c}'"))} when case is ignored; use the exact name.");

    private static FacebergException NotFound(Schema schema, string name) =>
        new("ColumnNotFound", FacebergErrorKind.InvalidArgument,
            $"The table has no column '{name}'. Columns: {string.Join(", ", schema.Fields.Select(f => f.Name))}.");
}
