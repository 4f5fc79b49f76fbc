using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class DataFormatsTests
{
    [Theory]
    [InlineData("parquet", "a.parquet", "b.zip")]
    [InlineData("parquet", "a.parquet", "b.csv")]
    [InlineData("csv", "a.parquet", "b.csv", "c.csv")]
    [InlineData("json", "a.jsonl", "b.json")]
    [InlineData("csv", "a.tsv")]
    [InlineData("webdataset", "shard.tar.gz")]
    [InlineData("parquet", "data.00000.parquet")]
    [InlineData("imagefolder", "a.png", "b.PNG", "metadata.csv")]
    [InlineData("imagefolder", "a.jpg", "metadata.jsonl", "metadata.csv")]
    [InlineData("zip", "archive.zip")]
    [InlineData("parquet", "metadata.parquet")]
    public void Infers_the_format_datasets_picks(string format, params string[] paths)
    {
        Assert.Equal(format, DataFormats.Infer(paths));
    }

    [Fact]
    public void Unknown_extensions_have_no_format()
    {
        Assert.Null(DataFormats.Infer(["LICENSE", "script.py", "notes.md"]));
    }

    [Theory]
    [InlineData("a/b.parquet", true, true)]
    [InlineData("a/b.gpq", true, true)]
    [InlineData("a/b.PARQUET", false, false)]
    [InlineData("a/b.parquet.zip", true, false)]
    [InlineData("a/b.csv", true, false)]
    [InlineData("a/b.py", false, false)]
    [InlineData("a/README", false, false)]
    public void Data_and_parquet_files(string path, bool isData, bool isParquet)
    {
        Assert.Equal(isData, DataFormats.IsDataFile(path));
        Assert.Equal(isParquet, DataFormats.IsParquet(path));
    }
}
