using Faceberg.Core.Catalog;
using Faceberg.Core.Config;

namespace Faceberg.Core.Tests.Catalog;

public sealed class CatalogLocatorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Config = "catalog:\n  name: proj\ndatasets:\n  - name: iris\n    repo: demo/iris\n    configs: [setosa]\n    revision: v2\n  - name: iris_big\n    repo: demo/iris-big\n";

    [Fact]
    public async Task Finds_faceberg_yml_in_a_parent_folder()
    {
        var configPath = _temp.Write("faceberg.yml", Config);
        Directory.CreateDirectory(_temp.Combine("a", "b"));

        var context = CatalogLocator.Find(_temp.Combine("a", "b"))!;

        Assert.Equal(("proj", configPath, _temp.Combine(".faceberg")), (context.Name, context.ConfigPath, context.Location.Path));
        Assert.False(await context.ExistsAsync());
        await context.CreateCatalogAsync();
        Assert.True(await context.ExistsAsync());
    }

    [Fact]
    public void The_nearest_catalog_wins()
    {
        _temp.Write("faceberg.yml", Config);
        JsonCatalog.Create(_temp.Combine("inner", ".faceberg"));

        var context = CatalogLocator.Find(_temp.Combine("inner"))!;

        Assert.Null(context.ConfigPath);
        Assert.Equal("inner", context.Name);
        Assert.Equal(_temp.Combine("inner", ".faceberg"), context.Location.Path);
    }

    [Fact]
    public void Require_explains_where_it_looked()
    {
        var error = Assert.Throws<FacebergException>(() => CatalogLocator.Require(_temp.Path));
        Assert.Equal(("CatalogNotFound", FacebergErrorKind.NotFound), (error.ErrorId, error.Kind));
        Assert.Contains(_temp.Path, error.Message);
        Assert.Null(CatalogLocator.Find(_temp.Path));
    }

    [Fact]
    public void From_path_accepts_config_files_and_catalog_folders()
    {
        var configPath = _temp.Write("faceberg.yml", Config);
        JsonCatalog.Create(_temp.Combine(".faceberg"));
        JsonCatalog.Create(_temp.Combine("bare"));

        Assert.Equal(configPath, CatalogLocator.FromPath("faceberg.yml", _temp.Path).ConfigPath);
        Assert.Equal(configPath, CatalogLocator.FromPath(_temp.Path, "/").ConfigPath);
        Assert.Equal(_temp.Combine("bare"), CatalogLocator.FromPath("bare", _temp.Path).Location.Path);
        Assert.Equal(_temp.Combine(".faceberg"), CatalogLocator.FromPath(".faceberg", _temp.Path).Location.Path);
        Assert.Equal("CatalogNotFound", Assert.Throws<FacebergException>(() => CatalogLocator.FromPath("missing", _temp.Path)).ErrorId);
        var remote = CatalogLocator.FromPath("hf://datasets/org/cat", _temp.Path);
        Assert.Equal(("cat", CatalogLocationKind.HubDataset, "org/cat"), (remote.Name, remote.Location.Kind, remote.Repository));
    }

    [Fact]
    public async Task Table_info_carries_what_the_config_says_about_the_dataset()
    {
        _temp.Write("faceberg.yml", Config);
        var context = CatalogLocator.Find(_temp.Path)!;
        var catalog = JsonCatalog.Create(context.Location.Path, publishedRoot: context.PublishedRoot);
        catalog.CreateTable(TableNaming.TableName("iris", "setosa"));
        catalog.CreateTable(TableNaming.TableName("iris_big", "default"));
        catalog.CreateTable(TableIdentifier.Parse("default.unrelated"));

        var tables = (await context.ListTablesAsync()).ToDictionary(t => t.Identifier.ToString());

        Assert.Equal(("demo/iris", "setosa", "v2"), (tables["default.iris_setosa"].Repo, tables["default.iris_setosa"].Config, tables["default.iris_setosa"].Revision));
        // The longer dataset name wins, and a config the file does not list stays unknown.
        Assert.Equal(("demo/iris-big", null), (tables["default.iris_big_default"].Repo, tables["default.iris_big_default"].Config));
        Assert.Null(tables["default.unrelated"].Repo);
        Assert.Equal(_temp.Combine(".faceberg", "metadata", "default", "unrelated"), tables["default.unrelated"].Location);
    }
}
