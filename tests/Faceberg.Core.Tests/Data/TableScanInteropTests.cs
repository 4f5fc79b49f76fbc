using System.Globalization;
using System.Text.Json;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Interop;

namespace Faceberg.Core.Tests.Data;

/// <summary>
/// The table reader on tables written by Apache Spark (the icebird fixtures: field ids in the files, a
/// renamed column, bucket and identity partitions, a null partition value, decimals and dates): every
/// row equals what icebird, an independent reader, returns.
/// </summary>
public sealed class TableScanInteropTests
{
    private static readonly IcebirdReader Reader = new();

    private static string Fixture(string table) => Path.Combine(IcebirdReader.FixturesDirectory, table);

    private static Task<IcebergTable> Load(string table) =>
        IcebergTable.LoadAsync(new LocalFileIO($"s3a://hyperparam-iceberg/{table}", Fixture(table)), $"s3a://hyperparam-iceberg/{table}");

    private static IcebirdReadOptions Options(string table) => new() { Maps = [new($"s3a://hyperparam-iceberg/{table}", Fixture(table))] };

    /// <summary>A row value in the form icebird's JSON dump gives it.</summary>
    private static object? AsIcebird(object? value) => value switch
    {
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        decimal or float or double or int or long => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => e.GetRawText(),
    };

    [Fact]
    public async Task Spark_table_with_a_renamed_column_reads_like_icebird()
    {
        const string table = "spark/rename_column";
        var dump = await Reader.ReadAsync(Fixture(table), Options(table));
        var scan = new TableScan(await Load(table));
        var rows = new List<TableRow>();
        await foreach (var row in scan.ReadAsync()) rows.Add(row);

        Assert.Equal(dump.Rows.Count, rows.Count);
        Assert.Equal(dump.Rows[0].Keys, scan.RowSchema.Names);
        foreach (var expected in dump.Rows)
        {
            var id = expected["id"].GetInt64();
            var actual = rows.Single(r => Convert.ToInt64(r["id"], CultureInfo.InvariantCulture) == id);
            foreach (var (column, value) in expected)
                Assert.Equal(FromJson(value), AsIcebird(actual[column]));
        }
    }

    [Fact]
    public async Task Spark_snapshots_without_deletes_read_like_icebird_and_ones_with_deletes_are_refused()
    {
        const string table = "spark/bunnies";
        var iceberg = await Load(table);
        var first = iceberg.Metadata.Snapshots.OrderBy(s => s.SequenceNumber).First();
        var dump = await Reader.ReadAsync(Fixture(table), Options(table) with { SnapshotId = first.SnapshotId });
        var scan = new TableScan(iceberg, new TableScanOptions { SnapshotId = first.SnapshotId });
        var rows = new List<TableRow>();
        await foreach (var row in scan.ReadAsync()) rows.Add(row);

        Assert.Equal(dump.Rows.Count, rows.Count);
        // icebird reads an old snapshot with the current schema; Faceberg, like Spark and PyIceberg, with the
        // snapshot's own: the column added later is absent here and null throughout icebird's rows.
        var columns = scan.RowSchema.Names;
        var added = dump.Rows[0].Keys.Except(columns).ToList();
        Assert.NotEmpty(added);
        Assert.All(dump.Rows, r => Assert.All(added, c => Assert.Equal(JsonValueKind.Null, r[c].ValueKind)));
        var expected = dump.Rows.Select(r => string.Join("|", columns.Select(k => $"{k}={FromJson(r[k])}"))).Order().ToList();
        var actual = rows.Select(r => string.Join("|", columns.Select(k => $"{k}={AsIcebird(r[k])}"))).Order().ToList();
        Assert.Equal(expected, actual);

        var error = await Assert.ThrowsAsync<FacebergException>(async () =>
        {
            await foreach (var _ in new TableScan(iceberg).ReadAsync()) { }
        });
        Assert.Equal("DeleteFilesNotSupported", error.ErrorId);
    }
}
