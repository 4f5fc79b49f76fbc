using Parquet.Meta;
using PhysicalType = Parquet.Meta.Type;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

/// <summary>
/// Builds footer schema elements and column chunk statistics by hand, for the annotations and
/// statistics other writers (pyarrow, parquet-mr, Spark) produce that Parquet.Net never writes.
/// </summary>
internal static class Footer
{
    public const FieldRepetitionType Required = FieldRepetitionType.REQUIRED;
    public const FieldRepetitionType Optional = FieldRepetitionType.OPTIONAL;
    public const FieldRepetitionType Repeated = FieldRepetitionType.REPEATED;

    /// <summary>A schema element tree node; flattened in pre-order as the footer stores it.</summary>
    public sealed record N(SchemaElement Element, N[] Children)
    {
        public IEnumerable<SchemaElement> Flatten()
        {
            Element.NumChildren = Element.Type == null ? Children.Length : null;
            yield return Element;
            foreach (var c in Children)
                foreach (var e in c.Flatten()) yield return e;
        }
    }

    public static List<SchemaElement> Schema(params N[] columns) =>
        new N(new SchemaElement { Name = "schema" }, columns).Flatten().ToList();

    public static N P(string name, PhysicalType type, FieldRepetitionType rep = Optional, LogicalType? logical = null,
        ConvertedType? converted = null, int? length = null, int? precision = null, int? scale = null, int? fieldId = null) =>
        new(new SchemaElement
        {
            Name = name, Type = type, RepetitionType = rep, LogicalType = logical, ConvertedType = converted,
            TypeLength = length, Precision = precision, Scale = scale, FieldId = fieldId,
        }, Array.Empty<N>());

    public static N G(string name, FieldRepetitionType rep, params N[] children) => G(name, rep, null, null, children);

    public static N G(string name, FieldRepetitionType rep, LogicalType? logical, ConvertedType? converted, params N[] children) =>
        new(new SchemaElement { Name = name, RepetitionType = rep, LogicalType = logical, ConvertedType = converted }, children);

    /// <summary>The standard three-level list.</summary>
    public static N List(string name, FieldRepetitionType rep, N element) =>
        G(name, rep, new LogicalType { LIST = new global::Parquet.Meta.ListType() }, ConvertedType.LIST, G("list", Repeated, element));

    public static N Map(string name, FieldRepetitionType rep, N key, N value) =>
        G(name, rep, new LogicalType { MAP = new global::Parquet.Meta.MapType() }, ConvertedType.MAP, G("key_value", Repeated, key, value));

    public static N String(string name, FieldRepetitionType rep = Optional) =>
        P(name, PhysicalType.BYTE_ARRAY, rep, new LogicalType { STRING = new StringType() }, ConvertedType.UTF8);

    public static LogicalType Int(int bits, bool signed) => new() { INTEGER = new IntType { BitWidth = (sbyte)bits, IsSigned = signed } };

    public static LogicalType Timestamp(string unit, bool utc) => new() { TIMESTAMP = new TimestampType { IsAdjustedToUTC = utc, Unit = Unit(unit) } };

    public static LogicalType Time(string unit) => new() { TIME = new TimeType { IsAdjustedToUTC = false, Unit = Unit(unit) } };

    public static LogicalType Decimal(int precision, int scale) => new() { DECIMAL = new global::Parquet.Meta.DecimalType { Precision = precision, Scale = scale } };

    private static TimeUnit Unit(string unit) => unit switch
    {
        "ms" => new TimeUnit { MILLIS = new MilliSeconds() },
        "us" => new TimeUnit { MICROS = new MicroSeconds() },
        "ns" => new TimeUnit { NANOS = new NanoSeconds() },
        _ => throw new ArgumentException(unit),
    };

    /// <summary>A column chunk with the given statistics, as a pyarrow-like writer would record them.</summary>
    public static ColumnChunk Chunk(string path, long values, long? nulls, byte[]? min, byte[]? max, long size = 100, bool deprecatedOnly = false) => new()
    {
        MetaData = new ColumnMetaData
        {
            PathInSchema = path.Split('.').ToList(),
            NumValues = values,
            TotalCompressedSize = size,
            TotalUncompressedSize = size * 2,
            DataPageOffset = 4,
            Statistics = new Statistics
            {
                NullCount = nulls,
                MinValue = deprecatedOnly ? null : min,
                MaxValue = deprecatedOnly ? null : max,
                Min = deprecatedOnly ? min : null,
                Max = deprecatedOnly ? max : null,
            },
        },
    };

    public static FileMetaData File(List<SchemaElement> schema, params RowGroup[] rowGroups) => new()
    {
        Version = 2,
        Schema = schema,
        NumRows = rowGroups.Sum(g => g.NumRows),
        RowGroups = rowGroups.ToList(),
        CreatedBy = "parquet-cpp-arrow version 17.0.0",
    };

    public static RowGroup Group(long rows, params ColumnChunk[] chunks) => new() { NumRows = rows, Columns = chunks.ToList() };
}
