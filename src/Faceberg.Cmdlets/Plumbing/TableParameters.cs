namespace Faceberg.Cmdlets.Plumbing;

/// <summary>The parameter sets of the cmdlets that act on existing tables: by -Name (in -Catalog) or by a piped Faceberg.Table.</summary>
public static class TableParameters
{
    public const string ByName = "ByName";
    public const string ByTable = "ByTable";
}
