namespace Faceberg.Core.Data;

/// <summary>
/// Consecutive rows of one data file, held column by column: values in <see cref="Schema"/> order as
/// <see cref="TableRow"/> holds them, and the split of their file. A reader that copies values into its
/// own objects reads them here without a row array and a <see cref="TableRow"/> per row, and reads the
/// values of value types unboxed from <see cref="Column"/>.
/// </summary>
public sealed class TableRowBatch
{
    private readonly Array[] _columns;

    internal TableRowBatch(TableRowSchema schema, Array[] columns, int count, string? split)
    {
        Schema = schema;
        _columns = columns;
        Count = count;
        Split = split;
    }

    public TableRowSchema Schema { get; }

    /// <summary>The value of the table's identity partition on "split" for the rows' file, when the table has one.</summary>
    public string? Split { get; }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; }

    /// <summary>
    /// The values of column <paramref name="column"/>, rows 0 to <see cref="Count"/> - 1 (the array may be longer),
    /// in an array of the column's row type: <c>T[]</c> for a required column whose row type
    /// (<see cref="DataValues.ClrType"/>) is the value type <c>T</c>, <c>T?[]</c> for an optional one or one
    /// holding nulls, <c>string[]</c>, <c>byte[][]</c>, and <c>object[]</c> for structs, lists and maps.
    /// </summary>
    public Array Column(int column) => _columns[column];

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public object? Value(int column, int row) =>
        (uint)row < (uint)Count ? TypedColumns.Get(_columns[column], row) : throw new ArgumentOutOfRangeException(nameof(row));

    /// <summary>Row <paramref name="row"/> as a <see cref="TableRow"/> of its own.</summary>
    public TableRow Row(int row)
    {
        if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row));
        var values = new object?[_columns.Length];
        for (var c = 0; c < values.Length; c++) values[c] = TypedColumns.Get(_columns[c], row);
        return new TableRow(Schema, values, Split);
    }

    /// <summary>The first <paramref name="count"/> rows.</summary>
    internal TableRowBatch Take(int count) => count >= Count ? this : new(Schema, _columns, count, Split);
}
