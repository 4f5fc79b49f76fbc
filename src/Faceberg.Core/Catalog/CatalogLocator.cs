using Faceberg.Core.Config;

namespace Faceberg.Core.Catalog;

/// <summary>Finds the catalog the user means, the way git finds a repository: from a folder,
/// look for faceberg.yml or .faceberg/catalog.json there and in every parent folder.</summary>
public static class CatalogLocator
{
    public const string DefaultCatalogFolder = ".faceberg";

    /// <summary>The nearest catalog at or above <paramref name="startDirectory"/>, or null.</summary>
    public static CatalogContext? Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var config = Path.Combine(directory.FullName, FacebergConfig.DefaultFileName);
            if (File.Exists(config))
                return FromConfigFile(config);
            var catalog = Path.Combine(directory.FullName, DefaultCatalogFolder);
            if (JsonCatalog.ExistsAt(catalog))
                return CatalogContext.FromDirectory(catalog);
        }
        return null;
    }

    /// <summary>Like <see cref="Find"/>, but a missing catalog is an error that says where it looked.</summary>
    public static CatalogContext Require(string startDirectory) =>
        Find(startDirectory) ?? throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound,
            $"No Faceberg catalog found in '{Path.GetFullPath(startDirectory)}' or any parent folder " +
            $"(looked for {FacebergConfig.DefaultFileName} and {DefaultCatalogFolder}/{JsonCatalog.CatalogFileName}). " +
            "Create one with New-FacebergCatalog, or name it with -Catalog.");

    /// <summary>The catalog named by a path: a faceberg.yml file, a folder holding faceberg.yml or
    /// .faceberg/, or a catalog folder (holding catalog.json). Relative paths are resolved against
    /// <paramref name="baseDirectory"/>; an hf:// location names a Hub catalog.</summary>
    public static CatalogContext FromPath(string path, string baseDirectory)
    {
        if (CatalogLocation.IsHub(path))
        {
            var remote = CatalogLocation.Parse(path, baseDirectory);
            return new CatalogContext(remote.RepoId!.Split('/')[1], remote);
        }
        var full = Path.GetFullPath(Path.Combine(baseDirectory, path));
        if (File.Exists(full))
            return FromConfigFile(full);
        if (Directory.Exists(full))
        {
            var config = Path.Combine(full, FacebergConfig.DefaultFileName);
            if (File.Exists(config))
                return FromConfigFile(config);
            if (JsonCatalog.ExistsAt(full))
                return CatalogContext.FromDirectory(full);
            var nested = Path.Combine(full, DefaultCatalogFolder);
            if (JsonCatalog.ExistsAt(nested))
                return CatalogContext.FromDirectory(nested);
        }
        throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound,
            $"'{full}' is not a Faceberg catalog: expected a {FacebergConfig.DefaultFileName} file, or a folder holding " +
            $"{FacebergConfig.DefaultFileName}, {DefaultCatalogFolder}/ or {JsonCatalog.CatalogFileName}.");
    }

    private static CatalogContext FromConfigFile(string configPath) =>
        CatalogContext.FromConfig(FacebergConfigLoader.Load(configPath), configPath);
}
