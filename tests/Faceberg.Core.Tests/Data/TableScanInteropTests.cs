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
    public async Task Spark_snapshots_read_like_icebird_before_and_after_a_position_delete()
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
        Assert.Equal(Lines(dump, columns), await Lines(scan));

        // The current snapshot has a position delete file (written by Spark) removing one of the 21 rows.
        var plan = await iceberg.PlanAsync();
        Assert.Contains(plan.DeleteFiles, d => d.Content == Faceberg.Core.Iceberg.Spec.FileContent.PositionDeletes);
        await AssertReadsLikeIcebird(table, 20);
    }

    [Fact]
    public async Task Iceberg_java_table_with_equality_and_position_deletes_reads_like_icebird()
    {
        const string table = "java/bunnies";
        var iceberg = await Load(table);
        var plan = await iceberg.PlanAsync();
        Assert.Contains(plan.DeleteFiles, d => d.Content == Faceberg.Core.Iceberg.Spec.FileContent.EqualityDeletes);
        await AssertReadsLikeIcebird(table, 15);
    }

    /// <summary>The current snapshot reads (all columns, a projection without the equality columns, and counted) as icebird reads it.</summary>
    private static async Task AssertReadsLikeIcebird(string table, int expectedRows)
    {
        var iceberg = await Load(table);
        var dump = await Reader.ReadAsync(Fixture(table), Options(table));
        Assert.Equal(expectedRows, dump.Rows.Count);
        var scan = new TableScan(iceberg);
        var columns = scan.RowSchema.Names;
        Assert.Equal(Lines(dump, columns), await Lines(scan));
        foreach (var column in columns)
        {
            var projected = new TableScan(iceberg, new TableScanOptions { Columns = [column] });
            Assert.Equal(Lines(dump, [column]), await Lines(projected));
        }
        Assert.Equal(expectedRows, await new TableScan(iceberg, new TableScanOptions { Columns = [] }).CountRowsAsync());
        var limited = new TableScan(iceberg, new TableScanOptions { Limit = expectedRows - 1 });
        Assert.Equal(expectedRows - 1, (await Lines(limited)).Count);
    }

    private static List<string> Lines(IcebirdTableDump dump, IReadOnlyList<string> columns) =>
        dump.Rows.Select(r => string.Join("|", columns.Select(k => $"{k}={FromJson(r[k])}"))).Order(StringComparer.Ordinal).ToList();

    private static async Task<List<string>> Lines(TableScan scan)
    {
        var lines = new List<string>();
        await foreach (var r in scan.ReadAsync())
            lines.Add(string.Join("|", scan.RowSchema.Names.Select(k => $"{k}={AsIcebird(r[k])}")));
        return lines.Order(StringComparer.Ordinal).ToList();
    }
}
