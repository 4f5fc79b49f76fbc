using System.Text;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Tests.Hub;

namespace Faceberg.Core.Tests.Data;

public sealed class HubFileIOTests : IDisposable
{
    private const string Repo = "acme/io";
    private readonly TestHub _hub = new();
    private readonly HubFileIO _io;
    private readonly string _sha;

    public HubFileIOTests()
    {
        _io = new HubFileIO(_hub.Client());
        _sha = _hub.Seed(Repo, new Dictionary<string, byte[]>
        {
            ["meta/v1.metadata.json"] = Encoding.UTF8.GetBytes("{}"),
            ["meta/sub/a.avro"] = [1, 2, 3],
            ["data/x.parquet"] = TestHub.Bytes(200_000),
        });
    }

    public void Dispose() => _hub.Dispose();

    private string Uri(string path, string? revision = null) => new HfUri(Repo, revision ?? _sha, path).ToString();

    [Fact]
    public async Task Reads_whole_files_and_seekable_ranged_streams()
    {
        Assert.Equal("{}", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(Uri("meta/v1.metadata.json"))));
        Assert.Equal(new byte[] { 1, 2, 3 }, await _io.ReadAllBytesAsync(new HfUri(Repo, null, "meta/sub/a.avro").ToString()));

        await using var stream = await _io.OpenReadAsync(Uri("data/x.parquet"));
        Assert.IsType<HubFileStream>(stream);
        Assert.Equal(200_000, stream.Length);
        stream.Position = 1000;
        var buffer = new byte[10];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal(TestHub.Bytes(200_000).AsSpan(1000, 10).ToArray(), buffer);
    }

    [Fact]
    public async Task Tells_existence_lists_by_prefix_and_refuses_writes_to_a_pinned_commit()
    {
        Assert.True(await _io.ExistsAsync(Uri("meta/sub/a.avro")));
        Assert.False(await _io.ExistsAsync(Uri("meta/nope.avro")));
        Assert.Equal([Uri("meta/sub/a.avro"), Uri("meta/v1.metadata.json")], await _io.ListAsync(Uri("meta/")));
        Assert.Empty(await _io.ListAsync(Uri("missing/")));

        var write = await Assert.ThrowsAsync<FacebergException>(() => _io.WriteAsync(Uri("meta/v2.metadata.json"), [1]));
        Assert.Equal(("HubPathPinned", FacebergErrorKind.NotSupported), (write.ErrorId, write.Kind));
        await Assert.ThrowsAsync<FacebergException>(() => _io.DeleteAsync(Uri("meta/v1.metadata.json")));
    }

    [Fact]
    public async Task Routes_hf_paths_next_to_local_ones()
    {
        var router = new FileIORouter().Register("hf", _io);
        Assert.Equal([1, 2, 3], await router.ReadAllBytesAsync(Uri("meta/sub/a.avro")));
        var local = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(local, [9]);
            Assert.Equal([9], await router.ReadAllBytesAsync(local));
        }
        finally
        {
            File.Delete(local);
        }
    }
}
