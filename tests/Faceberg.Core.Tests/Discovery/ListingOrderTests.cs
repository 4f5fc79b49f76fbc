using System.Text.Json;
using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

/// <summary>
/// Resolution reads a listing in the order it comes: a sorted listing takes the short ways (no sort, one name per run
/// of a folder or split), any other order the general ones. Both must give the same layout, on every kind of layout.
/// </summary>
public class ListingOrderTests
{
    private const string Repo = "org/ds";

    private static JsonElement Card(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static TheoryData<string, string[], string?> Layouts() => new()
    {
        {
            "sharded names, several splits", [
                ".gitattributes", "README.md", "data/train-00000-of-00003.parquet", "data/train-00001-of-00003.parquet",
                "data/train-00002-of-00003.parquet", "data/test-00000-of-00001.parquet", "data/extra-00000-of-00002.parquet",
                "data/extra-00001-of-00002.parquet", "data/valid-00000-of-00001.parquet", "data/train.v2-00000-of-00001.parquet",
            ], null
        },
        {
            "config folders", [
                "config1/train/0.parquet", "config1/train/1.parquet", "config1/validation/0.parquet", "config2/train.parquet",
                "config2/test.parquet", "config3/train-00000-of-00001.parquet", "config3/test-00000-of-00001.parquet", "README.md",
            ], null
        },
        {
            "split folders, nested and hidden", [
                "data/train/a/0.parquet", "data/train/b/1.parquet", "data/dev/0.parquet", "data/eval/x/y/0.parquet",
                "data/train/.cache/0.parquet", "data/__pycache__/test.parquet", "data/train/notes.md",
            ], null
        },
        {
            "split names in file names", [
                "my_train_1.parquet", "test-2.parquet", "valid 3.parquet", "other.parquet", "sub/train.parquet", "LICENSE",
            ], null
        },
        {
            "flat, everything is train", ["b.parquet", "a.parquet", "c/d.parquet", "c/a.parquet", "notes.txt.md"], null
        },
        {
            "not Parquet", ["data/train.csv", "data/test.csv", "data/more/train_2.csv", "README.md"], null
        },
        {
            "card configs", [
                "plain.parquet", "listed/b.parquet", "listed/a.parquet", "split/test.parquet", "split/train-1.parquet",
                "split/train-0.parquet", "nested/fr/train/0.parquet", "nested/fr/test/0.parquet", "nested/fr/test/1.parquet",
            ],
            """
            {"configs":[
              {"config_name":"plain","data_files":"plain.parquet"},
              {"config_name":"listed","data_files":["listed/b.parquet","listed/a.parquet","listed/*.parquet"]},
              {"config_name":"split","default":true,"data_files":[
                 {"split":"test","path":"split/test.parquet"},
                 {"split":"train","path":["split/train-*.parquet","split/*.parquet"]}]},
              {"config_name":"fr","data_dir":"nested/fr"},
              {"config_name":"fr_train","data_dir":"nested/fr","data_files":[{"split":"train","path":["train/*","*/*"]}]}
            ]}
            """
        },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_layout_does_not_depend_on_the_listing_order(string layout, string[] paths, string? card)
    {
        var files = paths.Select((p, i) => new RepoFile(p, 100 + i, $"sha-{i}")).ToList();
        var cardData = card is null ? (JsonElement?)null : Card(card);
        var sorted = Describe(DatasetLayoutResolver.Resolve(files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(), cardData, Repo));
        Assert.Equal(sorted, Describe(DatasetLayoutResolver.Resolve(files, cardData, Repo)));
        Assert.Equal(sorted, Describe(DatasetLayoutResolver.Resolve(files.AsEnumerable().Reverse().ToList(), cardData, Repo)));
        // Interleaved: every other file first, so no folder or split comes in one run.
        var interleaved = files.Where((_, i) => i % 2 == 0).Concat(files.Where((_, i) => i % 2 == 1)).ToList();
        Assert.Equal(sorted, Describe(DatasetLayoutResolver.Resolve(interleaved, cardData, Repo)));
        Assert.NotEmpty(layout);
    }

    [Fact]
    public void A_path_listed_twice_is_resolved_once_as_its_first_entry()
    {
        var files = new List<RepoFile>
        {
            new("data/train-00000-of-00002.parquet", 1, "first"), new("data/train-00001-of-00002.parquet", 2, "b"),
            new("data/train-00000-of-00002.parquet", 3, "second"),
        };
        var split = Assert.Single(Assert.Single(DatasetLayoutResolver.Resolve(files, null, Repo).Configs).Splits);
        Assert.Equal(["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"], split.Files.Select(f => f.Path));
        Assert.Equal("first", split.Files[0].ContentId);
    }

    [Fact]
    public void The_index_of_a_listing_keeps_the_first_entry_of_a_path()
    {
        var byPath = RepoFileIndex.ByPath([new("a", 1, "x"), new("b", 2, "y"), new("a", 3, "z")]);
        Assert.Equal(["a", "b"], byPath.Keys);
        Assert.Equal("x", byPath["a"].ContentId);
    }

    [Fact]
    public void One_patterns_matches_are_sorted_and_each_path_is_given_once()
    {
        Assert.Equal(["d/a.parquet", "d/b.parquet", "d/c.parquet"],
            SplitPatterns.Resolve(["d/c.parquet", "d/a.parquet", "x.parquet", "d/b.parquet", "d/a.parquet"], ["d/*.parquet"]));
        Assert.Equal(["d/b.parquet", "d/a.parquet", "d/c.parquet"],
            SplitPatterns.Resolve(["d/c.parquet", "d/a.parquet", "d/b.parquet", "d/a.parquet"], ["d/b.parquet", "d/*.parquet"]));
    }

    [Fact]
    public void Sharded_splits_interleaved_in_the_listing_are_each_found()
    {
        var inference = SplitPatterns.InferPatterns([
            "data/train-00000-of-00002.parquet", "data/test-00000-of-00001.parquet", "data/train-00001-of-00002.parquet",
        ]);
        Assert.Equal(SplitRule.ShardedFileName, inference.Rule);
        Assert.Equal(["train", "test"], inference.Splits.Select(s => s.Split));
    }

    private static string Describe(DatasetLayout layout) =>
        $"{layout.Kind} {layout.Format}: " + string.Join("; ", layout.Configs.Select(c =>
            $"{c.Name}{(c.IsDefault ? "*" : "")} [" + string.Join(", ", c.Splits.Select(s =>
                $"{s.Name}{(s.IsPartial ? "~" : "")}=" + string.Join("|", s.Files.Select(f => $"{f.Path}:{f.Size}:{f.ContentId}")))) + "]"));
}
