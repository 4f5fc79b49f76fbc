using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Meta;
using static Faceberg.Core.Tests.Iceberg.Parquet.Footer;
using DecimalType = Faceberg.Core.Iceberg.Spec.DecimalType;
using ListType = Faceberg.Core.Iceberg.Spec.ListType;
using MapType = Faceberg.Core.Iceberg.Spec.MapType;
using PhysicalType = Parquet.Meta.Type;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

public class ParquetSchemaConverterTests
{
    private const string Uri = "hf://datasets/org/repo@abc/data/train-0.parquet";

    private static ParquetSchemaConversion Convert(params N[] columns) => ParquetSchemaConverter.Convert(Schema(columns), Uri);

    public static TheoryData<string, string, ParquetValueKind> PrimitiveCases() => new()
    {
        { "boolean", "boolean", ParquetValueKind.Boolean },
        { "int32", "int", ParquetValueKind.Int32 },
        { "int8", "int", ParquetValueKind.Int32 },
        { "int16", "int", ParquetValueKind.Int32 },
        { "int32-logical", "int", ParquetValueKind.Int32 },
        { "uint8", "int", ParquetValueKind.UInt32 },
        { "uint16", "int", ParquetValueKind.UInt32 },
        { "uint32", "long", ParquetValueKind.UInt32 },
        { "converted-int8", "int", ParquetValueKind.Int32 },
        { "converted-uint16", "int", ParquetValueKind.UInt32 },
        { "converted-uint32", "long", ParquetValueKind.UInt32 },
        { "int64", "long", ParquetValueKind.Int64 },
        { "int64-logical", "long", ParquetValueKind.Int64 },
        { "uint64", "long", ParquetValueKind.UInt64 },
        { "converted-uint64", "long", ParquetValueKind.UInt64 },
        { "float", "float", ParquetValueKind.Float },
        { "double", "double", ParquetValueKind.Double },
        { "float16", "float", ParquetValueKind.Float16 },
        { "binary", "binary", ParquetValueKind.Binary },
        { "string", "string", ParquetValueKind.String },
        { "utf8-converted", "string", ParquetValueKind.String },
        { "enum", "string", ParquetValueKind.String },
        { "json", "string", ParquetValueKind.String },
        { "json-converted", "string", ParquetValueKind.String },
        { "bson", "binary", ParquetValueKind.Binary },
        { "uuid", "uuid", ParquetValueKind.Uuid },
        { "fixed", "fixed[7]", ParquetValueKind.Fixed },
        { "decimal-int32", "decimal(9,2)", ParquetValueKind.DecimalInt32 },
        { "decimal-int64", "decimal(18,4)", ParquetValueKind.DecimalInt64 },
        { "decimal-fixed", "decimal(38,10)", ParquetValueKind.DecimalBytes },
        { "decimal-binary", "decimal(20,0)", ParquetValueKind.DecimalBytes },
        { "decimal-converted", "decimal(5,1)", ParquetValueKind.DecimalInt32 },
        { "date", "date", ParquetValueKind.Date },
        { "date-converted", "date", ParquetValueKind.Date },
        { "time-millis", "time", ParquetValueKind.TimeMillis },
        { "time-micros", "time", ParquetValueKind.TimeMicros },
        { "time-nanos", "time", ParquetValueKind.TimeNanos },
        { "time-millis-converted", "time", ParquetValueKind.TimeMillis },
        { "time-micros-converted", "time", ParquetValueKind.TimeMicros },
        { "timestamp-millis-utc", "timestamptz", ParquetValueKind.TimestampMillis },
        { "timestamp-micros-local", "timestamp", ParquetValueKind.TimestampMicros },
        { "timestamp-micros-utc", "timestamptz", ParquetValueKind.TimestampMicros },
        { "timestamp-nanos-utc", "timestamptz", ParquetValueKind.TimestampNanos },
        { "timestamp-nanos-local", "timestamp", ParquetValueKind.TimestampNanos },
        { "timestamp-millis-converted", "timestamptz", ParquetValueKind.TimestampMillis },
        { "timestamp-micros-converted", "timestamptz", ParquetValueKind.TimestampMicros },
        { "timestamp-unitless-with-converted", "timestamp", ParquetValueKind.TimestampMicros },
        { "int96", "timestamp", ParquetValueKind.Int96 },
    };

