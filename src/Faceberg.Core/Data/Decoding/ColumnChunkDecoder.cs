using System.Buffers.Binary;
using System.Numerics;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Meta;

namespace Faceberg.Core.Data.Decoding;

/// <summary>One column chunk decoded: its levels (null where the leaf has none) and its non-null values in Parquet-physical form.</summary>
internal sealed record DecodedChunk(int[]? DefinitionLevels, int[]? RepetitionLevels, object?[] Values, int Count);

/// <summary>
/// Faceberg's own decoder for the column chunks Parquet.Net 6.1.0 cannot decode: data pages v2
/// (Parquet.Net throws on repeated columns and RLE booleans there), BOOLEAN columns whose values are
/// RLE-encoded (it uses a bit width of 0: DivideByZeroException, parquet-dotnet issue 638) and INT96
/// columns (it converts them to DateTime and overflows outside years 1-9999) and chunks compressed
/// with the deprecated LZ4 codec (Hadoop-framed LZ4 blocks, which it reads as raw LZ4). It decodes PLAIN,
/// dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY) and RLE-boolean values with RLE levels in v1 and v2
/// pages; a chunk needing anything else stays with Parquet.Net.
/// </summary>
internal static class ColumnChunkDecoder
{
    /// <summary>Whether this decoder takes the chunk whose pages are <paramref name="pages"/>.</summary>
    public static bool Takes(IReadOnlyList<PageHeader> pages, SchemaElement leaf, int maxDef, int maxRep, CompressionCodec codec)
    {
        var data = pages.Where(p => p.IsDataPage).ToList();
        if (data.Count == 0) return false;
        var ours = leaf.Type == Parquet.Meta.Type.INT96 || codec == CompressionCodec.LZ4
                   || data.Any(p => p.Kind == PageKind.DataPageV2)
                   || (leaf.Type == Parquet.Meta.Type.BOOLEAN && data.Any(p => p.Encoding == ParquetEncodings.Rle));
        return ours && CanDecode(pages, leaf, maxDef, maxRep);
    }

    /// <summary>Whether every data page of the chunk uses encodings this decoder reads.</summary>
    public static bool CanDecode(IReadOnlyList<PageHeader> pages, SchemaElement leaf, int maxDef, int maxRep) =>
        pages.Where(p => p.IsDataPage).All(p => Supported(p, leaf, maxDef, maxRep));

    // A v1 page names a level encoding even for levels it does not have (parquet-mr: BIT_PACKED); only present levels matter.
    private static bool Supported(PageHeader page, SchemaElement leaf, int maxDef, int maxRep) =>
        (page.Encoding is ParquetEncodings.Plain or ParquetEncodings.PlainDictionary or ParquetEncodings.RleDictionary
         || (page.Encoding == ParquetEncodings.Rle && leaf.Type == Parquet.Meta.Type.BOOLEAN))
        && (page.Kind == PageKind.DataPageV2
            || ((maxDef == 0 || page.DefinitionLevelEncoding == ParquetEncodings.Rle) && (maxRep == 0 || page.RepetitionLevelEncoding == ParquetEncodings.Rle)));

    /// <summary>The page headers of a chunk, read from its bytes (each header's body is skipped).</summary>
    public static List<PageHeader> ReadHeaders(ReadOnlySpan<byte> chunk, long valueCount)
    {
        var pages = new List<PageHeader>();
        var pos = 0;
        long values = 0;
        while (pos < chunk.Length && values < valueCount)
        {
            var header = PageHeader.Read(chunk, ref pos);
            header.BodyOffset = pos;
            pos = checked(pos + header.CompressedSize);
            if (pos > chunk.Length) throw new InvalidDataException("a page runs past the end of its column chunk");
            if (header.IsDataPage) values += header.NumValues;
            pages.Add(header);
        }
        return pages;
    }

    /// <summary>
    /// The pages that lie whole in <paramref name="prefix"/>, the first bytes of a chunk, from its start:
    /// for a chunk without repetition levels only up to the data page completing <paramref name="rows"/>
    /// values (rows; null reads all). <paramref name="reachedEnd"/> tells whether they are all the chunk's
    /// pages; <paramref name="nextEnd"/> is where the first page not read ends when its header was read
    /// (else 0), so a longer prefix can take it whole.
    /// </summary>
    public static List<PageHeader> ReadLeadingHeaders(ReadOnlySpan<byte> prefix, long valueCount, long? rows, out bool reachedEnd, out long nextEnd)
    {
        var pages = new List<PageHeader>();
        var pos = 0;
        long values = 0;
        nextEnd = 0;
        while (pos < prefix.Length && values < valueCount && !(values >= rows))
        {
            PageHeader header;
            var start = pos;
            try
            {
                header = PageHeader.Read(prefix, ref pos);
            }
            catch (InvalidDataException)
            {
                break;   // a header cut off by the prefix's end, or a corrupt one, which reading the whole chunk reports
            }
            if (pos + (long)header.CompressedSize > prefix.Length)
            {
                nextEnd = pos + (long)header.CompressedSize;
                pos = start;
                break;
            }
            header.BodyOffset = pos;
            pos += header.CompressedSize;
            if (header.IsDataPage) values += header.NumValues;
            pages.Add(header);
        }
        reachedEnd = values >= valueCount;
        return pages;
    }

