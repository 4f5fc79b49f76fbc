using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Tests.Data;

public sealed class MetricsEvaluatorTests
{
    private static readonly Schema Schema = new(0,
        NestedField.Optional(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "name", PrimitiveType.String),
        NestedField.Optional(3, "score", PrimitiveType.Double),
        NestedField.Optional(4, "blob", PrimitiveType.Binary));

    private static bool Might(Predicate p, ColumnStats? stats) => MetricsEvaluator.MightMatch(BoundPredicate.Bind(p, Schema), _ => stats);

    private static bool Passes(Predicate p, object? value) => BoundPredicate.Bind(p, Schema).Test(_ => value);

    [Fact]
    public void Missing_or_partial_statistics_keep_the_file()
    {
        foreach (var p in new[] { Predicate.Equal("id", 5L), Predicate.LessThan("id", 5L), Predicate.IsNull("id"), Predicate.NotNull("id"), Predicate.In("id", [1L]) })
        {
            Assert.True(Might(p, null));
            Assert.True(Might(p, new ColumnStats(null, null, null, null)));
        }
        // Only an upper bound: only what it rules out is pruned.
        var upperOnly = new ColumnStats(null, 10L, 0, 5);
        Assert.True(Might(Predicate.LessThan("id", -100L), upperOnly));
        Assert.False(Might(Predicate.GreaterThan("id", 10L), upperOnly));
    }

    [Fact]
    public void NaN_never_passes_ordering_so_bounds_without_NaN_suffice()
    {
        // Bounds exclude NaN; rows holding NaN fail every comparison but "!=", so pruning by bounds stays sound.
        Assert.False(Passes(Predicate.LessThan("score", 1.0), double.NaN));
        Assert.False(Passes(Predicate.GreaterThanOrEqual("score", 1.0), double.NaN));
        Assert.False(Passes(Predicate.Equal("score", double.NaN), double.NaN));
        Assert.True(Passes(Predicate.NotEqual("score", 1.0), double.NaN));
        Assert.False(Passes(Predicate.In("score", [double.NaN]), double.NaN));

        var stats = new ColumnStats(1.0, 2.0, 0, 10);
        Assert.False(Might(Predicate.LessThan("score", 1.0), stats));
        Assert.False(Might(Predicate.Equal("score", double.NaN), stats));
        Assert.False(Might(Predicate.In("score", [double.NaN]), stats));
        // Equal bounds of a floating column do not prove every value equal: NaNs (outside the bounds) pass "!=".
        Assert.True(Might(Predicate.NotEqual("score", 1.0), new ColumnStats(1.0, 1.0, 0, 10)));
        // A NaN bound (written by a non-conforming writer) says nothing.
        Assert.True(Might(Predicate.GreaterThan("score", 5.0), new ColumnStats(1.0, double.NaN, 0, 10)));
        Assert.True(Might(Predicate.LessThan("score", 0.0), new ColumnStats(double.NaN, 2.0, 0, 10)));
    }

    [Fact]
    public void Truncated_string_bounds_are_used_only_as_bounds()
    {
        // Values "abcdefghijklmnopXYZ" and "abcdefghijklmnopq…": truncate(16) gives lower "abcdefghijklmnop" and upper "abcdefghijklmnoq".
        var lower = BoundEncoding.TruncateStringLower("abcdefghijklmnopXYZ");
        var upper = BoundEncoding.TruncateStringUpper("abcdefghijklmnopqrs")!;
        var stats = new ColumnStats(lower, upper, 0, 2);
        Assert.True(Might(Predicate.Equal("name", "abcdefghijklmnopXYZ"), stats));
        Assert.True(Might(Predicate.Equal("name", "abcdefghijklmnopqrs"), stats));
        Assert.False(Might(Predicate.Equal("name", "abcdefghijklmnoqa"), stats));
        Assert.False(Might(Predicate.GreaterThanOrEqual("name", "abcdefghijklmnoqa"), stats));
        Assert.False(Might(Predicate.LessThan("name", "abcdefghijklmnop"), stats));
        // Equal truncated bounds: values may differ beyond the prefix, so "!=" keeps the file.
        Assert.True(Might(Predicate.NotEqual("name", "abc"), new ColumnStats("abc", "abc", 0, 3)));
        Assert.True(Might(Predicate.NotEqual("blob", new byte[] { 1 }), new ColumnStats(new byte[] { 1 }, new byte[] { 1 }, 0, 3)));
        // Exact types with equal bounds do prove it.
        Assert.False(Might(Predicate.NotEqual("id", 7L), new ColumnStats(7L, 7L, 0, 3)));
    }

    [Fact]
    public void Nulls_follow_the_row_semantics()
    {
        var withNulls = new ColumnStats(10L, 20L, 2, 5);
        Assert.True(Might(Predicate.LessThan("id", 5L), withNulls));        // null < 5 holds
        Assert.True(Might(Predicate.LessThanOrEqual("id", 5L), withNulls));
        Assert.True(Might(Predicate.NotEqual("id", 15L), withNulls));
        Assert.False(Might(Predicate.GreaterThan("id", 20L), withNulls));   // null > x never holds
        Assert.False(Might(Predicate.Equal("id", 5L), withNulls));
        Assert.True(Might(Predicate.In("id", [5L, null]), withNulls));
        Assert.False(Might(Predicate.In("id", [5L, null]), new ColumnStats(10L, 20L, 0, 5)));

        var allNull = new ColumnStats(null, null, 5, 5);
        Assert.False(Might(Predicate.GreaterThan("id", 0L), allNull));
        Assert.False(Might(Predicate.NotNull("id"), allNull));
        Assert.True(Might(Predicate.IsNull("id"), allNull));
        Assert.False(Might(Predicate.IsNull("id"), new ColumnStats(1L, 2L, 0, 5)));
    }

    [Fact]
    public void Case_insensitive_comparisons_are_not_pruned_by_code_point_bounds()
    {
        var stats = new ColumnStats("a", "c", 0, 5);
        Assert.False(Might(Predicate.Equal("name", "B"), stats));
        Assert.True(Might(Predicate.Compare("name", ComparisonOperator.Equal, "B", ignoreCase: true), stats));
        Assert.True(Might(Predicate.In("name", ["B"], ignoreCase: true), stats));
    }

    [Fact]
    public void And_and_or_combine_conservatively()
    {
        var stats = new ColumnStats(10L, 20L, 0, 5);
        Assert.False(Might(Predicate.And(Predicate.Equal("id", 15L), Predicate.Equal("id", 30L)), stats));
        Assert.True(Might(Predicate.Or(Predicate.Equal("id", 15L), Predicate.Equal("id", 30L)), stats));
        Assert.False(Might(Predicate.Or(Predicate.Equal("id", 1L), Predicate.Equal("id", 30L)), stats));
    }
}
