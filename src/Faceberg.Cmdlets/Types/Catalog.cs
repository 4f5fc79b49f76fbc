namespace Faceberg;

/// <summary>A Faceberg catalog as emitted by the cmdlets (type name Faceberg.Catalog). Pipe it into
/// the table cmdlets' -Catalog parameter.</summary>
public sealed class Catalog
{
    public string Name { get; set; } = "";

    /// <summary>The catalog directory, or its hf://datasets/… URI.</summary>
    public string Location { get; set; } = "";

    /// <summary>The faceberg.yml that describes the catalog, when there is one.</summary>
    public string? ConfigPath { get; set; }

    public int TableCount { get; set; }

    /// <summary>The Hub dataset repo ("org/name") the catalog is published to or lives in; null for a purely local catalog.</summary>
    public string? Repository { get; set; }

    public override string ToString() => Location;
}
