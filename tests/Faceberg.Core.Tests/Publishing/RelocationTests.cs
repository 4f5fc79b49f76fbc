using System.Text;
using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Catalog.Publishing;
using Faceberg.Core.Catalog.Relocation;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Datasets;

namespace Faceberg.Core.Tests.Publishing;

/// <summary>Relocating a local catalog's tables: published to a repo, or repaired after the folder was copied or moved.</summary>
public sealed class RelocationTests(PublishHubFixture fixture) : IClassFixture<PublishHubFixture>
{
    private const string Table = "default.flat_default";
    private DatasetTestHub Hub => fixture.Hub;

    [Fact]
    public async Task Publishing_a_local_catalog_relocates_every_table_file_to_the_repo_with_its_history()
    {
        var context = fixture.NewProject(repo: null);
        await fixture.CreateTablesAsync(context);
        var before = await PublishHubFixture.LoadTableAsync(context, Table);
        await before.UpdatePropertiesAsync(new Dictionary<string, string> { ["owner"] = "data-team" });
        var rows = await Rows(before);
        var snapshots = before.Metadata.Snapshots.Select(s => s.SnapshotId).ToList();
        var folder = Path.Combine(context.Location.Path, "metadata", "default", "flat_default");
        var localLocation = before.Location;
        Assert.StartsWith("file://", localLocation);
        var originalManifestList = File.ReadAllBytes(LocalOf(before.CurrentSnapshot!.ManifestList, localLocation, folder));
        var repo = PublishHubFixture.NewRepo();

        var published = await new CatalogPublisher(Hub.Client).PublishAsync(context, new PublishOptions { Repository = repo });

        var root = $"hf://datasets/{repo}/metadata/default/flat_default";
        Assert.True(published.RepositoryCreated);
        Assert.Equal(2, fixture.CommitCount(repo)); // the repo's initial commit and the publish
        foreach (var path in published.Uploaded)
        {
            var remote = Hub.Server.Store.ReadFile(repo, "main", path);
            Assert.Equal(File.ReadAllBytes(CatalogFiles.Enumerate(context.Location.Path, context.ConfigPath)[path]), remote);
            if (path.EndsWith(".json", StringComparison.Ordinal) || path.EndsWith(".avro", StringComparison.Ordinal))
                Assert.DoesNotContain("file://", Encoding.UTF8.GetString(path.EndsWith(".avro", StringComparison.Ordinal) ? Inflated(remote, path) : remote));
        }
        using (var v3 = JsonDocument.Parse(Hub.Server.Store.ReadFile(repo, "main", "metadata/default/flat_default/metadata/v3.metadata.json")))
        {
            Assert.Equal(root, v3.RootElement.GetProperty("location").GetString());
            Assert.All(v3.RootElement.GetProperty("metadata-log").EnumerateArray(), e => Assert.StartsWith(root + "/metadata/v", e.GetProperty("metadata-file").GetString()));
            Assert.Equal(snapshots, v3.RootElement.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("snapshot-id").GetInt64()));
        }
        // Avro files keep their schema and Iceberg header keys; manifest lengths follow the rewritten manifests.
        var listPath = before.CurrentSnapshot!.ManifestList[(localLocation.Length + 1)..];
        var list = Hub.Server.Store.ReadFile(repo, "main", "metadata/default/flat_default/" + listPath);
        Assert.Equal(AvroContainer.ReadHeaderMetadata(originalManifestList, "original")["avro.schema"], AvroContainer.ReadHeaderMetadata(list, "published")["avro.schema"]);
        Assert.Equal(Keys(originalManifestList), Keys(list));
        foreach (var manifest in ManifestListIO.Read(list, listPath))
        {
            Assert.StartsWith(root + "/metadata/", manifest.ManifestPath);
            Assert.Equal(manifest.ManifestLength, Hub.Server.Store.ReadFile(repo, "main", "metadata/default/flat_default" + manifest.ManifestPath[root.Length..]).Length);
        }

