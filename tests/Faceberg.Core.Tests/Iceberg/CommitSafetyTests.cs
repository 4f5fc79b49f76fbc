using System.Diagnostics;
using System.Text;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using static Faceberg.Core.Tests.Iceberg.TableFixtures;

namespace Faceberg.Core.Tests.Iceberg;

public class CommitSafetyTests
{
    private readonly LocalFileIO _io = new();

    private async Task<IcebergTable> TableWithOneSnapshot(TempTableDir dir)
    {
        var table = await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        await table.NewAppend().AddFile(File(dir.Location, "a", "train")).CommitAsync();
        return table;
    }

    [Fact]
    public async Task Files_left_by_a_crash_before_the_commit_point_do_not_change_the_table()
    {
        using var dir = new TempTableDir();
        var table = await TableWithOneSnapshot(dir);
        // A writer that died after writing its manifest, list and a temp metadata file, before v3 existed.
        System.IO.File.WriteAllBytes(Path.Combine(dir.MetadataDir, "0000-m-added.avro"), new byte[] { 1, 2, 3 });
        System.IO.File.WriteAllBytes(Path.Combine(dir.MetadataDir, "snap-1-1-x.avro"), new byte[] { 4 });
        System.IO.File.WriteAllText(Path.Combine(dir.MetadataDir, ".v3.metadata.json.0123.tmp"), "{\"format-vers");

        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(2, loaded.Version);
        Assert.Equal(table.CurrentSnapshot!.SnapshotId, loaded.CurrentSnapshot!.SnapshotId);
        Assert.Single(await loaded.PlanFilesAsync());
        // And the table stays writable.
        await loaded.NewAppend().AddFile(File(dir.Location, "b", "test")).CommitAsync();
        Assert.Equal(3, (await IcebergTable.LoadAsync(_io, dir.Location)).Version);
    }

