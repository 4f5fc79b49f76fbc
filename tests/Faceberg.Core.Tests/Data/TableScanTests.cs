using System.Text.Json.Serialization;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Tests.Data;

public sealed class TableScanTests : IDisposable
{
    private const string Repo = "acme/reviews";
    private const string Train0 = "data/train-00000-of-00002.parquet";
    private const string Train1 = "data/train-00001-of-00002.parquet";
    private const string Test0 = "data/test-00000-of-00001.parquet";
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    public sealed class Review
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("label")] public int Label { get; set; }
        [JsonPropertyName("text")] public string Text { get; set; } = "";
    }

    private static List<Review> Reviews(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Review { Id = i, Label = i % 2, Text = $"review {i}" }).ToList();

    /// <summary>Reviews whose text is random (it does not compress), so column chunks and row groups are large
    /// enough to be fetched by separate ranged requests.</summary>
    private static IEnumerable<Review> IncompressibleReviews(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new Review
        {
            Id = i,
            Label = i % 5,
            Text = Convert.ToBase64String(Enumerable.Range(0, 48).Select(_ => (byte)random.Next(256)).ToArray()),
        });
    }

    /// <summary>Three files (train 0-999 in 4 row groups, train 1000-1999, test 2000-2499), committed as one snapshot per split.</summary>
    private async Task<(IcebergTable Table, Dictionary<string, string> Uris, Snapshot Train, Snapshot Test)> ReviewsTable()
    {
        var files = new Dictionary<string, byte[]>
        {
            [Train0] = await ReadFixture.ParquetBytes(Reviews(0, 1000), rowGroupSize: 250),
            [Train1] = await ReadFixture.ParquetBytes(Reviews(1000, 1000)),
            [Test0] = await ReadFixture.ParquetBytes(Reviews(2000, 500)),
        };
        var uris = _f.Seed(Repo, files);
        var facts = await ReadFixture.Inspect(files[Train0], uris[Train0]);
        var (schema, spec) = ReadFixture.SplitTableSchema(facts.Schema);
        var table = await _f.CreateTable("reviews", schema, spec);
        var train = await table.NewAppend()
            .AddFile(await ReadFixture.DataFile(files[Train0], uris[Train0], schema, "train"))
            .AddFile(await ReadFixture.DataFile(files[Train1], uris[Train1], schema, "train"))
            .CommitAsync();
        await Task.Delay(5);
        var test = await table.NewAppend().AddFile(await ReadFixture.DataFile(files[Test0], uris[Test0], schema, "test")).CommitAsync();
        return (table, uris, train, test);
    }

    [Fact]
    public async Task Reads_every_row_with_its_values_and_split()
    {
        var (table, _, _, _) = await ReviewsTable();
        var scan = new TableScan(table);
        var rows = await ReadFixture.ReadAll(scan);

        Assert.Equal(["id", "label", "text", "split"], scan.RowSchema.Names);
        Assert.Equal(2500, rows.Count);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), rows.Select(r => (long)r["id"]!).Order());
        foreach (var row in rows)
        {
            var id = (long)row["id"]!;
            Assert.Equal((int)(id % 2), row["label"]);
            Assert.Equal($"review {id}", row["text"]);
            var split = id < 2000 ? "train" : "test";
            Assert.Equal(split, row["split"]);
            Assert.Equal(split, row.Split);
        }
    }

    [Fact]
    public async Task Split_opens_only_that_splits_files_and_skips_other_manifests()
    {
        var (table, _, _, _) = await ReviewsTable();
        _f.Log.Clear();

        var scan = new TableScan(table, new TableScanOptions { Splits = ["test"] });
        var rows = await ReadFixture.ReadAll(scan);

        Assert.Equal(500, rows.Count);
        Assert.All(rows, r => Assert.Equal("test", r.Split));
        Assert.Equal([Test0], _f.OpenedFiles());
        Assert.Equal(1, scan.Metrics.ManifestsSkipped);
        Assert.Equal(1, scan.Metrics.FilesRead);
    }

    [Fact]
    public async Task Split_on_a_table_without_splits_is_an_argument_error()
    {
        var bytes = await ReadFixture.ParquetBytes(Reviews(0, 10));
        var uris = _f.Seed(Repo, new Dictionary<string, byte[]> { [Train0] = bytes });
        var schema = (await ReadFixture.Inspect(bytes, uris[Train0])).Schema;
        var table = await _f.CreateTable("flat", schema);
        var error = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Splits = ["test"] }));
        Assert.Equal("TableHasNoSplits", error.ErrorId);
    }

    [Fact]
    public async Task Filter_skips_files_by_manifest_bounds_and_row_groups_by_footer_statistics()
    {
        var (table, _, _, _) = await ReviewsTable();
        _f.Log.Clear();

        var scan = new TableScan(table, new TableScanOptions { Filter = Predicate.LessThan("id", 100) });
        var rows = await ReadFixture.ReadAll(scan);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), rows.Select(r => (long)r["id"]!));
        Assert.Equal(2, scan.Metrics.FilesSkipped);
        Assert.Equal(1, scan.Metrics.RowGroupsRead);
        Assert.Equal(3, scan.Metrics.RowGroupsSkipped);
        Assert.Equal([Train0], _f.OpenedFiles());
    }

    [Fact]
    public async Task Filters_combine_with_and_or_and_apply_to_every_row()
    {
        var (table, _, _, _) = await ReviewsTable();

        var both = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions
        {
            Filter = Predicate.And(Predicate.Equal("label", 1), Predicate.LessThan("id", 100)),
        }));
        Assert.Equal(50, both.Count);
        Assert.All(both, r => Assert.Equal(1, r["label"]));

        var either = new TableScan(table, new TableScanOptions
        {
            Filter = Predicate.Or(Predicate.LessThan("id", 10), Predicate.GreaterThanOrEqual("ID", 2490L)),
        });
        var rows = await ReadFixture.ReadAll(either);
        Assert.Equal(20, rows.Count);
        Assert.Equal(1, either.Metrics.FilesSkipped);

        var inList = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Filter = Predicate.In("text", ["review 7", "review 2001"]) }));
        Assert.Equal([7L, 2001L], inList.Select(r => (long)r["id"]!).Order());

        var split = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Filter = Predicate.Equal("split", "test") }));
        Assert.Equal(500, split.Count);
    }

    [Fact]
    public async Task Filter_only_prunes_when_the_caller_filters_rows()
    {
        var (table, _, _, _) = await ReviewsTable();
        var scan = new TableScan(table, new TableScanOptions { Filter = Predicate.LessThan("id", 100), FilterRows = false });
        var rows = await ReadFixture.ReadAll(scan);
        // The one row group that may hold id < 100 is returned whole.
        Assert.Equal(250, rows.Count);
    }

    [Fact]
    public async Task First_n_stops_without_opening_later_files()
    {
        var (table, _, _, _) = await ReviewsTable();
        _f.Log.Clear();

        var scan = new TableScan(table, new TableScanOptions { Limit = 5 });
        var rows = await ReadFixture.ReadAll(scan);

        Assert.Equal(5, rows.Count);
        Assert.Single(_f.OpenedFiles());
        Assert.Equal(1, scan.Metrics.RowGroupsRead);
    }

    [Fact]
    public async Task Each_row_group_costs_one_request_for_all_its_column_chunks()
    {
        var rows = IncompressibleReviews(40_000, seed: 3);
        var bytes = await ReadFixture.ParquetBytes(rows, rowGroupSize: 10_000);
        var uris = _f.Seed(Repo, new Dictionary<string, byte[]> { [Train0] = bytes });
        var facts = await ReadFixture.Inspect(bytes, uris[Train0]);
        Assert.Equal(4, facts.RowGroups.Count);
        var (schema, spec) = ReadFixture.SplitTableSchema(facts.Schema);
        var table = await _f.CreateTable("groups", schema, spec);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(bytes, uris[Train0], schema, "train")).CommitAsync();
        _f.Log.Clear();

        Assert.Equal(40_000, (await ReadFixture.ReadAll(new TableScan(table))).Count);

        // The tail (footer), then one ranged read per row group for all three columns' chunks.
        var ranges = _f.Log.Entries.Where(e => e.Path.EndsWith(Train0, StringComparison.Ordinal)).Select(e => e.Range).ToList();
        Assert.Equal(1 + 4, ranges.Count);
        Assert.Equal("bytes=4-" + (facts.RowGroups[1].StartOffset - 1), ranges[1]);
    }

    [Fact]
    public async Task A_file_costs_its_footer_request_and_one_per_row_group_and_a_small_file_one_request()
    {
        var large = IncompressibleReviews(20_000, seed: 5);
        var files = new Dictionary<string, byte[]>
        {
            [Train0] = await ReadFixture.ParquetBytes(large, rowGroupSize: 10_000),
            [Test0] = await ReadFixture.ParquetBytes(Reviews(0, 100)),
        };
        var uris = _f.Seed(Repo, files);
        var largeFacts = await ReadFixture.Inspect(files[Train0], uris[Train0]);
        Assert.Equal(2, largeFacts.RowGroups.Count);
        // Both row groups start before the tail the stream prefetches, so each needs a request of its own.
        Assert.True(largeFacts.RowGroups[1].StartOffset < files[Train0].Length - _f.Client.Options.TailPrefetchBytes);
        Assert.True(files[Test0].Length <= _f.Client.Options.TailPrefetchBytes);
        var (schema, spec) = ReadFixture.SplitTableSchema(largeFacts.Schema);
        var table = await _f.CreateTable("requests", schema, spec);
        await table.NewAppend()
            .AddFile(await ReadFixture.DataFile(files[Train0], uris[Train0], schema, "train"))
            .AddFile(await ReadFixture.DataFile(files[Test0], uris[Test0], schema, "test"))
            .CommitAsync();
        _f.Log.Clear();

        Assert.Equal(20_100, (await ReadFixture.ReadAll(new TableScan(table))).Count);

        List<string?> Ranges(string path) => _f.Log.Entries.Where(e => e.Path.EndsWith(path, StringComparison.Ordinal)).Select(e => e.Range).ToList();
        var largeRanges = Ranges(Train0);
        Assert.Equal(3, largeRanges.Count);
        Assert.StartsWith("bytes=-", largeRanges[0]);       // the tail with the footer
        Assert.Equal("bytes=4-" + (largeFacts.RowGroups[1].StartOffset - 1), largeRanges[1]);
        Assert.StartsWith("bytes=" + largeFacts.RowGroups[1].StartOffset + "-", largeRanges[2]);
        Assert.Equal(["bytes=-" + _f.Client.Options.TailPrefetchBytes], Ranges(Test0));
    }

    [Fact]
    public async Task A_remote_file_that_is_not_Parquet_still_fails_to_open_though_its_leading_magic_is_not_fetched()
    {
        var parquet = await ReadFixture.ParquetBytes(Reviews(0, 10));
        var random = new Random(11);
        var garbage = new byte[100_000];
        random.NextBytes(garbage);
        garbage[^4..].AsSpan().Clear();
        var uris = _f.Seed(Repo, new Dictionary<string, byte[]> { [Train0] = garbage });
        var facts = await ReadFixture.Inspect(parquet, uris[Train0]);
        var (schema, spec) = ReadFixture.SplitTableSchema(facts.Schema);
        var table = await _f.CreateTable("garbage", schema, spec);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(parquet, uris[Train0], schema, "train")).CommitAsync();

        var e = await Assert.ThrowsAsync<FacebergException>(() => ReadFixture.ReadAll(new TableScan(table)));
        Assert.Equal("InvalidParquetFile", e.ErrorId);
    }

    [Fact]
    public async Task Projection_reads_only_the_requested_columns_chunks()
    {
        var rows = IncompressibleReviews(40_000, seed: 7);
        var bytes = await ReadFixture.ParquetBytes(rows);
        var uris = _f.Seed(Repo, new Dictionary<string, byte[]> { [Train0] = bytes });
        var facts = await ReadFixture.Inspect(bytes, uris[Train0]);
        var (schema, spec) = ReadFixture.SplitTableSchema(facts.Schema);
        var table = await _f.CreateTable("wide", schema, spec);
        await table.NewAppend().AddFile(await ReadFixture.DataFile(bytes, uris[Train0], schema, "train")).CommitAsync();

        _f.Log.Clear();
        var all = await ReadFixture.ReadAll(new TableScan(table));
        var fullBytes = _f.RangeBytes();
        _f.Log.Clear();
        var projected = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = ["label", "split"] }));
        var projectedBytes = _f.RangeBytes();

        Assert.Equal(40_000, all.Count);
        Assert.Equal(40_000, projected.Count);
        Assert.Equal(["label", "split"], projected[0].Schema.Names);
        Assert.Equal(all.Select(r => r["label"]), projected.Select(r => r["label"]));
        Assert.True(projectedBytes * 3 < fullBytes, $"projected read fetched {projectedBytes} bytes, full read {fullBytes}");
    }

    [Fact]
    public async Task Partition_only_projection_needs_no_column_chunks()
    {
        var (table, _, _, _) = await ReviewsTable();
        var rows = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = ["split"], Splits = ["test"] }));
        Assert.Equal(500, rows.Count);
        Assert.All(rows, r => Assert.Equal("test", r["split"]));
    }

    [Fact]
    public async Task Time_travel_by_snapshot_id_and_by_time()
    {
        var (table, _, train, test) = await ReviewsTable();

        var byId = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { SnapshotId = train.SnapshotId }));
        Assert.Equal(2000, byId.Count);
        Assert.All(byId, r => Assert.Equal("train", r.Split));

        var asOf = DateTimeOffset.FromUnixTimeMilliseconds(train.TimestampMs);
        var byTime = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { AsOf = asOf }));
        Assert.Equal(2000, byTime.Count);

        var latest = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { AsOf = DateTimeOffset.FromUnixTimeMilliseconds(test.TimestampMs) }));
        Assert.Equal(2500, latest.Count);

        var before = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { AsOf = asOf.AddDays(-1) }));
        Assert.Equal("NoSnapshotAsOf", before.ErrorId);
        var unknown = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { SnapshotId = 42 }));
        Assert.Equal("SnapshotNotFound", unknown.ErrorId);
    }

    [Fact]
    public async Task A_table_without_snapshots_has_no_rows()
    {
        var table = await _f.CreateTable("empty", new Schema(0, NestedField.Optional(1, "id", PrimitiveType.Long)));
        Assert.Empty(await ReadFixture.ReadAll(new TableScan(table)));
    }

    [Fact]
    public async Task A_column_name_matching_several_columns_only_by_case_is_ambiguous_unless_exact()
    {
        var table = await _f.CreateTable("cased", new Schema(0, NestedField.Optional(1, "Text", PrimitiveType.String), NestedField.Optional(2, "text", PrimitiveType.String)));
        var ambiguous = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Columns = ["TEXT"] }));
        Assert.Equal("AmbiguousColumn", ambiguous.ErrorId);
        Assert.Equal(FacebergErrorKind.InvalidArgument, ambiguous.Kind);
        Assert.Contains("'Text'", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("'text'", ambiguous.Message, StringComparison.Ordinal);
        Assert.Equal("text", Assert.Single(new TableScan(table, new TableScanOptions { Columns = ["text"] }).RowSchema.Names));
    }

    [Fact]
    public async Task Unknown_columns_are_argument_errors()
    {
        var (table, _, _, _) = await ReviewsTable();
        Assert.Equal("ColumnNotFound", Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Columns = ["nope"] })).ErrorId);
        Assert.Equal("ColumnNotFound", Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Filter = Predicate.Equal("nope", 1) })).ErrorId);
        Assert.Equal("FilterLiteralType", Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Filter = Predicate.Equal("id", "abc") })).ErrorId);
    }
    [Fact]
    public async Task Batches_hold_the_rows_of_one_file_column_by_column_with_its_split()
    {
        var (table, _, _, _) = await ReviewsTable();
        var scan = new TableScan(table, new TableScanOptions { Columns = ["text", "id"] });
        var batches = new List<TableRowBatch>();
        await foreach (var batch in scan.ReadBatchesAsync()) batches.Add(batch);

        Assert.All(batches, b => Assert.InRange(b.Count, 1, TableScan.BatchRows));
        Assert.All(batches, b => Assert.Equal(["text", "id"], b.Schema.Names));
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (Text: b.Value(0, r), Id: (long)b.Value(1, r)!, b.Split))).ToList();
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), rows.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Equal($"review {r.Id}", r.Text));
        Assert.All(rows, r => Assert.Equal(r.Id < 2000 ? "train" : "test", r.Split));
        Assert.Equal(2500, scan.Metrics.RowsReturned);
        Assert.Throws<ArgumentOutOfRangeException>(() => batches[0].Value(0, batches[0].Count));
        var row = batches[0].Row(1);
        Assert.Equal([batches[0].Value(0, 1), batches[0].Value(1, 1)], row);
        Assert.Equal(batches[0].Split, row.Split);
    }

    [Fact]
    public async Task Counting_with_a_limit_or_a_filter_counts_the_rows_a_read_returns()
    {
        var (table, _, _, _) = await ReviewsTable();
        Assert.Equal(600, await new TableScan(table, new TableScanOptions { Splits = ["train"], Limit = 600 }).CountRowsAsync());
        Assert.Equal(510, await new TableScan(table, new TableScanOptions { Filter = Predicate.GreaterThanOrEqual("id", 1990) }).CountRowsAsync());
        Assert.Equal(2000, await new TableScan(table, new TableScanOptions { Splits = ["train"], Columns = [] }).CountRowsAsync());
    }

    [Fact]
    public async Task Batches_stop_at_a_limit_crossing_row_groups()
    {
        var (table, _, _, _) = await ReviewsTable();
        var scan = new TableScan(table, new TableScanOptions { Splits = ["train"], Columns = ["id"], Limit = 600 });
        var ids = new List<long>();
        await foreach (var batch in scan.ReadBatchesAsync())
            for (var r = 0; r < batch.Count; r++) ids.Add((long)batch.Value(0, r)!);

        Assert.Equal(600, ids.Count);
        Assert.Equal(600, ids.Distinct().Count());
        Assert.Equal(600, scan.Metrics.RowsReturned);
    }

    [Fact]
    public async Task Batches_of_a_filtered_read_hold_only_the_matching_rows()
    {
        var (table, _, _, _) = await ReviewsTable();
        var scan = new TableScan(table, new TableScanOptions { Columns = ["label"], Filter = Predicate.GreaterThanOrEqual("id", 1990) });
        var labels = new List<object?>();
        var total = 0;
        await foreach (var batch in scan.ReadBatchesAsync())
        {
            Assert.Equal(["label"], batch.Schema.Names);
            total += batch.Count;
            for (var r = 0; r < batch.Count; r++) labels.Add(batch.Value(0, r));
        }

        Assert.Equal(510, total);
        Assert.Equal(255, labels.Count(l => (int)l! == 1));
    }
}
