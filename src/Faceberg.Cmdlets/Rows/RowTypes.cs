using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Rows;

/// <summary>
/// Emits, once per column list, a <see cref="Row"/> subclass with one field and one read-only property per
/// column, and a constructor copying a row's values out of a <see cref="TableRowBatch"/>. A PSObject with
/// one note property per column costs a property bag and a type-name list per row, and a row holding a
/// value array and the scan's own row costs two more objects: building objects, not decoding Parquet, was
/// then the slowest part of a read.
/// </summary>
internal static class RowTypes
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("Faceberg.Rows"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("Faceberg.Rows");

    private static readonly ConstructorInfo BaseConstructor =
        typeof(Row).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes)!;

    private static readonly MethodInfo ValueOverride =
        typeof(Row).GetMethod("Value", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static readonly MethodInfo BatchValue = typeof(TableRowBatch).GetMethod(nameof(TableRowBatch.Value))!;
    private static readonly MethodInfo BatchSplit = typeof(TableRowBatch).GetProperty(nameof(TableRowBatch.Split))!.GetMethod!;

    private static readonly ConcurrentDictionary<string, Func<TableRowBatch, int, Row>> Factories = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string[]> TableColumns = new();
    private static readonly object EmitLock = new();
    private static int _emitted;

    /// <summary>Builds row <c>i</c> of a batch as an object whose properties are <paramref name="names"/>; when
    /// <paramref name="withSplit"/>, a last property <paramref name="splitName"/> holds the batch's split.</summary>
    public static Func<TableRowBatch, int, Row> Factory(IReadOnlyList<string> names, bool withSplit, string splitName)
    {
        var key = string.Join("\0", names) + (withSplit ? "\0\0" + splitName : "");
        return Factories.GetOrAdd(key, _ => Emit(names.ToArray(), withSplit ? splitName : null));
    }

    /// <summary>The table columns of an emitted row type, in order.</summary>
    public static string[] ColumnNames(Type rowType) => TableColumns.TryGetValue(rowType, out var names) ? names : [];

    private static Func<TableRowBatch, int, Row> Emit(string[] names, string? splitName)
    {
        Type type;
        lock (EmitLock)
        {
            var builder = Module.DefineType($"Faceberg.Rows.Row{++_emitted}",
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Row));
            var columns = splitName == null ? names : names.Append(splitName).ToArray();
            var fields = columns.Select((_, i) => builder.DefineField("_c" + i, typeof(object), FieldAttributes.Private | FieldAttributes.InitOnly)).ToArray();

            var constructor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(TableRowBatch), typeof(int)]);
            var ctorIl = constructor.GetILGenerator();
            ctorIl.Emit(OpCodes.Ldarg_0);
            ctorIl.Emit(OpCodes.Call, BaseConstructor);
            for (var i = 0; i < names.Length; i++)
            {
                ctorIl.Emit(OpCodes.Ldarg_0);
                ctorIl.Emit(OpCodes.Ldarg_1);
                ctorIl.Emit(OpCodes.Ldc_I4, i);
                ctorIl.Emit(OpCodes.Ldarg_2);
                ctorIl.Emit(OpCodes.Callvirt, BatchValue);
                ctorIl.Emit(OpCodes.Stfld, fields[i]);
            }
            if (splitName != null)
            {
                ctorIl.Emit(OpCodes.Ldarg_0);
                ctorIl.Emit(OpCodes.Ldarg_1);
                ctorIl.Emit(OpCodes.Callvirt, BatchSplit);
                ctorIl.Emit(OpCodes.Stfld, fields[^1]);
            }
            ctorIl.Emit(OpCodes.Ret);

            for (var i = 0; i < columns.Length; i++)
            {
                var property = builder.DefineProperty(columns[i], PropertyAttributes.None, typeof(object), Type.EmptyTypes);
                var getter = builder.DefineMethod("get_" + columns[i],
                    MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(object), Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, fields[i]);
                il.Emit(OpCodes.Ret);
                property.SetGetMethod(getter);
            }

            // Value(index): the table column's field, for ToString.
            var value = builder.DefineMethod("Value", MethodAttributes.Family | MethodAttributes.Virtual | MethodAttributes.HideBySig,
                typeof(object), [typeof(int)]);
            var valueIl = value.GetILGenerator();
            var labels = names.Select(_ => valueIl.DefineLabel()).ToArray();
            valueIl.Emit(OpCodes.Ldarg_1);
            valueIl.Emit(OpCodes.Switch, labels);
            valueIl.Emit(OpCodes.Ldnull);
            valueIl.Emit(OpCodes.Ret);
            for (var i = 0; i < names.Length; i++)
            {
                valueIl.MarkLabel(labels[i]);
                valueIl.Emit(OpCodes.Ldarg_0);
                valueIl.Emit(OpCodes.Ldfld, fields[i]);
                valueIl.Emit(OpCodes.Ret);
            }
            builder.DefineMethodOverride(value, ValueOverride);
            type = builder.CreateType()!;
            TableColumns[type] = names;
        }
        var batch = Expression.Parameter(typeof(TableRowBatch), "batch");
        var row = Expression.Parameter(typeof(int), "row");
        var create = Expression.New(type.GetConstructor([typeof(TableRowBatch), typeof(int)])!, batch, row);
        return Expression.Lambda<Func<TableRowBatch, int, Row>>(Expression.Convert(create, typeof(Row)), batch, row).Compile();
    }
}
