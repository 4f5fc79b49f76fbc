using System.Diagnostics;
using System.Text.Json;
using Faceberg.Core.Catalog;

namespace Faceberg.Core.Tests.Catalog;

/// <summary>Untrusted catalog.json entries, the catalog lock's holder, and creations a crash left half done.</summary>
public sealed class CatalogSafetyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string CatalogDir => _temp.Combine(".faceberg");

    private static TableIdentifier Id(string text) => TableIdentifier.Parse(text);

    private void WriteEntries(Dictionary<string, string> entries) =>
        File.WriteAllText(Path.Combine(CatalogDir, "catalog.json"), JsonSerializer.Serialize(entries));

    [Theory]
    [InlineData("metadata/default")]
    [InlineData("metadata")]
    [InlineData("metadata/default/../other")]
    [InlineData("../outside/t")]
    [InlineData("somewhere/else/t")]
    public void An_entry_that_is_not_a_table_folder_of_its_own_is_refused(string location)
    {
        JsonCatalog.Create(CatalogDir);
        WriteEntries(new() { ["default.x"] = location });
        var error = Assert.Throws<FacebergException>(() => JsonCatalog.Open(CatalogDir));
        Assert.Equal("CatalogCorrupt", error.ErrorId);
        Assert.Contains("catalog.json", error.Message);
    }

    [Fact]
    public void An_entry_inside_another_tables_folder_is_refused_and_nothing_is_purged()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var a = catalog.CreateTable(Id("default.a"));
        File.WriteAllText(Path.Combine(a, "keep.txt"), "a's file");
        WriteEntries(new() { ["default.a"] = "metadata/default/a", ["default.b"] = "metadata/default/a/sub" });

        var error = Assert.Throws<FacebergException>(() => new LocalCatalog(CatalogDir, new Faceberg.Core.Iceberg.Io.LocalFileIO())
            .DropTableAsync(Id("default.b"), purge: true).GetAwaiter().GetResult());
        Assert.Equal("CatalogCorrupt", error.ErrorId);
        Assert.True(File.Exists(Path.Combine(a, "keep.txt")));
    }

    [Fact]
    public void Purge_does_not_follow_a_symbolic_link_out_of_the_catalog()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "precious.txt"), "not the catalog's");
        Directory.CreateDirectory(Path.Combine(CatalogDir, "metadata", "linked"));
        Directory.CreateSymbolicLink(Path.Combine(CatalogDir, "metadata", "linked", "t"), outside);
        WriteEntries(new() { ["linked.t"] = "metadata/linked/t" });

        var error = Assert.Throws<FacebergException>(() => JsonCatalog.Open(CatalogDir).DropTable(Id("linked.t"), purge: true));
        Assert.Equal("UnsafeTableLocation", error.ErrorId);
        Assert.True(File.Exists(Path.Combine(outside, "precious.txt")));
    }

    [Fact]
    public void Create_refuses_a_folder_that_holds_a_kept_table_and_leaves_it()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var location = catalog.CreateTable(Id("default.t"));
        Directory.CreateDirectory(Path.Combine(location, "metadata"));
        File.WriteAllText(Path.Combine(location, "metadata", "v1.metadata.json"), "{}");
        catalog.DropTable(Id("default.t"), purge: false);

        Assert.Equal(location, catalog.KeptTableFolder(Id("default.t")));
        var error = Assert.Throws<FacebergException>(() => catalog.CreateTable(Id("default.t")));
        Assert.Equal(("TableFolderInUse", FacebergErrorKind.AlreadyExists), (error.ErrorId, error.Kind));
        Assert.Contains(location, error.Message);
        Assert.True(File.Exists(Path.Combine(location, "metadata", "v1.metadata.json")));
        Assert.False(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
    }

    [Fact]
    public void A_lock_left_by_a_dead_process_is_broken_at_once()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var dead = DeadProcess();
        File.WriteAllText(Path.Combine(CatalogDir, JsonCatalog.LockFileName), JsonSerializer.Serialize(new
        {
            Pid = dead.Pid, Start = dead.Start, Host = Environment.MachineName, Since = DateTimeOffset.UtcNow,
        }));
        catalog.LockTimeout = TimeSpan.Zero;
        catalog.CreateTable(Id("default.t"));
        Assert.True(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
    }

    [Fact]
    public void A_live_holder_is_waited_for_boundedly_and_named()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        // A live process on this host other than this one holds the lock.
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(Path.Combine(CatalogDir, JsonCatalog.LockFileName), JsonSerializer.Serialize(new
            {
                Pid = sleeper.Id, Start = new DateTimeOffset(sleeper.StartTime.ToUniversalTime(), TimeSpan.Zero),
                Host = Environment.MachineName, Since = DateTimeOffset.UtcNow,
            }));
            catalog.LockTimeout = TimeSpan.FromMilliseconds(200);
            var error = Assert.Throws<CatalogConflictException>(() => catalog.CreateTable(Id("default.t")));
            Assert.Contains($"process {sleeper.Id} on host '{Environment.MachineName}'", error.Message);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void A_creation_whose_process_died_before_its_version_hint_is_rolled_back()
    {
        JsonCatalog.Create(CatalogDir);
        var dead = DeadProcess();
        Directory.CreateDirectory(Path.Combine(CatalogDir, "metadata", "default", "t", "metadata"));
        File.WriteAllText(Path.Combine(CatalogDir, "metadata", "default", "t", "metadata", "v1.metadata.json"), "{}");
        WriteEntries(new() { ["default.t"] = "metadata/default/t", ["default.done"] = "metadata/default/done" });
        Directory.CreateDirectory(Path.Combine(CatalogDir, CreationMarkers.FolderName));
        File.WriteAllText(Path.Combine(CatalogDir, CreationMarkers.FolderName, "default.t.json"), JsonSerializer.Serialize(
            new CreationMarkers.Marker("default.t", "metadata/default/t", dead.Pid, dead.Start, Environment.MachineName, DateTimeOffset.UtcNow)));

        var catalog = JsonCatalog.Open(CatalogDir);
        Assert.Equal([Id("default.done")], catalog.ListTables());
        Assert.False(Directory.Exists(Path.Combine(CatalogDir, "metadata", "default", "t")));
        Assert.False(Directory.Exists(Path.Combine(CatalogDir, CreationMarkers.FolderName)));
        catalog.CreateTable(Id("default.t"));
    }

    [Fact]
    public void A_creation_in_progress_in_a_live_process_is_left_alone()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.CreateTable(Id("default.t"));
        Assert.True(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
        Assert.True(File.Exists(Path.Combine(CatalogDir, CreationMarkers.FolderName, "default.t.json")));
    }

    [Theory]
    [InlineData("/etc", "UnsafeCatalogLocation")]
    [InlineData("metadata/default/../../x", "CatalogCorrupt")]
    public void A_pulled_catalog_json_naming_a_folder_outside_it_is_refused(string location, string errorId)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["default.x"] = location });
        var error = Assert.Throws<FacebergException>(() => JsonCatalog.RequirePortable("hf://datasets/org/c/catalog.json", bytes));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains("hf://datasets/org/c/catalog.json", error.Message);
        JsonCatalog.RequirePortable("c.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["default.a"] = "metadata/default/a", ["default.b"] = "hf://datasets/org/c/metadata/default/b",
        }));
    }

    [Fact]
    public void A_table_another_live_process_is_creating_cannot_be_removed()
    {
        JsonCatalog.Create(CatalogDir);
        using var creator = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            Directory.CreateDirectory(Path.Combine(CatalogDir, "metadata", "default", "t"));
            WriteEntries(new() { ["default.t"] = "metadata/default/t" });
            Directory.CreateDirectory(Path.Combine(CatalogDir, CreationMarkers.FolderName));
            File.WriteAllText(Path.Combine(CatalogDir, CreationMarkers.FolderName, "default.t.json"), JsonSerializer.Serialize(
                new CreationMarkers.Marker("default.t", "metadata/default/t", creator.Id, CatalogLock.ProcessStart(creator.Id),
                    Environment.MachineName, DateTimeOffset.UtcNow)));

            var error = Assert.Throws<FacebergException>(() => JsonCatalog.Open(CatalogDir).DropTable(Id("default.t"), purge: true));

            Assert.Equal(("TableBeingCreated", FacebergErrorKind.Conflict), (error.ErrorId, error.Kind));
            Assert.Contains(creator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
            Assert.True(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
            Assert.True(Directory.Exists(Path.Combine(CatalogDir, "metadata", "default", "t")));
        }
        finally
        {
            creator.Kill();
            creator.WaitForExit();
        }
        // Its creator gone, the creation is rolled back on the next open.
        Assert.False(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
    }

    [Fact]
    public void A_creation_of_this_process_can_be_dropped_by_it()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.CreateTable(Id("default.t"));
        JsonCatalog.Open(CatalogDir).DropTable(Id("default.t"), purge: true);
        Assert.False(JsonCatalog.Open(CatalogDir).TableExists(Id("default.t")));
        Assert.False(Directory.Exists(Path.Combine(CatalogDir, "metadata", "default", "t")));
    }

    private static (int Pid, DateTimeOffset Start) DeadProcess()
    {
        // The process must still run while its start time is read (/proc/<pid>/stat), so it is killed afterwards.
        using var process = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var start = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        var pid = process.Id;
        process.Kill();
        process.WaitForExit();
        return (pid, start);
    }
}
