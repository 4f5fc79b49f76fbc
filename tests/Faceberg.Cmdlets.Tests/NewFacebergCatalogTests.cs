using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests;

public sealed class NewFacebergCatalogTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Creates_the_catalog_folder_file_and_namespace_folder()
    {
        var config = _project.WriteConfig();
        using var host = new PowerShellHost(_project.Root);

        var catalog = host.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess().Objects("Faceberg.Catalog").Single();

        Assert.Equal("test_catalog", catalog.Prop<string>("Name"));
        Assert.Equal(_project.PathOf(".faceberg"), catalog.Prop<string>("Location"));
        Assert.Equal(config, catalog.Prop<string>("ConfigPath"));
        Assert.Equal(0, catalog.Prop<int>("TableCount"));
        Assert.Equal("{}", _project.Read(".faceberg/catalog.json").Trim());
        Assert.True(Directory.Exists(_project.PathOf(".faceberg", "metadata", "default")));
    }

    [Fact]
    public void Refuses_to_replace_an_existing_catalog()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_default");
        var before = _project.Read(".faceberg/catalog.json");
        using var host = new PowerShellHost(_project.Root);

        var result = host.Run("New-FacebergCatalog ./faceberg.yml");

        var error = result.SingleError();
        Assert.Equal("CatalogAlreadyExists,Faceberg.Cmdlets.NewFacebergCatalogCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Contains("-Force", error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.Equal(before, _project.Read(".faceberg/catalog.json"));
    }

    [Fact]
    public void Force_replaces_an_existing_catalog()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_default");
        using var host = new PowerShellHost(_project.Root);

        var catalog = host.Run("New-FacebergCatalog ./faceberg.yml -Force").AssertSuccess().Objects("Faceberg.Catalog").Single();

        Assert.Equal(0, catalog.Prop<int>("TableCount"));
        Assert.Equal("{}", _project.Read(".faceberg/catalog.json").Trim());
        Assert.False(_project.Exists(".faceberg/metadata/default/iris_default"));
    }

    [Fact]
    public void WhatIf_creates_nothing()
    {
        _project.WriteConfig();
        using var host = new PowerShellHost(_project.Root);

        var result = host.Run("New-FacebergCatalog ./faceberg.yml -WhatIf").AssertSuccess();

        Assert.Empty(result.Output);
        Assert.False(_project.Exists(".faceberg"));
    }

    [Theory]
    [InlineData("catalog:\n  name: c\n  colour: blue\n", 3, 3, "unknown key 'colour' in 'catalog'")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    revision: main\n", 4, 5, "missing 'repo'")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: not-a-repo-id\n", 5, 11, "not a valid dataset repo id")]
    [InlineData("catalog:\n  name: c\n  location: s3://bucket/x\n", 3, 13, "neither a local path nor")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n  - name: a\n    repo: o/b\n", 6, 11, "duplicate dataset name 'a'")]
    public void Reports_an_invalid_config_with_file_line_and_column(string yaml, int line, int column, string problem)
    {
        var config = _project.WriteConfig(yaml);
        using var host = new PowerShellHost(_project.Root);

        var result = host.Run("New-FacebergCatalog faceberg.yml");

        var error = result.SingleError();
        Assert.Equal("InvalidConfig,Faceberg.Cmdlets.NewFacebergCatalogCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.StartsWith($"{config}:{line}:{column}: ", error.Exception.Message);
        Assert.Contains(problem, error.Exception.Message);
        Assert.False(_project.Exists(".faceberg"));
    }

    [Fact]
    public void Location_overrides_the_config_and_is_relative_to_the_session_folder()
    {
        _project.WriteConfig();
        Directory.CreateDirectory(_project.PathOf("sub"));
        using var host = new PowerShellHost(_project.PathOf("sub"));

        var catalog = host.Run("New-FacebergCatalog ../faceberg.yml -Location ./elsewhere").AssertSuccess().Objects("Faceberg.Catalog").Single();

        Assert.Equal(_project.PathOf("sub", "elsewhere"), catalog.Prop<string>("Location"));
        Assert.True(_project.Exists("sub/elsewhere/catalog.json"));
        Assert.False(_project.Exists(".faceberg"));
    }

    [Fact]
    public void Missing_config_file_is_reported_as_not_found()
    {
        using var host = new PowerShellHost(_project.Root);

        var error = host.Run("New-FacebergCatalog ./nope.yml").SingleError();

        Assert.Equal("ConfigNotFound,Faceberg.Cmdlets.NewFacebergCatalogCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void A_hub_catalog_location_in_faceberg_yml_creates_its_local_working_copy()
    {
        _project.WriteConfig("catalog:\n  name: c\n  location: hf://datasets/org/catalog\n");
        using var host = new PowerShellHost(_project.Root);

        var catalog = host.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess().Objects("Faceberg.Catalog").Single();

        Assert.Equal(_project.PathOf(".faceberg"), catalog.Prop<string>("Location"));
        Assert.Equal("org/catalog", catalog.Prop<string>("Repository"));
        Assert.True(_project.Exists(".faceberg/catalog.json"));
    }

    [Fact]
    public void Paths_come_from_the_pipeline()
    {
        _project.WriteConfig();
        using var host = new PowerShellHost(_project.Root);

        var result = host.Run("'./faceberg.yml' | New-FacebergCatalog").AssertSuccess();

        Assert.Single(result.Objects("Faceberg.Catalog"));
    }
}
