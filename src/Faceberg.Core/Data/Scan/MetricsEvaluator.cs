using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>What pruning knows about one column over a file or row group, in row-value form.</summary>
/// <param name="Lower">A value no greater than any non-null, non-NaN value (null when unknown); may be a truncated prefix.</param>
/// <param name="Upper">A value no less than any non-null, non-NaN value (null when unknown); may be a truncated, incremented prefix.</param>
/// <param name="NullCount">Nulls among the values, when known.</param>
/// <param name="ValueCount">Values including nulls (and NaNs), when known.</param>
internal sealed record ColumnStats(object? Lower, object? Upper, long? NullCount, long? ValueCount)
{
    public bool AllNull => NullCount is long n && ValueCount is long c && c > 0 && n >= c;
    public bool MayHaveNulls => NullCount is not 0;
}

/// <summary>
/// Decides whether a file or row group might hold a row that passes a bound predicate, from its column
/// metrics: lower and upper bounds, null and value counts. Inclusive: it answers false only when the
/// metrics prove no row passes, so missing metrics (no bounds, unknown counts, a bound this reader cannot
/// decode) keep the file. Sound for the spec's metrics: bounds exclude nulls and NaNs, and a string or
/// binary bound may be truncated (the lower bound a prefix, the upper bound a prefix incremented) — every
/// test below uses a bound only as "no value is below/above it", which truncation preserves; equality of
/// the two bounds means all values are equal only for types whose bounds are exact.
/// </summary>
/// <remarks>
/// Row semantics (<see cref="Predicate"/>): null passes "!=", "&lt;" and "&lt;=" (null sorts first), so a column
/// that may hold nulls proves nothing for them; NaN passes only "!=", so bounds that exclude NaN suffice for
/// every other operator. A NaN bound written by a non-conforming writer is treated as unknown.
/// </remarks>
internal static class MetricsEvaluator
{
    /// <summary>False only when the statistics <paramref name="statsOf"/> gives (by field id) prove no row can pass.</summary>
    public static bool MightMatch(BoundPredicate predicate, Func<int, ColumnStats?> statsOf) => predicate switch
    {
        BoundAnd a => MightMatch(a.Left, statsOf) && MightMatch(a.Right, statsOf),
        BoundOr o => MightMatch(o.Left, statsOf) || MightMatch(o.Right, statsOf),
        BoundNull n => Null(n, statsOf(n.Column.FieldId)),
        BoundComparison c => Comparison(c, statsOf(c.Column.FieldId)),
        BoundIn i => In(i, statsOf(i.Column.FieldId)),
        _ => true,
    };

    private static bool Null(BoundNull predicate, ColumnStats? s)
    {
        if (s == null) return true;
        return predicate.IsNull ? s.MayHaveNulls : !s.AllNull;
    }

    private static bool Comparison(BoundComparison c, ColumnStats? s)
    {
        if (s == null) return true;
        var op = c.Operator;
        if (op is ComparisonOperator.NotEqual or ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual && s.MayHaveNulls) return true;
        if (op == ComparisonOperator.NotEqual) return !AllEqual(c, s);
        if (s.AllNull) return false;
        // Bounds are in code point order; a case-insensitive match may lie outside them.
        if (c.IgnoreCase) return true;
        var literal = c.Literal;
        if (DataValues.IsNaN(literal)) return false;   // nothing but "!=" holds for NaN
        var lower = Usable(s.Lower);
        var upper = Usable(s.Upper);
        return op switch
        {
            ComparisonOperator.Equal => !(lower != null && DataValues.Compare(literal, lower) < 0) && !(upper != null && DataValues.Compare(literal, upper) > 0),
            ComparisonOperator.LessThan => !(lower != null && DataValues.Compare(lower, literal) >= 0),
            ComparisonOperator.LessThanOrEqual => !(lower != null && DataValues.Compare(lower, literal) > 0),
            ComparisonOperator.GreaterThan => !(upper != null && DataValues.Compare(upper, literal) <= 0),
            _ => !(upper != null && DataValues.Compare(upper, literal) < 0),
        };
    }

    private static bool In(BoundIn predicate, ColumnStats? s)
    {
        if (s == null || predicate.IgnoreCase) return true;
        var lower = Usable(s.Lower);
        var upper = Usable(s.Upper);
        foreach (var v in predicate.Values)
        {
            if (v is null)
            {
                if (s.MayHaveNulls) return true;
                continue;
            }
            if (s.AllNull || DataValues.IsNaN(v)) continue;
            if (lower != null && DataValues.Compare(v, lower) < 0) continue;
            if (upper != null && DataValues.Compare(v, upper) > 0) continue;
            return true;
        }
        return false;
    }

    /// <summary>
    /// True when the bounds prove every value equals the literal: equal bounds, of a type whose bounds are
    /// exact (string and binary bounds may be truncated prefixes) and that has no NaN (bounds exclude NaN,
    /// which passes "!=").
    /// </summary>
    private static bool AllEqual(BoundComparison c, ColumnStats s)
    {
        if (c.Column.Type.TypeId is TypeId.String or TypeId.Binary or TypeId.Fixed or TypeId.Float or TypeId.Double || c.IgnoreCase) return false;
        var lower = Usable(s.Lower);
        var upper = Usable(s.Upper);
        return lower != null && upper != null && DataValues.Compare(lower, upper) == 0 && DataValues.Compare(c.Literal, lower) == 0;
    }

    /// <summary>A bound usable for ordering: NaN bounds (forbidden by the spec, written by some tools) say nothing.</summary>
    private static object? Usable(object? bound) => DataValues.IsNaN(bound) ? null : bound;
}
