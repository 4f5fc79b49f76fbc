using System.Diagnostics;
using System.Text.Json;
using Faceberg.Core.Catalog;

namespace Faceberg.Core.Tests.Catalog;

public sealed class JsonCatalogTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string CatalogDir => _temp.Combine(".faceberg");

    private static TableIdentifier Id(string text) => TableIdentifier.Parse(text);

    private Dictionary<string, string> ReadCatalogFile() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(CatalogDir, "catalog.json")))!;

    [Fact]
    public void Create_writes_an_empty_dictionary_and_the_default_namespace_folder()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        Assert.Equal("{}", File.ReadAllText(catalog.CatalogFile).Trim());
        Assert.True(Directory.Exists(Path.Combine(CatalogDir, "metadata", "default")));
        Assert.Equal(["default"], catalog.ListNamespaces());
        Assert.Empty(catalog.ListTables());
    }

    [Fact]
    public void Create_refuses_an_existing_catalog_unless_overwriting()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.CreateTable(Id("default.t"));
        var error = Assert.Throws<FacebergException>(() => JsonCatalog.Create(CatalogDir));
        Assert.Equal(("CatalogAlreadyExists", FacebergErrorKind.AlreadyExists), (error.ErrorId, error.Kind));
        Assert.Single(JsonCatalog.Open(CatalogDir).ListTables());

        var replaced = JsonCatalog.Create(CatalogDir, overwrite: true);
        Assert.Empty(replaced.ListTables());
        Assert.False(Directory.Exists(Path.Combine(CatalogDir, "metadata", "default", "t")));
    }

    [Fact]
    public void Tables_are_stored_as_a_flat_dictionary_of_relative_locations()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var location = catalog.CreateTable(Id("default.iris_default"));
        catalog.CreateTable(Id("default.movies_default"));

        Assert.Equal(Path.Combine(CatalogDir, "metadata", "default", "iris_default"), location);
        Assert.True(Directory.Exists(location));
        Assert.Equal(new Dictionary<string, string>
        {
            ["default.iris_default"] = "metadata/default/iris_default",
            ["default.movies_default"] = "metadata/default/movies_default",
        }, ReadCatalogFile());

        var reopened = JsonCatalog.Open(CatalogDir);
        Assert.Equal([Id("default.iris_default"), Id("default.movies_default")], reopened.ListTables());
        Assert.Equal(location, reopened.GetTableLocation(Id("default.iris_default")));
        Assert.True(reopened.TableExists(Id("default.movies_default")));
    }

    [Fact]
    public void Locations_outside_the_catalog_stay_absolute()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var outside = _temp.Combine("elsewhere", "t");
        catalog.CreateTable(Id("default.t"), outside);
        catalog.CreateTable(Id("default.remote"), "hf://datasets/o/r/t");
        Assert.Equal(outside, ReadCatalogFile()["default.t"]);
        Assert.Equal("hf://datasets/o/r/t", JsonCatalog.Open(CatalogDir).GetTableLocation(Id("default.remote")));
    }

    [Fact]
    public void Create_table_errors()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.CreateTable(Id("default.t"));
        Assert.Equal("TableAlreadyExists", Assert.Throws<FacebergException>(() => catalog.CreateTable(Id("default.t"))).ErrorId);
        Assert.Equal("NamespaceNotFound", Assert.Throws<FacebergException>(() => catalog.CreateTable(Id("other.t"))).ErrorId);
    }

    [Fact]
    public void Drop_removes_the_entry_and_with_purge_the_folder()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var kept = catalog.CreateTable(Id("default.kept"));
        var purged = catalog.CreateTable(Id("default.purged"));

        catalog.DropTable(Id("default.kept"));
        catalog.DropTable(Id("default.purged"), purge: true);

        Assert.Empty(ReadCatalogFile());
        Assert.True(Directory.Exists(kept));
        Assert.False(Directory.Exists(purged));
        var error = Assert.Throws<FacebergException>(() => catalog.DropTable(Id("default.kept")));
        Assert.Equal(("TableNotFound", FacebergErrorKind.NotFound), (error.ErrorId, error.Kind));
    }

    [Fact]
    public void Rename_keeps_the_location()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var location = catalog.CreateTable(Id("default.old"));
        catalog.CreateNamespace("archive");

        catalog.RenameTable(Id("default.old"), Id("archive.new"));

        Assert.Equal(new Dictionary<string, string> { ["archive.new"] = "metadata/default/old" }, ReadCatalogFile());
        Assert.Equal(location, catalog.GetTableLocation(Id("archive.new")));
        Assert.Equal("TableNotFound", Assert.Throws<FacebergException>(() => catalog.RenameTable(Id("default.old"), Id("default.x"))).ErrorId);
        catalog.CreateTable(Id("default.other"));
        Assert.Equal("TableAlreadyExists", Assert.Throws<FacebergException>(() => catalog.RenameTable(Id("default.other"), Id("archive.new"))).ErrorId);
    }

    [Fact]
    public void Namespaces_are_folders()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.CreateNamespace("sales");
        Assert.True(Directory.Exists(Path.Combine(CatalogDir, "metadata", "sales")));
        Assert.Equal(["default", "sales"], catalog.ListNamespaces());
        Assert.Equal("NamespaceAlreadyExists", Assert.Throws<FacebergException>(() => catalog.CreateNamespace("sales")).ErrorId);
        Assert.Throws<FacebergException>(() => catalog.CreateNamespace("../escape"));

        catalog.CreateTable(Id("sales.t"));
        Assert.Equal([Id("sales.t")], catalog.ListTables("sales"));
        Assert.Equal("NamespaceNotEmpty", Assert.Throws<FacebergException>(() => catalog.DropNamespace("sales")).ErrorId);
        catalog.DropTable(Id("sales.t"), purge: true);
        catalog.DropNamespace("sales");
        Assert.Equal(["default"], catalog.ListNamespaces());
        Assert.Equal("NamespaceNotFound", Assert.Throws<FacebergException>(() => catalog.DropNamespace("sales")).ErrorId);
    }

    [Fact]
    public void A_change_by_another_instance_is_detected_not_overwritten()
    {
        JsonCatalog.Create(CatalogDir);
        var first = JsonCatalog.Open(CatalogDir);
        var second = JsonCatalog.Open(CatalogDir);

        first.CreateTable(Id("default.from_first"));
        var error = Assert.Throws<CatalogConflictException>(() => second.CreateTable(Id("default.from_second")));

        Assert.Equal(("CatalogConflict", FacebergErrorKind.Conflict), (error.ErrorId, error.Kind));
        Assert.Equal(["default.from_first"], ReadCatalogFile().Keys);
        second = JsonCatalog.Open(CatalogDir);
        second.CreateTable(Id("default.from_second"));
        Assert.Equal(["default.from_first", "default.from_second"], ReadCatalogFile().Keys.Order());
    }

    [Fact]
    public void A_change_by_another_process_is_detected_not_overwritten()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        RunBash($"printf '{{\"default.external\": \"metadata/default/external\"}}\\n' > '{catalog.CatalogFile}'");

        Assert.Throws<CatalogConflictException>(() => catalog.DropTable(Id("default.external")));
        Assert.Equal(["default.external"], ReadCatalogFile().Keys);
    }

    [Fact]
    public void A_lock_held_by_another_process_makes_writers_wait_then_give_up()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        catalog.LockTimeout = TimeSpan.FromMilliseconds(200);
        RunBash($"echo 12345 > '{Path.Combine(CatalogDir, JsonCatalog.LockFileName)}'");

        var error = Assert.Throws<CatalogConflictException>(() => catalog.CreateTable(Id("default.t")));
        Assert.Contains("locked", error.Message);
        Assert.Empty(ReadCatalogFile());

        File.Delete(Path.Combine(CatalogDir, JsonCatalog.LockFileName));
        catalog.CreateTable(Id("default.t"));
        Assert.False(File.Exists(Path.Combine(CatalogDir, JsonCatalog.LockFileName)));
    }

    [Fact]
    public void A_stale_lock_is_taken_over()
    {
        var catalog = JsonCatalog.Create(CatalogDir);
        var lockFile = Path.Combine(CatalogDir, JsonCatalog.LockFileName);
        File.WriteAllText(lockFile, "99999");
        File.SetLastWriteTimeUtc(lockFile, DateTime.UtcNow.AddHours(-1));
        catalog.CreateTable(Id("default.t"));
        Assert.Single(ReadCatalogFile());
    }

    [Fact]
    public void Concurrent_writers_never_lose_an_entry_silently()
    {
        JsonCatalog.Create(CatalogDir);
        var succeeded = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, i =>
        {
            var name = $"t{i}";
            for (var attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    JsonCatalog.Open(CatalogDir).CreateTable(Id("default." + name));
                    succeeded.Add("default." + name);
                    return;
                }
                catch (CatalogConflictException) { }
            }
        });
        Assert.Equal(succeeded.Order(), ReadCatalogFile().Keys.Order());
        Assert.Equal(8, succeeded.Count);
    }

    [Theory]
    [InlineData("[1, 2]", "top level must be an object")]
    [InlineData("{\"default.t\": 3}", "must be a non-empty string")]
    [InlineData("{\"no_namespace\": \"x\"}", "not a valid 'namespace.table'")]
    [InlineData("{ not json", "")]
    public void A_corrupt_catalog_file_is_reported(string content, string problem)
    {
        _temp.Write(".faceberg/catalog.json", content);
        var error = Assert.Throws<FacebergException>(() => JsonCatalog.Open(CatalogDir));
        Assert.Equal(("CatalogCorrupt", FacebergErrorKind.InvalidData), (error.ErrorId, error.Kind));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Open_of_a_missing_catalog_is_not_found()
    {
        var error = Assert.Throws<FacebergException>(() => JsonCatalog.Open(CatalogDir));
        Assert.Equal(("CatalogNotFound", FacebergErrorKind.NotFound), (error.ErrorId, error.Kind));
    }

    private static void RunBash(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