    private static N PrimitiveCase(string name) => name switch
    {
        "boolean" => P("c", PhysicalType.BOOLEAN),
        "int32" => P("c", PhysicalType.INT32),
        "int8" => P("c", PhysicalType.INT32, logical: Int(8, true), converted: ConvertedType.INT_8),
        "int16" => P("c", PhysicalType.INT32, logical: Int(16, true)),
        "int32-logical" => P("c", PhysicalType.INT32, logical: Int(32, true)),
        "uint8" => P("c", PhysicalType.INT32, logical: Int(8, false), converted: ConvertedType.UINT_8),
        "uint16" => P("c", PhysicalType.INT32, logical: Int(16, false)),
        "uint32" => P("c", PhysicalType.INT32, logical: Int(32, false)),
        "converted-int8" => P("c", PhysicalType.INT32, converted: ConvertedType.INT_8),
        "converted-uint16" => P("c", PhysicalType.INT32, converted: ConvertedType.UINT_16),
        "converted-uint32" => P("c", PhysicalType.INT32, converted: ConvertedType.UINT_32),
        "int64" => P("c", PhysicalType.INT64),
        "int64-logical" => P("c", PhysicalType.INT64, logical: Int(64, true)),
        "uint64" => P("c", PhysicalType.INT64, logical: Int(64, false)),
        "converted-uint64" => P("c", PhysicalType.INT64, converted: ConvertedType.UINT_64),
        "float" => P("c", PhysicalType.FLOAT),
        "double" => P("c", PhysicalType.DOUBLE),
        "float16" => P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: new LogicalType { FLOAT16 = new Float16Type() }, length: 2),
        "binary" => P("c", PhysicalType.BYTE_ARRAY),
        "string" => P("c", PhysicalType.BYTE_ARRAY, logical: new LogicalType { STRING = new StringType() }),
        "utf8-converted" => P("c", PhysicalType.BYTE_ARRAY, converted: ConvertedType.UTF8),
        "enum" => P("c", PhysicalType.BYTE_ARRAY, logical: new LogicalType { ENUM = new EnumType() }, converted: ConvertedType.ENUM),
        "json" => P("c", PhysicalType.BYTE_ARRAY, logical: new LogicalType { JSON = new JsonType() }),
        "json-converted" => P("c", PhysicalType.BYTE_ARRAY, converted: ConvertedType.JSON),
        "bson" => P("c", PhysicalType.BYTE_ARRAY, logical: new LogicalType { BSON = new BsonType() }),
        "uuid" => P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: new LogicalType { UUID = new UUIDType() }, length: 16),
        "fixed" => P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, length: 7),
        "decimal-int32" => P("c", PhysicalType.INT32, logical: Decimal(9, 2), converted: ConvertedType.DECIMAL, precision: 9, scale: 2),
        "decimal-int64" => P("c", PhysicalType.INT64, logical: Decimal(18, 4)),
        "decimal-fixed" => P("c", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: Decimal(38, 10), length: 16),
        "decimal-binary" => P("c", PhysicalType.BYTE_ARRAY, logical: Decimal(20, 0)),
        "decimal-converted" => P("c", PhysicalType.INT32, converted: ConvertedType.DECIMAL, precision: 5, scale: 1),
        "date" => P("c", PhysicalType.INT32, logical: new LogicalType { DATE = new DateType() }),
        "date-converted" => P("c", PhysicalType.INT32, converted: ConvertedType.DATE),
        "time-millis" => P("c", PhysicalType.INT32, logical: Time("ms")),
        "time-micros" => P("c", PhysicalType.INT64, logical: Time("us")),
        "time-nanos" => P("c", PhysicalType.INT64, logical: Time("ns")),
        "time-millis-converted" => P("c", PhysicalType.INT32, converted: ConvertedType.TIME_MILLIS),
        "time-micros-converted" => P("c", PhysicalType.INT64, converted: ConvertedType.TIME_MICROS),
        "timestamp-millis-utc" => P("c", PhysicalType.INT64, logical: Timestamp("ms", true)),
        "timestamp-micros-local" => P("c", PhysicalType.INT64, logical: Timestamp("us", false)),
        "timestamp-micros-utc" => P("c", PhysicalType.INT64, logical: Timestamp("us", true)),
        "timestamp-nanos-utc" => P("c", PhysicalType.INT64, logical: Timestamp("ns", true)),
        "timestamp-nanos-local" => P("c", PhysicalType.INT64, logical: Timestamp("ns", false)),
        "timestamp-millis-converted" => P("c", PhysicalType.INT64, converted: ConvertedType.TIMESTAMP_MILLIS),
        "timestamp-micros-converted" => P("c", PhysicalType.INT64, converted: ConvertedType.TIMESTAMP_MICROS),
        "timestamp-unitless-with-converted" => P("c", PhysicalType.INT64, logical: new LogicalType { TIMESTAMP = new TimestampType { IsAdjustedToUTC = false } }, converted: ConvertedType.TIMESTAMP_MICROS),
        "int96" => P("c", PhysicalType.INT96),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(PrimitiveCases))]
    public void Maps_every_primitive_annotation(string caseName, string icebergType, ParquetValueKind kind)
    {
        var conversion = Convert(PrimitiveCase(caseName), P("r", PhysicalType.INT32, Required));

        var field = Assert.Single(conversion.Schema.Fields, f => f.Name == "c");
        Assert.Equal(icebergType, field.Type.ToString());
        Assert.Equal(PrimitiveType.Parse(icebergType), field.Type);
        Assert.Equal(1, field.Id);
        Assert.False(field.Required);
        Assert.True(conversion.Schema.Fields[1].Required);
        var leaf = conversion.Leaves[0];
        Assert.Equal(kind, leaf.Kind);
        Assert.Equal(new[] { "c" }, leaf.ParquetPath);
        Assert.Equal(new[] { "c" }, leaf.IcebergPath);
    }

    [Fact]
    public void Decimal_types_keep_precision_and_scale()
    {
        var field = Convert(PrimitiveCase("decimal-fixed")).Schema.Fields[0];
        var type = Assert.IsType<DecimalType>(field.Type);
        Assert.Equal((38, 10), (type.Precision, type.Scale));
    }

    [Fact]
    public void Nested_columns_get_ids_top_level_first_then_depth_first()
    {
        var conversion = Convert(
            P("id", PhysicalType.INT64, Required),
            List("tags", Optional, String("element")),
            G("meta", Optional,
                P("a", PhysicalType.INT32, Required),
                List("b", Required, G("element", Optional, P("x", PhysicalType.DOUBLE)))),
            Map("attrs", Optional, String("key", Required), P("value", PhysicalType.INT32)),
            List("matrix", Optional, List("element", Required, P("element", PhysicalType.INT32, Required))));

        var expected = new Schema(0,
            NestedField.Require(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "tags", new ListType(6, PrimitiveType.String, false)),
            NestedField.Optional(3, "meta", new StructType(
                NestedField.Require(7, "a", PrimitiveType.Int),
                NestedField.Require(8, "b", new ListType(9, new StructType(NestedField.Optional(10, "x", PrimitiveType.Double)), false)))),
            NestedField.Optional(4, "attrs", new MapType(11, PrimitiveType.String, 12, PrimitiveType.Int, false)),
            NestedField.Optional(5, "matrix", new ListType(13, new ListType(14, PrimitiveType.Int, true), true)));

        Assert.Equal(expected.Struct, conversion.Schema.Struct);
        Assert.Equal(14, conversion.Schema.HighestFieldId);
        Assert.False(conversion.UsesFileFieldIds);

        var paths = conversion.Leaves.ToDictionary(l => l.ParquetPathString, l => string.Join('.', l.IcebergPath));
        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = "id",
            ["tags.list.element"] = "tags.element",
            ["meta.a"] = "meta.a",
            ["meta.b.list.element.x"] = "meta.b.element.x",
            ["attrs.key_value.key"] = "attrs.key",
            ["attrs.key_value.value"] = "attrs.value",
            ["matrix.list.element.list.element"] = "matrix.element.element",
        }, paths);
        Assert.False(conversion.Leaves.Single(l => l.ParquetPathString == "meta.a").InRepeated);
        Assert.True(conversion.Leaves.Single(l => l.ParquetPathString == "tags.list.element").InRepeated);
        Assert.True(conversion.Leaves.Single(l => l.ParquetPathString == "id").AlwaysDefined);
        Assert.False(conversion.Leaves.Single(l => l.ParquetPathString == "meta.a").AlwaysDefined);
    }

    [Fact]
    public void Ids_are_deterministic()
    {
        N[] columns = { List("a", Optional, G("element", Optional, P("x", PhysicalType.INT32), P("y", PhysicalType.INT32))), P("b", PhysicalType.INT32) };
        Assert.Equal(Convert(columns).Schema, Convert(columns).Schema);
        Assert.Equal(new[] { 1, 2 }, Convert(columns).Schema.Fields.Select(f => f.Id));
    }

    [Fact]
    public void Reads_legacy_two_level_and_bare_repeated_lists()
    {
        var conversion = Convert(
            P("nums", PhysicalType.INT32, Repeated),
            G("arr", Optional, null, ConvertedType.LIST, P("array", PhysicalType.INT32, Repeated)),
            G("pts", Optional, null, ConvertedType.LIST, G("array", Repeated, P("x", PhysicalType.DOUBLE, Required))),
            G("tup", Optional, null, ConvertedType.LIST, G("tup_tuple", Repeated, P("x", PhysicalType.DOUBLE, Required))),
            G("pairs", Optional, null, ConvertedType.LIST, G("item", Repeated, P("a", PhysicalType.INT32, Required), P("b", PhysicalType.INT32, Required))),
            G("rec", Repeated, String("s")),
            G("one", Optional, null, ConvertedType.LIST, G("bag", Repeated, String("s"))));

        var expected = new Schema(0,
            NestedField.Require(1, "nums", new ListType(8, PrimitiveType.Int, true)),
            NestedField.Optional(2, "arr", new ListType(9, PrimitiveType.Int, true)),
            NestedField.Optional(3, "pts", new ListType(10, new StructType(NestedField.Require(11, "x", PrimitiveType.Double)), true)),
            NestedField.Optional(4, "tup", new ListType(12, new StructType(NestedField.Require(13, "x", PrimitiveType.Double)), true)),
            NestedField.Optional(5, "pairs", new ListType(14, new StructType(
                NestedField.Require(15, "a", PrimitiveType.Int), NestedField.Require(16, "b", PrimitiveType.Int)), true)),
            NestedField.Require(6, "rec", new ListType(17, new StructType(NestedField.Optional(18, "s", PrimitiveType.String)), true)),
            // A repeated group with one field not named array/<name>_tuple is the three-level form.
            NestedField.Optional(7, "one", new ListType(19, PrimitiveType.String, false)));
        Assert.Equal(expected.Struct, conversion.Schema.Struct);

        var paths = conversion.Leaves.ToDictionary(l => l.ParquetPathString, l => string.Join('.', l.IcebergPath));
        Assert.Equal("nums.element", paths["nums"]);
        Assert.Equal("arr.element", paths["arr.array"]);
        Assert.Equal("pts.element.x", paths["pts.array.x"]);
        Assert.Equal("rec.element.s", paths["rec.s"]);
        Assert.Equal("one.element", paths["one.bag.s"]);
    }

    [Fact]
    public void Reads_legacy_map_key_value_annotation()
    {
        var conversion = Convert(G("m", Optional, null, ConvertedType.MAP_KEY_VALUE,
            G("map", Repeated, String("key", Required), G("value", Required, P("v", PhysicalType.INT64)))));
        Assert.Equal(new MapType(2, PrimitiveType.String, 3, new StructType(NestedField.Optional(4, "v", PrimitiveType.Long)), true),
            conversion.Schema.Fields[0].Type);
    }

    [Fact]
    public void Keeps_field_ids_the_file_carries()
    {
        var conversion = Convert(
            P("a", PhysicalType.INT32, Required, fieldId: 10),
            new N(new SchemaElement { Name = "l", RepetitionType = Optional, ConvertedType = ConvertedType.LIST, FieldId = 11 },
                new[] { G("list", Repeated, P("element", PhysicalType.INT64, Optional, fieldId: 12)) }));
        Assert.True(conversion.UsesFileFieldIds);
        Assert.Equal(new StructType(NestedField.Require(10, "a", PrimitiveType.Int), NestedField.Optional(11, "l", new ListType(12, PrimitiveType.Long, false))),
            conversion.Schema.Struct);
    }

    [Fact]
    public void Rejects_files_with_field_ids_on_some_columns_only()
    {
        var e = Assert.Throws<UnsupportedParquetSchemaException>(() =>
            Convert(P("a", PhysicalType.INT32, fieldId: 1), G("s", Optional, P("b", PhysicalType.INT32))));
        Assert.Equal("s", e.ColumnPath);
        Assert.Contains(Uri, e.Message);
    }

    public static TheoryData<string, string, string> UnsupportedCases() => new()
    {
        { "interval", "meta.span", "INTERVAL" },
        { "unknown", "meta.nothing", "UNKNOWN" },
        { "wide-decimal", "meta.big", "precision 40" },
        { "set", "meta.set", "without values" },
        { "bad-list", "meta.bad", "exactly one repeated field" },
        { "geometry", "meta.shape", "GEOMETRY" },
        { "empty-struct", "meta.empty", "no fields" },
        { "uuid-length", "meta.id", "16" },
        { "int64-as-int32", "meta.n", "64-bit" },
        { "timestamp-without-unit", "meta.ts", "without a unit" },
        { "int64-time-millis", "meta.t", "microsecond or nanosecond" },
    };

    private static N UnsupportedCase(string name) => name switch
    {
        "interval" => P("span", PhysicalType.FIXED_LEN_BYTE_ARRAY, converted: ConvertedType.INTERVAL, length: 12),
        "unknown" => P("nothing", PhysicalType.INT32, logical: new LogicalType { UNKNOWN = new NullType() }),
        "wide-decimal" => P("big", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: Decimal(40, 2), length: 17),
        "set" => G("set", Optional, new LogicalType { MAP = new global::Parquet.Meta.MapType() }, ConvertedType.MAP, G("key_value", Repeated, String("key", Required))),
        "bad-list" => G("bad", Optional, null, ConvertedType.LIST, P("a", PhysicalType.INT32, Repeated), P("b", PhysicalType.INT32, Repeated)),
        "geometry" => P("shape", PhysicalType.BYTE_ARRAY, logical: new LogicalType { GEOMETRY = new GeometryType() }),
        "empty-struct" => G("empty", Optional),
        "uuid-length" => P("id", PhysicalType.FIXED_LEN_BYTE_ARRAY, logical: new LogicalType { UUID = new UUIDType() }, length: 8),
        "int64-as-int32" => P("n", PhysicalType.INT32, logical: Int(64, true)),
        "timestamp-without-unit" => P("ts", PhysicalType.INT64, logical: new LogicalType { TIMESTAMP = new TimestampType { IsAdjustedToUTC = true } }),
        "int64-time-millis" => P("t", PhysicalType.INT64, logical: Time("ms")),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(UnsupportedCases))]
    public void Unsupported_columns_fail_naming_file_and_column(string caseName, string column, string reasonPart)
    {
        var e = Assert.Throws<UnsupportedParquetSchemaException>(() =>
            Convert(P("ok", PhysicalType.INT32), G("meta", Optional, P("fine", PhysicalType.INT32), UnsupportedCase(caseName))));

        Assert.Equal(column, e.ColumnPath);
        Assert.Equal(Uri, e.FileUri);
        Assert.Contains($"'{Uri}'", e.Message);
        Assert.Contains($"'{column}'", e.Message);
        Assert.Contains(reasonPart, e.Message);
        Assert.Equal("UnsupportedParquetSchema", e.ErrorId);
        Assert.Equal(FacebergErrorKind.NotSupported, e.Kind);
        Assert.IsAssignableFrom<FacebergException>(e);
    }
}