        // The folder is now the repo's working copy: its tables are located at the repo and read the same rows.
        var copy = fixture.Load(Path.GetDirectoryName(context.ConfigPath)!);
        Assert.Equal(repo, copy.Repository);
        var working = await PublishHubFixture.LoadTableAsync(copy, Table);
        Assert.Equal(root, working.Location);
        Assert.Equal(rows, await Rows(working));
        Assert.Equal(false, Assert.Single(await copy.ListTablesAsync()).AheadOfPublished);
        var onHub = (await new HubCatalog(Hub.Client, repo).LoadTableAsync(TableIdentifier.Parse(Table))).Table;
        Assert.Equal(rows, await Rows(onHub));
        Assert.Equal(snapshots, onHub.Metadata.Snapshots.Select(s => s.SnapshotId));
    }

    [Fact]
    public async Task A_copied_catalog_is_refused_until_repaired_and_never_touches_the_original()
    {
        var context = fixture.NewProject(repo: null);
        await fixture.CreateTablesAsync(context);
        var rows = await Rows(await PublishHubFixture.LoadTableAsync(context, Table));
        var original = Path.GetDirectoryName(context.ConfigPath)!;
        var copyFolder = fixture.NewFolder();
        CopyDirectory(original, copyFolder);
        // The original is gone: any read of it would fail, any write would recreate it.
        Directory.Delete(original, recursive: true);
        var copy = fixture.Load(copyFolder);
        var before = Snapshot(copy.Location.Path);

        var refused = await Assert.ThrowsAsync<FacebergException>(() => PublishHubFixture.LoadTableAsync(copy, Table));

        Assert.Equal(("CatalogRelocated", FacebergErrorKind.InvalidData), (refused.ErrorId, refused.Kind));
        Assert.Contains(Path.Combine(original, ".faceberg"), refused.Message);
        Assert.Contains(copy.Location.Path, refused.Message);
        Assert.Contains("Repair-FacebergCatalog", refused.Message);
        var misplaced = Assert.Single(await CatalogRelocation.FindMisplacedAsync(copy.Location.Path, copy.PublishedRoot));
        Assert.Equal(Table, misplaced.Identifier.ToString());

        var planned = Assert.Single(await CatalogRelocation.RepairAsync(copy.Location.Path, copy.PublishedRoot, whatIf: true));
        Assert.Null(planned.MetadataVersion);
        Assert.Equal(before, Snapshot(copy.Location.Path));

        var repaired = Assert.Single(await CatalogRelocation.RepairAsync(copy.Location.Path, copy.PublishedRoot));

        Assert.Equal(3, repaired.MetadataVersion);
        var table = await PublishHubFixture.LoadTableAsync(copy, Table);
        Assert.Equal(3, table.Version);
        var folder = Path.Combine(copy.Location.Path, "metadata", "default", "flat_default");
        Assert.Equal(TableLocation.Local(folder).Uri, table.Location);
        Assert.StartsWith(table.Location + "/metadata/", table.CurrentSnapshot!.ManifestList);
        Assert.Contains(table.Metadata.MetadataLog, e => e.MetadataFile == table.Location + "/metadata/v2.metadata.json");
        Assert.Equal(rows, await Rows(table));
        // An independent reader follows the repaired metadata inside the copy (the original folder is gone).
        var dump = await new Interop.IcebirdReader().ReadAsync(table.Location, new Interop.IcebirdReadOptions { HfEndpoint = Hub.Server.Endpoint });
        Assert.Equal("v3.metadata.json", dump.MetadataFile);
        Assert.Equal(table.Location, dump.Location);
        Assert.Equal((await table.PlanFilesAsync()).Select(f => f.FilePath).Order(StringComparer.Ordinal),
            dump.CurrentSnapshot!.LiveDataFiles.Select(f => f.FilePath).Order(StringComparer.Ordinal));
        Assert.Equal(rows.Count, dump.Rows.Count);
        // Nothing that existed changed (but the version hint); the new version's files are new.
        var after = Snapshot(copy.Location.Path);
        foreach (var (path, hash) in before.Where(f => !f.Key.EndsWith(IcebergTable.VersionHintFile, StringComparison.Ordinal)))
            Assert.Equal(hash, after[path]);
        Assert.False(Directory.Exists(original));
        Assert.Empty(await CatalogRelocation.RepairAsync(copy.Location.Path, copy.PublishedRoot));

        // The repaired copy commits in its own folder.
        await table.UpdatePropertiesAsync(new Dictionary<string, string> { ["owner"] = "copy" });
        Assert.Equal(4, (await PublishHubFixture.LoadTableAsync(copy, Table)).Version);
        Assert.False(Directory.Exists(original));
    }

    [Fact]
    public async Task A_catalog_with_a_repo_is_never_misplaced_when_copied()
    {
        var context = fixture.NewProject(PublishHubFixture.NewRepo());
        await fixture.CreateTablesAsync(context);
        var copyFolder = fixture.NewFolder();
        CopyDirectory(Path.GetDirectoryName(context.ConfigPath)!, copyFolder);
        var copy = fixture.Load(copyFolder);

        Assert.Empty(await CatalogRelocation.FindMisplacedAsync(copy.Location.Path, copy.PublishedRoot));
        Assert.NotNull((await PublishHubFixture.LoadTableAsync(copy, Table)).CurrentSnapshot);
    }

    [Fact]
    public void Path_rewrites_match_the_location_and_what_is_under_it_only()
    {
        var from = TableLocation.Local(Path.Combine(Path.GetTempPath(), "a", "t"));
        var rewrite = new PathRewrite(from.Uri, "hf://datasets/o/c/metadata/default/t");

        Assert.Equal("hf://datasets/o/c/metadata/default/t", rewrite.Apply(from.Uri));
        Assert.Equal("hf://datasets/o/c/metadata/default/t/metadata/x.avro", rewrite.Apply(from.Uri + "/metadata/x.avro"));
        Assert.Equal("hf://datasets/o/c/metadata/default/t/metadata/x.avro", rewrite.Apply(from.LocalPath!.Replace('\\', '/') + "/metadata/x.avro"));
        Assert.Equal(from.Uri + "2/metadata/x.avro", rewrite.Apply(from.Uri + "2/metadata/x.avro"));
        Assert.Equal("hf://datasets/demo/d/data.parquet", rewrite.Apply("hf://datasets/demo/d/data.parquet"));
    }

    [Fact]
    public void Records_are_rewritten_whatever_their_shape_and_references_out_of_the_folder_are_never_followed()
    {
        var root = fixture.NewFolder();
        var folder = Path.Combine(root, "t");
        Directory.CreateDirectory(Path.Combine(folder, "metadata"));
        var from = TableLocation.Local(Path.Combine(Path.GetTempPath(), "elsewhere", "t")).Uri;
        File.WriteAllText(Path.Combine(folder, "metadata", "chain.json"),
            $$"""{"format": 9, "nested": [{"previous": "{{from}}/metadata/older.json"}], "escape": "{{from}}/../outside.json", "data": "hf://datasets/demo/d/a.parquet"}""");
        File.WriteAllText(Path.Combine(folder, "metadata", "older.json"), $$"""{"path": "{{from}}/metadata/x.avro"}""");
        var outside = Path.Combine(root, "outside.json");
        File.WriteAllText(outside, $$"""{"path": "{{from}}/metadata/x.avro"}""");

        var files = TableRelocator.RewriteAll(folder, new PathRewrite(from, "hf://datasets/o/c/metadata/default/t"));

        Assert.Equal(["/metadata/chain.json", "/metadata/older.json"], files.Select(f => f.Rest));
        var chain = JsonDocument.Parse(files[0].Content).RootElement;
        Assert.Equal("hf://datasets/o/c/metadata/default/t/metadata/older.json", chain.GetProperty("nested")[0].GetProperty("previous").GetString());
        Assert.Equal("hf://datasets/o/c/metadata/default/t/../outside.json", chain.GetProperty("escape").GetString());
        Assert.Equal("hf://datasets/demo/d/a.parquet", chain.GetProperty("data").GetString());
        Assert.Equal(9, chain.GetProperty("format").GetInt32());
        Assert.Contains(from, File.ReadAllText(outside));
    }

    private static async Task<List<string>> Rows(IcebergTable table)
    {
        var rows = new List<string>();
        await foreach (var row in new TableScan(table).ReadAsync())
            rows.Add(string.Join("|", row.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
        rows.Sort(StringComparer.Ordinal);
        Assert.NotEmpty(rows);
        return rows;
    }

    private static string LocalOf(string path, string location, string folder) =>
        Path.Combine(folder, path[(location.Length + 1)..].Replace('/', Path.DirectorySeparatorChar));

    private static IReadOnlyList<string> Keys(byte[] avro) => AvroContainer.ReadHeaderMetadata(avro, "avro").Keys.Order(StringComparer.Ordinal).ToList();

    private static byte[] Inflated(byte[] avro, string path)
    {
        var content = AvroContainer.Read(avro, path);
        return Encoding.UTF8.GetBytes(string.Join("\n", content.Records.Select(r => r.ToString())));
    }

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => AtomicFile.Hash(File.ReadAllBytes(f)));

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
