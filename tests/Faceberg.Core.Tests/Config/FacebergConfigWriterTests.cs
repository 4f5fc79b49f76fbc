using Faceberg.Core.Config;

namespace Faceberg.Core.Tests.Config;

public sealed class FacebergConfigWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DatasetConfig Dataset(string name, string repo, string[]? configs = null, string? revision = null) =>
        new() { Name = name, Repo = repo, Configs = configs ?? [], Revision = revision };

    [Fact]
    public void Appends_after_the_last_dataset_keeping_comments_and_layout()
    {
        var path = _temp.Write("faceberg.yml", """
            # my catalog
            catalog:
              name: c   # the name
            datasets:
                # first one
                -   name: a
                    repo: o/a   # pinned below
                    revision: v1
            # trailing comment

            """);

        var config = FacebergConfigWriter.AddDataset(path, Dataset("b", "o/b", ["x", "y-z"], "main"));

        Assert.Equal("""
            # my catalog
            catalog:
              name: c   # the name
            datasets:
                # first one
                -   name: a
                    repo: o/a   # pinned below
                    revision: v1
                -   name: b
                    repo: o/b
                    configs: [x, y-z]
                    revision: main
            # trailing comment

            """, File.ReadAllText(path));
        Assert.Equal(["a", "b"], config.Datasets.Select(d => d.Name));
        Assert.Equal(["x", "y-z"], config.Datasets[1].Configs);
    }

    [Fact]
    public void Adds_a_datasets_section_when_there_is_none()
    {
        var path = _temp.Write("faceberg.yml", "catalog:\n  name: c");
        FacebergConfigWriter.AddDataset(path, Dataset("a", "o/a"));
        Assert.Equal("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("catalog:\n  name: c\ndatasets:\n# none yet\n")]
    [InlineData("catalog:\n  name: c\ndatasets: []\n# none yet\n")]
    public void Fills_an_empty_datasets_section(string original)
    {
        var path = _temp.Write("faceberg.yml", original);
        var config = FacebergConfigWriter.AddDataset(path, Dataset("a", "o/a"));
        Assert.Equal("catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n# none yet\n", File.ReadAllText(path));
        Assert.Single(config.Datasets);
    }

    [Fact]
    public void Keeps_windows_line_endings()
    {
        var path = _temp.Write("faceberg.yml", "catalog:\r\n  name: c\r\ndatasets:\r\n  - name: a\r\n    repo: o/a\r\n");
        FacebergConfigWriter.AddDataset(path, Dataset("b", "o/b"));
        Assert.Equal("catalog:\r\n  name: c\r\ndatasets:\r\n  - name: a\r\n    repo: o/a\r\n  - name: b\r\n    repo: o/b\r\n", File.ReadAllText(path));
    }

    [Fact]
    public void Quotes_values_yaml_would_misread()
    {
        var path = _temp.Write("faceberg.yml", "catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n");
        var config = FacebergConfigWriter.AddDataset(path, Dataset("b", "o/b", ["yes", "a b", "it's"], "1.0"));
        Assert.Equal(["yes", "a b", "it's"], config.Datasets[1].Configs);
        Assert.Equal("1.0", config.Datasets[1].Revision);
        Assert.Contains("configs: ['yes', 'a b', 'it''s']", File.ReadAllText(path));
    }

    [Fact]
    public void Refuses_a_duplicate_name_and_leaves_the_file_alone()
    {
        var original = "catalog:\n  name: c\ndatasets:\n  - name: a\n    repo: o/a\n";
        var path = _temp.Write("faceberg.yml", original);
        var error = Assert.Throws<FacebergException>(() => FacebergConfigWriter.AddDataset(path, Dataset("a", "o/other")));
        Assert.Equal(("DatasetAlreadyExists", FacebergErrorKind.AlreadyExists), (error.ErrorId, error.Kind));
        Assert.Equal(original, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("bad name", "o/a", "InvalidDatasetName")]
    [InlineData("a", "nope", "InvalidRepoId")]
    public void Validates_the_new_entry(string name, string repo, string errorId)
    {
        var path = _temp.Write("faceberg.yml", "catalog:\n  name: c\n");
        Assert.Equal(errorId, Assert.Throws<FacebergException>(() => FacebergConfigWriter.AddDataset(path, Dataset(name, repo))).ErrorId);
    }
}
