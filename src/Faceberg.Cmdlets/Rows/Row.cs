using Faceberg.Cmdlets.Rows;

namespace Faceberg;

/// <summary>
/// A row Read-FacebergTable writes. Each column set gets its own subclass (see
/// <see cref="Faceberg.Cmdlets.Rows.RowTypes"/>) whose properties are the columns in schema order, so
/// PowerShell reads them through its cached .NET adapter: no per-row property bag, and Get-Member,
/// format views, Select-Object and ConvertTo-Json see ordinary typed properties. The subclass holds the
/// values in fields of the columns' types (no box per value): a row is one object, and keeps nothing else
/// of the read alive.
/// </summary>
public abstract class Row
{
    /// <summary>The value of table column <paramref name="index"/> (the split, when the row has one, is not a table column).</summary>
    protected abstract object? Value(int index);

    public override string ToString()
    {
        var names = RowTypes.ColumnNames(GetType());
        return string.Join(", ", names.Select((n, i) => $"{n}={Value(i)}"));
    }
}
