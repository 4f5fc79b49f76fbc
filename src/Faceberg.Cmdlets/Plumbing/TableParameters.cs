namespace Faceberg.Cmdlets.Plumbing;

/// <summary>
/// The parameter sets of the cmdlets that act on existing tables: by -Name (in -Catalog) or by a piped Faceberg.Table.
/// -Name takes piped strings by value, so <c>"a","b" | Read-FacebergTable</c> works; a piped Faceberg.Table binds to
/// -InputObject, which keeps the table's own catalog. -Name takes no property by name: a Faceberg.Table has a Name
/// property too, and binding it there would lose the table's catalog.
/// </summary>
public static class TableParameters
{
    public const string ByName = "ByName";
    public const string ByTable = "ByTable";

    /// <summary>An alias of -Name: tables are also named by their identifier ("namespace.table").</summary>
    public const string IdentifierAlias = "Identifier";
}
