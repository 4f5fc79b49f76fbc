using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Rows;

/// <summary>
/// Emits, once per column list and column types, a <see cref="Row"/> subclass with one field and one read-only
/// property per column, typed as the column's values are (<see cref="TableRowBatch.Column"/>: <c>long</c> for a
/// required long column, <c>long?</c> for an optional one, <c>string</c>, <c>object</c> for structs, lists and
/// maps), and a static method building a batch's rows. A PSObject with one note property per column costs a
/// property bag and a type-name list per row, and an <c>object</c> field a box per value that lives as long as
/// its row: building objects, not decoding Parquet, was then the slowest part of a read. PowerShell boxes a
/// typed property's value only when it reads it.
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

    private static readonly MethodInfo BatchColumn = typeof(TableRowBatch).GetMethod(nameof(TableRowBatch.Column))!;
    private static readonly MethodInfo BatchCount = typeof(TableRowBatch).GetProperty(nameof(TableRowBatch.Count))!.GetMethod!;
    private static readonly MethodInfo BatchSplit = typeof(TableRowBatch).GetProperty(nameof(TableRowBatch.Split))!.GetMethod!;

    private static readonly ConcurrentDictionary<string, Func<TableRowBatch, Row[]>> Builders = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string[]> TableColumns = new();
    private static readonly object EmitLock = new();
    private static int _emitted;

    /// <summary>
    /// Builds the rows of <paramref name="batch"/> as objects whose properties are its columns, typed as its
    /// column arrays are; when <paramref name="splitName"/> is given, a last string property of that name holds
    /// the batch's split.
    /// </summary>
    public static Row[] Build(TableRowBatch batch, string? splitName)
    {
        var names = batch.Schema.Names;
        var types = new Type[names.Count];
        var key = new StringBuilder();
        for (var c = 0; c < types.Length; c++)
        {
            types[c] = batch.Column(c).GetType().GetElementType()!;
            key.Append(names[c]).Append('\0').Append(types[c].AssemblyQualifiedName).Append('\0');
        }
        if (splitName != null) key.Append('\0').Append(splitName);
        var builder = Builders.GetOrAdd(key.ToString(), _ => Emit(names.ToArray(), types, splitName));
        return builder(batch);
    }

    /// <summary>The table columns of an emitted row type, in order.</summary>
    public static string[] ColumnNames(Type rowType) => TableColumns.TryGetValue(rowType, out var names) ? names : [];

    private static Func<TableRowBatch, Row[]> Emit(string[] names, Type[] types, string? splitName)
    {
        lock (EmitLock)
        {
            var builder = Module.DefineType($"Faceberg.Rows.Row{++_emitted}",
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Row));
            var columns = splitName == null ? names : names.Append(splitName).ToArray();
            var fieldTypes = splitName == null ? types : types.Append(typeof(string)).ToArray();
            var fields = columns.Select((_, i) => builder.DefineField("_c" + i, fieldTypes[i], FieldAttributes.Private)).ToArray();

            var constructor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, Type.EmptyTypes);
            var ctorIl = constructor.GetILGenerator();
            ctorIl.Emit(OpCodes.Ldarg_0);
            ctorIl.Emit(OpCodes.Call, BaseConstructor);
            ctorIl.Emit(OpCodes.Ret);

            for (var i = 0; i < columns.Length; i++)
            {
                var property = builder.DefineProperty(columns[i], PropertyAttributes.None, fieldTypes[i], Type.EmptyTypes);
                var getter = builder.DefineMethod("get_" + columns[i],
                    MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, fieldTypes[i], Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, fields[i]);
                il.Emit(OpCodes.Ret);
                property.SetGetMethod(getter);
            }

            EmitValue(builder, names, fields);
            EmitBuild(builder, constructor, types, fields, splitName != null);
            var type = builder.CreateType()!;
            TableColumns[type] = names;
            return type.GetMethod("Build", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<Func<TableRowBatch, Row[]>>();
        }
    }

    /// <summary>Value(index): the table column's field, boxed, for ToString.</summary>
    private static void EmitValue(TypeBuilder builder, string[] names, FieldBuilder[] fields)
    {
        var value = builder.DefineMethod("Value", MethodAttributes.Family | MethodAttributes.Virtual | MethodAttributes.HideBySig,
            typeof(object), [typeof(int)]);
        var il = value.GetILGenerator();
        var labels = names.Select(_ => il.DefineLabel()).ToArray();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Switch, labels);
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Ret);
        for (var i = 0; i < names.Length; i++)
        {
            il.MarkLabel(labels[i]);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, fields[i]);
            if (fields[i].FieldType.IsValueType) il.Emit(OpCodes.Box, fields[i].FieldType);
            il.Emit(OpCodes.Ret);
        }
        builder.DefineMethodOverride(value, ValueOverride);
    }

    /// <summary>
    /// static Row[] Build(TableRowBatch batch): one row per batch row, each field copied from its column array
    /// (fetched once per batch) without boxing.
    /// </summary>
    private static void EmitBuild(TypeBuilder builder, ConstructorInfo constructor, Type[] types, FieldBuilder[] fields, bool withSplit)
    {
        var method = builder.DefineMethod("Build", MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig,
            typeof(Row[]), [typeof(TableRowBatch)]);
        var il = method.GetILGenerator();
        var arrays = types.Select(t => il.DeclareLocal(t.MakeArrayType())).ToArray();
        var split = il.DeclareLocal(typeof(string));
        var rows = il.DeclareLocal(typeof(Row[]));
        var index = il.DeclareLocal(typeof(int));
        var row = il.DeclareLocal(builder);
        for (var c = 0; c < types.Length; c++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, c);
            il.Emit(OpCodes.Callvirt, BatchColumn);
            il.Emit(OpCodes.Castclass, arrays[c].LocalType);
            il.Emit(OpCodes.Stloc, arrays[c]);
        }
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Callvirt, BatchSplit);
        il.Emit(OpCodes.Stloc, split);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Callvirt, BatchCount);
        il.Emit(OpCodes.Newarr, typeof(Row));
        il.Emit(OpCodes.Stloc, rows);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, index);
        var test = il.DefineLabel();
        var body = il.DefineLabel();
        il.Emit(OpCodes.Br, test);
        il.MarkLabel(body);
        il.Emit(OpCodes.Newobj, constructor);
        il.Emit(OpCodes.Stloc, row);
        for (var c = 0; c < types.Length; c++)
        {
            il.Emit(OpCodes.Ldloc, row);
            il.Emit(OpCodes.Ldloc, arrays[c]);
            il.Emit(OpCodes.Ldloc, index);
            il.Emit(OpCodes.Ldelem, types[c]);
            il.Emit(OpCodes.Stfld, fields[c]);
        }
        if (withSplit)
        {
            il.Emit(OpCodes.Ldloc, row);
            il.Emit(OpCodes.Ldloc, split);
            il.Emit(OpCodes.Stfld, fields[^1]);
        }
        il.Emit(OpCodes.Ldloc, rows);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Ldloc, row);
        il.Emit(OpCodes.Stelem_Ref);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, index);
        il.MarkLabel(test);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Ldloc, rows);
        il.Emit(OpCodes.Ldlen);
        il.Emit(OpCodes.Conv_I4);
        il.Emit(OpCodes.Blt, body);
        il.Emit(OpCodes.Ldloc, rows);
        il.Emit(OpCodes.Ret);
    }
}
