using System.Text.Json;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Data;

/// <summary>Every form of the value model agrees: a value of each type survives its binary, JSON, written and literal forms unchanged.</summary>
public sealed class ValueModelTests
{
    public static TheoryData<string, object> Values() => new()
    {
        { "boolean", true },
        { "int", -42 },
        { "long", 1L << 40 },
        { "float", 1.5f },
        { "double", -0.1 },
        { "decimal(9,2)", 12.30m },
        { "date", new DateTime(2024, 2, 29) },
        { "time", new TimeSpan(0, 22, 31, 8, 123).Add(TimeSpan.FromTicks(4560)) },
        { "timestamp", new DateTime(2017, 11, 16, 22, 31, 8, 123).AddTicks(4560) },
        { "timestamptz", new DateTimeOffset(2017, 11, 16, 22, 31, 8, 123, TimeSpan.Zero).AddTicks(4560) },
        { "timestamp_ns", new DateTime(2017, 11, 16, 22, 31, 8, 123).AddTicks(4567) },
        { "string", "héllo 😀" },
        { "uuid", Guid.Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7") },
        { "fixed[3]", new byte[] { 0, 1, 255 } },
        { "binary", new byte[] { 9, 8 } },
    };

    private static PrimitiveType Type(string name) => (PrimitiveType)SpecJson.ParseType($"\"{name}\"");

    [Theory]
    [MemberData(nameof(Values))]
    public void Values_have_the_documented_clr_type(string typeName, object value) =>
        Assert.Equal(DataValues.ClrType(Type(typeName)), value.GetType());

    [Theory]
    [MemberData(nameof(Values))]
    public void Binary_single_value_form_round_trips(string typeName, object value)
    {
        var type = Type(typeName);
        Assert.Equal(value, DataValues.FromBoundBytes(type, DataValues.ToBoundBytes(type, value)));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Json_single_value_form_round_trips(string typeName, object value)
    {
        var type = Type(typeName);
        var json = DataValues.ToJson(type, value);
        Assert.Equal(value, DataValues.FromJson(type, JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Filter_literals_coerce_to_the_same_value(string typeName, object value)
    {
        var type = Type(typeName);
        var literal = DataValues.CoerceLiteral(type, value, "c");
        Assert.Equal(0, DataValues.Compare(value, literal));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Written_values_are_the_values_read(string typeName, object value)
    {
        var type = Type(typeName);
        if (ValueCoercion.UnsupportedReason(type) != null) return;   // types the writer refuses, with a reason
        Assert.Equal(value, ValueCoercion.Coerce(value, type, required: false));
    }

    [Fact]
    public void Json_forms_follow_the_spec_appendix()
    {
        Assert.Equal("\"14.20\"", DataValues.ToJson(Type("decimal(9,2)"), 14.2m));
        Assert.Equal("\"2017-11-16\"", DataValues.ToJson(Type("date"), new DateTime(2017, 11, 16)));
        Assert.Equal("\"22:31:08.123456\"", DataValues.ToJson(Type("time"), TimeSpan.FromTicks(new TimeSpan(0, 22, 31, 8, 123).Ticks + 4560)));
        Assert.Equal("\"2017-11-16T22:31:08.123456+00:00\"", DataValues.ToJson(Type("timestamptz"),
            new DateTimeOffset(2017, 11, 16, 23, 31, 8, 123, TimeSpan.FromHours(1)).AddTicks(4560)));
        Assert.Equal("\"0001FF\"", DataValues.ToJson(Type("binary"), new byte[] { 0, 1, 255 }));
        Assert.Equal("34", DataValues.ToJson(Type("long"), 34L));
    }

    [Fact]
    public void Dates_and_zoned_timestamps_are_written_as_they_are_read()
    {
        Assert.Equal(new DateTime(2024, 2, 29), ValueCoercion.Coerce(new DateOnly(2024, 2, 29), Type("date"), false));
        Assert.Equal(new DateTime(2024, 2, 29), ValueCoercion.Coerce("2024-02-29", Type("date"), false));
        var zoned = ValueCoercion.Coerce(new DateTimeOffset(2024, 2, 29, 13, 0, 0, TimeSpan.FromHours(2)), Type("timestamptz"), false);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 11, 0, 0, TimeSpan.Zero), zoned);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)zoned!).Offset);
    }

    [Fact]
    public void Ambiguous_column_names_are_an_error_naming_the_candidates()
    {
        var schema = new Schema(0, NestedField.Optional(1, "Text", PrimitiveType.String), NestedField.Optional(2, "text", PrimitiveType.String));
        Assert.Equal(2, ColumnResolver.TopLevel(schema, "text").Id);
        var error = Assert.Throws<FacebergException>(() => ColumnResolver.TopLevel(schema, "TEXT"));
        Assert.Equal("AmbiguousColumn", error.ErrorId);
        Assert.Contains("'Text', 'text'", error.Message);
        Assert.Equal("AmbiguousColumn", Assert.Throws<FacebergException>(() => BoundPredicate.Bind(Predicate.Equal("TEXT", "x"), schema)).ErrorId);
        Assert.Equal("ColumnNotFound", Assert.Throws<FacebergException>(() => ColumnResolver.TopLevel(schema, "nope")).ErrorId);
    }
}
