using System.Management.Automation;
using System.Management.Automation.Language;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets;

/// <summary>
/// The part of a -Filter scriptblock the reader can use to skip files and row groups.
/// <see cref="Exact"/> means the predicate is the whole filter with PowerShell's own semantics (numeric
/// and null comparisons only), so the scriptblock need not run per row.
/// </summary>
public sealed record FilterTranslation(Predicate? Predicate, bool Exact);

/// <summary>
/// Translates simple -Filter scriptblocks — <c>$_.column</c> compared with literals or variables by
/// -eq -ne -lt -le -gt -ge (and their c- forms), -in/-contains, joined by -and/-or, in parentheses —
/// into a Core <see cref="Predicate"/>. Whatever does not translate is left to the scriptblock: from an
/// -and only the translatable side is kept (still implied by the whole), an -or needs both sides.
/// </summary>
public static class FilterTranslator
{
    public static FilterTranslation Translate(ScriptBlock filter, SessionState? session)
    {
        if (filter.Ast is not ScriptBlockAst { EndBlock.Statements.Count: 1, BeginBlock: null, ProcessBlock: null } block
            || block.EndBlock.Statements[0] is not PipelineAst pipeline
            || Single(pipeline) is not { } expression)
            return new FilterTranslation(null, false);
        var context = new Context(session);
        var (predicate, complete) = Visit(expression, context);
        return new FilterTranslation(predicate, predicate != null && complete && context.OnlySimpleLiterals);
    }

    private sealed class Context(SessionState? session)
    {
        public SessionState? Session { get; } = session;

        /// <summary>False once a literal whose PowerShell comparison differs from Core's (strings, dates, …) is used.</summary>
        public bool OnlySimpleLiterals { get; set; } = true;
    }

    private static ExpressionAst? Single(PipelineAst pipeline) =>
        pipeline.PipelineElements.Count == 1 && pipeline.PipelineElements[0] is CommandExpressionAst { Redirections.Count: 0 } command ? command.Expression : null;

    private static (Predicate? Predicate, bool Complete) Visit(ExpressionAst ast, Context context)
    {
        switch (ast)
        {
            case ParenExpressionAst { Pipeline: PipelineAst inner } when Single(inner) is { } expression:
                return Visit(expression, context);
            case BinaryExpressionAst { Operator: TokenKind.And } and:
            {
                var (left, leftComplete) = Visit(and.Left, context);
                var (right, rightComplete) = Visit(and.Right, context);
                var both = left != null && right != null ? Predicate.And(left, right) : left ?? right;
                return (both, leftComplete && rightComplete);
            }
            case BinaryExpressionAst { Operator: TokenKind.Or } or:
            {
                var (left, leftComplete) = Visit(or.Left, context);
                var (right, rightComplete) = Visit(or.Right, context);
                return left != null && right != null && leftComplete && rightComplete ? (Predicate.Or(left, right), true) : (null, false);
            }
            case BinaryExpressionAst binary:
                var comparison = Comparison(binary, context);
                return (comparison, comparison != null);
            default:
                return (null, false);
        }
    }

