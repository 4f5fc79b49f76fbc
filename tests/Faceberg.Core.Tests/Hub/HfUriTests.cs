using Faceberg.Core.Hub;

namespace Faceberg.Core.Tests.Hub;

public sealed class HfUriTests
{
    [Theory]
    [InlineData("hf://datasets/org/name/data/train.parquet", "org/name", null, "data/train.parquet")]
    [InlineData("hf://datasets/org/name", "org/name", null, "")]
    [InlineData("hf://datasets/org/name@main/a.parquet", "org/name", "main", "a.parquet")]
    [InlineData("hf://datasets/org/name@0123456789abcdef0123456789abcdef01234567/x/y.parquet", "org/name", "0123456789abcdef0123456789abcdef01234567", "x/y.parquet")]
    [InlineData("hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train/0000.parquet", "org/name", "refs/convert/parquet", "default/train/0000.parquet")]
    [InlineData("hf://datasets/org/name@refs/convert/parquet/default/train/0000.parquet", "org/name", "refs/convert/parquet", "default/train/0000.parquet")]
    [InlineData("hf://datasets/org/name@refs/pr/12/file.txt", "org/name", "refs/pr/12", "file.txt")]
    [InlineData("hf://datasets/org/name@feature%2Fx/file.txt", "org/name", "feature/x", "file.txt")]
    [InlineData("hf://datasets/org/name@v1.0", "org/name", "v1.0", "")]
    [InlineData("hf://datasets/org/name/dir/file@2.txt", "org/name", null, "dir/file@2.txt")]
    public void Parses_like_HfFileSystem(string text, string repo, string? revision, string path)
    {
        var uri = HfUri.Parse(text);

        Assert.Equal(repo, uri.RepoId);
        Assert.Equal(revision, uri.Revision);
        Assert.Equal(path, uri.Path);
    }

    [Theory]
    [InlineData("org/name", "refs/convert/parquet", "default/train/0000.parquet", "hf://datasets/org/name@refs/convert/parquet/default/train/0000.parquet")]
    [InlineData("org/name", "feature/x", "a.txt", "hf://datasets/org/name@feature%2Fx/a.txt")]
    [InlineData("org/name", "0123456789abcdef0123456789abcdef01234567", "a.txt", "hf://datasets/org/name@0123456789abcdef0123456789abcdef01234567/a.txt")]
    [InlineData("org/name", null, "a.txt", "hf://datasets/org/name/a.txt")]
    [InlineData("org/name", "main", "", "hf://datasets/org/name@main")]
    public void Formats_and_round_trips(string repo, string? revision, string path, string expected)
    {
        var uri = new HfUri(repo, revision, path);

        Assert.Equal(expected, uri.ToString());
        Assert.Equal(uri, HfUri.Parse(expected));
    }

    [Theory]
    [InlineData("s3://bucket/key")]
    [InlineData("hf://models/org/name/file")]
    [InlineData("hf://datasets/onlyname")]
    [InlineData("hf://datasets/org/bad--name/file")]
    [InlineData("hf://datasets/org/name@/file")]
    [InlineData("")]
    public void Rejects_what_is_not_a_dataset_path(string text)
    {
        Assert.False(HfUri.TryParse(text, out _));
        var error = Assert.Throws<FacebergException>(() => HfUri.Parse(text));
        Assert.Equal(FacebergErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("org/name", true)]
    [InlineData("squad", true)]
    [InlineData("my-org/my_data.set", true)]
    [InlineData("org/na--me", false)]
    [InlineData("org/na..me", false)]
    [InlineData("org/name.git", false)]
    [InlineData("org/-name", false)]
    [InlineData("a/b/c", false)]
    [InlineData("org/na me", false)]
    [InlineData("", false)]
    public void Repo_ids_follow_the_hub_rules(string id, bool valid) => Assert.Equal(valid, HubRepoId.IsValid(id));

    [Fact]
    public void Revisions_are_escaped_with_no_safe_characters()
    {
        Assert.Equal("refs%2Fpr%2F1", HubUrls.Revision("refs/pr/1"));
        Assert.Equal("main", HubUrls.Revision("main"));
        Assert.Equal("data/my%20file%23.parquet", HubUrls.FilePath("data/my file#.parquet"));
        Assert.Equal("data%2Ftrain", HubUrls.PathSegment("data/train"));
    }
}
