using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Faceberg.Core.Data;
using Faceberg.Core.Data.Decoding;
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

    public static string TestDataDirectory => Path.Combine(IcebirdReader.RepoRoot, "tests", "Faceberg.TestData");

    /// <summary>
    /// Every file, by path under tests/Faceberg.TestData, and what reading it must do: read the rows hyparquet
    /// reads (<see cref="Compared"/>), or be refused with an error id and a message naming the file and the
    /// unsupported feature (<see cref="Refused"/>). parquet-testing/ mirrors the data/ and bad_data/ folders of
    /// apache/parquet-testing; docs/reading.md lists the same outcomes.
    /// </summary>
    public static readonly IReadOnlyList<CorpusFile> Corpus =
    [
        Compared("hyparquet-writer/rle_boolean_v2.parquet"),   // RLE booleans with nulls in v2 pages (Parquet.Net: DivideByZeroException)
        Compared("parquet-testing/alltypes_dictionary.parquet"),
        Compared("parquet-testing/alltypes_plain.parquet"),
        Compared("parquet-testing/alltypes_plain.snappy.parquet"),
        Compared("parquet-testing/alltypes_tiny_pages.parquet"),
        Compared("parquet-testing/alltypes_tiny_pages_plain.parquet"),
        Compared("parquet-testing/binary.parquet"),
        Compared("parquet-testing/binary_truncated_min_max.parquet"),
        Compared("parquet-testing/byte_array_decimal.parquet"),
        Compared("parquet-testing/byte_stream_split.zstd.parquet"),
        Refused("parquet-testing/byte_stream_split_extended.gzip.parquet", "UnsupportedParquetSchema", "is FLOAT16"),
        Compared("parquet-testing/column_chunk_key_value_metadata.parquet"),
        Compared("parquet-testing/concatenated_gzip_members.parquet"),
        Compared("parquet-testing/data_index_bloom_encoding_stats.parquet"),
        Compared("parquet-testing/data_index_bloom_encoding_with_length.parquet"),
        Compared("parquet-testing/datapage_v1-corrupt-checksum.parquet"),
        Compared("parquet-testing/datapage_v1-snappy-compressed-checksum.parquet"),
        Compared("parquet-testing/datapage_v1-uncompressed-checksum.parquet"),
        Compared("parquet-testing/datapage_v2.snappy.parquet"),
        ReadWhereHyparquetFails("parquet-testing/datapage_v2_empty_datapage.snappy.parquet", """{"value":null}"""),   // its README: one row, null
        Compared("parquet-testing/delta_binary_packed.parquet"),
        Compared("parquet-testing/delta_byte_array.parquet"),
        Compared("parquet-testing/delta_encoding_optional_column.parquet"),
        Compared("parquet-testing/delta_encoding_required_column.parquet"),
        Compared("parquet-testing/delta_length_byte_array.parquet"),
        Refused("parquet-testing/dict-page-offset-zero.parquet", "InvalidParquetFile", "Invalid data in Thrift header"),
        Compared("parquet-testing/fixed_length_byte_array.parquet"),
        Compared("parquet-testing/fixed_length_decimal.parquet"),
        Compared("parquet-testing/fixed_length_decimal_legacy.parquet"),
        Refused("parquet-testing/float16_nonzeros_and_nans.parquet", "UnsupportedParquetSchema", "is FLOAT16"),
        Refused("parquet-testing/float16_zeros_and_nans.parquet", "UnsupportedParquetSchema", "is FLOAT16"),
        Refused("parquet-testing/floating_orders_nan_count.parquet", "UnsupportedParquetSchema", "is FLOAT16"),
        Compared("parquet-testing/hadoop_lz4_compressed.parquet"),
        Compared("parquet-testing/hadoop_lz4_compressed_larger.parquet"),
        Compared("parquet-testing/incorrect_map_schema.parquet"),
        Compared("parquet-testing/int32_decimal.parquet"),
        Compared("parquet-testing/int32_with_null_pages.parquet"),
        Compared("parquet-testing/int64_decimal.parquet"),
        Refused("parquet-testing/int96_from_spark.parquet", "TimestampOutOfRange", "INT96 value"),
        Refused("parquet-testing/large_string_map.brotli.parquet", "UnsupportedParquetData", "over the 2 GiB"),
        Compared("parquet-testing/list_columns.parquet"),
        Compared("parquet-testing/lz4_raw_compressed.parquet"),
        Compared("parquet-testing/lz4_raw_compressed_larger.parquet"),
        Refused("parquet-testing/map_no_value.parquet", "UnsupportedParquetSchema", "MAP without values"),
        Compared("parquet-testing/nan_in_stats.parquet"),
        ReadWhereHyparquetFails("parquet-testing/nation.dict-malformed.parquet"),
        Compared("parquet-testing/nested_lists.snappy.parquet"),
        Compared("parquet-testing/nested_maps.snappy.parquet"),
        Refused("parquet-testing/nested_structs.rust.parquet", "TimestampOutOfRange", "TIMESTAMP_MICROS value"),
        Compared("parquet-testing/non_hadoop_lz4_compressed.parquet"),
        Compared("parquet-testing/nonnullable.impala.parquet"),
        Refused("parquet-testing/null_list.parquet", "UnsupportedParquetSchema", "UNKNOWN (always null) logical type"),
        Compared("parquet-testing/nullable.impala.parquet"),
        Compared("parquet-testing/nulls.snappy.parquet"),
        Compared("parquet-testing/old_list_structure.parquet"),
        Compared("parquet-testing/overflow_i16_page_cnt.parquet"),
        Compared("parquet-testing/page_v2_empty_compressed.parquet"),
        Compared("parquet-testing/plain-dict-uncompressed-checksum.parquet"),
        Refused("parquet-testing/repeated_no_annotation.parquet", "UnsupportedParquetSchema", "unannotated repeated group"),
        Compared("parquet-testing/repeated_primitive_no_list.parquet"),
        Compared("parquet-testing/rle-dict-snappy-checksum.parquet"),
        Compared("parquet-testing/rle-dict-uncompressed-corrupt-checksum.parquet"),
        Compared("parquet-testing/rle_boolean_encoding.parquet"),
        Compared("parquet-testing/single_nan.parquet"),
        Compared("parquet-testing/sort_columns.parquet"),
        Compared("parquet-testing/unknown-logical-type.parquet"),
        Refused("parquet-testing/geospatial/crs-arbitrary-value.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/geospatial/crs-default.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/geospatial/crs-geography.parquet", "UnsupportedParquetSchema", "annotated GEOGRAPHY"),
        Refused("parquet-testing/geospatial/crs-projjson.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/geospatial/crs-srid.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/geospatial/geography-lines.parquet", "UnsupportedParquetSchema", "annotated GEOGRAPHY"),
        Refused("parquet-testing/geospatial/geography-points.parquet", "UnsupportedParquetSchema", "annotated GEOGRAPHY"),
        Refused("parquet-testing/geospatial/geography-polygons.parquet", "UnsupportedParquetSchema", "annotated GEOGRAPHY"),
        Refused("parquet-testing/geospatial/geospatial-with-nan.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/geospatial/geospatial.parquet", "UnsupportedParquetSchema", "annotated GEOMETRY"),
        Refused("parquet-testing/encrypt_columns_and_footer.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/encrypt_columns_and_footer_aad.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/encrypt_columns_and_footer_bloom_filter.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/encrypt_columns_and_footer_ctr.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/encrypt_columns_plaintext_footer.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/external_key_material_java.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/uniform_encryption.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/aes256/encrypt_columns_and_footer.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/aes256/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/aes256/encrypt_columns_plaintext_footer.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/aes256/uniform_encryption.parquet.encrypted", "UnsupportedParquetEncryption", "encrypted (Parquet modular encryption)"),
        Refused("parquet-testing/bad_data/ARROW-GH-41317.parquet", "UnsupportedParquetSchema", "UNKNOWN (always null) logical type"),
        Refused("parquet-testing/bad_data/ARROW-GH-41321.parquet", "UnsupportedParquetSchema", "UNKNOWN (always null) logical type"),
        Compared("parquet-testing/bad_data/ARROW-GH-43605.parquet"),
        Refused("parquet-testing/bad_data/ARROW-GH-45185.parquet", "UnsupportedParquetData", "repetition levels start with 1"),
        Refused("parquet-testing/bad_data/ARROW-GH-47662.parquet", "UnsupportedParquetData", "FIXED_LEN_BYTE_ARRAY"),
        Refused("parquet-testing/bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet", "UnsupportedParquetData", "negative size or value count"),
        Refused("parquet-testing/bad_data/ARROW-RS-GH-6229-LEVELS.parquet", "UnsupportedParquetSchema", "UNKNOWN (always null) logical type"),
        Refused("parquet-testing/bad_data/PARQUET-1481.parquet", "UnsupportedParquetSchema", "unknown physical type"),
    ];

    /// <summary>One file of <see cref="Corpus"/>: compared with hyparquet when <paramref name="ErrorId"/> is null, else refused with it, the message naming <paramref name="Feature"/>.</summary>
    public sealed record CorpusFile(string Path, string? ErrorId, string? Feature, string[]? KnownRows = null);

    private static CorpusFile Compared(string path) => new(path, null, null);

    private static CorpusFile Refused(string path, string errorId, string feature) => new(path, errorId, feature);

    /// <summary>A file hyparquet 1.25.1 fails on that Faceberg reads: checked against <paramref name="rows"/> (canonical form) where given.</summary>
    private static CorpusFile ReadWhereHyparquetFails(string path, params string[] rows) => new(path, null, null, rows);

    /// <summary>
    /// A repeated field outside a LIST or MAP group is, per Parquet's LogicalTypes.md, a required list:
    /// with no entries it is an empty list (Faceberg), where hyparquet returns null.
    /// </summary>
    private const string BareRepeatedFile = "repeated_primitive_no_list.parquet";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Corpus) data.Add(file.Path);
        return data;
    }

    [Fact]
    public void Corpus_lists_every_file_kept_for_it()
    {
        var kept = new[] { "parquet-testing", "hyparquet-writer" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(TestDataDirectory, d), "*.parquet*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(TestDataDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(kept, Corpus.Select(f => f.Path).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Corpus_file_reads_like_hyparquet_or_is_refused_with_a_named_error(string file)
    {
        var expectation = Corpus.Single(f => f.Path == file);
        var source = Path.Combine(TestDataDirectory, file);
        var name = Path.GetFileName(file);

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

        if (expectation.ErrorId != null)
        {
            Assert.True(refused != null, $"{file} was expected to be refused with {expectation.ErrorId}, but it read.");
            Assert.True(expectation.ErrorId == refused!.ErrorId, $"{file}: expected {expectation.ErrorId}, got {refused.ErrorId}: {refused.Message}");
            Assert.True(refused.Message.Contains(name, StringComparison.Ordinal), $"{file}: the message does not name the file: {refused.Message}");
            Assert.True(refused.Message.Contains(expectation.Feature!, StringComparison.Ordinal), $"{file}: the message does not name '{expectation.Feature}': {refused.Message}");
            return;
        }
        if (refused != null) Assert.Fail($"{file}: {refused.ErrorId}: {refused.Message}");
        var (expected, hyparquetError) = await HyparquetRows(source);
        if (expectation.KnownRows != null)
        {
            Assert.True(expected == null, $"{file} is listed as unreadable by hyparquet, but hyparquet read it.");
            if (expectation.KnownRows.Length > 0) Assert.Equal(expectation.KnownRows, rows!.Select(r => Canonical(Row(r))));
            return;
        }
        Assert.True(expected != null, $"{file} read in Faceberg but hyparquet cannot read it: {hyparquetError}");
        Assert.Equal(expected!.Count, rows!.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var actual = Canonical(Row(rows[i]));
            if (name == BareRepeatedFile) expected[i] = expected[i].Replace("_list\":null", "_list\":[]", StringComparison.Ordinal).Replace("_list_in_group\":null", "_list_in_group\":[]", StringComparison.Ordinal);
            Assert.True(expected[i] == actual, $"{file} row {i}:\n hyparquet: {expected[i]}\n faceberg:  {actual}");
        }
    }

    public static TheoryData<string> ReadFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Corpus.Where(f => f.ErrorId == null)) data.Add(file.Path);
        return data;
    }

    /// <summary>
    /// A row-limited read (what -First n runs), over the Hub so chunks are fetched by range, returns the first n
    /// rows of the full read, all columns and each top-level column alone, for n = 1, around the end of the first
    /// data page of every column of the first row group (from its offset index, else its page headers), and
    /// around the end of the first row group.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReadFiles))]
    public async Task Corpus_file_first_rows_are_the_full_reads_first_rows(string file)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(TestDataDirectory, file));
        var name = Path.GetFileName(file);
        var uri = _f.Seed("corpus/first", new Dictionary<string, byte[]> { ["data/" + name] = bytes })["data/" + name];
        var facts = await ReadFixture.Inspect(bytes, uri);
        var table = await _f.CreateTable(Path.GetFileNameWithoutExtension(name).Replace('.', '_') + "_first", facts.Schema);
        await table.NewAppend().AddFile(facts.ToDataFile(table.Schema, [], uri)).CommitAsync();

        var full = (await ReadFixture.ReadAll(new TableScan(table, null, _f.Io))).Select(r => Canonical(Row(r))).ToList();
        var limits = await FirstPageBoundaries(bytes);
        Assert.NotEmpty(limits);
        foreach (var n in limits)
        {
            var first = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Limit = n }, _f.Io));
            Assert.True(full.Take(n).SequenceEqual(first.Select(r => Canonical(Row(r)))), $"{file}: the first {n} rows differ from the full read's");
        }
        foreach (var column in table.Schema.Fields.Select(f => f.Name))
        {
            var fullColumn = (await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = [column] }, _f.Io))).Select(r => Canonical(r[0])).ToList();
            foreach (var n in limits)
            {
                var first = await ReadFixture.ReadAll(new TableScan(table, new TableScanOptions { Columns = [column], Limit = n }, _f.Io));
                Assert.True(fullColumn.Take(n).SequenceEqual(first.Select(r => Canonical(r[0]))), $"{file}: the first {n} values of column {column} differ from the full read's");
            }
        }
    }

    /// <summary>1, the rows of each first data page of row group 0 and of row group 0 itself, each ±1.</summary>
    private static async Task<int[]> FirstPageBoundaries(byte[] bytes)
    {
        await using var reader = await Parquet.ParquetReader.CreateAsync(new MemoryStream(bytes));
        var footer = reader.Metadata!;
        var total = footer.RowGroups.Sum(g => g.NumRows);
        var boundaries = new List<long> { 1 };
        if (footer.RowGroups.Count > 0)
        {
            var group = footer.RowGroups[0];
            boundaries.Add(group.NumRows);
            foreach (var chunk in group.Columns)
            {
                if (chunk.MetaData is not { } meta) continue;
                if (chunk.OffsetIndexOffset is { } offset && chunk.OffsetIndexLength is { } length)
                {
                    var pages = OffsetIndex.Read(bytes.AsSpan(checked((int)offset), length));
                    if (pages.Count > 1) boundaries.Add(pages[1].FirstRowIndex);
                    continue;
                }
                var start = meta.DictionaryPageOffset is > 0 and var dictionary && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;
                if (start < 0 || start + meta.TotalCompressedSize > bytes.Length) continue;
                var headers = ColumnChunkDecoder.ReadLeadingHeaders(bytes.AsSpan(checked((int)start), checked((int)meta.TotalCompressedSize)), meta.NumValues, null, out _, out _);
                if (headers.FirstOrDefault(h => h.IsDataPage) is { } page && meta.PathInSchema.Count == 1) boundaries.Add(page.NumValues);
            }
        }
        return boundaries.SelectMany(b => new[] { b - 1, b, b + 1 }).Where(n => n >= 1 && n <= total + 1).Select(n => (int)n).Distinct().Order().ToArray();
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
