using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests;

public sealed class GetFacebergTableTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private static List<string?> Identifiers(PsResult result) =>
        result.Objects("Faceberg.Table").Select(t => t.Prop<string>("Identifier")).ToList();

    [Fact]
    public void Empty_catalog_has_no_tables()
    {
        _project.WriteConfig();
        using var host = new PowerShellHost(_project.Root);
        host.Run("New-FacebergCatalog ./faceberg.yml").AssertSuccess();

        var result = host.Run("Get-FacebergTable").AssertSuccess();

        Assert.Empty(result.Output);
    }

    [Fact]
    public void Lists_every_table_with_what_faceberg_yml_says_about_it()
    {
        _project.WriteConfig();
        _project.AddTables("default.movie_reviews_default", "default.iris_setosa");
        using var host = new PowerShellHost(_project.Root);

        var tables = host.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table");

        Assert.Equal(["default.iris_setosa", "default.movie_reviews_default"], tables.Select(t => t.Prop<string>("Identifier")));
        var movies = tables[1];
        Assert.Equal("default", movies.Prop<string>("Namespace"));
        Assert.Equal("movie_reviews_default", movies.Prop<string>("Name"));
        Assert.Equal(_project.PathOf(".faceberg", "metadata", "default", "movie_reviews_default"), movies.Prop<string>("Location"));
        Assert.Equal("demo/movie-reviews", movies.Prop<string>("Repo"));
        Assert.Equal("default", movies.Prop<string>("Config"));
        Assert.Null(movies.Prop<long?>("RecordCount"));
        var iris = tables[0];
        Assert.Equal("demo/iris", iris.Prop<string>("Repo"));
        Assert.Equal("main", iris.Prop<string>("Revision"));
        Assert.Equal("test_catalog", iris.Prop<PSObject>("Catalog")!.Prop<string>("Name"));
    }

    [Fact]
    public void Filters_by_wildcard_on_name_or_identifier()
    {
        _project.WriteConfig();
        _project.AddTables("default.movie_reviews_default", "default.iris_setosa", "default.iris_virginica");
        using var host = new PowerShellHost(_project.Root);

        Assert.Equal(["default.iris_setosa", "default.iris_virginica"], Identifiers(host.Run("Get-FacebergTable IRIS_*").AssertSuccess()));
        Assert.Equal(["default.movie_reviews_default"], Identifiers(host.Run("Get-FacebergTable default.mov*").AssertSuccess()));
        Assert.Equal(["default.iris_setosa", "default.movie_reviews_default"],
            Identifiers(host.Run("Get-FacebergTable -Name movie_reviews_default, *setosa").AssertSuccess()));
        Assert.Empty(host.Run("Get-FacebergTable nothing*").AssertSuccess().Output);
    }

    [Fact]
    public void A_literal_name_that_matches_nothing_is_an_error()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_setosa");
        using var host = new PowerShellHost(_project.Root);

        var result = host.Run("Get-FacebergTable iris_setosa, nope");

        Assert.Equal(["default.iris_setosa"], Identifiers(result));
        var error = result.SingleError();
        Assert.Equal("TableNotFound,Faceberg.Cmdlets.GetFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("nope", error.TargetObject);
    }

    [Fact]
    public void Without_a_catalog_around_it_says_where_it_looked()
    {
        using var host = new PowerShellHost(_project.Root);

        var error = host.Run("Get-FacebergTable").SingleError();

        Assert.Equal("CatalogNotFound,Faceberg.Cmdlets.GetFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains(_project.Root, error.Exception.Message);
        Assert.Contains("faceberg.yml", error.Exception.Message);
        Assert.Contains("New-FacebergCatalog", error.Exception.Message);
    }

    [Fact]
    public void Finds_the_catalog_from_a_subfolder_like_git()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_setosa");
        Directory.CreateDirectory(_project.PathOf("a", "b"));
        using var host = new PowerShellHost(_project.PathOf("a", "b"));

        Assert.Equal(["default.iris_setosa"], Identifiers(host.Run("Get-FacebergTable").AssertSuccess()));
    }

    [Fact]
    public void Finds_a_catalog_folder_without_faceberg_yml()
    {
        _project.AddTables("default.iris_setosa");
        using var host = new PowerShellHost(_project.Root);

        var table = host.Run("Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();

        Assert.Null(table.Prop<string>("Repo"));
        Assert.Equal(Path.GetFileName(_project.Root), table.Prop<PSObject>("Catalog")!.Prop<string>("Name"));
    }

    [Fact]
    public void Catalog_can_be_a_path()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_setosa");
        using var host = new PowerShellHost(Path.GetTempPath());
        host.SetVariable("projectRoot", _project.Root);

        Assert.Equal(["default.iris_setosa"], Identifiers(host.Run("Get-FacebergTable -Catalog $projectRoot").AssertSuccess()));
        Assert.Equal(["default.iris_setosa"], Identifiers(host.Run("Get-FacebergTable -Catalog \"$projectRoot/faceberg.yml\"").AssertSuccess()));
        Assert.Equal(["default.iris_setosa"], Identifiers(host.Run("Get-FacebergTable -Catalog \"$projectRoot/.faceberg\"").AssertSuccess()));
    }

    [Fact]
    public void New_catalog_pipes_into_Get_FacebergTable()
    {
        _project.WriteConfig();
        Directory.CreateDirectory(_project.PathOf("elsewhere"));
        using var host = new PowerShellHost(_project.PathOf("elsewhere"));

        var result = host.Run("New-FacebergCatalog ../faceberg.yml | Get-FacebergTable").AssertSuccess();
        Assert.Empty(result.Output);

    }

    [Fact]
    public void A_piped_catalog_keeps_its_overridden_location()
    {
        _project.WriteConfig();
        using var host = new PowerShellHost(_project.Root);
        host.Run("$catalog = New-FacebergCatalog ./faceberg.yml -Location ./copy").AssertSuccess();
        Directory.CreateDirectory(_project.PathOf("copy", "metadata", "default", "iris_setosa"));
        _project.Write("copy/catalog.json", "{ \"default.iris_setosa\": \"metadata/default/iris_setosa\" }");

        var table = host.Run("$catalog | Get-FacebergTable").AssertSuccess().Objects("Faceberg.Table").Single();

        Assert.Equal(_project.PathOf("copy", "metadata", "default", "iris_setosa"), table.Prop<string>("Location"));
        Assert.Equal("demo/iris", table.Prop<string>("Repo"));
    }

    [Fact]
    public void A_piped_table_is_looked_up_again()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_setosa", "default.iris_virginica");
        using var host = new PowerShellHost(_project.Root);

        Assert.Equal(["default.iris_virginica"], Identifiers(host.Run("Get-FacebergTable *virginica | Get-FacebergTable").AssertSuccess()));
    }

    [Fact]
    public void Table_names_complete_with_tab()
    {
        _project.WriteConfig();
        _project.AddTables("default.iris_setosa", "default.iris_virginica", "default.movie_reviews_default");
        using var host = new PowerShellHost(_project.Root);

        var completions = host.Run("""
            $line = 'Get-FacebergTable iris_'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText
            """).AssertSuccess().Output.Select(o => o.BaseObject as string).ToList();

        Assert.Equal(["iris_setosa", "iris_virginica"], completions);
    }
}
