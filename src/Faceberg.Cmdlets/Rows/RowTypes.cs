using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Rows;

/// <summary>
/// Emits, once per column list, a <see cref="Row"/> subclass with one read-only property per column.
/// A PSObject with one note property per column costs a property bag and a type-name list per row,
/// which made building objects, not decoding Parquet, the slowest part of a read.
/// </summary>
internal static class RowTypes
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("Faceberg.Rows"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("Faceberg.Rows");

    private static readonly MethodInfo ValueMethod =
        typeof(Row).GetMethod("Value", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static readonly ConstructorInfo BaseConstructor =
        typeof(Row).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(TableRow)])!;

    private static readonly ConcurrentDictionary<string, Func<TableRow, Row>> Factories = new(StringComparer.Ordinal);
    private static readonly object EmitLock = new();
    private static int _emitted;

    /// <summary>Builds rows whose properties are <paramref name="names"/>; when <paramref name="withSplit"/>,
    /// a last property <paramref name="splitName"/> holds the row's split.</summary>
    public static Func<TableRow, Row> Factory(IReadOnlyList<string> names, bool withSplit, string splitName)
    {
        var columns = withSplit ? names.Append(splitName).ToArray() : names.ToArray();
        return Factories.GetOrAdd(string.Join("\0", columns), _ => Emit(columns));
    }

    private static Func<TableRow, Row> Emit(string[] columns)
    {
        Type type;
        lock (EmitLock)
        {
            var builder = Module.DefineType($"Faceberg.Rows.Row{++_emitted}",
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Row));

            var constructor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(TableRow)]);
            var ctorIl = constructor.GetILGenerator();
            ctorIl.Emit(OpCodes.Ldarg_0);
            ctorIl.Emit(OpCodes.Ldarg_1);
            ctorIl.Emit(OpCodes.Call, BaseConstructor);
            ctorIl.Emit(OpCodes.Ret);

            for (var i = 0; i < columns.Length; i++)
            {
                var property = builder.DefineProperty(columns[i], PropertyAttributes.None, typeof(object), Type.EmptyTypes);
                var getter = builder.DefineMethod("get_" + columns[i],
                    MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(object), Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Call, ValueMethod);
                il.Emit(OpCodes.Ret);
                property.SetGetMethod(getter);
            }
            type = builder.CreateType()!;
        }
        var row = Expression.Parameter(typeof(TableRow), "row");
        var create = Expression.New(type.GetConstructor([typeof(TableRow)])!, row);
        return Expression.Lambda<Func<TableRow, Row>>(Expression.Convert(create, typeof(Row)), row).Compile();
    }
}
