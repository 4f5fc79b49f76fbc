using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>What pruning knows about one column over a file or row group, in row-value form.</summary>
/// <param name="Lower">A value no greater than any non-null value (null when unknown).</param>
/// <param name="Upper">A value no less than any non-null value (null when unknown).</param>
/// <param name="NullCount">Nulls among the values, when known.</param>
/// <param name="ValueCount">Values including nulls, when known.</param>
internal sealed record ColumnStats(object? Lower, object? Upper, long? NullCount, long? ValueCount)
{
    public bool AllNull => NullCount is long n && ValueCount is long c && c > 0 && n >= c;
    public bool MayHaveNulls => NullCount is not 0;
}

/// <summary>A filter column resolved against a schema: its field id, the top-level column holding it and the struct path below that.</summary>
internal sealed record BoundColumn(int FieldId, int TopLevelFieldId, IReadOnlyList<string> NestedPath, PrimitiveType Type, string Name);

/// <summary>A <see cref="Predicate"/> bound to a schema: literals coerced to the columns' row types.</summary>
internal abstract class BoundPredicate
{
    /// <summary>Whether a row passes; <paramref name="valueOf"/> gives a column's value in the row.</summary>
    public abstract bool Test(Func<BoundColumn, object?> valueOf);

    /// <summary>False only when the statistics prove no row can pass.</summary>
    public abstract bool MightMatch(Func<int, ColumnStats?> statsOf);

    public abstract IEnumerable<BoundColumn> Columns { get; }

    public static BoundPredicate Bind(Predicate predicate, Schema schema) => predicate switch
    {
        AndPredicate a => new BoundAnd(Bind(a.Left, schema), Bind(a.Right, schema)),
        OrPredicate o => new BoundOr(Bind(o.Left, schema), Bind(o.Right, schema)),
        NullPredicate n => new BoundNull(Resolve(schema, n.Column), isNull: !n.Negated),
        ComparisonPredicate c => BindComparison(c, schema),
        InPredicate i => BindIn(i, schema),
        _ => throw new ArgumentException($"Unknown predicate {predicate.GetType().Name}.", nameof(predicate)),
    };

    private static BoundPredicate BindComparison(ComparisonPredicate c, Schema schema)
    {
        var column = Resolve(schema, c.Column);
        var literal = DataValues.CoerceLiteral(column.Type, c.Value, column.Name);
        return new BoundComparison(column, c.Operator, literal, c.IgnoreCase && literal is string);
    }

    private static BoundPredicate BindIn(InPredicate i, Schema schema)
    {
        var column = Resolve(schema, i.Column);
        var values = i.Values.Select(v => v is null ? null : DataValues.CoerceLiteral(column.Type, v, column.Name)).ToArray();
        return new BoundIn(column, values, i.IgnoreCase && column.Type.TypeId == TypeId.String);
    }

