using Faceberg.Core.Config;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Catalog;

/// <summary>A catalog as the user addresses it: its name and location, and the faceberg.yml that
/// describes it when there is one. Opening or creating the catalog files goes through here.</summary>
public sealed class CatalogContext
{
    public CatalogContext(string name, CatalogLocation location, FacebergConfig? config = null, string? configPath = null)
    {
        Name = name;
        Location = location;
        _config = config;
        _configLoaded = config is not null || location.IsLocal;
        ConfigPath = configPath;
    }

    public string Name { get; }
    public CatalogLocation Location { get; }
    /// <summary>The faceberg.yml of the catalog. For a catalog on the Hub it is the repo's faceberg.yml, which is null
    /// until <see cref="LoadConfigAsync"/> has read it.</summary>
    public FacebergConfig? Config => _config;

    /// <summary>The faceberg.yml of the catalog, read from the Hub repo's main branch the first time for a catalog on the Hub.</summary>
    public async Task<FacebergConfig?> LoadConfigAsync(CancellationToken cancellationToken = default)
    {
        if (!_configLoaded)
        {
            _config = await HubCatalog.ReadConfigAsync(RequireHub(), Location.RepoId!, cancellationToken).ConfigureAwait(false);
            _configLoaded = true;
        }
        return _config;
    }

    private FacebergConfig? _config;
    private bool _configLoaded;

    /// <summary>Absolute path of faceberg.yml, or null for a catalog found without one.</summary>
    public string? ConfigPath { get; }

    /// <summary>
    /// The Hub dataset repo ("org/name") the catalog is published to or lives in: faceberg.yml's
    /// <c>catalog.repo</c> (or hf:// location), the repo of an hf:// catalog, or the repo the working copy
    /// was last published to or pulled from. Null for a purely local catalog.
    /// </summary>
    public string? Repository => _repository ??= Location.RepoId ?? Config?.Catalog.Repo
        ?? (Location.IsLocal ? PublishState.Read(Location.Path)?.Repository : null);

    private string? _repository;

    /// <summary><c>hf://datasets/&lt;repo&gt;</c> when the catalog has a repo: the root of every table location
    /// inside it, so Iceberg metadata stays valid once published.</summary>
    public string? PublishedRoot => Repository is { } repo ? CatalogLocation.HubPrefix + repo : null;

    /// <summary>The Hub client an hf:// catalog is read and written through; by default one configured from the
    /// environment (HF_ENDPOINT, HF_TOKEN) is made when first needed.</summary>
    public HubClient? Hub { get; set; }

    /// <summary>The context for a faceberg.yml; <paramref name="locationOverride"/> (relative to
    /// <paramref name="baseDirectory"/>) replaces the file's catalog location.</summary>
    public static CatalogContext FromConfig(FacebergConfig config, string configPath, string? locationOverride = null, string? baseDirectory = null)
    {
        var location = locationOverride is null
            ? config.Catalog.Location
            : CatalogLocation.Parse(locationOverride, baseDirectory ?? Directory.GetCurrentDirectory());
        // A faceberg.yml whose catalog lives on the Hub keeps its working copy in the default folder beside it.
        if (locationOverride is null && !location.IsLocal)
            location = CatalogLocation.Local(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, CatalogConfig.DefaultLocation));
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

