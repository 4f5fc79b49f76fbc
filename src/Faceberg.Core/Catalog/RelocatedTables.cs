namespace Faceberg.Core.Catalog;

/// <summary>
/// Tells a table of a copied or moved local catalog: its Iceberg metadata records the table's folder at the same place
/// inside another catalog folder (a local catalog's metadata holds absolute file:// paths). Read as it is, such a copy
/// would read the original's manifests and commit metadata mixing both folders, so it is refused until repaired
/// (<see cref="Relocation.CatalogRelocation"/>). A location set on purpose elsewhere, or an hf:// one, is not a copy.
/// </summary>
public static class RelocatedTables
{
    /// <summary>The folder <paramref name="recordedLocation"/> names when it is the table folder <paramref name="folder"/> of
    /// the catalog at <paramref name="catalogDirectory"/> as it was in another catalog folder; otherwise null.</summary>
    public static string? OriginalFolder(string catalogDirectory, string folder, string recordedLocation)
    {
        string? recorded;
        try
        {
            recorded = TableLocation.Parse(recordedLocation).LocalPath;
        }
        catch (FacebergException)
        {
            return null;
        }
        if (recorded is null)
            return null;
        var actual = Normalize(folder);
        recorded = Normalize(recorded);
        var inside = Path.GetRelativePath(Normalize(catalogDirectory), actual);
        if (inside.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(inside) || string.Equals(recorded, actual, Comparison))
            return null;
        return recorded.EndsWith(Path.DirectorySeparatorChar + inside, Comparison) ? recorded : null;
    }

    /// <summary>Fails with CatalogRelocated when the table's metadata records it in another copy of the catalog (see <see cref="OriginalFolder"/>).</summary>
    public static void RequireInPlace(string catalogDirectory, TableIdentifier identifier, string folder, string recordedLocation)
    {
        if (OriginalFolder(catalogDirectory, folder, recordedLocation) is { } original)
            throw Relocated(catalogDirectory, identifier, folder, original);
    }

    public static FacebergException Relocated(string catalogDirectory, TableIdentifier identifier, string folder, string originalFolder)
    {
        var inside = Path.GetRelativePath(Normalize(catalogDirectory), Normalize(folder));
        var originalCatalog = originalFolder[..^(inside.Length + 1)];
        return new FacebergException("CatalogRelocated", FacebergErrorKind.InvalidData,
            $"Catalog '{catalogDirectory}' was copied or moved from '{originalCatalog}': the Iceberg metadata of table '{identifier}' names its files in " +
            $"'{originalFolder}', not in '{folder}' where they are. Faceberg neither reads nor writes the other folder's files. " +
            $"Run 'Repair-FacebergCatalog -Catalog \"{catalogDirectory}\"' once to rewrite the paths for this folder.");
    }

    private static StringComparison Comparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