    /// <summary>Finds a column by its dotted name, exactly or else ignoring case; only struct nesting is allowed.</summary>
    internal static BoundColumn Resolve(Schema schema, string name)
    {
        var field = schema.FindField(name);
        if (field == null)
        {
            var matches = schema.AllFields().Where(f => string.Equals(schema.FindColumnName(f.Id), name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
                throw new FacebergException("AmbiguousColumn", FacebergErrorKind.InvalidArgument,
                    $"Column name '{name}' matches {string.Join(", ", matches.Select(m => $"'{schema.FindColumnName(m.Id)}'"))}; use the exact name.");
            field = matches.SingleOrDefault();
        }
        if (field == null)
            throw new FacebergException("ColumnNotFound", FacebergErrorKind.InvalidArgument,
                $"The table has no column '{name}'. Columns: {string.Join(", ", schema.Fields.Select(f => f.Name))}.");
        var chain = FindStructChain(schema.Fields, field.Id)
            ?? throw new FacebergException("FilterColumnNotSupported", FacebergErrorKind.NotSupported,
                $"Column '{name}' is inside a list or map; filters can use top-level columns and struct fields only.");
        if (field.Type is not PrimitiveType primitive)
            throw new FacebergException("FilterColumnNotSupported", FacebergErrorKind.NotSupported,
                $"Column '{name}' has type {field.Type}; filters compare primitive columns only.");
        return new BoundColumn(field.Id, chain[0].Id, chain.Skip(1).Select(f => f.Name).ToArray(), primitive, schema.FindColumnName(field.Id) ?? name);
    }

    private static List<NestedField>? FindStructChain(IReadOnlyList<NestedField> fields, int id)
    {
        foreach (var f in fields)
        {
            if (f.Id == id) return [f];
            if (f.Type is StructType s && FindStructChain(s.Fields, id) is { } rest)
            {
                rest.Insert(0, f);
                return rest;
            }
        }
        return null;
    }
}

internal sealed class BoundAnd(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public BoundPredicate Left => left;
    public BoundPredicate Right => right;

    public override bool Test(Func<BoundColumn, object?> valueOf) => left.Test(valueOf) && right.Test(valueOf);
    public override bool MightMatch(Func<int, ColumnStats?> statsOf) => left.MightMatch(statsOf) && right.MightMatch(statsOf);
    public override IEnumerable<BoundColumn> Columns => left.Columns.Concat(right.Columns);
}

internal sealed class BoundOr(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public override bool Test(Func<BoundColumn, object?> valueOf) => left.Test(valueOf) || right.Test(valueOf);
    public override bool MightMatch(Func<int, ColumnStats?> statsOf) => left.MightMatch(statsOf) || right.MightMatch(statsOf);
    public override IEnumerable<BoundColumn> Columns => left.Columns.Concat(right.Columns);
}

internal sealed class BoundNull(BoundColumn column, bool isNull) : BoundPredicate
{
    public override bool Test(Func<BoundColumn, object?> valueOf) => (valueOf(column) is null) == isNull;

    public override bool MightMatch(Func<int, ColumnStats?> statsOf)
    {
        var s = statsOf(column.FieldId);
        if (s == null) return true;
        return isNull ? s.MayHaveNulls : !s.AllNull;
    }

    public override IEnumerable<BoundColumn> Columns => [column];
}

internal sealed class BoundComparison(BoundColumn column, ComparisonOperator op, object literal, bool ignoreCase) : BoundPredicate
{
    public override bool Test(Func<BoundColumn, object?> valueOf)
    {
        var value = valueOf(column);
        if (value is null) return op is ComparisonOperator.NotEqual or ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual;
        var c = DataValues.Compare(value, literal, ignoreCase);
        return op switch
        {
            ComparisonOperator.Equal => c == 0,
            ComparisonOperator.NotEqual => c != 0,
            ComparisonOperator.LessThan => c < 0,
            ComparisonOperator.LessThanOrEqual => c <= 0,
            ComparisonOperator.GreaterThan => c > 0,
            _ => c >= 0,
        };
    }

    public override bool MightMatch(Func<int, ColumnStats?> statsOf)
    {
        var s = statsOf(column.FieldId);
        if (s == null) return true;
        // Nulls pass !=, < and <= (null sorts first), so a column that may hold nulls proves nothing for them.
        if (op is ComparisonOperator.NotEqual or ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual && s.MayHaveNulls) return true;
        if (s.AllNull) return false;
        // Bounds are in code point order; a case-insensitive match may lie outside them.
        if (ignoreCase) return true;
        var lower = s.Lower;
        var upper = s.Upper;
        return op switch
        {
            ComparisonOperator.Equal => !(lower != null && DataValues.Compare(literal, lower) < 0) && !(upper != null && DataValues.Compare(literal, upper) > 0),
            ComparisonOperator.NotEqual => !(lower != null && upper != null && DataValues.Compare(lower, upper) == 0 && DataValues.Compare(literal, lower) == 0),
            ComparisonOperator.LessThan => !(lower != null && DataValues.Compare(lower, literal) >= 0),
            ComparisonOperator.LessThanOrEqual => !(lower != null && DataValues.Compare(lower, literal) > 0),
            ComparisonOperator.GreaterThan => !(upper != null && DataValues.Compare(upper, literal) <= 0),
            _ => !(upper != null && DataValues.Compare(upper, literal) < 0),
        };
    }

    public override IEnumerable<BoundColumn> Columns => [column];

    /// <summary>The column and literal when this is an exact equality (usable for partition pruning).</summary>
    public (BoundColumn Column, object Literal)? ExactEquality => op == ComparisonOperator.Equal && !ignoreCase ? (column, literal) : null;
}

internal sealed class BoundIn(BoundColumn column, IReadOnlyList<object?> values, bool ignoreCase) : BoundPredicate
{
    public BoundColumn Column => column;
    public IReadOnlyList<object?> Values => values;
    public bool IgnoreCase => ignoreCase;

    public override bool Test(Func<BoundColumn, object?> valueOf)
    {
        var value = valueOf(column);
        foreach (var v in values)
        {
            if (v is null ? value is null : value is not null && DataValues.Compare(value, v, ignoreCase) == 0) return true;
        }
        return false;
    }

    public override bool MightMatch(Func<int, ColumnStats?> statsOf)
    {
        var s = statsOf(column.FieldId);
        if (s == null || ignoreCase) return true;
        foreach (var v in values)
        {
            if (v is null)
            {
                if (s.MayHaveNulls) return true;
                continue;
            }
            if (s.AllNull) continue;
            if (s.Lower != null && DataValues.Compare(v, s.Lower) < 0) continue;
            if (s.Upper != null && DataValues.Compare(v, s.Upper) > 0) continue;
            return true;
        }
        return false;
    }

    public override IEnumerable<BoundColumn> Columns => [column];
}
