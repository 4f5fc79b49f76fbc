namespace Faceberg.Core.Data.Decoding;

/// <summary>Parquet's page types (parquet.thrift PageType).</summary>
internal enum PageKind
{
    DataPage = 0,
    IndexPage = 1,
    DictionaryPage = 2,
    DataPageV2 = 3,
}

/// <summary>
/// The fields of one Parquet page header (parquet.thrift PageHeader and its data, dictionary and v2
/// data page headers) that decoding a page needs.
/// </summary>
internal sealed class PageHeader
{
    public PageKind Kind { get; set; }
    public int UncompressedSize { get; set; }
    public int CompressedSize { get; set; }

    /// <summary>Level entries in a data page, or entries in a dictionary page.</summary>
    public int NumValues { get; set; }

    /// <summary>parquet.thrift Encoding of the page's values.</summary>
    public int Encoding { get; set; }

    /// <summary>v1 data pages: the encoding of definition and repetition levels (RLE = 3, BIT_PACKED = 4).</summary>
    public int DefinitionLevelEncoding { get; set; } = ParquetEncodings.Rle;
    public int RepetitionLevelEncoding { get; set; } = ParquetEncodings.Rle;

    /// <summary>v2 data pages: nulls, byte lengths of the (never compressed) levels, whether the values are compressed.</summary>
    public int NumNulls { get; set; }
    public int DefinitionLevelsLength { get; set; }
    public int RepetitionLevelsLength { get; set; }
    public bool IsCompressed { get; set; } = true;

    /// <summary>Where the page body starts within its column chunk's bytes.</summary>
    public int BodyOffset { get; set; }

    public bool IsDataPage => Kind is PageKind.DataPage or PageKind.DataPageV2;

    /// <summary>Reads a header in Thrift's compact protocol from <paramref name="data"/> at <paramref name="pos"/>, moving past it.</summary>
    public static PageHeader Read(ReadOnlySpan<byte> data, ref int pos)
    {
        var reader = new ThriftCompactReader(data, pos);
        var header = new PageHeader();
        reader.ReadStruct((ref ThriftCompactReader r, short id, byte type) =>
        {
            switch (id)
            {
                case 1 when type == ThriftCompactReader.I32: header.Kind = (PageKind)r.ReadI32(); break;
                case 2 when type == ThriftCompactReader.I32: header.UncompressedSize = r.ReadI32(); break;
                case 3 when type == ThriftCompactReader.I32: header.CompressedSize = r.ReadI32(); break;
                case 5 when type == ThriftCompactReader.Struct: r.ReadStruct(header.ReadDataPageHeader); break;
                case 7 when type == ThriftCompactReader.Struct: r.ReadStruct(header.ReadDictionaryPageHeader); break;
                case 8 when type == ThriftCompactReader.Struct: r.ReadStruct(header.ReadDataPageHeaderV2); break;
                default: r.Skip(type); break;
            }
        });
        if (header.CompressedSize < 0 || header.UncompressedSize < 0 || header.NumValues < 0)
            throw new InvalidDataException("a page header has a negative size or value count");
        pos = reader.Position;
        return header;
    }

    private void ReadDataPageHeader(ref ThriftCompactReader r, short id, byte type)
    {
        switch (id)
        {
            case 1 when type == ThriftCompactReader.I32: NumValues = r.ReadI32(); break;
            case 2 when type == ThriftCompactReader.I32: Encoding = r.ReadI32(); break;
            case 3 when type == ThriftCompactReader.I32: DefinitionLevelEncoding = r.ReadI32(); break;
            case 4 when type == ThriftCompactReader.I32: RepetitionLevelEncoding = r.ReadI32(); break;
            default: r.Skip(type); break;
        }
    }

    private void ReadDictionaryPageHeader(ref ThriftCompactReader r, short id, byte type)
    {
        switch (id)
        {
            case 1 when type == ThriftCompactReader.I32: NumValues = r.ReadI32(); break;
            case 2 when type == ThriftCompactReader.I32: Encoding = r.ReadI32(); break;
            default: r.Skip(type); break;
        }
    }

    private void ReadDataPageHeaderV2(ref ThriftCompactReader r, short id, byte type)
    {
        switch (id)
        {
            case 1 when type == ThriftCompactReader.I32: NumValues = r.ReadI32(); break;
            case 2 when type == ThriftCompactReader.I32: NumNulls = r.ReadI32(); break;
            case 4 when type == ThriftCompactReader.I32: Encoding = r.ReadI32(); break;
            case 5 when type == ThriftCompactReader.I32: DefinitionLevelsLength = r.ReadI32(); break;
            case 6 when type == ThriftCompactReader.I32: RepetitionLevelsLength = r.ReadI32(); break;
            case 7 when type is ThriftCompactReader.True or ThriftCompactReader.False: IsCompressed = type == ThriftCompactReader.True; break;
            default: r.Skip(type); break;
        }
    }
}

/// <summary>parquet.thrift Encoding values this decoder meets.</summary>
internal static class ParquetEncodings
{
    public const int Plain = 0;
    public const int PlainDictionary = 2;
    public const int Rle = 3;
    public const int BitPacked = 4;
    public const int RleDictionary = 8;

    public static string Name(int encoding) => encoding switch
    {
        0 => "PLAIN",
        2 => "PLAIN_DICTIONARY",
        3 => "RLE",
        4 => "BIT_PACKED",
        5 => "DELTA_BINARY_PACKED",
        6 => "DELTA_LENGTH_BYTE_ARRAY",
        7 => "DELTA_BYTE_ARRAY",
        8 => "RLE_DICTIONARY",
        9 => "BYTE_STREAM_SPLIT",
        _ => $"encoding {encoding}",
    };
}
