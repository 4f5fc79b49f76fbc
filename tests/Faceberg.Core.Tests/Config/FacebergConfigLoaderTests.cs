using Faceberg.Core.Config;

namespace Faceberg.Core.Tests.Config;

public sealed class FacebergConfigLoaderTests
{
    private const string File = "/project/faceberg.yml";

    private static FacebergConfigException Invalid(string yaml) =>
        Assert.Throws<FacebergConfigException>(() => FacebergConfigLoader.Parse(yaml, File));

    [Fact]
    public void Parses_the_documented_example()
    {
        var config = FacebergConfigLoader.Parse("""
            catalog:
              name: my_catalog
              location: .faceberg/          # or hf://datasets/<org>/<catalog-repo>
            datasets:
              - name: dataset1
                repo: kszucs/dataset1
                configs: [config1, config2] # optional
                revision: main              # optional
              - name: dataset2
                repo: kszucs/dataset2
            """, File);

        Assert.Equal("my_catalog", config.Catalog.Name);
        Assert.Equal(CatalogLocation.Local("/project/.faceberg"), config.Catalog.Location);
        Assert.Equal(2, config.Datasets.Count);
        var first = config.Datasets[0];
        Assert.Equal(("dataset1", "kszucs/dataset1", "main", 5), (first.Name, first.Repo, first.Revision, first.Line));
        Assert.Equal(["config1", "config2"], first.Configs);
        var second = config.Datasets[1];
        Assert.Empty(second.Configs);
        Assert.Null(second.Revision);
        Assert.Equal(9, second.Line);
    }

    [Fact]
    public void Defaults_location_and_allows_no_datasets()
    {
        var config = FacebergConfigLoader.Parse("catalog:\n  name: c\n", File);
        Assert.Equal("/project/.faceberg", config.Catalog.Location.Path);
        Assert.Empty(config.Datasets);
        Assert.Empty(FacebergConfigLoader.Parse("catalog:\n  name: c\ndatasets:\n", File).Datasets);
    }

    [Fact]
    public void Accepts_a_single_config_as_a_scalar_and_a_block_list()
    {
        var config = FacebergConfigLoader.Parse("catalog: {name: c}\ndatasets:\n  - name: a\n    repo: o/a\n    configs: x\n  - name: b\n    repo: o/b\n    configs:\n      - y\n      - z\n", File);
        Assert.Equal(["x"], config.Datasets[0].Configs);
        Assert.Equal(["y", "z"], config.Datasets[1].Configs);
    }

    [Fact]
    public void Hub_locations_are_parsed()
    {
        var config = FacebergConfigLoader.Parse("catalog:\n  name: c\n  location: hf://datasets/org/catalog\n", File);
        Assert.Equal(CatalogLocationKind.HubDataset, config.Catalog.Location.Kind);
        Assert.Equal("org/catalog", config.Catalog.Location.RepoId);
    }

    [Theory]
    [InlineData("catalog:\n  name: c\nextra: 1\n", 3, 1, "unknown key 'extra' at the top level")]
    [InlineData("catalog:\n  name: c\n  colour: blue\n", 3, 3, "unknown key 'colour' in 'catalog'")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n    repoo: x\n", 6, 5, "unknown key 'repoo' in a dataset entry; expected one of: name, repo, configs, revision")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    revision: main\n", 4, 5, "dataset 'a' is missing 'repo'")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: justname\n", 5, 11, "'justname' is not a valid dataset repo id")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a/b\n", 5, 11, "not a valid dataset repo id")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n  - name: a\n    repo: o/b\n", 6, 11, "duplicate dataset name 'a' (first defined on line 4)")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: my.table\n    repo: o/a\n", 4, 11, "'my.table' is not a valid identifier")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: ../x\n    repo: o/a\n", 4, 11, "not a valid identifier")]
    [InlineData("catalog:\n  name: bad name\n", 2, 9, "'bad name' is not a valid identifier")]
    [InlineData("catalog:\n  name: c\n  location: s3://bucket/x\n", 3, 13, "neither a local path nor an 'hf://datasets/<org>/<repo>' location")]
    [InlineData("catalog:\n  name: c\n  location: hf://models/org/x\n", 3, 13, "not a Hub dataset location")]
    [InlineData("catalog:\n  location: x\n", 2, 3, "'catalog' is missing 'name'")]
    [InlineData("datasets: []\n", 1, 1, "missing the 'catalog:' section")]
    [InlineData("", 1, 1, "the file is empty")]
    [InlineData("- a\n- b\n", 1, 1, "the top level must be a mapping")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  name: a\n", 4, 3, "'datasets' must be a list")]
    [InlineData("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n    configs: [x, x]\n", 6, 18, "config 'x' is listed twice")]
    [InlineData("catalog:\n  name: c\ncatalog:\n  name: d\n", 3, 1, "key 'catalog' appears twice")]
    [InlineData("catalog:\n  name: [c\n", 3, 1, "")]
    public void Errors_name_file_line_and_column(string yaml, int line, int column, string problem)
    {
        var error = Invalid(yaml);
        Assert.Equal((File, line, column), (error.File, error.Line, error.Column));
        Assert.Contains(problem, error.Problem);
        Assert.StartsWith($"{File}:{line}:{column}: ", error.Message);
        Assert.Equal("InvalidConfig", error.ErrorId);
        Assert.Equal(FacebergErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public void Load_reads_a_file_and_resolves_location_against_its_folder()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("sub/faceberg.yml", "catalog:\n  name: c\n  location: ../cat\n");
        var config = FacebergConfigLoader.Load(path);
        Assert.Equal(temp.Combine("cat"), config.Catalog.Location.Path);
        Assert.Equal(path, config.SourceFile);
    }

    [Fact]
    public void Load_of_a_missing_file_is_not_found()
    {
        var error = Assert.Throws<FacebergException>(() => FacebergConfigLoader.Load("/nonexistent/faceberg.yml"));
        Assert.Equal(("ConfigNotFound", FacebergErrorKind.NotFound), (error.ErrorId, error.Kind));
    }
}
