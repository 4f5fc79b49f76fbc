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

    [Theory]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("[{\"path\":1}]")]
    [InlineData("[{\"size\":\"big\"}]")]
    [InlineData("[{\"lfs\":[]}]")]
    [InlineData("[{\"path\":\"a\"}")]
    public void Refuses_what_is_not_a_page_of_entries(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Parse(json));
    }
}
