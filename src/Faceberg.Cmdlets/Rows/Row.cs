using Faceberg.Core.Data;

namespace Faceberg;

/// <summary>
/// A row Read-FacebergTable writes. Each column set gets its own subclass (see
/// <see cref="Faceberg.Cmdlets.Rows.RowTypes"/>) whose properties are the columns in schema order, so
/// PowerShell reads them through its cached .NET adapter: no per-row property bag, and Get-Member,
/// format views, Select-Object and ConvertTo-Json see ordinary typed properties.
/// </summary>
public abstract class Row
{
    private readonly TableRow _row;

    protected Row(TableRow row) => _row = row;

    /// <summary>The column at <paramref name="index"/>; one past the last column is the row's split.</summary>
    protected object? Value(int index) => index < _row.Count ? _row[index] : _row.Split;

    public override string ToString() => _row.ToString();
}
