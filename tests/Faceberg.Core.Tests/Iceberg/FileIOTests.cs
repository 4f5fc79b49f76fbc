using System.Text;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Tests.Iceberg;

public class FileIOTests
{
    [Fact]
    public async Task Router_sends_local_paths_and_file_uris_to_local_and_schemes_to_their_io()
    {
        var hf = new InMemoryFileIO();
        var local = new InMemoryFileIO();
        var router = new FileIORouter(local).Register("hf", hf);
        Assert.Same(local, router.Resolve("/tmp/x"));
        Assert.Same(local, router.Resolve("file:///tmp/x"));
        Assert.Same(local, router.Resolve("C:\\data\\x"));
        Assert.Same(hf, router.Resolve("hf://datasets/org/name@main/x.parquet"));
        var ex = Assert.Throws<FacebergException>(() => router.Resolve("s3://bucket/x"));
        Assert.Equal(FacebergErrorKind.NotSupported, ex.Kind);

        await router.WriteAsync("hf://datasets/o/n/a", Encoding.UTF8.GetBytes("x"));
        Assert.True(await hf.ExistsAsync("hf://datasets/o/n/a"));
        Assert.False(await local.ExistsAsync("hf://datasets/o/n/a"));
    }

    [Fact]
    public async Task Local_io_reports_missing_files_and_cancellation_through_its_tasks()
    {
        using var dir = new TempTableDir();
        var io = new LocalFileIO();
        var missing = io.ReadAllBytesAsync(Path.Combine(dir.Directory, "missing.json"));
        Assert.Equal(FacebergErrorKind.NotFound, (await Assert.ThrowsAsync<FacebergException>(() => missing)).Kind);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var path = Path.Combine(dir.Directory, "a.json");
        var write = io.WriteAsync(path, Encoding.UTF8.GetBytes("{}"), cancellationToken: cancelled.Token);
        Assert.True(write.IsCanceled);
        Assert.False(System.IO.File.Exists(path));
        await io.WriteAsync(path, Encoding.UTF8.GetBytes("{}"));
        Assert.True(io.ReadAllBytesAsync(path, cancelled.Token).IsCanceled);
        Assert.Equal("{}", Encoding.UTF8.GetString(await io.ReadAllBytesAsync(path)));
        var again = io.WriteAsync(path, Encoding.UTF8.GetBytes("[]"));
        Assert.Equal(FacebergErrorKind.AlreadyExists, (await Assert.ThrowsAsync<FacebergException>(() => again)).Kind);
    }

    [Fact]
    public async Task Local_io_maps_a_uri_prefix_onto_a_directory()
    {
        using var dir = new TempTableDir();
        var io = new LocalFileIO("http://127.0.0.1:9/tables", dir.Directory);
        await io.WriteAsync("http://127.0.0.1:9/tables/t/metadata/v1.metadata.json", Encoding.UTF8.GetBytes("{}"));
        Assert.True(System.IO.File.Exists(Path.Combine(dir.Directory, "t", "metadata", "v1.metadata.json")));
        Assert.Equal(new[] { "http://127.0.0.1:9/tables/t/metadata/v1.metadata.json" }, await io.ListAsync("http://127.0.0.1:9/tables/t/metadata/"));
        var missing = await Assert.ThrowsAsync<FacebergException>(() => io.ReadAllBytesAsync("http://127.0.0.1:9/tables/none"));
        Assert.Equal(FacebergErrorKind.NotFound, missing.Kind);
        await io.DeleteAsync("http://127.0.0.1:9/tables/none");
    }

    private const int Rounds = 300;

    [Fact]
    public async Task Racing_exclusive_creates_of_one_path_have_exactly_one_winner()
    {
        using var dir = new TempTableDir();
        var io = new LocalFileIO();
        for (var round = 0; round < Rounds; round++)
        {
            var path = $"{dir.Location}/v{round}.metadata.json";
            using var go = new ManualResetEventSlim();
            var racers = Enumerable.Range(0, 8).Select(i => Task.Factory.StartNew(() =>
            {
                go.Wait();
                try
                {
                    io.WriteAsync(path, Encoding.UTF8.GetBytes($"writer {i}")).GetAwaiter().GetResult();
                    return i;
                }
                catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.AlreadyExists)
                {
                    return -1;
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            go.Set();
            var results = await Task.WhenAll(racers);
            var winner = Assert.Single(results, r => r >= 0);
            Assert.Equal($"writer {winner}", Encoding.UTF8.GetString(await io.ReadAllBytesAsync(path)));
        }
        // No temp files are left behind by winners or losers.
        Assert.Equal(Rounds, System.IO.Directory.GetFiles(Path.Combine(dir.Directory, "table")).Length);
    }

    [Fact]
    public async Task In_memory_batches_are_all_or_nothing()
    {
        var io = new InMemoryFileIO();
        await io.WriteAsync("m://a", new byte[] { 1 });
        Assert.False(await io.TryWriteBatchAsync(new[] { new FileWrite("m://b", new byte[] { 2 }, true), new FileWrite("m://a", new byte[] { 3 }, false) }));
        Assert.False(await io.ExistsAsync("m://b"));
        Assert.Equal(new byte[] { 1 }, await io.ReadAllBytesAsync("m://a"));
        Assert.True(await io.TryWriteBatchAsync(new[] { new FileWrite("m://b", new byte[] { 2 }, false), new FileWrite("m://a", new byte[] { 3 }, true) }));
        Assert.Equal(new byte[] { 3 }, await io.ReadAllBytesAsync("m://a"));
        Assert.Equal(new[] { "m://a", "m://b" }, await io.ListAsync("m://"));
    }
}
