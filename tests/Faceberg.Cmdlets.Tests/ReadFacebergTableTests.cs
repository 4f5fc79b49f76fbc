using System.Collections;
using System.Management.Automation;
using Faceberg.Cmdlets.Tests.Hosting;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.LocalHub;
using Faceberg.TestData;

namespace Faceberg.Cmdlets.Tests;

/// <summary>
/// Read-FacebergTable, Get-FacebergSnapshot and Remove-FacebergTable in a hosted engine, over tables
/// whose data files live in a local Hub (hf:// URIs read over HTTP through HF_ENDPOINT).
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ReadFacebergTableTests : IDisposable
{
    private const string Repo = "demo/reviews";
    private const string Train0 = "data/train-00000-of-00002.parquet";
    private const string Train1 = "data/train-00001-of-00002.parquet";
    private const string Test0 = "data/test-00000-of-00001.parquet";
    private const string Big = "data/big-00000.parquet";
    private readonly TempProject _project = new();
    private readonly LocalHubServer _hub;
    private readonly EnvironmentScope _environment;
    private readonly PowerShellHost _shell;
    private readonly string _sha;
    private readonly Snapshot _trainSnapshot;

    public ReadFacebergTableTests()
    {
        _hub = LocalHubServer.Start(new LocalHubOptions { RootPath = _project.PathOf("hub") });
        _environment = new EnvironmentScope().Set("HF_ENDPOINT", _hub.Endpoint).Set("HF_TOKEN", "hf_read_tests");
        _project.WriteConfig();
        _project.AddTables("default.reviews_default", "default.other_default", "default.big_default");
        var files = new Dictionary<string, byte[]>
        {
            [Train0] = SampleParquet.Write(300, startId: 0, rowGroupSize: 100),
            [Train1] = SampleParquet.Write(300, startId: 300),
            [Test0] = SampleParquet.Write(200, startId: 600),
            // More rows than one batch of objects built ahead, in row groups of 1,000.
            [Big] = SampleParquet.Write(2500, startId: 1000, rowGroupSize: 1000),
        };
        _hub.Store.CreateRepo(Repo);
        _sha = _hub.Store.Commit(Repo, files, null, "data");
        _trainSnapshot = CreateTable("reviews_default", files, [Train0, Train1], [Test0]).GetAwaiter().GetResult();
        CreateTable("other_default", files, [Train1], []).GetAwaiter().GetResult();
        CreateTable("big_default", files, [Big], []).GetAwaiter().GetResult();
        _shell = new PowerShellHost(_project.Root);
    }

    public void Dispose()
    {
        _shell.Dispose();
        _hub.Dispose();
        _environment.Dispose();
        _project.Dispose();
    }

    private string Uri(string path) => new HfUri(Repo, _sha, path).ToString();

    /// <summary>A table in the Faceberg shape (file columns + split, identity-partitioned by split): one snapshot for train files, one for test files.</summary>
    private async Task<Snapshot> CreateTable(string name, Dictionary<string, byte[]> files, string[] train, string[] test)
    {
        var facts = new Dictionary<string, ParquetFileFacts>();
        foreach (var (path, bytes) in files)
            facts[path] = await ParquetFileInspector.InspectAsync(new MemoryStream(bytes), Uri(path));
        var fileSchema = facts[Train0].Schema;
        var schema = new Schema(0, fileSchema.Fields.Append(NestedField.Optional(fileSchema.HighestFieldId + 1, "split", PrimitiveType.String)));
        var table = await IcebergTable.CreateAsync(new LocalFileIO(), _project.PathOf(".faceberg", "metadata", "default", name), schema, PartitionSpec.Identity(schema, "split"));
        var revision = new Dictionary<string, string> { ["faceberg.revision"] = _sha };
        var first = await table.NewAppend().AddFiles(train.Select(p => facts[p].ToDataFile(schema, ["train"], Uri(p)))).CommitAsync(revision);
        if (test.Length > 0)
        {
            await Task.Delay(10);
            await table.NewAppend().AddFiles(test.Select(p => facts[p].ToDataFile(schema, ["test"], Uri(p)))).CommitAsync(revision);
        }
        return first;
    }

    private IReadOnlyList<string> OpenedFiles() => _hub.RequestLog.Entries
        .Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal))
        .Select(e => System.Uri.UnescapeDataString(e.Path[(e.Path.IndexOf("/resolve/", StringComparison.Ordinal) + "/resolve/".Length)..]))
        .Select(p => p[(p.IndexOf('/') + 1)..])
        .Distinct().Order().ToList();

    private static List<long> Ids(PsResult result) => result.Output.Select(o => o.Prop<long>("id")).ToList();

    [Fact]
    public void Reads_every_row_as_an_object_with_typed_values_in_schema_order()
    {
        var rows = _shell.Run("Read-FacebergTable reviews_default").AssertSuccess().Output;

        Assert.Equal(800, rows.Count);
        var first = rows.Single(r => r.Prop<long>("id") == 1);
        Assert.Contains("Faceberg.Row", first.TypeNames);
        Assert.Equal(["id", "count", "text", "score", "weight", "flag", "label", "comment", "tags", "meta", "split"], first.Properties.Select(p => p.Name));
        Assert.IsType<long>(first.Properties["id"].Value);
        Assert.IsType<float>(first.Properties["weight"].Value);
        Assert.Equal("row 1", first.Prop<string>("text"));
        Assert.Equal(0.5, first.Prop<double>("score"));
        Assert.Equal(["tag0"], (object[])first.Properties["tags"].Value);
        var meta = Assert.IsAssignableFrom<IDictionary>(first.Properties["meta"].Value);
        Assert.Equal("books", meta["source"]);
        Assert.Equal(2001, meta["year"]);
        Assert.Equal("train", first.Prop<string>("split"));
        Assert.Equal(200, rows.Count(r => r.Prop<string>("split") == "test"));
        Assert.Null(rows.Single(r => r.Prop<long>("id") == 5).Properties["comment"].Value);
    }

    [Fact]
    public void Split_reads_only_that_splits_files()
    {
        _hub.RequestLog.Clear();
        var result = _shell.Run("Read-FacebergTable reviews_default -Split test").AssertSuccess();

        Assert.Equal(Enumerable.Range(600, 200).Select(i => (long)i), Ids(result).Order());
        Assert.Equal([Test0], OpenedFiles());
    }

    [Fact]
    public void Property_selects_columns_in_the_given_order()
    {
        var rows = _shell.Run("Read-FacebergTable reviews_default -Property text, ID -First 2").AssertSuccess().Output;
        Assert.Equal(2, rows.Count);
        Assert.Equal(["text", "id"], rows[0].Properties.Select(p => p.Name));
    }

    [Fact]
    public void Simple_filter_skips_files_and_returns_matching_rows()
    {
        _hub.RequestLog.Clear();
        var result = _shell.Run("Read-FacebergTable reviews_default -Filter { $_.label -eq 1 -and $_.id -lt 100 } -Verbose").AssertSuccess();

        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 3 == 1).Select(i => (long)i), Ids(result).Order());
        Assert.Equal([Train0], OpenedFiles());
        Assert.Contains(result.Verbose, v => v.Message.Contains("2 skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void Filters_that_do_not_translate_still_decide_every_row()
    {
        var like = _shell.Run("Read-FacebergTable reviews_default -Filter { $_.text -like 'row 1?' }").AssertSuccess();
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), Ids(like).Order());

        _hub.RequestLog.Clear();
        var mixed = _shell.Run("$limit = 100; Read-FacebergTable reviews_default -Filter { ($_.id -lt $limit) -and $_.text -like '*5' }").AssertSuccess();
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 10 == 5).Select(i => (long)i), Ids(mixed).Order());
        Assert.Equal([Train0], OpenedFiles());

        var strings = _shell.Run("Read-FacebergTable reviews_default -Filter { $_.text -eq 'ROW 7' -or $_.meta.source -eq 'nowhere' }").AssertSuccess();
        Assert.Equal([7L], Ids(strings));
    }

    [Fact]
    public void Filter_translation_handles_reversed_operands_lists_casts_and_null()
    {
        var numeric = _shell.Run("Read-FacebergTable reviews_default -Filter { 100 -gt $_.id -and $_.label -in 1, 2 -and $_.score -ge [double]'10' } -Verbose").AssertSuccess();
        Assert.Equal(Enumerable.Range(20, 80).Where(i => i % 3 != 0).Select(i => (long)i), Ids(numeric).Order());
        var pushed = Assert.Single(numeric.Verbose, v => v.Message.StartsWith("Filter used for pruning", StringComparison.Ordinal)).Message;
        Assert.Contains("id LessThan 100", pushed);
        Assert.Contains("label in (1, 2)", pushed);
        Assert.Contains("score GreaterThanOrEqual 10", pushed);
        Assert.DoesNotContain("scriptblock decides", pushed);

        var nulls = _shell.Run("Read-FacebergTable reviews_default -Split test -Filter { $_.comment -eq $null } -Verbose").AssertSuccess();
        Assert.Equal(Enumerable.Range(600, 200).Where(i => i % 5 == 0).Select(i => (long)i), Ids(nulls).Order());

        var text = _shell.Run("Read-FacebergTable reviews_default -Filter { $_.text -ceq 'row 42' } -Verbose").AssertSuccess();
        Assert.Equal([42L], Ids(text));
        Assert.Contains(text.Verbose, v => v.Message.Contains("scriptblock decides", StringComparison.Ordinal));
    }

    [Fact]
    public void First_stops_early_and_tables_pipe_in_from_Get_FacebergTable()
    {
        Assert.Equal(3, _shell.Run("Read-FacebergTable reviews_default -First 3").AssertSuccess().Output.Count);
        Assert.Equal(2, _shell.Run("Read-FacebergTable reviews_default -First 2 -Filter { $_.text -like '*7' }").AssertSuccess().Output.Count);

        var piped = _shell.Run("Get-FacebergTable | Read-FacebergTable -First 5").AssertSuccess().Output;
        Assert.Equal(15, piped.Count);
    }

    [Fact]
    public void Rows_built_ahead_in_batches_come_in_order_and_a_read_stopped_early_ends()
    {
        var all = _shell.Run("Read-FacebergTable big_default -Property id").AssertSuccess();
        Assert.Equal(Enumerable.Range(1000, 2500).Select(i => (long)i), Ids(all));

        // -First alone: the scan stops at that row, in the second batch and the second row group.
        var some = _shell.Run("Read-FacebergTable big_default -First 1500 -Verbose").AssertSuccess();
        Assert.Equal(Enumerable.Range(1000, 1500).Select(i => (long)i), Ids(some));
        Assert.Contains(some.Verbose, v => v.Message.Contains("2 row groups read", StringComparison.Ordinal));

        // -First with a scriptblock deciding the rows reads no row ahead: its match ends the first row
        // group (ids 1000-1999), so the second is never loaded.
        var first = _shell.Run("Read-FacebergTable big_default -First 1 -Filter { $_.id % 1000 -eq 999 } -Verbose").AssertSuccess();
        Assert.Equal([1999L], Ids(first));
        Assert.Contains(first.Verbose, v => v.Message.Contains("1 row groups read", StringComparison.Ordinal));
    }

    [Fact]
    public void Time_travel_by_snapshot_id_and_by_time()
    {
        var byId = _shell.Run("Read-FacebergTable reviews_default -SnapshotId $args[0]", args: [_trainSnapshot.SnapshotId]).AssertSuccess();
        Assert.Equal(600, byId.Output.Count);

        var asOf = DateTimeOffset.FromUnixTimeMilliseconds(_trainSnapshot.TimestampMs).LocalDateTime;
        var byTime = _shell.Run("Read-FacebergTable reviews_default -AsOf $args[0]", args: [asOf]).AssertSuccess();
        Assert.Equal(600, byTime.Output.Count);

        var before = _shell.Run("Read-FacebergTable reviews_default -AsOf $args[0]", args: [asOf.AddDays(-1)]);
        Assert.Equal("NoSnapshotAsOf,Faceberg.Cmdlets.ReadFacebergTableCommand", before.SingleError().FullyQualifiedErrorId);
    }

    public sealed class EvolvedRow
    {
        [System.Text.Json.Serialization.JsonPropertyName("id")] public long Id { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("body")] public string Body { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("extra")] public long Extra { get; set; }
    }

    [Fact]
    public async Task Reads_old_and_new_files_after_a_rename_an_added_column_and_a_dropped_one()
    {
        // Old files: the sample columns, "text" among them. The table renames text → body (same field id,
        // the mapping keeps the old name), drops "comment", and adds "extra", which only a newer file has.
        var table = await IcebergTable.LoadAsync(new LocalFileIO(), _project.PathOf(".faceberg", "metadata", "default", "other_default"));
        var old = table.Schema;
        var textId = old.FindField("text")!.Id;
        var extraId = old.HighestFieldId + 1;
        var fields = old.Fields.Where(f => f.Name != "comment").Select(f => f.Id == textId ? f with { Name = "body" } : f)
            .Append(NestedField.Optional(extraId, "extra", PrimitiveType.Long));
        var evolved = new Schema(0, fields);
        var mapping = NameMapping.FromSchema(evolved);
        mapping = new NameMapping(mapping.Fields.Select(m => m.FieldId == textId ? m with { Names = ["body", "text"] } : m).ToArray());
        var location = _project.PathOf(".faceberg", "metadata", "default", "evolved_default");
        var evolvedTable = await IcebergTable.CreateAsync(new LocalFileIO(), location, evolved, PartitionSpec.Identity(evolved, "split"),
            new Dictionary<string, string> { [NameMapping.PropertyKey] = mapping.ToJson() });
        var files = await table.PlanFilesAsync();
        await evolvedTable.NewAppend().AddFiles(files).CommitAsync();

        using var buffer = new MemoryStream();
        await Parquet.Serialization.ParquetSerializer.SerializeAsync(new[] { new EvolvedRow { Id = 5000, Body = "new body", Extra = 7 } }, buffer);
        var newPath = "data/train-extra.parquet";
        var sha = _hub.Store.Commit(Repo, new Dictionary<string, byte[]> { [newPath] = buffer.ToArray() }, null, "new file");
        var newUri = new HfUri(Repo, sha, newPath).ToString();
        var facts = await ParquetFileInspector.InspectAsync(new MemoryStream(buffer.ToArray()), newUri);
        await evolvedTable.NewAppend().AddFile(facts.ToDataFile(evolved, ["train"], newUri)).CommitAsync();
        var catalog = _project.PathOf(".faceberg", "catalog.json");
        File.WriteAllText(catalog, File.ReadAllText(catalog).Replace("{\n", "{\n  \"default.evolved_default\": \"metadata/default/evolved_default\",\n"));

        var rows = _shell.Run("Read-FacebergTable evolved_default").AssertSuccess().Output;

        Assert.Equal(301, rows.Count);
        Assert.DoesNotContain(rows[0].Properties, p => p.Name is "comment" or "text");
        var oldRow = rows.Single(r => r.Prop<long>("id") == 301);
        Assert.Equal("row 301", oldRow.Prop<string>("body"));
        Assert.Null(oldRow.Properties["extra"].Value);
        var newRow = rows.Single(r => r.Prop<long>("id") == 5000);
        Assert.Equal("new body", newRow.Prop<string>("body"));
        Assert.Equal(7L, newRow.Prop<long>("extra"));
        Assert.Null(newRow.Properties["score"].Value);
        Assert.Equal("train", newRow.Prop<string>("split"));
    }

    [Fact]
    public async Task A_column_name_matching_several_columns_ignoring_case_is_an_error_naming_them()
    {
        // The sample table plus a column "Text" beside its "text": -Property TEXT cannot choose.
        var table = await IcebergTable.LoadAsync(new LocalFileIO(), _project.PathOf(".faceberg", "metadata", "default", "other_default"));
        var cased = new Schema(0, table.Schema.Fields.Append(NestedField.Optional(table.Schema.HighestFieldId + 1, "Text", PrimitiveType.String)));
        var location = _project.PathOf(".faceberg", "metadata", "default", "cased_default");
        var casedTable = await IcebergTable.CreateAsync(new LocalFileIO(), location, cased, PartitionSpec.Identity(cased, "split"),
            new Dictionary<string, string> { [NameMapping.PropertyKey] = NameMapping.FromSchema(cased).ToJson() });
        await casedTable.NewAppend().AddFiles(await table.PlanFilesAsync()).CommitAsync();
        var catalog = _project.PathOf(".faceberg", "catalog.json");
        File.WriteAllText(catalog, File.ReadAllText(catalog).Replace("{\n", "{\n  \"default.cased_default\": \"metadata/default/cased_default\",\n"));

        var error = _shell.Run("Read-FacebergTable cased_default -Property TEXT -First 1").SingleError();
        Assert.Equal("AmbiguousColumn,Faceberg.Cmdlets.ReadFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Contains("'text', 'Text'", error.Exception.Message);

        // The exact names still choose: "Text" is the new column, null in the old files; "text" has the rows' text.
        Assert.Null(Assert.Single(_shell.Run("Read-FacebergTable cased_default -Property Text -First 1").AssertSuccess().Output).Properties["Text"].Value);
        Assert.NotNull(Assert.Single(_shell.Run("Read-FacebergTable cased_default -Property text -First 1").AssertSuccess().Output).Prop<string>("text"));
    }

    [Fact]
    public void Problems_are_non_terminating_errors_with_stable_ids()
    {
        var missing = _shell.Run("Read-FacebergTable nosuch, reviews_default -First 1");
        Assert.Single(missing.Output);
        Assert.Equal("TableNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand", missing.SingleError().FullyQualifiedErrorId);

        var column = _shell.Run("Read-FacebergTable reviews_default -Property nope");
        var error = column.SingleError();
        Assert.Equal("ColumnNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);

        var split = _shell.Run("Read-FacebergTable reviews_default -Split nosuch").AssertSuccess();
        Assert.Empty(split.Output);
    }

    [Fact]
    public void Table_names_complete_for_the_read_cmdlets()
    {
        foreach (var command in new[] { "Read-FacebergTable", "Get-FacebergSnapshot", "Remove-FacebergTable" })
        {
            var completions = _shell.Run($"""
                $line = '{command} rev'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText
                """).AssertSuccess().Output.Select(o => o.BaseObject as string).ToList();
            Assert.Equal(["reviews_default"], completions);
        }
    }

    [Fact]
    public void Get_FacebergSnapshot_lists_history_oldest_first()
    {
        var snapshots = _shell.Run("Get-FacebergTable reviews_default | Get-FacebergSnapshot").AssertSuccess().Objects("Faceberg.Snapshot");

        Assert.Equal(2, snapshots.Count);
        var (train, test) = (snapshots[0], snapshots[1]);
        Assert.Equal(_trainSnapshot.SnapshotId, train.Prop<long>("SnapshotId"));
        Assert.Equal("default.reviews_default", train.Prop<string>("Table"));
        Assert.Null(train.Prop<long?>("ParentId"));
        Assert.Equal("append", train.Prop<string>("Operation"));
        Assert.Equal(_sha, train.Prop<string>("Revision"));
        Assert.Equal(2, train.Prop<long>("AddedFiles"));
        Assert.Equal(600, train.Prop<long>("AddedRecords"));
        Assert.Equal(600, train.Prop<long>("TotalRecords"));
        Assert.False(train.Prop<bool>("IsCurrent"));
        Assert.Equal(train.Prop<long>("SnapshotId"), test.Prop<long>("ParentId"));
        Assert.Equal(800, test.Prop<long>("TotalRecords"));
        Assert.True(test.Prop<bool>("IsCurrent"));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(_trainSnapshot.TimestampMs), train.Prop<DateTimeOffset>("Timestamp"));
    }

    [Fact]
    public void Remove_FacebergTable_asks_first_honours_WhatIf_and_purges_only_metadata()
    {
        var catalogFile = _project.PathOf(".faceberg", "catalog.json");
        var folder = _project.PathOf(".faceberg", "metadata", "default", "reviews_default");

        _shell.Run("Remove-FacebergTable reviews_default -WhatIf").AssertSuccess();
        Assert.Contains("reviews_default", File.ReadAllText(catalogFile));

        var confirm = _shell.Run("(Get-Command Remove-FacebergTable).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact").AssertSuccess();
        Assert.Equal("High", confirm.Output.Single().ToString());

        _shell.Run("Remove-FacebergTable reviews_default -Confirm:$false").AssertSuccess();
        Assert.DoesNotContain("reviews_default", File.ReadAllText(catalogFile));
        Assert.True(Directory.Exists(folder));

        _shell.Run("Get-FacebergTable other_default | Remove-FacebergTable -Purge -Confirm:$false").AssertSuccess();
        Assert.DoesNotContain("other_default", File.ReadAllText(catalogFile));
        Assert.False(Directory.Exists(_project.PathOf(".faceberg", "metadata", "default", "other_default")));
        // The dataset's files are still served.
        Assert.Equal(4, _hub.Store.GetFiles(Repo, _sha).Count(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)));

        var gone = _shell.Run("Remove-FacebergTable reviews_default -Confirm:$false");
        Assert.Equal("TableNotFound,Faceberg.Cmdlets.RemoveFacebergTableCommand", gone.SingleError().FullyQualifiedErrorId);
    }
}
