using System.Text;
using System.Text.Json;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Tests.Hub;

public class HubTreePageTests
{
    private static List<HubTreeEntry> Parse(string json) => HubTreePage.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_files_folders_and_lfs_and_skips_the_fields_it_does_not_use()
    {
        // As the Hub answers with expand=true: lastCommit, securityFileStatus and xetHash are skipped whole.
        var entries = Parse("""
            [{"type":"directory","oid":"d1","size":0,"path":"data","lastCommit":{"id":"c","title":"t","date":"2024-01-01T00:00:00.000Z"}},
             {"type":"file","oid":"g1","size":3120,"path":"data/a.parquet","xetHash":"x",
              "lfs":{"oid":"sha","size":3120,"pointerSize":130,"extra":[1,{"n":2}]},"securityFileStatus":{"status":"unscanned"}},
             {"type":"file","oid":"g2","size":"12","path":"README.md","lfs":null}]
            """);
        Assert.Equal(3, entries.Count);
        Assert.True(entries[0].IsDirectory);
        Assert.Equal(("data", "d1", 0L), (entries[0].Path, entries[0].Oid, entries[0].Size));
        Assert.True(entries[1].IsFile);
        Assert.Equal(("data/a.parquet", "g1", 3120L), (entries[1].Path, entries[1].Oid, entries[1].Size));
        Assert.Equal(("sha", 3120L, (long?)130), (entries[1].Lfs!.Oid, entries[1].Lfs!.Size, entries[1].Lfs!.PointerSize));
        Assert.Equal(("README.md", 12L), (entries[2].Path, entries[2].Size));
        Assert.Null(entries[2].Lfs);
        Assert.Empty(Parse("[]"));
    }

    private static List<(string Path, long Size, string ContentId)> ParseFiles(string json) =>
        HubTreePage.ParseFiles(Encoding.UTF8.GetBytes(json), (path, size, contentId) => (path, size, contentId));

    [Fact]
    public void Files_are_read_with_the_lfs_size_and_sha256_or_else_their_own_size_and_git_oid()
    {
        var files = ParseFiles("""
            [{"type":"directory","oid":"d1","size":0,"path":"data"},
             {"type":"file","oid":"g1","size":130,"path":"data/a.parquet","lfs":{"oid":"sha","size":3120,"pointerSize":130}},
             {"path":"data/b.parquet","lfs":{"size":"77","oid":"sha-b"},"oid":"g2","type":"file","size":131},
             {"type":"file","oid":"g\u0033","size":12,"path":"README.md","lfs":null},
             {"type":"file","oid":"g4","size":5,"path":"x","lfs":{"size":9}},
             {"type":"file","oid":null,"size":6,"path":"y"},
             {"type":"file","oid":"first","size":7,"path":"z","oid":"g5"}]
            """);
        Assert.Equal(
            [("data/a.parquet", 3120L, "sha"), ("data/b.parquet", 77L, "sha-b"), ("README.md", 12L, "g3"), ("x", 9L, "g4"), ("y", 6L, ""), ("z", 7L, "g5")],
            files);
        Assert.Empty(ParseFiles("[]"));
    }

    [Fact]
    public void Files_are_what_the_entries_of_the_same_page_say()
    {
        var json = """
            [{"type":"file","oid":"g1","size":130,"path":"a/b.parquet","lfs":{"oid":"s1","size":3120,"pointerSize":130},"xetHash":"x"},
             {"type":"directory","oid":"t1","size":0,"path":"a"},
             {"type":"file","oid":"g2","size":"44","path":"a/c d.json","lfs":{"oid":"","size":50}},
             {"type":"file","oid":"g\u00e9","size":3,"path":"\u00e9.txt","securityFileStatus":{"status":"safe"}}]
            """;
        var expected = Parse(json).Where(e => e.IsFile)
            .Select(e => (e.Path, e.Lfs?.Size ?? e.Size, e.Lfs?.Oid is { Length: > 0 } lfs ? lfs : e.Oid)).ToList();
        Assert.Equal(expected, ParseFiles(json));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("[{\"path\":1}]")]
    [InlineData("[{\"size\":\"big\"}]")]
    [InlineData("[{\"lfs\":[]}]")]
    [InlineData("[{\"path\":\"a\"}")]
    [InlineData("[{\"type\":\"file\",\"oid\":7}]")]
    public void Refuses_what_is_not_a_page_of_entries(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Parse(json));
        Assert.ThrowsAny<JsonException>(() => ParseFiles(json));
    }
}
