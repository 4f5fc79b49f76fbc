using System.Text;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Hub;

namespace Faceberg.Core.Tests.Publishing;

/// <summary><see cref="HubFileIO"/> writes as Hub commits, against the local Hub over real HTTP.</summary>
public sealed class HubFileIOTests : IDisposable
{
    private const string Repo = "team/tables";
    private readonly TestHub _hub = new();
    private readonly HubFileIO _io;

    public HubFileIOTests()
    {
        _hub.Server.Store.CreateRepo(Repo);
        _io = new HubFileIO(_hub.Client());
    }

    private static string Uri(string path) => $"hf://datasets/{Repo}/{path}";
    private int Commits => _hub.Server.Store.GetHistory(Repo, "main").Count;
    private string Head => _hub.Server.Store.ResolveRevision(Repo, "main");

    [Fact]
    public async Task A_batch_is_one_commit_whose_parent_is_the_head_it_checked()
    {
        var before = Commits;
        var parent = Head;

        var ok = await _io.TryWriteBatchAsync([
            new FileWrite(Uri("t/metadata/v1.metadata.json"), "{}"u8.ToArray(), Overwrite: false),
            new FileWrite(Uri("t/metadata/version-hint.text"), "1"u8.ToArray(), Overwrite: true),
            new FileWrite(Uri("t/metadata/snap-1.avro"), [1, 2, 3], Overwrite: true),
        ]);

        Assert.True(ok);
        Assert.Equal(before + 1, Commits);
        Assert.Equal(Head, _io.LastCommit!.CommitOid);
        Assert.Equal(parent, _hub.Server.Store.GetCommit(Repo, Head).Parents.Single());
        Assert.Equal("Faceberg: commit t v1", _hub.Server.Store.GetCommit(Repo, Head).Title);
        Assert.Equal("1", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(Uri("t/metadata/version-hint.text"))));
        Assert.Equal([Uri("t/metadata/snap-1.avro"), Uri("t/metadata/v1.metadata.json"), Uri("t/metadata/version-hint.text")], await _io.ListAsync(Uri("t/metadata/")));
    }

    [Fact]
    public async Task An_exclusive_file_that_exists_fails_the_whole_batch_without_a_commit()
    {
        await _io.WriteAsync(Uri("t/metadata/v1.metadata.json"), "{}"u8.ToArray());
        var before = Commits;

        var ok = await _io.TryWriteBatchAsync([
            new FileWrite(Uri("t/metadata/v1.metadata.json"), "{\"other\":1}"u8.ToArray(), Overwrite: false),
            new FileWrite(Uri("t/metadata/version-hint.text"), "1"u8.ToArray(), Overwrite: true),
        ]);

        Assert.False(ok);
        Assert.Equal(before, Commits);
        Assert.False(await _io.ExistsAsync(Uri("t/metadata/version-hint.text")));
        var error = await Assert.ThrowsAsync<FacebergException>(() => _io.WriteAsync(Uri("t/metadata/v1.metadata.json"), [1]));
        Assert.Equal("FileAlreadyExists", error.ErrorId);
    }

    [Fact]
    public async Task Reads_pinned_to_a_commit_see_that_commit_and_pinned_paths_cannot_be_written()
    {
        await _io.WriteAsync(Uri("f.txt"), "one"u8.ToArray());
        var first = Head;
        await _io.WriteAsync(Uri("f.txt"), "two"u8.ToArray(), overwrite: true);

        Assert.Equal("one", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync($"hf://datasets/{Repo}@{first}/f.txt")));
        Assert.Equal("two", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(Uri("f.txt"))));
        var error = await Assert.ThrowsAsync<FacebergException>(() => _io.WriteAsync($"hf://datasets/{Repo}@{first}/g.txt", [1]));
        Assert.Equal("HubPathPinned", error.ErrorId);
    }

    [Fact]
    public async Task Delete_is_a_commit_and_deleting_a_missing_file_is_not()
    {
        await _io.WriteAsync(Uri("f.txt"), "x"u8.ToArray());
        var before = Commits;

        await _io.DeleteAsync(Uri("f.txt"));
        await _io.DeleteAsync(Uri("missing.txt"));

        Assert.Equal(before + 1, Commits);
        Assert.False(await _io.ExistsAsync(Uri("f.txt")));
    }

    /// <summary>Commits <paramref name="files"/> as someone else the moment this client sends its next commit.</summary>
    private void CommitBeforeNextCommit(Dictionary<string, byte[]> files)
    {
        var done = false;
        _hub.Server.InjectFault(r =>
        {
            if (!done && r.Method == "POST" && r.Path.Contains("/commit/", StringComparison.Ordinal))
            {
                done = true;
                _hub.Server.Store.Commit(Repo, files, null, "someone else");
            }
            return false;
        }, new Faceberg.LocalHub.LocalHubFault(500), times: 1);
    }

    [Fact]
    public async Task A_commit_by_someone_else_between_check_and_commit_is_caught_by_the_parent_and_the_batch_rechecked()
    {
        CommitBeforeNextCommit(new() { ["README.md"] = "unrelated"u8.ToArray() });
        var before = Commits;

        var ok = await _io.TryWriteBatchAsync([new FileWrite(Uri("t/metadata/v1.metadata.json"), "{}"u8.ToArray(), Overwrite: false)]);

        Assert.True(ok);
        Assert.Equal(before + 2, Commits);
        var head = _hub.Server.Store.GetCommit(Repo, "main");
        Assert.Equal("someone else", _hub.Server.Store.GetCommit(Repo, head.Parents.Single()).Title);
    }

    [Fact]
    public async Task A_racing_commit_of_the_same_exclusive_file_makes_the_batch_fail_without_overwriting()
    {
        CommitBeforeNextCommit(new() { ["t/metadata/v1.metadata.json"] = "{\"theirs\":1}"u8.ToArray() });

        var ok = await _io.TryWriteBatchAsync([
            new FileWrite(Uri("t/metadata/v1.metadata.json"), "{}"u8.ToArray(), Overwrite: false),
            new FileWrite(Uri("t/metadata/version-hint.text"), "1"u8.ToArray(), Overwrite: true),
        ]);

        Assert.False(ok);
        Assert.Equal("{\"theirs\":1}", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(Uri("t/metadata/v1.metadata.json"))));
        Assert.False(await _io.ExistsAsync(Uri("t/metadata/version-hint.text")));
    }

    [Fact]
    public async Task A_batch_spanning_two_repos_is_refused()
    {
        var error = await Assert.ThrowsAsync<FacebergException>(() => _io.TryWriteBatchAsync([
            new FileWrite(Uri("a"), [1], true), new FileWrite("hf://datasets/team/other/b", [1], true)]));
        Assert.Equal("HubBatchSpansRepos", error.ErrorId);
    }

    [Fact]
    public async Task Each_iceberg_commit_on_the_hub_is_one_hub_commit_and_a_racing_writer_retries_through_the_conflict_path()
    {
        var io = new FileIORouter().Register("hf", _io);
        var location = Uri("metadata/default/t");
        var schema = new Schema(0, [NestedField.Optional(1, "id", PrimitiveType.Long)]);
        var before = Commits;

        await IcebergTable.CreateAsync(io, location, schema);
        Assert.Equal(before + 1, Commits);

        var a = await IcebergTable.LoadAsync(io, location);
        var b = await IcebergTable.LoadAsync(new FileIORouter().Register("hf", new HubFileIO(_hub.Client())), location);
        await a.UpdatePropertiesAsync(new Dictionary<string, string> { ["a"] = "1" });
        Assert.Equal(before + 2, Commits);

        // b still believes v1 is current: its v2 exists now, so the batch is refused, b refreshes and commits v3.
        await b.UpdatePropertiesAsync(new Dictionary<string, string> { ["b"] = "1" });

        Assert.Equal(before + 3, Commits);
        Assert.Equal(3, b.Version);
        var reloaded = await IcebergTable.LoadAsync(io, location);
        Assert.Equal(("1", "1"), (reloaded.Metadata.Properties["a"], reloaded.Metadata.Properties["b"]));
    }

    public void Dispose() => _hub.Dispose();
}
