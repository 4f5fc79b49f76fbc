namespace Faceberg.Core.Data;

public enum ComparisonOperator { Equal, NotEqual, LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual }

/// <summary>
/// A row filter over a table's columns: comparisons of a column with a literal, set membership and
/// null tests, combined with and/or. Column names are a table's column names (dotted for struct fields,
/// "a.b"), matched case-insensitively when no column has the exact name.
/// <para>Semantics (chosen to agree with PowerShell's comparison operators): a null value equals
/// nothing but null, is unequal to every literal, and sorts before every value, so "x &lt; 5" holds
/// for a null x. NaN is unordered: it equals nothing (itself included) and is neither less nor greater
/// than anything. Numbers compare by value across numeric types; strings by Unicode code point, or
/// ignoring case when <c>IgnoreCase</c> is set.</para>
/// </summary>
public abstract record Predicate
{
    public static Predicate Compare(string column, ComparisonOperator op, object? value, bool ignoreCase = false) =>
        value is null
            ? op switch
            {
                ComparisonOperator.Equal => new NullPredicate(column, Negated: false),
                ComparisonOperator.NotEqual => new NullPredicate(column, Negated: true),
                _ => throw new FacebergException("NullComparison", FacebergErrorKind.InvalidArgument,
                    $"Column '{column}' can be compared with null only for equality or inequality."),
            }
            : new ComparisonPredicate(column, op, value, ignoreCase);

    public static Predicate Equal(string column, object? value) => Compare(column, ComparisonOperator.Equal, value);
    public static Predicate NotEqual(string column, object? value) => Compare(column, ComparisonOperator.NotEqual, value);
    public static Predicate LessThan(string column, object value) => Compare(column, ComparisonOperator.LessThan, value);
    public static Predicate LessThanOrEqual(string column, object value) => Compare(column, ComparisonOperator.LessThanOrEqual, value);
    public static Predicate GreaterThan(string column, object value) => Compare(column, ComparisonOperator.GreaterThan, value);
    public static Predicate GreaterThanOrEqual(string column, object value) => Compare(column, ComparisonOperator.GreaterThanOrEqual, value);
    public static Predicate In(string column, IEnumerable<object?> values, bool ignoreCase = false) => new InPredicate(column, values.ToArray(), ignoreCase);
    public static Predicate IsNull(string column) => new NullPredicate(column, Negated: false);
    public static Predicate NotNull(string column) => new NullPredicate(column, Negated: true);
    public static Predicate And(Predicate left, Predicate right) => new AndPredicate(left, right);
    public static Predicate Or(Predicate left, Predicate right) => new OrPredicate(left, right);

    /// <summary>The columns the predicate reads.</summary>
    public abstract IEnumerable<string> Columns { get; }
}

public sealed record ComparisonPredicate(string Column, ComparisonOperator Operator, object Value, bool IgnoreCase) : Predicate
{
    public override IEnumerable<string> Columns => [Column];
    public override string ToString() => $"{Column} {Operator} {Value}";
}

public sealed record InPredicate(string Column, IReadOnlyList<object?> Values, bool IgnoreCase) : Predicate
{
    public override IEnumerable<string> Columns => [Column];
    public override string ToString() => $"{Column} in ({string.Join(", ", Values)})";
}

/// <summary>"column is null", or "column is not null" when <paramref name="Negated"/>.</summary>
public sealed record NullPredicate(string Column, bool Negated) : Predicate
{
    public override IEnumerable<string> Columns => [Column];
    public override string ToString() => Negated ? $"{Column} is not null" : $"{Column} is null";
}

public sealed record AndPredicate(Predicate Left, Predicate Right) : Predicate
{
    public override IEnumerable<string> Columns => Left.Columns.Concat(Right.Columns);
    public override string ToString() => $"({Left} and {Right})";
}

public sealed record OrPredicate(Predicate Left, Predicate Right) : Predicate
{
    public override IEnumerable<string> Columns => Left.Columns.Concat(Right.Columns);
    public override string ToString() => $"({Left} or {Right})";
}
