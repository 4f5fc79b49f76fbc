using Faceberg.Core.Data.Decoding;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet;

namespace Faceberg.Core.Data;

/// <summary>
/// One Parquet data file opened through the file IO: its footer, its column layout (leaves tied to table
/// field ids by the file's field ids, else the table's name mapping), row-group statistics for pruning, and
/// row groups loaded column by column for the cursors a row builder asks for. Where the IO prefers ranged
/// reads fetched ahead (the Hub), a row group's column chunks are fetched at once, concurrently.
/// </summary>
internal sealed class ParquetFileReader : IAsyncDisposable
{
    private readonly RandomAccessInput _input;
    private readonly ChunkPrefetchStream? _prefetch;
    private readonly ParquetReader _reader;

    private ParquetFileReader(RandomAccessInput input, ChunkPrefetchStream? prefetch, ParquetReader reader, ParquetFileFacts facts, ParquetColumnLayout layout)
    {
        _input = input;
        _prefetch = prefetch;
        _reader = reader;
        Facts = facts;
        Layout = layout;
    }

    public string Path => _input.Path;
    public ParquetFileFacts Facts { get; }
    public ParquetColumnLayout Layout { get; }
    public int RowGroupCount => _reader.RowGroupCount;

    public static async Task<ParquetFileReader> OpenAsync(IFileIO io, string path, NameMapping mapping, CancellationToken ct)
    {
        var input = await io.OpenInputAsync(path, ct).ConfigureAwait(false);
        ChunkPrefetchStream? prefetch = input.PrefersPrefetch ? new ChunkPrefetchStream(input.Stream, input.ReadRangeAsync, input.CachedFrom) : null;
        try
        {
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(prefetch ?? input.Stream, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not FacebergException)
            {
                throw ParquetEncryption.Unreadable(path, input.Stream, e);
            }
            try
            {
                var footer = reader.Metadata!;
                var facts = ParquetFileInspector.Describe(footer, path, input.Length);
                var usesFileIds = footer.Schema.Count > 1 && footer.Schema.Skip(1).All(e => e.FieldId != null);
                Parquet.Schema.ParquetSchema schema;
                try
                {
                    schema = reader.Schema;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Float16 columns and implicit lists of several fields, for instance: valid Parquet the library cannot model.
                    throw new FacebergException("UnsupportedParquetSchema", FacebergErrorKind.NotSupported,
                        $"Parquet file '{path}' has a schema the Parquet library cannot read{SchemaProblem(footer)}: {e.Message}", e);
                }
                var layout = ParquetColumnLayout.Build(footer, schema, facts, mapping, usesFileIds, path);
                return new ParquetFileReader(input, prefetch, reader, facts, layout);
            }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            if (prefetch != null) await prefetch.DisposeAsync().ConfigureAwait(false);
            await input.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The columns of a schema Parquet.Net cannot model, named with what it lacks (" (column 'x' is FLOAT16)"), or "".</summary>
    private static string SchemaProblem(Parquet.Meta.FileMetaData footer)
    {
        var problems = new List<string>();
        var schema = footer.Schema;
        for (var i = 1; i < schema.Count; i++)
        {
            var e = schema[i];
            if (e.LogicalType?.FLOAT16 != null)
                problems.Add($"column '{e.Name}' is FLOAT16 (half-precision)");
            else if (e.Type == null && e.RepetitionType == Parquet.Meta.FieldRepetitionType.REPEATED && e.NumChildren > 1
                     && e.LogicalType?.LIST == null && e.ConvertedType is not (Parquet.Meta.ConvertedType.LIST or Parquet.Meta.ConvertedType.MAP or Parquet.Meta.ConvertedType.MAP_KEY_VALUE)
                     && Parent(schema, i) is { } parent && parent.LogicalType?.LIST == null && parent.LogicalType?.MAP == null
                     && parent.ConvertedType is not (Parquet.Meta.ConvertedType.LIST or Parquet.Meta.ConvertedType.MAP or Parquet.Meta.ConvertedType.MAP_KEY_VALUE))
                problems.Add($"column '{e.Name}' is an unannotated repeated group of {e.NumChildren} fields");
        }
        return problems.Count == 0 ? "" : $" ({string.Join("; ", problems)})";
    }

    /// <summary>The parent of the schema element at <paramref name="index"/> in the footer's depth-first list.</summary>
    private static Parquet.Meta.SchemaElement? Parent(List<Parquet.Meta.SchemaElement> schema, int index)
    {
        var open = new Stack<(int Index, int Remaining)>();   // groups whose children are still being listed
        open.Push((0, schema[0].NumChildren ?? 0));
        for (var i = 1; i < schema.Count; i++)
        {
            while (open.Count > 0 && open.Peek().Remaining == 0) open.Pop();
            if (open.Count == 0) return null;
            var (parent, remaining) = open.Pop();
            open.Push((parent, remaining - 1));
            if (i == index) return schema[parent];
            if (schema[i].NumChildren is > 0 and var n) open.Push((i, n));
        }
        return null;
    }

    /// <summary>A column's statistics in one row group, from the footer (columns outside lists and maps only).</summary>
    public ColumnStats? RowGroupStats(int group, int fieldId, PrimitiveType type)
    {
        foreach (var leaf in Layout.Leaves)
        {
            if (leaf.MappedId != fieldId || leaf.Rep > 0) continue;
            var chunk = Facts.RowGroups[group].Columns.FirstOrDefault(c => c.ParquetPath.SequenceEqual(leaf.Path));
            if (chunk == null) return null;
            try
            {
                return new ColumnStats(
                    chunk.Min == null ? null : DataValues.FromBound(type, chunk.Min),
                    chunk.Max == null ? null : DataValues.FromBound(type, chunk.Max),
                    chunk.NullCount, chunk.ValueCount);
            }
            catch (FacebergException)
            {
                return null;   // statistics this reader cannot decode prune nothing
            }
        }
        return null;
    }

    /// <summary>Loads row group <paramref name="group"/> into <paramref name="cursors"/> (fetching their chunks ahead where that pays); returns its row count.</summary>
    public async Task<long> LoadRowGroupAsync(int group, IReadOnlyList<LeafCursor> cursors, CancellationToken ct)
    {
        if (_prefetch != null)
            await _prefetch.PrefetchAsync(cursors.Select(c => ChunkRange(_reader.Metadata!.RowGroups[group], c.Leaf)), ct).ConfigureAwait(false);
        using var rowGroup = _reader.OpenRowGroupReader(group);
        foreach (var cursor in cursors)
        {
            try
            {
                if (!await TryLoadOwnDecodingAsync(group, cursor, force: false, ct).ConfigureAwait(false))
                {
                    try
                    {
                        await cursor.LoadAsync(rowGroup, ct).ConfigureAwait(false);
                    }
                    catch (ArgumentOutOfRangeException) when (cursor.Leaf.Leaf?.Kind is ParquetValueKind.TimestampMillis or ParquetValueKind.TimestampMicros or ParquetValueKind.TimestampNanos)
                    {
                        // Parquet.Net converts timestamps to DateTime itself and overflows outside years 1-9999 without
                        // saying which value; decoding the chunk here finds and names it.
                        if (!await TryLoadOwnDecodingAsync(group, cursor, force: true, ct).ConfigureAwait(false)) throw;
                    }
                }
            }
            catch (TimestampOutOfRangeException e)
            {
                throw new FacebergException("TimestampOutOfRange", FacebergErrorKind.NotSupported,
                    $"Column '{string.Join('.', cursor.Leaf.Path)}' of Parquet file '{Path}' holds {e.Value}, outside the years 0001-9999 that Faceberg's timestamps (DateTime) can hold.", e);
            }
            catch (Exception e) when (e is not OperationCanceledException and not FacebergException and not IOException and not HttpRequestException
                                      || e is InvalidDataException)
            {
                throw UnreadableColumn(group, cursor.Leaf, e);
            }
        }
        return rowGroup.RowCount;
    }

    /// <summary>
    /// Loads only the first <paramref name="rows"/> rows of row group <paramref name="group"/> into
    /// <paramref name="cursors"/>; returns how many rows the cursors hold for reading (<paramref name="rows"/>
    /// or the group's row count if smaller). A chunk whose pages <see cref="ColumnChunkDecoder"/> reads is fetched
    /// and decoded only from its start to the last page holding those rows: located by the chunk's offset index
    /// where the file has one (the indexes fetched together, then the chunks' leading pages together), else
    /// read in growing prefixes until the pages read hold the rows. Other chunks, and chunks whose leading
    /// pages do not decode, are loaded whole as by <see cref="LoadRowGroupAsync"/>.
    /// </summary>
    public async Task<long> LoadLeadingRowsAsync(int group, IReadOnlyList<LeafCursor> cursors, long rows, CancellationToken ct)
    {
        var rowGroup = _reader.Metadata!.RowGroups[group];
        if (rows >= rowGroup.NumRows)
            return await LoadRowGroupAsync(group, cursors, ct).ConfigureAwait(false);
        var reads = new List<LeadingRead>();
        var whole = new List<LeafCursor>();
        foreach (var cursor in cursors)
        {
            if (LeadingRead.For(cursor, ColumnChunk(rowGroup, cursor.Leaf), ChunkRange(rowGroup, cursor.Leaf), _input.Length) is { } read) reads.Add(read);
            else whole.Add(cursor);
        }
        var indexed = reads.Where(r => r.IndexRange != null).ToList();
        if (indexed.Count > 0)
        {
            await PrefetchAsync(indexed.Select(r => r.IndexRange!.Value), ct).ConfigureAwait(false);
            foreach (var read in indexed)
            {
                var (offset, length) = read.IndexRange!.Value;
                var index = await ReadRangeAsync(offset, (int)length, ct).ConfigureAwait(false);
                try
                {
                    read.Prefix = OffsetIndex.PrefixLength(OffsetIndex.Read(index), rows, read.Cursor.Leaf.Rep > 0, read.Start, read.Length) ?? read.Prefix;
                }
                catch (InvalidDataException)
                {
                    // An offset index this reader cannot parse: the chunk's pages are read from its start instead.
                }
            }
        }
        // Rounds of fetches, each chunk's ranges of a round fetched together: first every chunk's prefix, then
        // more of the chunks whose pages read so far do not hold the rows.
        var pending = reads;
        var ranges = reads.Select(r => (r.Start, r.Prefix)).ToList();
        while (pending.Count > 0)
        {
            await PrefetchAsync(ranges, ct).ConfigureAwait(false);
            foreach (var read in pending)
            {
                var (offset, length) = (read.Start + read.Bytes.Length, read.Prefix - read.Bytes.Length);
                var more = await ReadRangeAsync(offset, (int)length, ct).ConfigureAwait(false);
                read.Bytes = read.Bytes.Length == 0 ? more : [.. read.Bytes, .. more];
            }
            var growing = new List<LeadingRead>();
            foreach (var read in pending)
            {
                long wanted;
                try
                {
                    wanted = TryLoadLeadingPages(read, rows);
                }
                catch (Exception e) when (e is not OperationCanceledException and not FacebergException and not IOException and not HttpRequestException
                                          || e is InvalidDataException)
                {
                    wanted = -1;   // loading the whole chunk reports what is wrong with it, named
                }
                if (wanted > 0)
                {
                    read.Prefix = wanted;
                    growing.Add(read);
                    continue;
                }
                if (wanted < 0) whole.Add(read.Cursor);
                read.Bytes = [];
            }
            pending = growing;
            ranges = growing.Select(r => (r.Start + r.Bytes.Length, r.Prefix - r.Bytes.Length)).ToList();
        }
        if (whole.Count > 0) await LoadRowGroupAsync(group, whole, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Decodes the pages at the start of a chunk that hold the rows wanted into the read's cursor (0); or how long a
    /// prefix of the chunk to fetch when the bytes read so far do not hold them (more than 0); or -1 when the decoder
    /// does not read those pages, or the whole chunk does not hold the rows, which leaves the chunk to be loaded whole.
    /// </summary>
    private static long TryLoadLeadingPages(LeadingRead read, long rows)
    {
        var leaf = read.Cursor.Leaf;
        var repeated = leaf.Rep > 0;
        var kind = leaf.Leaf?.Kind ?? ParquetValueKind.Binary;
        var pages = ColumnChunkDecoder.ReadLeadingHeaders(read.Bytes, read.Meta.NumValues, repeated ? null : rows, out var reachedEnd, out var nextEnd);
        if (!ColumnChunkDecoder.CanDecode(pages, leaf.Element, leaf.Def, leaf.Rep)) return -1;
        // Only the wanted rows' entries are decoded: a page may hold far more (one page per chunk, as Parquet.Net writes).
        var decoded = ColumnChunkDecoder.DecodeLeadingRows(read.Bytes, pages, read.Meta, leaf.Element, leaf.Def, leaf.Rep, kind, rows, reachedEnd);
        if (decoded != null)
        {
            read.Cursor.Load(decoded.DefinitionLevels, decoded.RepetitionLevels, decoded.Values, decoded.Count);
            return 0;
        }
        if (reachedEnd || read.Bytes.Length >= read.Length) return -1;
        // Grow geometrically, and at least far enough to take the page whose header was cut off whole.
        return Math.Min(read.Length, Math.Max(read.Bytes.Length * 4L, nextEnd + LeadingRead.InitialBytes));
    }

    private Task PrefetchAsync(IEnumerable<(long Start, long Length)> ranges, CancellationToken ct) =>
        _prefetch?.PrefetchAsync(ranges, ct) ?? Task.CompletedTask;

    /// <summary>One chunk read from its start for a limited read: where it lies, its offset index, and the prefix fetched so far.</summary>
    private sealed class LeadingRead(LeafCursor cursor, Parquet.Meta.ColumnMetaData meta, long start, long length, (long Offset, long Length)? indexRange)
    {
        /// <summary>The prefix first fetched of a chunk without an offset index: many small pages, or the start of one large page (whose header tells its end).</summary>
        public const int InitialBytes = 64 * 1024;

        public LeafCursor Cursor { get; } = cursor;
        public Parquet.Meta.ColumnMetaData Meta { get; } = meta;
        public long Start { get; } = start;
        public long Length { get; } = length;
        public (long Offset, long Length)? IndexRange { get; } = indexRange;
        public long Prefix { get; set; } = Math.Min(length, InitialBytes);
        public byte[] Bytes { get; set; } = [];

        /// <summary>The leading read of a cursor's chunk, or null when the chunk is left to be loaded whole (encodings or a codec the page decoder does not read, or sizes it cannot hold).</summary>
        public static LeadingRead? For(LeafCursor cursor, Parquet.Meta.ColumnChunk? chunk, (long Start, long Length) range, long fileLength)
        {
            if (chunk?.MetaData is not { } meta || range.Length <= 0 || range.Length > int.MaxValue || meta.TotalUncompressedSize > int.MaxValue) return null;
            if (meta.Codec is not (Parquet.Meta.CompressionCodec.UNCOMPRESSED or Parquet.Meta.CompressionCodec.SNAPPY or Parquet.Meta.CompressionCodec.GZIP
                or Parquet.Meta.CompressionCodec.BROTLI or Parquet.Meta.CompressionCodec.ZSTD or Parquet.Meta.CompressionCodec.LZ4_RAW or Parquet.Meta.CompressionCodec.LZ4)) return null;
            if (!meta.Encodings.All(e => e is Parquet.Meta.Encoding.PLAIN or Parquet.Meta.Encoding.PLAIN_DICTIONARY or Parquet.Meta.Encoding.RLE
                or Parquet.Meta.Encoding.BIT_PACKED or Parquet.Meta.Encoding.RLE_DICTIONARY)) return null;
            (long, long)? index = chunk.OffsetIndexOffset is > 0 and var offset && chunk.OffsetIndexLength is > 0 and var length && offset + length <= fileLength
                ? (offset, length)
                : null;
            return new LeadingRead(cursor, meta, range.Start, range.Length, index);
        }
    }

    /// <summary>
    /// Decodes the cursor's chunk with <see cref="ColumnChunkDecoder"/> when it is of a shape Parquet.Net
    /// decodes wrongly (v2 data pages, RLE booleans, INT96, Hadoop-framed LZ4); false leaves the chunk to Parquet.Net.
    /// Chunks of other columns are only read for their first data page's header, and only when the
    /// footer's encoding statistics do not already tell their page version.
    /// </summary>
    private async Task<bool> TryLoadOwnDecodingAsync(int group, LeafCursor cursor, bool force, CancellationToken ct)
    {
        var leaf = cursor.Leaf;
        var chunk = ColumnChunk(_reader.Metadata!.RowGroups[group], leaf);
        if (chunk?.MetaData is not { } meta) return false;
        var (start, length) = ChunkRange(_reader.Metadata!.RowGroups[group], leaf);
        if (length <= 0 || length > int.MaxValue) return false;
        if (meta.TotalUncompressedSize > int.MaxValue)
            throw new FacebergException("UnsupportedParquetData", FacebergErrorKind.NotSupported,
                $"Column '{string.Join('.', leaf.Path)}' of Parquet file '{Path}' cannot be read: its column chunk in row group {group} is {meta.TotalUncompressedSize} bytes uncompressed, over the 2 GiB a chunk may take in memory.");
        // Hadoop's LZ4 framing (the deprecated LZ4 codec) is read as a raw LZ4 block by Parquet.Net.
        var candidate = force || leaf.Element.Type is Parquet.Meta.Type.BOOLEAN or Parquet.Meta.Type.INT96
            || meta.Codec == Parquet.Meta.CompressionCodec.LZ4
            || (meta.EncodingStats is { Count: > 0 } stats
                ? stats.Any(s => s.PageType == Parquet.Meta.PageType.DATA_PAGE_V2)
                : await FirstDataPageIsV2Async(start, length, ct).ConfigureAwait(false));
        if (!candidate) return false;
        var bytes = await ReadRangeAsync(start, (int)length, ct).ConfigureAwait(false);
        var pages = ColumnChunkDecoder.ReadHeaders(bytes, meta.NumValues);
        if (!(force ? ColumnChunkDecoder.CanDecode(pages, leaf.Element, leaf.Def, leaf.Rep) : ColumnChunkDecoder.Takes(pages, leaf.Element, leaf.Def, leaf.Rep, meta.Codec))) return false;
        var decoded = ColumnChunkDecoder.Decode(bytes, pages, meta, leaf.Element, leaf.Def, leaf.Rep, leaf.Leaf?.Kind ?? ParquetValueKind.Binary);
        cursor.Load(decoded.DefinitionLevels, decoded.RepetitionLevels, decoded.Values, decoded.Count);
        return true;
    }

    private async Task<bool> FirstDataPageIsV2Async(long start, long length, CancellationToken ct)
    {
        var offset = start;
        for (var page = 0; page < 2 && offset < start + length; page++)   // a dictionary page, then the first data page
        {
            // Headers are small unless their statistics are long: read a little, more only when the header does not fit.
            var remaining = start + length - offset;
            var size = (int)Math.Min(remaining, 4096);
            Decoding.PageHeader header;
            int pos;
            while (true)
            {
                var bytes = await ReadRangeAsync(offset, size, ct).ConfigureAwait(false);
                pos = 0;
                try
                {
                    header = Decoding.PageHeader.Read(bytes, ref pos);
                    break;
                }
                catch (InvalidDataException) when (size < remaining)
                {
                    size = (int)Math.Min(remaining, size * 16L);
                }
            }
            if (header.IsDataPage) return header.Kind == PageKind.DataPageV2;
            offset += pos + header.CompressedSize;
        }
        return false;
    }

    private async Task<byte[]> ReadRangeAsync(long offset, int length, CancellationToken ct)
    {
        var stream = (Stream?)_prefetch ?? _input.Stream;
        var bytes = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// A column chunk the Parquet library could not decode, named by file, column and what the chunk
    /// uses (physical and logical type, encodings, compression), so the unsupported feature is visible.
    /// </summary>
    private FacebergException UnreadableColumn(int group, ParquetNode leaf, Exception e)
    {
        var chunk = _reader.Metadata!.RowGroups[group].Columns.FirstOrDefault(c => c.MetaData?.PathInSchema.SequenceEqual(leaf.Path) == true)?.MetaData;
        var logical = leaf.Element.LogicalType is { } l ? LogicalTypeName(l) : leaf.Element.ConvertedType?.ToString();
        var features = chunk == null
            ? $"type {leaf.Element.Type}"
            : $"type {leaf.Element.Type}{(logical == null ? "" : $" ({logical})")}, encodings {string.Join("/", chunk.Encodings)}, compression {chunk.Codec}"
              + (chunk.EncodingStats is { Count: > 0 } stats ? $", pages {string.Join("/", stats.Select(s => s.PageType).Distinct())}" : "");
        return new FacebergException("UnsupportedParquetData", FacebergErrorKind.NotSupported,
            $"Column '{string.Join('.', leaf.Path)}' of Parquet file '{Path}' cannot be read ({features}): {e.GetType().Name}: {e.Message}", e);
    }

    private static string LogicalTypeName(Parquet.Meta.LogicalType l) =>
        l.GetType().GetProperties().FirstOrDefault(p => p.PropertyType.IsClass && p.PropertyType != typeof(string) && p.GetValue(l) != null)?.Name ?? "logical";

    /// <summary>Where a leaf's column chunk lies in the file: from its dictionary page (if any) over its compressed size.</summary>
    private static (long Start, long Length) ChunkRange(Parquet.Meta.RowGroup group, ParquetNode leaf)
    {
        if (ColumnChunk(group, leaf)?.MetaData is not { } md) return (0, 0);
        var start = md.DictionaryPageOffset is > 0 and var dictionary && dictionary < md.DataPageOffset ? dictionary : md.DataPageOffset;
        return (start, md.TotalCompressedSize);
    }

    private static Parquet.Meta.ColumnChunk? ColumnChunk(Parquet.Meta.RowGroup group, ParquetNode leaf) =>
        leaf.LeafIndex < group.Columns.Count && group.Columns[leaf.LeafIndex].MetaData?.PathInSchema.SequenceEqual(leaf.Path) == true
            ? group.Columns[leaf.LeafIndex]
            : group.Columns.FirstOrDefault(c => c.MetaData?.PathInSchema.SequenceEqual(leaf.Path) == true);

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        if (_prefetch != null) await _prefetch.DisposeAsync().ConfigureAwait(false);
        await _input.DisposeAsync().ConfigureAwait(false);
    }
}
