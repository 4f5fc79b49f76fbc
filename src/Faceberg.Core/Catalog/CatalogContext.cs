using Faceberg.Core.Config;

namespace Faceberg.Core.Catalog;

/// <summary>A catalog as the user addresses it: its name and location, and the faceberg.yml that
/// describes it when there is one. Opening or creating the catalog files goes through here.</summary>
public sealed class CatalogContext
{
    public CatalogContext(string name, CatalogLocation location, FacebergConfig? config = null, string? configPath = null)
    {
        Name = name;
        Location = location;
        Config = config;
        ConfigPath = configPath;
    }

    public string Name { get; }
    public CatalogLocation Location { get; }
    public FacebergConfig? Config { get; }

    /// <summary>Absolute path of faceberg.yml, or null for a catalog found without one.</summary>
    public string? ConfigPath { get; }

    /// <summary>True when the catalog files exist at <see cref="Location"/>.</summary>
    public bool Exists => JsonCatalog.ExistsAt(Location.RequireLocalDirectory());

    /// <summary>The context for a faceberg.yml; <paramref name="locationOverride"/> (relative to
    /// <paramref name="baseDirectory"/>) replaces the file's catalog location.</summary>
    public static CatalogContext FromConfig(FacebergConfig config, string configPath, string? locationOverride = null, string? baseDirectory = null)
    {
        var location = locationOverride is null
            ? config.Catalog.Location
            : CatalogLocation.Parse(locationOverride, baseDirectory ?? Directory.GetCurrentDirectory());
        return new CatalogContext(config.Catalog.Name, location, config, Path.GetFullPath(configPath));
    }

    /// <summary>The context for a catalog directory that has no faceberg.yml beside it.</summary>
    public static CatalogContext FromDirectory(string catalogDirectory)
    {
        var location = CatalogLocation.Local(catalogDirectory);
        var folder = Path.GetFileName(location.Path);
        // ".faceberg" says nothing; the project folder that holds it names the catalog better.
        var name = folder == ".faceberg" ? Path.GetFileName(Path.GetDirectoryName(location.Path)) ?? folder : folder;
        return new CatalogContext(name, location);
    }

    public JsonCatalog Open() => JsonCatalog.Open(Location.RequireLocalDirectory());

    public JsonCatalog Create(bool overwrite = false) => JsonCatalog.Create(Location.RequireLocalDirectory(), overwrite);

    /// <summary>Every table in the catalog, ordered by identifier, with what faceberg.yml says
    /// about its dataset (repo, revision, and the config when the file lists it).</summary>
    public IReadOnlyList<FacebergTableInfo> ListTables() => Describe(Open());

    public IReadOnlyList<FacebergTableInfo> Describe(JsonCatalog catalog) =>
        catalog.ListTables().Order().Select(id =>
        {
            var info = new FacebergTableInfo { Identifier = id, Location = catalog.GetTableLocation(id) };
            var (dataset, config) = FindDataset(id);
            if (dataset is not null)
            {
                info.Repo = dataset.Repo;
                info.Revision = dataset.Revision;
                info.Config = config;
            }
            return info;
        }).ToList();

    /// <summary>The dataset a table came from, by the naming rule in <see cref="TableNaming"/>;
    /// the longest matching dataset name wins ("a_b_c" belongs to "a_b" rather than "a").</summary>
    public (DatasetConfig? Dataset, string? Config) FindDataset(TableIdentifier id)
    {
        if (Config is null || id.Namespace != TableIdentifier.DefaultNamespace)
            return (null, null);
        var dataset = Config.Datasets
            .Where(d => id.Name.StartsWith(d.Name + "_", StringComparison.Ordinal))
            .MaxBy(d => d.Name.Length);
        if (dataset is null)
            return (null, null);
        var config = dataset.Configs.FirstOrDefault(c => TableNaming.TableName(dataset.Name, c) == id);
        return (dataset, config);
    }
}
