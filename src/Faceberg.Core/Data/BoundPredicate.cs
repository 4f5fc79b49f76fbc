using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>A filter column resolved against a schema: its field id, the top-level column holding it and the struct path below that.</summary>
internal sealed record BoundColumn(int FieldId, int TopLevelFieldId, IReadOnlyList<string> NestedPath, PrimitiveType Type, string Name);

/// <summary>A <see cref="Predicate"/> bound to a schema: literals coerced to the columns' row types.</summary>
internal abstract class BoundPredicate
{
    /// <summary>Whether a row passes; <paramref name="valueOf"/> gives a column's value in the row.</summary>
    public abstract bool Test(Func<BoundColumn, object?> valueOf);

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

    /// <summary>Finds a column by its dotted name (<see cref="ColumnResolver"/>); only struct nesting is allowed.</summary>
    internal static BoundColumn Resolve(Schema schema, string name)
    {
        var field = ColumnResolver.Field(schema, name);
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
    public override IEnumerable<BoundColumn> Columns => left.Columns.Concat(right.Columns);
}

internal sealed class BoundOr(BoundPredicate left, BoundPredicate right) : BoundPredicate
{
    public BoundPredicate Left => left;
    public BoundPredicate Right => right;

    public override bool Test(Func<BoundColumn, object?> valueOf) => left.Test(valueOf) || right.Test(valueOf);
    public override IEnumerable<BoundColumn> Columns => left.Columns.Concat(right.Columns);
}

internal sealed class BoundNull(BoundColumn column, bool isNull) : BoundPredicate
{
    public BoundColumn Column => column;
    public bool IsNull => isNull;

    public override bool Test(Func<BoundColumn, object?> valueOf) => (valueOf(column) is null) == isNull;

    public override IEnumerable<BoundColumn> Columns => [column];
}

internal sealed class BoundComparison(BoundColumn column, ComparisonOperator op, object literal, bool ignoreCase) : BoundPredicate
{
    public BoundColumn Column => column;
    public ComparisonOperator Operator => op;
    public object Literal => literal;
    public bool IgnoreCase => ignoreCase;

    public override bool Test(Func<BoundColumn, object?> valueOf)
    {
        var value = valueOf(column);
        if (value is null) return op is ComparisonOperator.NotEqual or ComparisonOperator.LessThan or ComparisonOperator.LessThanOrEqual;
        // NaN is unordered, as in PowerShell and IEEE 754: only "not equal" holds for it.
        if (DataValues.IsNaN(value) || DataValues.IsNaN(literal)) return op == ComparisonOperator.NotEqual;
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
            if (v is null ? value is null : value is not null && !DataValues.IsNaN(value) && !DataValues.IsNaN(v) && DataValues.Compare(value, v, ignoreCase) == 0) return true;
        }
        return false;
    }

    public override IEnumerable<BoundColumn> Columns => [column];
}