    /// <summary>Decodes the chunk's pages: levels and values (BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY as byte[], INT96 as DateTime).</summary>
    public static DecodedChunk Decode(ReadOnlySpan<byte> chunk, IReadOnlyList<PageHeader> pages, ColumnMetaData meta, SchemaElement leaf, int maxDef, int maxRep, ParquetValueKind kind) =>
        Decode(chunk, pages, meta, leaf, maxDef, maxRep, kind, rowLimit: null).Chunk;

    /// <summary>
    /// The first <paramref name="rows"/> rows of the leading pages of a chunk, decoded (their levels and values, no
    /// more: a page may hold far more rows); null when the pages do not hold that many complete rows. A row is
    /// complete once the next one starts (repetition level 0), or at the end of the chunk when
    /// <paramref name="chunkEnds"/> says the pages are all of it.
    /// </summary>
    public static DecodedChunk? DecodeLeadingRows(ReadOnlySpan<byte> chunk, IReadOnlyList<PageHeader> pages, ColumnMetaData meta, SchemaElement leaf, int maxDef, int maxRep, ParquetValueKind kind, long rows, bool chunkEnds)
    {
        if (maxRep == 0 && pages.Where(p => p.IsDataPage).Sum(p => (long)p.NumValues) < rows) return null;
        var (decoded, rowsDecoded, limitReached) = Decode(chunk, pages, meta, leaf, maxDef, maxRep, kind, rows);
        return limitReached || (chunkEnds && rowsDecoded == rows) ? decoded : null;
    }

    /// <summary>Decodes the pages, with <paramref name="rowLimit"/> only the entries of that many first rows; how many rows were decoded and whether the limit was reached.</summary>
    private static (DecodedChunk Chunk, long Rows, bool LimitReached) Decode(ReadOnlySpan<byte> chunk, IReadOnlyList<PageHeader> pages, ColumnMetaData meta, SchemaElement leaf, int maxDef, int maxRep, ParquetValueKind kind, long? rowLimit)
    {
        var total = pages.Where(p => p.IsDataPage).Sum(p => (long)p.NumValues);
        if (maxRep == 0 && rowLimit < total) total = rowLimit.Value;
        // With a row limit a repeated column's entries are known page by page: its arrays grow as they fill.
        var capacity = maxRep > 0 && rowLimit != null ? 0 : (int)total;
        var def = maxDef > 0 ? new int[capacity] : null;
        var rep = maxRep > 0 ? new int[capacity] : null;
        var values = new List<object?>();
        object?[]? dictionary = null;
        var n = 0;
        long rowsStarted = 0;
        var limitReached = false;
        foreach (var page in pages)
        {
            if (limitReached && page.IsDataPage) break;
            var body = chunk.Slice(page.BodyOffset, page.CompressedSize);
            var take = maxRep == 0 ? (int)Math.Min(page.NumValues, total - n) : page.NumValues;
            switch (page.Kind)
            {
                case PageKind.DictionaryPage:
                {
                    var bytes = PageDecompressor.Decompress(meta.Codec, body, page.UncompressedSize);
                    dictionary = new object?[page.NumValues];
                    var pos = 0;
                    for (var i = 0; i < dictionary.Length; i++) dictionary[i] = Plain(bytes, ref pos, leaf, kind);
                    break;
                }
                case PageKind.DataPage:
                {
                    var bytes = PageDecompressor.Decompress(meta.Codec, body, page.UncompressedSize);
                    var pos = 0;
                    if (rep != null)
                    {
                        var pageRep = new int[page.NumValues];
                        pos += LevelsV1(bytes.AsSpan(pos), maxRep, pageRep);
                        take = Take(pageRep, rowLimit, ref rowsStarted, ref limitReached);
                        Append(ref rep, n, pageRep.AsSpan(0, take));
                    }
                    if (def != null) pos += LevelsV1(bytes.AsSpan(pos), maxDef, Room(ref def, n, take));
                    Values(bytes.AsSpan(pos), page, Present(def, n, take, maxDef), dictionary, leaf, kind, values);
                    break;
                }
                case PageKind.DataPageV2:
                {
                    var levels = page.RepetitionLevelsLength + page.DefinitionLevelsLength;
                    if (levels > body.Length) throw new InvalidDataException("a v2 page's levels run past the page");
                    if (rep != null)
                    {
                        var pageRep = new int[page.NumValues];
                        HybridRle.Decode(body[..page.RepetitionLevelsLength], HybridRle.BitWidth(maxRep), pageRep);
                        take = Take(pageRep, rowLimit, ref rowsStarted, ref limitReached);
                        Append(ref rep, n, pageRep.AsSpan(0, take));
                    }
                    if (def != null) HybridRle.Decode(body.Slice(page.RepetitionLevelsLength, page.DefinitionLevelsLength), HybridRle.BitWidth(maxDef), Room(ref def, n, take));
                    var data = body[levels..];
                    var bytes = page.IsCompressed && meta.Codec != CompressionCodec.UNCOMPRESSED
                        ? PageDecompressor.Decompress(meta.Codec, data, page.UncompressedSize - levels)
                        : data.ToArray();
                    Values(bytes, page, Present(def, n, take, maxDef), dictionary, leaf, kind, values);
                    break;
                }
            }
            if (page.IsDataPage)
            {
                n += take;
                if (maxRep == 0)
                {
                    rowsStarted = n;
                    limitReached = n >= rowLimit;
                }
            }
        }
        if (def != null && def.Length != n) Array.Resize(ref def, n);
        if (rep != null && rep.Length != n) Array.Resize(ref rep, n);
        return (new DecodedChunk(def, rep, values.ToArray(), n), rowsStarted, limitReached);
    }

