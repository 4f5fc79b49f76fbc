namespace Faceberg.Core.Data.Decoding;

/// <summary>Where one data page of a column chunk lies and the row (within its row group) it starts with (parquet.thrift PageLocation).</summary>
internal readonly record struct PageLocation(long Offset, int CompressedPageSize, long FirstRowIndex);

/// <summary>
/// A column chunk's offset index (parquet.thrift OffsetIndex, Parquet's PageIndex.md): the location and
/// first row of each of its data pages, written apart from the chunk so a reader can find the pages holding
/// given rows without reading the chunk. Pages of a chunk with an offset index begin at row boundaries.
/// </summary>
internal static class OffsetIndex
{
    /// <summary>The page locations of a serialized offset index.</summary>
    public static List<PageLocation> Read(ReadOnlySpan<byte> data)
    {
        var pages = new List<PageLocation>();
        var reader = new ThriftCompactReader(data, 0);
        reader.ReadStruct((ref ThriftCompactReader r, short id, byte type) =>
        {
            if (id != 1 || type != ThriftCompactReader.List)
            {
                r.Skip(type);
                return;
            }
            var (size, element) = r.ReadListHeader();
            if (element != ThriftCompactReader.Struct) throw new InvalidDataException("an offset index's page locations are not structs");
            for (var i = 0; i < size; i++)
            {
                long offset = -1, firstRow = -1;
                var compressedSize = -1;
                r.ReadStruct((ref ThriftCompactReader p, short field, byte t) =>
                {
                    switch (field)
                    {
                        case 1 when t == ThriftCompactReader.I64: offset = p.ReadI64(); break;
                        case 2 when t == ThriftCompactReader.I32: compressedSize = p.ReadI32(); break;
                        case 3 when t == ThriftCompactReader.I64: firstRow = p.ReadI64(); break;
                        default: p.Skip(t); break;
                    }
                });
                if (offset < 0 || compressedSize < 0 || firstRow < 0) throw new InvalidDataException("an offset index has a page location without offset, size or first row");
                pages.Add(new PageLocation(offset, compressedSize, firstRow));
            }
        });
        return pages;
    }

    /// <summary>
    /// How many bytes from the chunk's start hold its first <paramref name="rows"/> rows: the dictionary page
    /// (which precedes the data pages) and every data page starting before row <paramref name="rows"/> — for a
    /// repeated column also the page starting at that row, whose first level proves the last wanted row ended.
    /// Null when the locations are not consistent with the chunk (then the chunk's pages are read from its start instead).
    /// </summary>
    public static long? PrefixLength(IReadOnlyList<PageLocation> pages, long rows, bool repeated, long chunkStart, long chunkLength)
    {
        var end = chunkStart;
        var before = repeated ? rows + 1 : rows;
        var previousRow = -1L;
        foreach (var page in pages)
        {
            if (page.FirstRowIndex >= before) break;
            if ((previousRow < 0 && page.FirstRowIndex != 0) || page.Offset < end || page.Offset + page.CompressedPageSize > chunkStart + chunkLength || page.FirstRowIndex <= previousRow) return null;
            previousRow = page.FirstRowIndex;
            end = page.Offset + page.CompressedPageSize;
        }
        return end > chunkStart ? end - chunkStart : null;
    }
}
