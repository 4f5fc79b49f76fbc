namespace Faceberg.Cmdlets.Plumbing;

/// <summary>
/// The parameter sets of the cmdlets that act on existing tables: by -Name (in -Catalog) or by a piped Faceberg.Table.
/// -Name takes piped strings by value and a Name or Identifier property by name, so
/// <c>"a","b" | Read-FacebergTable</c> works; a piped Faceberg.Table still binds to -InputObject, because
/// PowerShell binds a value that needs no conversion first, and that keeps the table's own catalog.
/// </summary>
public static class TableParameters
{
    public const string ByName = "ByName";
    public const string ByTable = "ByTable";

    /// <summary>The alias of -Name that binds an Identifier property ("namespace.table") from the pipeline.</summary>
    public const string IdentifierAlias = "Identifier";
}