    /// <summary>How many of a page's entries belong to the rows wanted: all, or those before the entry starting row <paramref name="rowLimit"/> (counted over the pages so far).</summary>
    private static int Take(int[] repetitionLevels, long? rowLimit, ref long rowsStarted, ref bool limitReached)
    {
        for (var i = 0; i < repetitionLevels.Length; i++)
        {
            if (repetitionLevels[i] != 0) continue;
            if (rowsStarted == rowLimit)
            {
                limitReached = true;
                return i;
            }
            rowsStarted++;
        }
        return repetitionLevels.Length;
    }

    private static void Append(ref int[] levels, int at, ReadOnlySpan<int> entries) => entries.CopyTo(Room(ref levels, at, entries.Length));

    /// <summary>The span of <paramref name="count"/> entries at <paramref name="at"/>, growing the array when it is too short.</summary>
    private static Span<int> Room(ref int[] levels, int at, int count)
    {
        if (at + count > levels.Length) Array.Resize(ref levels, Math.Max(at + count, levels.Length * 2));
        return levels.AsSpan(at, count);
    }

    private static int Present(int[]? def, int start, int count, int maxDef)
    {
        if (def == null) return count;
        var present = 0;
        foreach (var d in def.AsSpan(start, count))
        {
            if (d > maxDef) throw new InvalidDataException($"a definition level {d} exceeds the column's maximum {maxDef}");
            if (d == maxDef) present++;
        }
        return present;
    }