    private static Predicate? Comparison(BinaryExpressionAst binary, Context context)
    {
        var ignoreCase = binary.Operator is TokenKind.Ieq or TokenKind.Ine or TokenKind.Ilt or TokenKind.Ile or TokenKind.Igt or TokenKind.Ige or TokenKind.Iin or TokenKind.Icontains;
        switch (binary.Operator)
        {
            case TokenKind.Iin or TokenKind.Cin:
                return Column(binary.Left) is { } inColumn && Values(binary.Right, context) is { } inValues ? Predicate.In(inColumn, inValues, ignoreCase) : null;
            case TokenKind.Icontains or TokenKind.Ccontains:
                return Column(binary.Right) is { } containsColumn && Values(binary.Left, context) is { } containsValues ? Predicate.In(containsColumn, containsValues, ignoreCase) : null;
        }
        var op = Operator(binary.Operator);
        if (op == null) return null;
        string? column;
        object? literal;
        if ((column = Column(binary.Left)) != null && TryValue(binary.Right, context, out literal)) { }
        else if ((column = Column(binary.Right)) != null && TryValue(binary.Left, context, out literal)) op = Flip(op.Value);
        else return null;
        if (literal == null && op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual)) return null;
        return Predicate.Compare(column, op.Value, literal, ignoreCase);
    }

    private static ComparisonOperator? Operator(TokenKind kind) => kind switch
    {
        TokenKind.Ieq or TokenKind.Ceq => ComparisonOperator.Equal,
        TokenKind.Ine or TokenKind.Cne => ComparisonOperator.NotEqual,
        TokenKind.Ilt or TokenKind.Clt => ComparisonOperator.LessThan,
        TokenKind.Ile or TokenKind.Cle => ComparisonOperator.LessThanOrEqual,
        TokenKind.Igt or TokenKind.Cgt => ComparisonOperator.GreaterThan,
        TokenKind.Ige or TokenKind.Cge => ComparisonOperator.GreaterThanOrEqual,
        _ => null,
    };

    private static ComparisonOperator Flip(ComparisonOperator op) => op switch
    {
        ComparisonOperator.LessThan => ComparisonOperator.GreaterThan,
        ComparisonOperator.LessThanOrEqual => ComparisonOperator.GreaterThanOrEqual,
        ComparisonOperator.GreaterThan => ComparisonOperator.LessThan,
        ComparisonOperator.GreaterThanOrEqual => ComparisonOperator.LessThanOrEqual,
        _ => op,
    };

    /// <summary>"a" for $_.a, "a.b" for $_.a.b ($PSItem works too).</summary>
    private static string? Column(ExpressionAst ast)
    {
        if (ast is not MemberExpressionAst { Static: false, Member: StringConstantExpressionAst member } access) return null;
        if (access.Expression is VariableExpressionAst variable && variable.VariablePath.UserPath is "_" or "PSItem") return member.Value;
        return Column(access.Expression) is { } parent ? parent + "." + member.Value : null;
    }

    private static IReadOnlyList<object?>? Values(ExpressionAst ast, Context context)
    {
        if (ast is ArrayLiteralAst array)
        {
            var values = new List<object?>();
            foreach (var element in array.Elements)
            {
                if (!TryValue(element, context, out var v)) return null;
                values.Add(v);
            }
            return values;
        }
        if (!TryValue(ast, context, out var single)) return null;
        return single is System.Collections.IEnumerable list and not string ? list.Cast<object?>().Select(Simplify(context)).ToArray() : [single];
    }

    private static Func<object?, object?> Simplify(Context context) => v =>
    {
        var value = v is PSObject pso ? pso.BaseObject : v;
        Note(value, context);
        return value;
    };

    private static bool TryValue(ExpressionAst ast, Context context, out object? value, bool note = true)
    {
        value = null;
        switch (ast)
        {
            case StringConstantExpressionAst { StringConstantType: not StringConstantType.BareWord } s:
                value = s.Value;
                break;
            case ConstantExpressionAst c:
                value = c.Value;
                break;
            case UnaryExpressionAst { TokenKind: TokenKind.Minus, Child: ConstantExpressionAst { Value: { } number } }:
                try { value = LanguagePrimitives.ConvertTo(number, number.GetType()) switch { int i => -i, long l => -l, double d => -d, decimal m => -m, _ => null }; }
                catch (PSInvalidCastException) { return false; }
                if (value == null) return false;
                break;
            case VariableExpressionAst variable:
                if (!TryVariable(variable, context, out value)) return false;
                break;
            case ConvertExpressionAst convert when convert.Type.TypeName.GetReflectionType() is { } type && TryValue(convert.Child, context, out var inner, note: false):
                try { value = LanguagePrimitives.ConvertTo(inner, type); }
                catch (PSInvalidCastException) { return false; }
                break;
            default:
                return false;
        }
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        if (value is System.Collections.IEnumerable and not string and not byte[]) return false;
        // Only the value compared counts: '10' in [double]'10' is just how the number was written.
        if (note) Note(value, context);
        return true;
    }

    private static bool TryVariable(VariableExpressionAst variable, Context context, out object? value)
    {
        value = null;
        var path = variable.VariablePath;
        if (path.IsVariable && path.UserPath.Equals("null", StringComparison.OrdinalIgnoreCase)) return true;
        if (path.UserPath.Equals("true", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
        if (path.UserPath.Equals("false", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
        if (path.UserPath is "_" or "PSItem" || context.Session == null || !path.IsUnqualified && !path.IsGlobal && !path.IsScript && !path.IsLocal) return false;
        // A variable the session cannot see might still exist where the scriptblock runs; leave it to the scriptblock.
        var found = context.Session.PSVariable.Get(path.UserPath);
        if (found == null) return false;
        value = found.Value;
        return true;
    }

    private static void Note(object? value, Context context)
    {
        var simple = value is null or int or long or short or byte or sbyte or ushort or uint or ulong or double or float or decimal;
        if (!simple) context.OnlySimpleLiterals = false;
    }
}
