using Faceberg.Core.Catalog;

namespace Faceberg.Core.Tests.Publishing;

public sealed class CatalogFilesTests
{
    [Theory]
    [InlineData("", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")]
    [InlineData("hello\n", "ce013625030ba8dba906f756967f9e9ca394464a")]
    public void Git_blob_ids_match_git(string content, string expected) =>
        Assert.Equal(expected, CatalogFiles.GitBlobId(System.Text.Encoding.UTF8.GetBytes(content)));

    [Fact]
    public void Ids_are_compared_as_lfs_sha256_or_git_oid_by_length()
    {
        var content = "hello\n"u8.ToArray();
        Assert.True(CatalogFiles.Matches(content, "ce013625030ba8dba906f756967f9e9ca394464a"));
        Assert.True(CatalogFiles.Matches(content, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"));
        Assert.False(CatalogFiles.Matches("hello"u8.ToArray(), "ce013625030ba8dba906f756967f9e9ca394464a"));
    }

    [Theory]
    [InlineData("faceberg.yml", true)]
    [InlineData("catalog.json", true)]
    [InlineData("metadata/default/t/metadata/v1.metadata.json", true)]
    [InlineData("metadata/default/t/metadata/.v2.metadata.json.abc.tmp", false)]
    [InlineData("README.md", false)]
    [InlineData("catalog.json.lock", false)]
    [InlineData(".published", false)]
    public void Only_catalog_files_are_managed(string path, bool managed) => Assert.Equal(managed, CatalogFiles.IsManaged(path));

    [Theory]
    [InlineData("metadata/default/t/metadata/v1.metadata.json", "default.t")]
    [InlineData("catalog.json", "catalog.json")]
    public void Files_belong_to_their_table(string path, string owner) => Assert.Equal(owner, CatalogFiles.Owner(path));
}