    /// <summary>v1 levels: a 4-byte length, then RLE/bit-packed hybrid runs. Returns the bytes used.</summary>
    private static int LevelsV1(ReadOnlySpan<byte> data, int maxLevel, Span<int> dest)
    {
        if (data.Length < 4) throw new InvalidDataException("a page's levels end early");
        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) throw new InvalidDataException("a page's levels run past the page");
        HybridRle.Decode(data.Slice(4, length), HybridRle.BitWidth(maxLevel), dest);
        return 4 + length;
    }

    private static void Values(ReadOnlySpan<byte> data, PageHeader page, int count, object?[]? dictionary, SchemaElement leaf, ParquetValueKind kind, List<object?> values)
    {
        switch (page.Encoding)
        {
            case ParquetEncodings.Plain when leaf.Type == Parquet.Meta.Type.BOOLEAN:
                if ((count + 7) / 8 > data.Length) throw new InvalidDataException("a page's values end early");
                for (var i = 0; i < count; i++) values.Add((data[i / 8] >> (i % 8) & 1) == 1);
                return;
            case ParquetEncodings.Plain:
            {
                var pos = 0;
                for (var i = 0; i < count; i++) values.Add(Plain(data, ref pos, leaf, kind));
                return;
            }
            case ParquetEncodings.Rle:
            {
                if (count == 0) return;
                // The 4-byte length prefix is passed over, not trusted: hyparquet-writer 0.6.1 writes the value
                // count there; runs are decoded until the page's values are complete, as hyparquet does.
                if (data.Length < 4) throw new InvalidDataException("a page's RLE booleans end early");
                var bits = new int[count];
                HybridRle.Decode(data[4..], 1, bits);
                foreach (var b in bits) values.Add(b == 1);
                return;
            }
            default:
            {
                if (count == 0) return;
                if (dictionary == null) throw new InvalidDataException("a dictionary-encoded page has no dictionary page before it");
                if (data.Length < 1) throw new InvalidDataException("a dictionary-encoded page ends early");
                var indexes = new int[count];
                HybridRle.Decode(data[1..], data[0], indexes);
                foreach (var i in indexes)
                    values.Add((uint)i < (uint)dictionary.Length ? dictionary[i] : throw new InvalidDataException($"a dictionary index {i} is out of range"));
                return;
            }
        }
    }

    private static object? Plain(ReadOnlySpan<byte> data, ref int pos, SchemaElement leaf, ParquetValueKind kind)
    {
        var size = leaf.Type switch
        {
            Parquet.Meta.Type.INT32 or Parquet.Meta.Type.FLOAT => 4,
            Parquet.Meta.Type.INT64 or Parquet.Meta.Type.DOUBLE => 8,
            Parquet.Meta.Type.INT96 => 12,
            Parquet.Meta.Type.FIXED_LEN_BYTE_ARRAY => leaf.TypeLength ?? 0,
            Parquet.Meta.Type.BYTE_ARRAY => pos + 4 <= data.Length ? BinaryPrimitives.ReadInt32LittleEndian(data[pos..]) : -1,
            _ => throw new NotSupportedException($"PLAIN {leaf.Type} values"),
        };
        if (leaf.Type == Parquet.Meta.Type.BYTE_ARRAY) pos += 4;
        if (size < 0 || pos + size > data.Length) throw new InvalidDataException("a page's values end early");
        var v = data.Slice(pos, size);
        pos += size;
        return leaf.Type switch
        {
            Parquet.Meta.Type.INT32 => Int32(BinaryPrimitives.ReadInt32LittleEndian(v), kind, leaf),
            Parquet.Meta.Type.INT64 => Int64(BinaryPrimitives.ReadInt64LittleEndian(v), kind, leaf),
            Parquet.Meta.Type.FLOAT => BinaryPrimitives.ReadSingleLittleEndian(v),
            Parquet.Meta.Type.DOUBLE => BinaryPrimitives.ReadDoubleLittleEndian(v),
            Parquet.Meta.Type.INT96 => Int96(v),
            _ => v.ToArray(),
        };
    }

    private static object Int32(int v, ParquetValueKind kind, SchemaElement leaf) => kind switch
    {
        ParquetValueKind.UInt32 => (object)unchecked((uint)v),   // typed object: the arms would otherwise all widen to decimal
        ParquetValueKind.DecimalInt32 => BoundEncoding.FromUnscaled(new BigInteger(v), Scale(leaf)),
        _ => v,
    };

    private static object Int64(long v, ParquetValueKind kind, SchemaElement leaf) => kind switch
    {
        ParquetValueKind.UInt64 => (object)unchecked((ulong)v),
        ParquetValueKind.DecimalInt64 => BoundEncoding.FromUnscaled(new BigInteger(v), Scale(leaf)),
        _ => v,
    };

    private static int Scale(SchemaElement leaf) => leaf.LogicalType?.DECIMAL?.Scale ?? leaf.Scale ?? 0;

    /// <summary>INT96 (nanoseconds of the day, then the Julian day) as the wall-clock DateTime it stands for.</summary>
    private static object Int96(ReadOnlySpan<byte> v)
    {
        var nanos = BinaryPrimitives.ReadInt64LittleEndian(v);
        var julianDay = BinaryPrimitives.ReadInt32LittleEndian(v[8..]);
        var ticks = (BigInteger)(julianDay - 2_440_588L) * TimeSpan.TicksPerDay + nanos / 100 + DateTime.UnixEpoch.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            throw new TimestampOutOfRangeException($"INT96 value (Julian day {julianDay}, {nanos} ns)");
        return new DateTime((long)ticks, DateTimeKind.Unspecified);
    }
}

/// <summary>A timestamp outside the years 1-9999 that rows (DateTime) can hold; the caller names file and column.</summary>
internal sealed class TimestampOutOfRangeException(string value) : Exception($"timestamp {value} is outside the years 0001-9999 that Faceberg's rows can hold")
{
    public string Value { get; } = value;
}
