using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>How faceberg.yml names the catalog repo, and how a working copy resolves the repo's URIs.</summary>
public sealed class CatalogRepoConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string File => Path.Combine(_temp.Path, "faceberg.yml");

    [Fact]
    public void Catalog_repo_names_the_repo_and_keeps_the_local_location()
    {
        var config = FacebergConfigLoader.Parse("catalog:\n  name: c\n  repo: org/catalog\n", File);

        Assert.Equal("org/catalog", config.Catalog.Repo);
        Assert.Equal(CatalogLocation.Local(Path.Combine(_temp.Path, ".faceberg")), config.Catalog.Location);
    }

    [Fact]
    public void An_hf_location_names_the_repo_and_the_default_folder_is_its_working_copy()
    {
        System.IO.File.WriteAllText(File, "catalog:\n  name: c\n  location: hf://datasets/org/catalog\n");
        var config = FacebergConfigLoader.Load(File);

        var context = CatalogContext.FromConfig(config, File);

        Assert.Equal("org/catalog", config.Catalog.Repo);
        Assert.Equal((CatalogLocationKind.Local, Path.Combine(_temp.Path, ".faceberg")), (context.Location.Kind, context.Location.Path));
        Assert.Equal(("org/catalog", "hf://datasets/org/catalog"), (context.Repository, context.PublishedRoot));
    }

    [Theory]
    [InlineData("catalog:\n  name: c\n  repo: not-a-repo-id/\n", "not a valid dataset repo id")]
    [InlineData("catalog:\n  name: c\n  location: hf://datasets/org/a\n  repo: org/b\n", "differ")]
    public void Bad_repos_are_reported_at_their_line(string text, string message)
    {
        var error = Assert.Throws<FacebergConfigException>(() => FacebergConfigLoader.Parse(text, File));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task A_working_copy_serves_its_repo_uris_from_local_files_and_other_hf_uris_elsewhere()
    {
        System.IO.File.WriteAllText(File, "catalog:\n  name: c\n  repo: org/catalog\n");
        var context = CatalogContext.FromConfig(FacebergConfigLoader.Load(File), File);
        var catalog = JsonCatalog.Create(context.Location.Path, publishedRoot: context.PublishedRoot);
        var io = context.CreateFileIO();

        var location = catalog.CreateTable(TableIdentifier.Parse("default.t"));
        await io.WriteAsync(location + "/metadata/v1.metadata.json", "{}"u8.ToArray());

        Assert.Equal("hf://datasets/org/catalog/metadata/default/t", location);
        Assert.True(System.IO.File.Exists(Path.Combine(context.Location.Path, "metadata", "default", "t", "metadata", "v1.metadata.json")));
        Assert.Equal([location + "/metadata/v1.metadata.json"], await io.ListAsync(location + "/metadata/"));
        Assert.IsType<LocalFileIO>(io.Resolve(location));
        Assert.Equal("UnsupportedScheme", Assert.Throws<FacebergException>(() => io.Resolve("hf://datasets/org/other/x")).ErrorId);
        Assert.Equal("UnsupportedScheme", Assert.Throws<FacebergException>(() => io.Resolve("hf://datasets/org/catalog@abc/x")).ErrorId);

        catalog.DropTable(TableIdentifier.Parse("default.t"), purge: true);
        Assert.False(Directory.Exists(Path.Combine(context.Location.Path, "metadata", "default", "t")));
    }

    public void Dispose() => _temp.Dispose();
}