    [Fact]
    public async Task A_commit_whose_hint_did_not_move_is_still_found()
    {
        using var dir = new TempTableDir();
        var table = await TableWithOneSnapshot(dir);
        await table.NewAppend().AddFile(File(dir.Location, "b", "test")).CommitAsync();
        // Crash between creating v3 and moving the hint.
        System.IO.File.WriteAllText(Path.Combine(dir.MetadataDir, "version-hint.text"), "2");
        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(3, loaded.Version);
        Assert.Equal(2, (await loaded.PlanFilesAsync()).Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    [InlineData("99")]
    [InlineData("2\n")]
    public async Task A_missing_or_wrong_hint_falls_back_to_listing(string? hint)
    {
        using var dir = new TempTableDir();
        await TableWithOneSnapshot(dir);
        var hintPath = Path.Combine(dir.MetadataDir, "version-hint.text");
        if (hint == null) System.IO.File.Delete(hintPath);
        else System.IO.File.WriteAllText(hintPath, hint);
        Assert.Equal(2, (await IcebergTable.LoadAsync(_io, dir.Location)).Version);
    }

    [Theory]
    [InlineData("{\"format-version\":2,\"table-uu")]
    [InlineData("{\"format-version\":2}")]
    [InlineData("")]
    public async Task An_unreadable_latest_metadata_file_is_an_error_naming_it_never_an_older_version(string content)
    {
        using var dir = new TempTableDir();
        var table = await TableWithOneSnapshot(dir);
        await table.NewAppend().AddFile(File(dir.Location, "b", "test")).CommitAsync();
        var latest = Path.Combine(dir.MetadataDir, "v3.metadata.json");
        System.IO.File.WriteAllText(latest, content);

        var e = await Assert.ThrowsAsync<FacebergException>(() => IcebergTable.LoadAsync(_io, dir.Location));

        Assert.Equal("TableMetadataUnreadable", e.ErrorId);
        Assert.Equal(FacebergErrorKind.InvalidData, e.Kind);
        Assert.Contains("v3.metadata.json", e.Message);
        Assert.Contains("Restore the file", e.Message);
        Assert.Contains("write 2 to version-hint.text", e.Message);
        // Refreshing an instance loaded before the damage fails the same way instead of going back to v2.
        await Assert.ThrowsAsync<FacebergException>(() => table.RefreshAsync());
    }

    [Theory]
    [InlineData("current-snapshot-id", 12345L, "TableMetadataUnreadable")]
    [InlineData("current-schema-id", 77L, "TableMetadataUnreadable")]
    [InlineData("format-version", 9L, "UnsupportedFormatVersion")]
    public async Task A_latest_metadata_file_that_parses_but_cannot_be_used_is_an_error_naming_it(string key, long value, string errorId)
    {
        using var dir = new TempTableDir();
        var table = await TableWithOneSnapshot(dir);
        await table.NewAppend().AddFile(File(dir.Location, "b", "test")).CommitAsync();
        var latest = Path.Combine(dir.MetadataDir, "v3.metadata.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(latest))!.AsObject();
        json[key] = value;
        System.IO.File.WriteAllText(latest, json.ToJsonString());

        var e = await Assert.ThrowsAsync<FacebergException>(() => IcebergTable.LoadAsync(_io, dir.Location));

        Assert.Equal(errorId, e.ErrorId);
        Assert.Contains("v3.metadata.json", e.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public async Task Exclusive_create_refuses_an_existing_file()
    {
        using var dir = new TempTableDir();
        var path = dir.Location + "/x.json";
        await _io.WriteAsync(path, Encoding.UTF8.GetBytes("first"));
        var ex = await Assert.ThrowsAsync<FacebergException>(() => _io.WriteAsync(path, Encoding.UTF8.GetBytes("second")));
        Assert.Equal(FacebergErrorKind.AlreadyExists, ex.Kind);
        Assert.Equal("first", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(path)));
        await _io.WriteAsync(path, Encoding.UTF8.GetBytes("third"), overwrite: true);
        Assert.Equal("third", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(path)));
        Assert.Equal(new[] { path }, await _io.ListAsync(dir.Location + "/"));
    }

    [Fact]
    public async Task A_writer_out_of_retries_gets_a_conflict_and_the_winner_is_intact()
    {
        using var dir = new TempTableDir();
        var winner = await TableWithOneSnapshot(dir);
        var loser = await IcebergTable.LoadAsync(_io, dir.Location);
        loser.MaxCommitAttempts = 1;
        await winner.NewAppend().AddFile(File(dir.Location, "w", "train")).CommitAsync();
        var filesBefore = Directory.GetFiles(dir.MetadataDir).Order().ToArray();

        var ex = await Assert.ThrowsAsync<CommitConflictException>(() => loser.NewAppend().AddFile(File(dir.Location, "l", "train")).CommitAsync());
        Assert.Equal(FacebergErrorKind.Conflict, ex.Kind);
        Assert.Equal("CommitConflict", ex.ErrorId);
        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(3, loaded.Version);
        Assert.Equal(new[] { "a", "w" }, (await loaded.PlanFilesAsync()).Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).Order());
        // The loser cleaned up what it wrote.
        Assert.Equal(filesBefore, Directory.GetFiles(dir.MetadataDir).Order().ToArray());
    }

    [Fact]
    public async Task A_property_file_is_written_with_its_commit_and_removed_when_the_commit_fails()
    {
        using var dir = new TempTableDir();
        var table = await TableWithOneSnapshot(dir);
        var append = table.NewAppend().AddFile(File(dir.Location, "b", "train"));
        var path = append.SetPropertyFile("test.record", "record", "json", Encoding.UTF8.GetBytes("{\"n\":1}"));
        Assert.StartsWith(dir.Location + "/metadata/record-", path);
        await append.CommitAsync();

        var loaded = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(path, loaded.Metadata.Properties["test.record"]);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(await _io.ReadAllBytesAsync(path)));

        // A writer that loses the race leaves neither its record nor the property behind.
        var loser = await IcebergTable.LoadAsync(_io, dir.Location);
        loser.MaxCommitAttempts = 1;
        await table.NewAppend().AddFile(File(dir.Location, "w", "train")).CommitAsync();
        var lost = loser.NewAppend().AddFile(File(dir.Location, "l", "train"));
        var lostPath = lost.SetPropertyFile("test.record", "record", "json", [1, 2, 3]);
        await Assert.ThrowsAsync<CommitConflictException>(() => lost.CommitAsync());
        Assert.False(await _io.ExistsAsync(lostPath));
        Assert.Equal(path, (await IcebergTable.LoadAsync(_io, dir.Location)).Metadata.Properties["test.record"]);
    }

    [Fact]
    public async Task Concurrent_deletes_of_the_same_file_let_exactly_one_win()
    {
        using var dir = new TempTableDir();
        await TableWithOneSnapshot(dir);
        var first = await IcebergTable.LoadAsync(_io, dir.Location);
        var second = await IcebergTable.LoadAsync(_io, dir.Location);
        await first.NewOverwrite().DeleteFile(dir.Location + "/data/a.parquet").CommitAsync();
        await Assert.ThrowsAsync<CommitConflictException>(() => second.NewOverwrite().DeleteFile(dir.Location + "/data/a.parquet").CommitAsync());
    }

    [Fact]
    public async Task Concurrent_writer_threads_each_win_distinct_versions_and_lose_nothing()
    {
        using var dir = new TempTableDir();
        await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        const int writers = 4, commitsEach = 5;
        // Every writer starts from the same version, so the first round already collides.
        var tables = new List<IcebergTable>();
        for (var w = 0; w < writers; w++)
        {
            var t = await IcebergTable.LoadAsync(_io, dir.Location);
            t.MaxCommitAttempts = 100;
            tables.Add(t);
        }
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var table = tables[w];
            for (var i = 0; i < commitsEach; i++)
                await table.NewAppend().AddFile(File(dir.Location, $"w{w}-{i}", w % 2 == 0 ? "train" : "test", rows: 1)).CommitAsync();
        })).ToArray();
        await Task.WhenAll(tasks);
        await AssertLinearHistory(dir, writers * commitsEach, Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, commitsEach).Select(i => $"w{w}-{i}")));
    }

    [Fact]
    public async Task Concurrent_writer_processes_each_win_distinct_versions_and_lose_nothing()
    {
        using var dir = new TempTableDir();
        await IcebergTable.CreateAsync(_io, dir.Location, TestSchema, SplitSpec);
        const int processes = 2, commitsEach = 6;
        var startAt = DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeMilliseconds();
        var children = Enumerable.Range(0, processes).Select(p => StartWriterProcess(dir.Location, $"p{p}", commitsEach, startAt)).ToArray();
        // This process writes too, so three writers race.
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, startAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
        await AppendWriter.RunAsync(dir.Location, "main", commitsEach);
        foreach (var child in children)
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "writer process did not finish");
            Assert.True(child.ExitCode == 0, $"writer process failed: {await stdout} {await stderr}");
        }
        var names = new[] { "p0", "p1", "main" }.SelectMany(w => Enumerable.Range(0, commitsEach).Select(i => $"{w}-{i}"));
        await AssertLinearHistory(dir, (processes + 1) * commitsEach, names);
    }

    private static Process StartWriterProcess(string location, string writerId, int commits, long startAtMs)
    {
        var assembly = typeof(CommitSafetyTests).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { assembly, AppendWriter.Command, location, writerId, commits.ToString(), startAtMs.ToString() })
            info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    /// <summary>Every version v2..vN adds exactly one snapshot whose parent is the previous version's snapshot; all files are live.</summary>
    private async Task AssertLinearHistory(TempTableDir dir, int commits, IEnumerable<string> expectedFiles)
    {
        var table = await IcebergTable.LoadAsync(_io, dir.Location);
        Assert.Equal(commits + 1, table.Version);
        long? previous = null;
        for (var v = 2; v <= table.Version; v++)
        {
            var m = SpecJson.ParseTableMetadata(await System.IO.File.ReadAllTextAsync(Path.Combine(dir.MetadataDir, $"v{v}.metadata.json")));
            Assert.Equal(v - 1, m.Snapshots.Count);
            Assert.Equal(v - 1, m.LastSequenceNumber);
            Assert.Equal(previous, m.CurrentSnapshot!.ParentSnapshotId);
            Assert.Equal(v - 1, m.CurrentSnapshot.SequenceNumber);
            previous = m.CurrentSnapshotId;
        }
        var files = await table.PlanFilesAsync();
        Assert.Equal(expectedFiles.Order(), files.Select(f => Path.GetFileNameWithoutExtension(f.FilePath)).Order());
        Assert.Equal(commits.ToString(), table.CurrentSnapshot!.Summary["total-records"]);
        Assert.Equal(commits.ToString(), table.CurrentSnapshot.Summary["total-data-files"]);
        Assert.Equal(commits, table.Metadata.MetadataLog.Count);
    }
}
