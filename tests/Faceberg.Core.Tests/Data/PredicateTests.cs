using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Data;

public sealed class PredicateTests
{
    private static readonly Schema Schema = new(0,
        NestedField.Optional(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "name", PrimitiveType.String),
        NestedField.Optional(3, "day", PrimitiveType.Date),
        NestedField.Optional(4, "point", new StructType(NestedField.Optional(5, "x", PrimitiveType.Double))),
        NestedField.Optional(6, "tags", new ListType(7, PrimitiveType.String, false)));

    private static bool Test(Predicate p, object? id = null, string? name = null) =>
        BoundPredicate.Bind(p, Schema).Test(c => c.FieldId switch { 1 => id, 2 => name, _ => null });

    private static bool Might(Predicate p, ColumnStats? stats) => MetricsEvaluator.MightMatch(BoundPredicate.Bind(p, Schema), _ => stats);

    [Fact]
    public void Null_equals_nothing_but_null_and_sorts_first()
    {
        Assert.False(Test(Predicate.Equal("id", 1)));
        Assert.True(Test(Predicate.NotEqual("id", 1)));
        Assert.True(Test(Predicate.LessThan("id", 1)));
        Assert.False(Test(Predicate.GreaterThan("id", 1)));
        Assert.True(Test(Predicate.Equal("id", null)));
        Assert.False(Test(Predicate.NotEqual("id", null)));
        Assert.True(Test(Predicate.In("id", [2, null])));
    }

    [Fact]
    public void Numbers_compare_by_value_across_types_and_strings_by_code_point_or_ignoring_case()
    {
        Assert.True(Test(Predicate.Equal("id", 5), id: 5L));
        Assert.True(Test(Predicate.LessThan("id", 5.5), id: 5L));
        Assert.True(Test(Predicate.Equal("id", "5"), id: 5L));
        Assert.False(Test(Predicate.Equal("name", "ABC"), name: "abc"));
        Assert.True(Test(Predicate.Compare("name", ComparisonOperator.Equal, "ABC", ignoreCase: true), name: "abc"));
        // U+10000 is above U+FFFF in code point (and UTF-8) order although its UTF-16 surrogates sort lower.
        Assert.True(Test(Predicate.GreaterThan("name", "\uFFFF"), name: "\U00010000"));
    }

    [Fact]
    public void Bounds_rule_out_only_what_cannot_match()
    {
        var stats = new ColumnStats(10L, 20L, NullCount: 0, ValueCount: 100);
        Assert.False(Might(Predicate.Equal("id", 5), stats));
        Assert.True(Might(Predicate.Equal("id", 15), stats));
        Assert.False(Might(Predicate.LessThan("id", 10), stats));
        Assert.True(Might(Predicate.LessThanOrEqual("id", 10), stats));
        Assert.False(Might(Predicate.GreaterThan("id", 20), stats));
        Assert.True(Might(Predicate.GreaterThanOrEqual("id", 20), stats));
        Assert.False(Might(Predicate.In("id", [1, 30]), stats));
        Assert.True(Might(Predicate.In("id", [1, 12]), stats));
        Assert.False(Might(Predicate.IsNull("id"), stats));
        Assert.True(Might(Predicate.NotEqual("id", 15), stats));
        Assert.False(Might(Predicate.NotEqual("id", 7), new ColumnStats(7L, 7L, 0, 5)));
        Assert.False(Might(Predicate.Or(Predicate.Equal("id", 1), Predicate.Equal("id", 2)), stats));
        Assert.True(Might(Predicate.And(Predicate.Equal("id", 15), Predicate.NotNull("id")), stats));
    }

    [Fact]
    public void Nulls_keep_files_for_predicates_nulls_satisfy()
    {
        var withNulls = new ColumnStats(10L, 20L, NullCount: 3, ValueCount: 100);
        Assert.True(Might(Predicate.LessThan("id", 5), withNulls));
        Assert.True(Might(Predicate.NotEqual("id", 15), withNulls));
        Assert.False(Might(Predicate.GreaterThan("id", 30), withNulls));
        var allNull = new ColumnStats(null, null, NullCount: 4, ValueCount: 4);
        Assert.False(Might(Predicate.Equal("id", 1), allNull));
        Assert.False(Might(Predicate.NotNull("id"), allNull));
        Assert.True(Might(Predicate.IsNull("id"), allNull));
        Assert.True(Might(Predicate.Equal("id", 1), null));
    }

    [Fact]
    public void Case_insensitive_string_matches_are_never_pruned_by_bounds()
    {
        var stats = new ColumnStats("a", "c", 0, 10);
        Assert.False(Might(Predicate.Equal("name", "B"), stats));
        Assert.True(Might(Predicate.Compare("name", ComparisonOperator.Equal, "B", ignoreCase: true), stats));
    }

    [Fact]
    public void Binding_coerces_literals_and_resolves_names()
    {
        Assert.True(Test(Predicate.Equal("ID", 3), id: 3L));
        var day = BoundPredicate.Bind(Predicate.GreaterThan("day", "2024-01-31"), Schema);
        Assert.True(day.Test(_ => new DateTime(2024, 2, 1)));
        Assert.False(day.Test(_ => new DateTime(2024, 1, 31)));
        var nested = BoundPredicate.Bind(Predicate.GreaterThan("point.x", 1), Schema);
        Assert.Equal(5, nested.Columns.Single().FieldId);
        Assert.Equal(4, nested.Columns.Single().TopLevelFieldId);
        Assert.Equal("FilterColumnNotSupported", Assert.Throws<FacebergException>(() => BoundPredicate.Bind(Predicate.Equal("tags.element", "a"), Schema)).ErrorId);
        Assert.Equal("FilterLiteralType", Assert.Throws<FacebergException>(() => BoundPredicate.Bind(Predicate.Equal("day", 12.5), Schema)).ErrorId);
    }
}
