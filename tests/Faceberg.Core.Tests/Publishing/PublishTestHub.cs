using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Datasets;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>One local Hub seeded with the sample datasets; each test gets its own catalog repo and project folders.</summary>
public sealed class PublishHubFixture : IDisposable
{
    public DatasetTestHub Hub { get; } = new();
    public void Dispose() => Hub.Dispose();

    /// <summary>A fresh repo id for a catalog.</summary>
    public static string NewRepo() => "team/catalog-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A project folder whose faceberg.yml names <paramref name="repo"/> and one dataset, with its catalog created.</summary>
    public CatalogContext NewProject(string? repo, string dataset = SampleDatasets.FlatData)
    {
        var folder = NewFolder();
        var repoLine = repo is null ? "" : $"  repo: {repo}\n";
        File.WriteAllText(Path.Combine(folder, "faceberg.yml"), $"catalog:\n  name: shared\n{repoLine}datasets:\n  - name: flat\n    repo: {dataset}\n");
        var context = Load(folder);
        JsonCatalog.Create(context.Location.Path, publishedRoot: context.PublishedRoot);
        return context;
    }

    public string NewFolder()
    {
        var folder = Path.Combine(Hub.Root, "project-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public CatalogContext Load(string folder)
    {
        var path = Path.Combine(folder, "faceberg.yml");
        var context = CatalogContext.FromConfig(FacebergConfigLoader.Load(path), path);
        context.Hub = Hub.Client;
        return context;
    }

    /// <summary>Creates the tables of the project's dataset through the catalog's own file IO.</summary>
    public async Task<IReadOnlyList<DatasetTableResult>> CreateTablesAsync(CatalogContext context)
    {
        var results = await new DatasetTables(Hub.Client, context.CreateFileIO(Hub.Client)).CreateAsync(context, context.Config!.Datasets[0]);
        Assert.All(results, r => Assert.True(r.Status == DatasetTableStatus.Created, r.Error?.Message));
        return results;
    }

    public static async Task<IcebergTable> LoadTableAsync(CatalogContext context, string identifier) =>
        (await context.OpenCatalog().LoadTableAsync(TableIdentifier.Parse(identifier))).Table;

    public int CommitCount(string repo) => Hub.Client.ListCommitsAsync(repo).GetAwaiter().GetResult().Count;
}
