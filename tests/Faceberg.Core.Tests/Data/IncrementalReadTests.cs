using System.Text.Json.Serialization;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Tests.Data;

/// <summary>Rows of an incremental append scan: TableScan with Since/Until over Parquet files served by a local Hub.</summary>
public sealed class IncrementalReadTests : IDisposable
{
    private const string Repo = "acme/events";
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    public sealed class Event
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    }

    private static List<Event> Events(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Event { Id = i, Kind = i % 3 == 0 ? "click" : "view" }).ToList();

    /// <summary>Three appends (ids 0-99, 100-149, 150-199), one file each, a few milliseconds apart.</summary>
    private async Task<(IcebergTable Table, Snapshot[] Snapshots)> EventsTable()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["data/train-0.parquet"] = await ReadFixture.ParquetBytes(Events(0, 100)),
            ["data/train-1.parquet"] = await ReadFixture.ParquetBytes(Events(100, 50)),
            ["data/train-2.parquet"] = await ReadFixture.ParquetBytes(Events(150, 50)),
        };
        var uris = _f.Seed(Repo, files);
        var facts = await ReadFixture.Inspect(files["data/train-0.parquet"], uris["data/train-0.parquet"]);
        var (schema, spec) = ReadFixture.SplitTableSchema(facts.Schema);
        var table = await _f.CreateTable("events", schema, spec);
        var snapshots = new List<Snapshot>();
        foreach (var path in files.Keys)
        {
            snapshots.Add(await table.NewAppend().AddFile(await ReadFixture.DataFile(files[path], uris[path], schema, "train")).CommitAsync());
            await Task.Delay(5);
        }
        return (table, snapshots.ToArray());
    }

    private static long[] Ids(IEnumerable<TableRow> rows) => rows.Select(r => (long)r["id"]!).Order().ToArray();

    private static long[] Range(int from, int count) => Enumerable.Range(from, count).Select(i => (long)i).ToArray();

    [Fact]
    public async Task Since_returns_exactly_the_rows_appended_after_the_start()
    {
        var (table, s) = await EventsTable();

        Assert.Equal(Range(100, 100), Ids(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId) }))));
        Assert.Equal(Range(150, 50), Ids(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[1].SnapshotId) }))));
        Assert.Empty(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[2].SnapshotId) })));

        // The full read minus the rows of the start snapshot is the incremental read.
        var all = Ids(await ReadFixture.ReadAll(new TableScan(table)));
        var before = Ids(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { SnapshotId = s[0].SnapshotId })));
        Assert.Equal(all.Except(before).ToArray(), Ids(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId) }))));
    }

    [Fact]
    public async Task Until_bounds_the_range_and_times_work_as_boundaries()
    {
        var (table, s) = await EventsTable();

        var scan = new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId), Until = SnapshotBoundary.Of(s[1].SnapshotId) });
        Assert.Equal(Range(100, 50), Ids(await ReadFixture.ReadAll(scan)));
        Assert.Equal(s[1].SnapshotId, scan.Snapshot!.SnapshotId);

        var byTime = new TableScanOptions
        {
            Since = SnapshotBoundary.At(DateTimeOffset.FromUnixTimeMilliseconds(s[0].TimestampMs)),
            Until = SnapshotBoundary.At(DateTimeOffset.FromUnixTimeMilliseconds(s[2].TimestampMs - 1)),
        };
        Assert.Equal(Range(100, 50), Ids(await ReadFixture.ReadAll(new TableScan(table, byTime))));

        // Until alone: everything appended from the first snapshot on.
        Assert.Equal(Range(0, 150), Ids(await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Until = SnapshotBoundary.Of(s[1].SnapshotId) }))));
    }

    [Fact]
    public async Task Columns_filter_and_limit_apply_to_the_appended_rows()
    {
        var (table, s) = await EventsTable();
        var since = SnapshotBoundary.Of(s[0].SnapshotId);

        var clicks = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = since, Columns = ["id"], Filter = Predicate.Equal("kind", "click") }));
        Assert.Equal(Range(100, 100).Where(i => i % 3 == 0).ToArray(), Ids(clicks));
        Assert.Equal(["id"], clicks[0].Schema.Names);

        var first = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Since = since, Limit = 7 }));
        Assert.Equal(7, first.Count);
        Assert.All(first, r => Assert.True((long)r["id"]! >= 100));
    }

    [Fact]
    public async Task A_range_is_not_combined_with_time_travel_and_an_overwrite_in_it_is_refused()
    {
        var (table, s) = await EventsTable();
        var both = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId), SnapshotId = s[1].SnapshotId }));
        Assert.Equal("IncrementalAndTimeTravel", both.ErrorId);

        var replaced = table.CurrentSnapshot!;
        var files = await table.PlanFilesAsync();
        var overwrite = await table.NewOverwrite().DeleteFile(files[0]).CommitAsync();
        var error = Assert.Throws<FacebergException>(() => new TableScan(table, new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId) }));
        Assert.Equal(IncrementalAppendRange.NotAppendOnlyErrorId, error.ErrorId);
        Assert.Contains(overwrite.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Contains(overwrite.Operation, error.Message);
        // Up to the snapshot before it, the range is still append-only.
        Assert.Equal(Range(100, 100), Ids(await ReadFixture.ReadAll(new TableScan(table,
            new TableScanOptions { Since = SnapshotBoundary.Of(s[0].SnapshotId), Until = SnapshotBoundary.Of(replaced.SnapshotId) }))));
    }
}
