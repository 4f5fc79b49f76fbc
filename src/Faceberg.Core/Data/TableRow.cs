using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>The columns of the rows a scan returns, in output order.</summary>
public sealed class TableRowSchema
{
    public TableRowSchema(IReadOnlyList<NestedField> fields)
    {
        Fields = fields;
        Names = fields.Select(f => f.Name).ToArray();
    }

    public IReadOnlyList<NestedField> Fields { get; }
    public IReadOnlyList<string> Names { get; }

    /// <summary>Position of a column (by <see cref="ColumnResolver"/>'s rule: exact, else the one match ignoring case), or -1.</summary>
    public int IndexOf(string name) => ColumnResolver.IndexOf(Names, name);
}

/// <summary>
/// One row of a table: values in <see cref="Schema"/> order, as the .NET types <see cref="DataValues"/>
/// describes (structs as OrderedDictionary by field name, lists as object?[], maps as Dictionary), and
/// the split the row's data file belongs to.
/// </summary>
public sealed class TableRow : IReadOnlyList<object?>
{
    private readonly object?[] _values;

    internal TableRow(TableRowSchema schema, object?[] values, string? split)
    {
        Schema = schema;
        _values = values;
        Split = split;
    }

    public TableRowSchema Schema { get; }

    /// <summary>The value of the table's identity partition on "split" for the row's file, when the table has one.</summary>
    public string? Split { get; }

    public object? this[int index] => _values[index];

    public object? this[string column]
    {
        get
        {
            var i = Schema.IndexOf(column);
            return i >= 0 ? _values[i] : throw new KeyNotFoundException($"The row has no column '{column}'.");
        }
    }

    public int Count => _values.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_values).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", Schema.Names.Select((n, i) => $"{n}={_values[i]}"));
}
