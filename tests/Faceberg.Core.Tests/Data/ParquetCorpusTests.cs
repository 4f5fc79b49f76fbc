using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Tests.Interop;

namespace Faceberg.Core.Tests.Data;

/// <summary>
/// Every file of the apache/parquet-testing corpus kept under tests/Faceberg.TestData/parquet-testing,
/// as a table over that one file: the table reader returns the rows hyparquet (a second, independent
/// reader, run through tests/interop/parquet-rows.mjs) returns, value for value; a file whose format
/// Faceberg does not support fails with a FacebergException naming the file, never a raw exception.
/// </summary>
public sealed class ParquetCorpusTests : IDisposable
{
    private readonly ReadFixture _f = new();

    public void Dispose() => _f.Dispose();

    public static string CorpusDirectory => Path.Combine(IcebirdReader.RepoRoot, "tests", "Faceberg.TestData", "parquet-testing");

    /// <summary>Files Faceberg refuses, with the error it refuses them with (the message must name the file).</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        // Parquet.Net 6.1.0 cannot decode these column chunks; the error names file, column, types, encodings and compression.
        ["hadoop_lz4_compressed.parquet"] = "UnsupportedParquetData",              // Hadoop-framed LZ4
        ["int96_from_spark.parquet"] = "UnsupportedParquetData",                   // INT96 outside DateTime's range
        ["nested_structs.rust.parquet"] = "UnsupportedParquetData",                // TIMESTAMP_MICROS outside DateTime's range
        // Schemas the Parquet library cannot model (float16, an implicit list of several fields).
        ["byte_stream_split_extended.gzip.parquet"] = "UnsupportedParquetSchema",
        ["float16_nonzeros_and_nans.parquet"] = "UnsupportedParquetSchema",
        ["float16_zeros_and_nans.parquet"] = "UnsupportedParquetSchema",
        ["floating_orders_nan_count.parquet"] = "UnsupportedParquetSchema",
        ["repeated_no_annotation.parquet"] = "UnsupportedParquetSchema",
        // Types Iceberg v2 has no type for (refused when the table is created).
        ["null_list.parquet"] = "UnsupportedParquetSchema",
        ["map_no_value.parquet"] = "UnsupportedParquetSchema",
        // A dictionary page offset of 0 in the footer, which the library reads as a page header at offset 0.
        ["dict-page-offset-zero.parquet"] = "InvalidParquetFile",
    };

    /// <summary>
    /// A repeated field outside a LIST or MAP group is, per Parquet's LogicalTypes.md, a required list:
    /// with no entries it is an empty list (Faceberg), where hyparquet returns null.
    /// </summary>
    private const string BareRepeatedFile = "repeated_primitive_no_list.parquet";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory, "*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            data.Add(file!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Corpus_file_reads_like_hyparquet_or_is_refused_with_a_named_error(string name)
    {
        var source = Path.Combine(CorpusDirectory, name);
        var (expected, hyparquetError) = await HyparquetRows(source);

        List<TableRow>? rows = null;
        FacebergException? refused = null;
        try
        {
            rows = await ReadThroughTable(source, name);
        }
        catch (FacebergException e)
        {
            refused = e;
        }

        if (Unsupported.TryGetValue(name, out var errorId))
        {
            Assert.True(refused != null, $"{name} was expected to be refused with {errorId}, but it read.");
            Assert.Equal(errorId, refused!.ErrorId);
            Assert.Contains(name, refused.Message, StringComparison.Ordinal);
            return;
        }
        if (refused != null) Assert.Fail($"{name}: {refused.ErrorId}: {refused.Message}");
        if (expected == null)
            return;   // hyparquet cannot read it (hyparquetError); Faceberg read it without a raw exception
        Assert.Equal(expected.Count, rows!.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var actual = Canonical(Row(rows[i]));
            if (name == BareRepeatedFile) expected[i] = expected[i].Replace("_list\":null", "_list\":[]", StringComparison.Ordinal).Replace("_list_in_group\":null", "_list_in_group\":[]", StringComparison.Ordinal);
            Assert.True(expected[i] == actual, $"{name} row {i}:\n hyparquet: {expected[i]}\n faceberg:  {actual}");
        }
    }

    private async Task<List<TableRow>> ReadThroughTable(string source, string name)
    {
        var bytes = await File.ReadAllBytesAsync(source);
        var path = Path.Combine(_f.Root, name);
        await File.WriteAllBytesAsync(path, bytes);
        var uri = LocalFileIO.ToUri(path);
        var facts = await ReadFixture.Inspect(bytes, uri);
        var table = await _f.CreateTable(Path.GetFileNameWithoutExtension(name).Replace('.', '_'), facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();
        return await ReadFixture.ReadAll(new TableScan(table));
    }

    private static Dictionary<string, object?> Row(TableRow row) =>
        row.Schema.Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => row[p.i]);

    /// <summary>hyparquet's rows in canonical text, or its error when it cannot read the file.</summary>
    private static async Task<(List<string>? Rows, string? Error)> HyparquetRows(string file)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = IcebirdReader.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(IcebirdReader.DefaultInteropDirectory, "parquet-rows.mjs"));
        start.ArgumentList.Add(file);
        Assert.True(File.Exists(Path.Combine(IcebirdReader.DefaultInteropDirectory, "node_modules", "hyparquet", "package.json")),
            "hyparquet is not installed: run `npm ci --prefix tests/interop`.");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode == 1) return (null, await stderr);
        Assert.True(process.ExitCode == 0, $"parquet-rows.mjs failed: {await stderr}");
        using var doc = JsonDocument.Parse(await stdout);
        return (doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => Canonical(r)).ToList(), null);
    }

    /// <summary>One canonical text for a value from either reader (see parquet-rows.mjs for the shared encoding).</summary>
    internal static string Canonical(object? value)
    {
        var text = new StringBuilder();
        Write(value, text);
        return text.ToString();
    }

    private static void Write(object? value, StringBuilder text)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                return;
            case JsonElement e:
                WriteJson(e, text);
                return;
            case bool b:
                text.Append(b ? "true" : "false");
                return;
            case string s:
                text.Append(JsonSerializer.Serialize(s));
                return;
            case float f:
                WriteNumber(f, text);
                return;
            case double d:
                WriteNumber(d, text);
                return;
            case decimal m:
                WriteNumber((double)m, text);
                return;
            case int or long or short or byte or sbyte or ushort or uint:
                text.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                return;
            case byte[] bytes:
                text.Append(JsonSerializer.Serialize(Convert.ToBase64String(bytes)));
                return;
            case ReadOnlyMemory<byte> memory:
                text.Append(JsonSerializer.Serialize(Convert.ToBase64String(memory.Span)));
                return;
            case DateTime dt:
                text.Append("\"ts:").Append((DateTime.SpecifyKind(dt, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10).Append('"');
                return;
            case DateTimeOffset dto:
                text.Append("\"ts:").Append((dto.UtcDateTime - DateTime.UnixEpoch).Ticks / 10).Append('"');
                return;
            case DateOnly date:
                text.Append("\"date:").Append(date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber).Append('"');
                return;
            case IDictionary map:
                var entries = new List<(string Key, string Value)>();
                foreach (DictionaryEntry entry in map)
                {
                    var key = entry.Key as string ?? Canonical(entry.Key).Trim('"');
                    entries.Add((key, Canonical(entry.Value)));
                }
                WriteObject(entries, text);
                return;
            case IEnumerable list:
                text.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    if (!first) text.Append(',');
                    first = false;
                    Write(item, text);
                }
                text.Append(']');
                return;
            default:
                text.Append('<').Append(value.GetType().Name).Append(':').Append(value).Append('>');
                return;
        }
    }

    private static void WriteJson(JsonElement e, StringBuilder text)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                text.Append("null");
                return;
            case JsonValueKind.True:
                text.Append("true");
                return;
            case JsonValueKind.False:
                text.Append("false");
                return;
            case JsonValueKind.Number:
                if (e.TryGetInt64(out var l)) text.Append(l.ToString(CultureInfo.InvariantCulture));
                else WriteNumber(e.GetDouble(), text);
                return;
            case JsonValueKind.String:
                var s = e.GetString()!;
                if (s is "NaN" or "Infinity" or "-Infinity") text.Append(s);
                else text.Append(JsonSerializer.Serialize(s));
                return;
            case JsonValueKind.Array:
                Write(e.EnumerateArray().Cast<object>().ToList(), text);
                return;
            default:
                WriteObject(e.EnumerateObject().Select(p => (p.Name, Canonical(p.Value))).ToList(), text);
                return;
        }
    }

    private static void WriteNumber(double d, StringBuilder text)
    {
        if (double.IsNaN(d)) text.Append("NaN");
        else if (double.IsInfinity(d)) text.Append(d > 0 ? "Infinity" : "-Infinity");
        else if (d == Math.Floor(d) && Math.Abs(d) < 9e15) text.Append(((long)d).ToString(CultureInfo.InvariantCulture));
        else text.Append(d.ToString("R", CultureInfo.InvariantCulture));
    }

    private static void WriteObject(List<(string Key, string Value)> entries, StringBuilder text)
    {
        text.Append('{');
        var first = true;
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!first) text.Append(',');
            first = false;
            text.Append(JsonSerializer.Serialize(key)).Append(':').Append(value);
        }
        text.Append('}');
    }
}
