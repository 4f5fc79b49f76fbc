namespace Faceberg.Core.Tests.Catalog;

public sealed class CatalogLocationTests
{
    [Theory]
    [InlineData(".faceberg/", "/p/.faceberg")]
    [InlineData("../x", "/x")]
    [InlineData("/abs/cat", "/abs/cat")]
    public void Local_paths_resolve_against_the_base(string text, string expected)
    {
        var location = CatalogLocation.Parse(text, "/p");
        Assert.True(location.IsLocal);
        Assert.Equal(expected, location.Path);
        Assert.True(location.IsLocal);
    }

    [Fact]
    public void Hub_locations_keep_their_repo()
    {
        var location = CatalogLocation.Parse("hf://datasets/org/my-catalog/", "/p");
        Assert.Equal((CatalogLocationKind.HubDataset, "org/my-catalog", "hf://datasets/org/my-catalog"), (location.Kind, location.RepoId, location.Path));
        Assert.False(location.IsLocal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s3://bucket/x")]
    [InlineData("https://huggingface.co/datasets/o/r")]
    [InlineData("hf://models/o/r")]
    [InlineData("hf://datasets/onlyorg")]
    [InlineData("hf://datasets/o/r/extra")]
    public void Rejects_locations_that_are_neither_paths_nor_hub_datasets(string text)
    {
        var error = Assert.Throws<FacebergException>(() => CatalogLocation.Parse(text, "/p"));
        Assert.Equal("InvalidCatalogLocation", error.ErrorId);
    }

    [Theory]
    [InlineData("org/name", true)]
    [InlineData("my-org/data.set_1", true)]
    [InlineData("org", false)]
    [InlineData("org/a/b", false)]
    [InlineData("org/-bad", false)]
    [InlineData("org/a--b", false)]
    [InlineData("org/a..b", false)]
    [InlineData("org/a b", false)]
    public void Repo_ids(string id, bool valid) => Assert.Equal(valid, RepoIds.IsValid(id));
}
