using System.Net;
using System.Text.Json;

namespace Faceberg.Core.Tests.Interop;

// Proves the wrapper on tables written by Apache Spark and the Iceberg Java library (fixtures in
// tests/interop/fixtures, copied from icebird's repository), so that a failure reading a Faceberg
// table points at Faceberg rather than at the reader.
public class IcebirdReaderTests
{
    private static readonly IcebirdReader Reader = new();

    private static string Fixture(string table) => Path.Combine(IcebirdReader.FixturesDirectory, table);

    private static IcebirdReadOptions FixtureOptions(string table) => new()
    {
        Maps = [new($"s3a://hyperparam-iceberg/{table}", Fixture(table))],
    };

    private static JsonElement ReadMetadataFile(string table, string file) =>
        JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(Fixture(table), "metadata", file)));

    [Fact]
    public async Task Reads_metadata_facts_of_a_partitioned_Spark_table()
    {
        var dump = await Reader.ReadAsync(Fixture("spark/rename_column"), FixtureOptions("spark/rename_column"));

        Assert.Equal("v3.metadata.json", dump.MetadataFile);
        Assert.Equal(2, dump.FormatVersion);
        Assert.Equal("d6d0afa0-5fb3-46e8-94c4-8ea619f9bdd2", dump.TableUuid);
        Assert.Equal("s3a://hyperparam-iceberg/spark/rename_column", dump.Location);
        Assert.Equal(5276958600260276572L, dump.CurrentSnapshotId);
        Assert.Equal("zstd", dump.Properties["write.parquet.compression-codec"]);
        Assert.Equal(
            [(1, "id", "int"), (2, "name", "string"), (3, "event_date", "date"), (4, "price", "decimal(10, 2)"), (5, "active", "boolean")],
            dump.CurrentSchema.Fields.Select(f => (f.Id, f.Name, f.TypeName)));
        Assert.All(dump.CurrentSchema.Fields, f => Assert.False(f.Required));
        Assert.Equal(
            [new IcebirdPartitionField("id_bucket", "bucket[4]", 1, 1000), new IcebirdPartitionField("date", "identity", 3, 1001)],
            dump.DefaultPartitionSpec!.Fields);
        Assert.Equal(
            ReadMetadataFile("spark/rename_column", "v3.metadata.json").GetProperty("last-updated-ms").GetInt64(),
            dump.Metadata.GetProperty("last-updated-ms").GetInt64());
    }

    [Fact]
    public async Task Reads_partition_values_counts_and_sizes_from_the_manifests()
    {
        var table = "spark/rename_column";
        var dump = await Reader.ReadAsync(Fixture(table), FixtureOptions(table) with { Rows = 0 });

        Assert.Empty(dump.Rows);
        var snapshot = Assert.Single(dump.Snapshots);
        Assert.Equal("append", snapshot.Summary["operation"]);
        var files = snapshot.LiveDataFiles.OrderBy(f => f.FilePath, StringComparer.Ordinal).ToList();
        Assert.Equal(["2022-01-01T00:00:00.000Z", "2022-01-02T00:00:00.000Z", null], files.Select(f => f.PartitionString("date")));
        Assert.Equal(["0", "2", "3"], files.Select(f => f.PartitionString("id_bucket")));
        Assert.Equal([2L, 1L, 1L], files.Select(f => f.RecordCount));
        Assert.Equal(long.Parse(snapshot.Summary["total-records"]), files.Sum(f => f.RecordCount));
        foreach (var file in files)
        {
            var local = Path.Combine(Fixture(table), "data", string.Join('/', file.FilePath.Split('/')[^3..]));
            Assert.Equal(new FileInfo(local).Length, file.FileSizeInBytes);
            Assert.Equal("PARQUET", file.FileFormat);
        }

        // Iceberg's single-value encoding: int id 3 as 4 little-endian bytes, strings as UTF-8.
        var cottontail = files.Single(f => f.PartitionString("id_bucket") == "3");
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, cottontail.LowerBounds![1]);
        Assert.Equal("Cottontail"u8.ToArray(), cottontail.UpperBounds![2]);
        Assert.Equal(1L, cottontail.NullValueCounts![3]);

        var manifest = Assert.Single(snapshot.Manifests);
        Assert.Equal("data", manifest.HeaderText("content"));
        Assert.Equal("2", manifest.HeaderText("format-version"));
        Assert.Equal(snapshot.SnapshotId, manifest.Entries[0].SnapshotId);
        var listRecord = Assert.Single(snapshot.ManifestListFile.Records);
        Assert.Equal(manifest.Path, listRecord.GetProperty("manifest_path").GetString());
    }

    [Fact]
    public async Task Reads_rows_with_the_current_schema_names()
    {
        var dump = await Reader.ReadAsync(Fixture("spark/rename_column"), FixtureOptions("spark/rename_column"));

        Assert.Equal(dump.CurrentSnapshotId, dump.RowsSnapshotId);
        Assert.Equal(4, dump.Rows.Count);
        Assert.Equal(["id", "name", "event_date", "price", "active"], dump.Rows[0].Keys);
        var flopsy = dump.Rows.Single(r => r["id"].GetInt32() == 1);
        Assert.Equal("Flopsy 🐇", flopsy["name"].GetString());
        Assert.Equal("2022-01-01T00:00:00.000Z", flopsy["event_date"].GetString());
        Assert.Equal(9.99, flopsy["price"].GetDouble());
        Assert.True(flopsy["active"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, dump.Rows.Single(r => r["id"].GetInt32() == 3)["event_date"].ValueKind);
    }

    [Fact]
    public async Task Reads_every_snapshot_and_time_travels_by_snapshot_and_metadata_file()
    {
        var table = "spark/bunnies";
        var expectedIds = ReadMetadataFile(table, "v5.metadata.json").GetProperty("snapshots").EnumerateArray()
            .Select(s => s.GetProperty("snapshot-id").GetInt64()).ToList();

        var current = await Reader.ReadAsync(Fixture(table), FixtureOptions(table));
        Assert.Equal(expectedIds, current.Snapshots.Select(s => s.SnapshotId));
        Assert.Equal(20, current.Rows.Count);
        foreach (var snapshot in current.Snapshots)
        {
            Assert.Equal(long.Parse(snapshot.Summary["total-records"]), snapshot.LiveDataFiles.Sum(f => f.RecordCount));
        }

        Assert.Equal(current.Snapshots[0].SnapshotId, current.Snapshots[1].ParentSnapshotId);

        var first = await Reader.ReadAsync(Fixture(table), FixtureOptions(table) with { SnapshotId = expectedIds[0] });
        Assert.Equal(expectedIds[0], first.RowsSnapshotId);
        Assert.Equal(21, first.Rows.Count);

        var v2 = await Reader.ReadAsync(Fixture(table), FixtureOptions(table) with { MetadataFile = "v2.metadata.json", Rows = 3 });
        Assert.Equal("v2.metadata.json", v2.MetadataFile);
        Assert.Equal(3, v2.Rows.Count);
    }

    [Fact]
    public async Task Reads_hf_uris_through_the_given_endpoint_with_the_token()
    {
        const string token = "hf_interop_endpoint_token";
        var port = FreeLoopbackPort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var paths = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var serving = Task.Run(async () =>
        {
            // A minimal stand-in for the Hub's resolve endpoint over the fixture folder.
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                paths.Enqueue(path);
                const string prefix = "/datasets/org/tables/resolve/abc123/";
                var local = path.StartsWith(prefix, StringComparison.Ordinal)
                    ? Path.Combine(IcebirdReader.FixturesDirectory, Uri.UnescapeDataString(path[prefix.Length..]))
                    : null;
                if (context.Request.Headers["Authorization"] != $"Bearer {token}")
                {
                    context.Response.StatusCode = 401;
                }
                else if (local is null || !File.Exists(local))
                {
                    context.Response.StatusCode = 404;
                }
                else
                {
                    // Whole-file answers to ranged requests are allowed; hyparquet slices them itself.
                    var bytes = await File.ReadAllBytesAsync(local);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }

                context.Response.Close();
            }
        });

        const string table = "hf://datasets/org/tables@abc123/spark/rename_column";
        var dump = await Reader.ReadAsync(table, new IcebirdReadOptions
        {
            HfEndpoint = $"http://127.0.0.1:{port}",
            HfToken = token,
            Maps = [new("s3a://hyperparam-iceberg/spark/rename_column", table)],
        });
        listener.Stop();
        await serving;

        Assert.Equal(table, dump.TableUrl);
        Assert.Equal(4, dump.Rows.Count);
        Assert.Contains("/datasets/org/tables/resolve/abc123/spark/rename_column/metadata/version-hint.text", paths);
        Assert.Contains(paths, p => p.EndsWith(".parquet", StringComparison.Ordinal));
    }

    private static int FreeLoopbackPort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public async Task Reports_icebird_failures_with_its_message_and_without_the_token()
    {
        const string token = "hf_interop_secret_value";
        var missing = Path.Combine(Path.GetTempPath(), "faceberg-no-such-table-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<IcebirdException>(() =>
            Reader.ReadAsync(missing, new IcebirdReadOptions { HfToken = token, HfEndpoint = "http://127.0.0.1:9" }));
        Assert.Contains("exit code 1", error.Message);
        Assert.Contains("version-hint.text", error.Message);
        Assert.DoesNotContain(token, error.Message);
    }

    [Fact]
    public async Task Fails_with_the_install_command_when_icebird_is_not_installed()
    {
        var empty = Directory.CreateTempSubdirectory("faceberg-interop-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(empty, "dump.mjs"), "");
            var reader = new IcebirdReader(empty);
            Assert.Contains("npm ci --prefix", reader.UnavailableReason());
            var error = await Assert.ThrowsAsync<IcebirdException>(() => reader.ReadAsync("anything"));
            Assert.Contains("icebird is not installed", error.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Parses_a_dump_document_with_exact_64_bit_ids_and_base64_bounds()
    {
        const string json = """
        {"tableUrl":"file:///t","metadataFile":"v1.metadata.json","formatVersion":2,"tableUuid":"u","location":"file:///t",
         "currentSnapshotId":9158179788527662767,
         "currentSchema":{"type":"struct","schema-id":0,"fields":[
           {"id":1,"name":"tags","required":true,"type":{"type":"list","element-id":2,"element":"string","element-required":false}}]},
         "defaultPartitionSpec":{"spec-id":0,"fields":[{"name":"split","transform":"identity","source-id":3,"field-id":1000}]},
         "properties":{},"metadata":{},
         "snapshots":[{"snapshot-id":9158179788527662767,"sequence-number":1,"timestamp-ms":5,"manifest-list":"file:///t/m.avro",
           "summary":{"operation":"append"},
           "manifestListFile":{"path":"file:///t/m.avro","header":{"format-version":"2"},"records":[]},
           "manifests":[{"path":"file:///t/x.avro","header":{"content":"data"},"entries":[
             {"status":1,"snapshot_id":9158179788527662767,"sequence_number":1,"file_sequence_number":1,
              "data_file":{"content":0,"file_path":"hf://datasets/o/n@abc/train.parquet","file_format":"PARQUET",
                "partition":{"split":"train"},"record_count":3,"file_size_in_bytes":4096,
                "lower_bounds":[{"key":1,"value":"AAH/"}],"upper_bounds":null,"split_offsets":[4]}}]}]}],
         "rowsSnapshotId":9158179788527662767,"rows":[{"tags":["a",null]}]}
        """;

        var dump = IcebirdTableDump.Parse(json);

        Assert.Equal(9158179788527662767L, dump.CurrentSnapshotId);
        Assert.Same(dump.Snapshots[0], dump.CurrentSnapshot);
        Assert.Equal("list", dump.CurrentSchema.Field("tags").TypeName);
        Assert.True(dump.CurrentSchema.Field("tags").Required);
        var file = Assert.Single(dump.CurrentSnapshot!.LiveDataFiles);
        Assert.Equal("train", file.PartitionString("split"));
        Assert.Equal(new byte[] { 0, 1, 255 }, file.LowerBounds![1]);
        Assert.Null(file.UpperBounds);
        Assert.Equal([4L], file.SplitOffsets);
        Assert.Equal(9158179788527662767L, dump.CurrentSnapshot.Entries.Single().SnapshotId);
        Assert.Equal("2", dump.CurrentSnapshot.ManifestListFile.HeaderText("format-version"));
        Assert.Equal(JsonValueKind.Array, dump.Rows[0]["tags"].ValueKind);
        Assert.Throws<KeyNotFoundException>(() => dump.Snapshot(1));
    }
}
