using Faceberg.Core.Datasets;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Datasets;

/// <summary>What a record written as a change states: the files new or different from the previous record, and the paths gone.</summary>
public class RevisionFileRecordChangesTests
{
    private static RepoFile File(string path, string id = "a", long size = 10) => new(path, size, id);

    private static (List<PlannedFile> Changed, List<string> Removed) Changes(IReadOnlyList<RepoFile> before, IReadOnlyDictionary<string, string> splits,
        params PlannedFile[] now) => RevisionFileRecord.Changes(before, splits, [.. now]);

    private static readonly RepoFile[] Before = [File("a.parquet"), File("b.parquet"), File("c.parquet")];
    private static readonly Dictionary<string, string> TrainSplits = new() { ["a.parquet"] = "train", ["b.parquet"] = "train", ["c.parquet"] = "train" };

    [Fact]
    public void Files_appended_in_the_same_order_are_the_only_change()
    {
        var (changed, removed) = Changes(Before, TrainSplits,
            new("train", File("a.parquet")), new("train", File("b.parquet")), new("train", File("c.parquet")), new("train", File("d.parquet")));
        Assert.Equal(["d.parquet"], changed.Select(f => f.File.Path));
        Assert.Empty(removed);
    }

    [Fact]
    public void A_listing_in_another_order_finds_the_same_files_by_path()
    {
        var (changed, removed) = Changes(Before, TrainSplits,
            new("train", File("c.parquet")), new("train", File("0.parquet")), new("train", File("a.parquet")), new("train", File("b.parquet")));
        Assert.Equal(["0.parquet"], changed.Select(f => f.File.Path));
        Assert.Empty(removed);
    }

    [Fact]
    public void A_file_inserted_between_others_is_new_and_the_rest_unchanged()
    {
        var (changed, removed) = Changes(Before, TrainSplits,
            new("train", File("a.parquet")), new("train", File("ab.parquet")), new("train", File("b.parquet")), new("train", File("c.parquet")));
        Assert.Equal(["ab.parquet"], changed.Select(f => f.File.Path));
        Assert.Empty(removed);
    }

    [Fact]
    public void Content_size_and_split_changes_are_changes_and_missing_paths_are_removed()
    {
        var (changed, removed) = Changes(Before, TrainSplits,
            new("train", File("a.parquet", id: "new")), new("test", File("c.parquet")), new("train", File("d.parquet", size: 5)));
        Assert.Equal(["a.parquet", "c.parquet", "d.parquet"], changed.Select(f => f.File.Path));
        Assert.Equal(["b.parquet"], removed);

        (changed, _) = Changes(Before, TrainSplits, new("train", File("a.parquet", size: 11)), new("train", File("b.parquet")), new("train", File("c.parquet")));
        Assert.Equal(["a.parquet"], changed.Select(f => f.File.Path));
    }

    [Fact]
    public void A_path_listed_twice_does_not_hide_a_removed_file()
    {
        var (changed, removed) = Changes(Before, TrainSplits,
            new("train", File("a.parquet")), new("train", File("b.parquet")), new("train", File("a.parquet")));
        Assert.Empty(changed);
        Assert.Equal(["c.parquet"], removed);
    }

    [Fact]
    public void Everything_removed_and_nothing_before()
    {
        var (changed, removed) = Changes(Before, TrainSplits);
        Assert.Empty(changed);
        Assert.Equal(["a.parquet", "b.parquet", "c.parquet"], removed);

        (changed, removed) = Changes([], new Dictionary<string, string>(), new PlannedFile("train", File("a.parquet")));
        Assert.Equal(["a.parquet"], changed.Select(f => f.File.Path));
        Assert.Empty(removed);
    }
}