    /// <summary>True when the catalog files exist at <see cref="Location"/> (for a Hub catalog: catalog.json on its main branch).</summary>
    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) => Location.IsLocal
        ? Task.FromResult(JsonCatalog.ExistsAt(Location.Path))
        : HubCatalog.ExistsAsync(RequireHub(), Location.RepoId!, cancellationToken);

    /// <summary>Creates the catalog files (an existing catalog is an error unless <paramref name="overwrite"/>) and returns the catalog.</summary>
    public async Task<ICatalog> CreateCatalogAsync(bool overwrite = false, CancellationToken cancellationToken = default)
    {
        if (!Location.IsLocal)
            return await HubCatalog.CreateAsync(RequireHub(), Location.RepoId!, overwrite, cancellationToken).ConfigureAwait(false);
        JsonCatalog.Create(Location.Path, overwrite, publishedRoot: PublishedRoot);
        return OpenCatalog();
    }

    /// <summary>The catalog, to list, load, create and commit tables through: a <see cref="LocalCatalog"/> whose tables are read
    /// through <see cref="CreateFileIO"/> (with <paramref name="hub"/> or <see cref="Hub"/>), or a <see cref="HubCatalog"/>.
    /// Nothing is read until the first call.</summary>
    /// <param name="io">For a local catalog, the file IO its tables are read and written through instead.</param>
    public ICatalog OpenCatalog(HubClient? hub = null, IFileIO? io = null) => Location.IsLocal
        ? new LocalCatalog(Location.Path, io ?? CreateFileIO(hub), PublishedRoot)
        : new HubCatalog(hub ?? RequireHub(), Location.RepoId!);

    /// <summary>
    /// The file IO for this catalog's tables: local files; hf:// paths through <paramref name="hub"/> (or
    /// <see cref="Hub"/>) when given; and for a working copy, the catalog repo's own hf:// URIs served from
    /// the local folder until they are published.
    /// </summary>
    public FileIORouter CreateFileIO(HubClient? hub = null)
    {
        var router = new FileIORouter();
        hub ??= Hub;
        if (hub is not null || !Location.IsLocal)
            router.Register("hf", new HubFileIO(hub ?? RequireHub()));
        if (Location.IsLocal && PublishedRoot is { } root)
            router.Map(root, new LocalFileIO(root, Location.Path));
        return router;
    }

    private HubClient RequireHub() => Hub ??= HubClient.FromEnvironment();

    /// <summary>Every table of the catalog (<see cref="OpenCatalog"/>), ordered by identifier, with what faceberg.yml says about its dataset.</summary>
    public Task<IReadOnlyList<FacebergTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default) =>
        DescribeAsync(OpenCatalog(), cancellationToken);

    /// <summary>Every table of <paramref name="catalog"/>, ordered by identifier, with what faceberg.yml says about its dataset.</summary>
    public async Task<IReadOnlyList<FacebergTableInfo>> DescribeAsync(ICatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var entries = await catalog.ListTableEntriesAsync(null, cancellationToken).ConfigureAwait(false);
        await LoadConfigAsync(cancellationToken).ConfigureAwait(false);
        return Describe(entries.Select(e => (e.Identifier, e.Location.ToString())));
    }

    private IReadOnlyList<FacebergTableInfo> Describe(IEnumerable<(TableIdentifier Id, string Location)> tables)
    {
        var unpublished = UnpublishedTables();
        return tables.Select(table =>
        {
            var id = table.Id;
            var info = new FacebergTableInfo { Identifier = id, Location = table.Location };
            if (unpublished is not null)
                info.AheadOfPublished = unpublished.Contains(id.ToString());
            var (dataset, config) = FindDataset(id);
            if (dataset is not null)
            {
                info.Repo = dataset.Repo;
                info.Revision = dataset.Revision;
                info.Config = config;
            }
            return info;
        }).ToList();
    }

    /// <summary>
    /// The tables ("ns.table") whose local files differ from the last publish or pull, or null when that
    /// cannot apply (no repo, or the catalog is on the Hub). Never published: every table is ahead.
    /// </summary>
    public IReadOnlySet<string>? UnpublishedTables()
    {
        if (!Location.IsLocal || Repository is null)
            return null;
        var state = PublishState.Read(Location.Path);
        var local = CatalogFiles.Enumerate(Location.Path, ConfigPath);
        var recorded = state?.Repository == Repository ? state.Files : new SortedDictionary<string, string>(StringComparer.Ordinal);
        return CatalogFiles.Differences(local, recorded).Select(CatalogFiles.Owner).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The dataset a table came from, by the naming rule in <see cref="TableNaming"/> (for a catalog on the
    /// Hub, once <see cref="LoadConfigAsync"/> has read its faceberg.yml);
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
