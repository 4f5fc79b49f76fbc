using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class RevisionDiffTests
{
    [Fact]
    public void Classifies_added_removed_replaced_and_unchanged_by_path_and_content_id()
    {
        RepoFile[] old =
        [
            new("data/a.parquet", 10, "sha-a"),
            new("data/b.parquet", 20, "sha-b"),
            new("data/c.parquet", 30, "sha-c"),
            new("README.md", 5, "oid-readme-1"),
        ];
        RepoFile[] @new =
        [
            new("README.md", 6, "oid-readme-2"),
            new("data/d.parquet", 40, "sha-d"),
            new("data/b.parquet", 21, "sha-b2"),
            new("data/a.parquet", 10, "SHA-A"),
        ];

        var diff = RevisionDiff.Compare(old, @new);

        Assert.Equal(["data/d.parquet"], diff.Added.Select(f => f.Path));
        Assert.Equal(["data/c.parquet"], diff.Removed.Select(f => f.Path));
        Assert.Equal(["README.md", "data/b.parquet"], diff.Replaced.Select(r => r.Path));
        Assert.Equal("sha-b", diff.Replaced[1].Old.ContentId);
        Assert.Equal("sha-b2", diff.Replaced[1].New.ContentId);
        // Unchanged entries are the old ones: their URIs stay pinned to the old commit.
        Assert.Same(old[0], Assert.Single(diff.Unchanged));
        Assert.True(diff.HasChanges);
    }

    [Fact]
    public void Identical_listings_have_no_changes()
    {
        RepoFile[] files = [new("x.parquet", 1, "s1"), new("y.parquet", 2, "s2")];
        var diff = RevisionDiff.Compare(files, files.Reverse().ToArray());
        Assert.False(diff.HasChanges);
        Assert.Equal(["x.parquet", "y.parquet"], diff.Unchanged.Select(f => f.Path));
    }

    [Fact]
    public void A_missing_content_id_counts_as_replaced()
    {
        var diff = RevisionDiff.Compare([new RepoFile("x.parquet", 1, "")], [new RepoFile("x.parquet", 1, "")]);
        Assert.Single(diff.Replaced);
    }

    [Fact]
    public void From_or_to_empty()
    {
        RepoFile[] files = [new("x.parquet", 1, "s1")];
        Assert.Single(RevisionDiff.Compare([], files).Added);
        Assert.Single(RevisionDiff.Compare(files, []).Removed);
    }

    [Fact]
    public void Duplicate_paths_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            RevisionDiff.Compare([new RepoFile("x", 1, "a"), new RepoFile("x", 1, "b")], []));
        Assert.Contains("'x'", e.Message);
    }
}
