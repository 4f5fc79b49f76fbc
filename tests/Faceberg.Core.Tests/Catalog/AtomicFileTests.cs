namespace Faceberg.Core.Tests.Catalog;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Replaces_content_and_leaves_no_temporary_files()
    {
        var path = _temp.Combine("sub", "file.json");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(["file.json"], Directory.GetFiles(_temp.Combine("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Readers_see_the_old_or_the_new_content_never_a_mix()
    {
        var path = _temp.Combine("file.txt");
        var small = new string('a', 10);
        var large = new string('b', 200_000);
        AtomicFile.WriteAllText(path, small);
        var reads = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var text = File.ReadAllText(path);
                Assert.True(text == small || text == large, $"read {text.Length} characters");
                Interlocked.Increment(ref reads);
            }
        });
        // Keep replacing until the reader has raced against many replacements.
        for (var i = 0; i < 50 || Volatile.Read(ref reads) < 50; i++)
            AtomicFile.WriteAllText(path, i % 2 == 0 ? large : small);
        stop.Cancel();
        await reader;
    }

    [Fact]
    public void Hash_changes_with_content()
    {
        Assert.Equal(AtomicFile.Hash([1, 2]), AtomicFile.Hash([1, 2]));
        Assert.NotEqual(AtomicFile.Hash([1, 2]), AtomicFile.Hash([2, 1]));
    }
}
