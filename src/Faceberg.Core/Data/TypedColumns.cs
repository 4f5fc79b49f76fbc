using System.Collections.Concurrent;
using System.Reflection;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>
/// The arrays a <see cref="TableRowBatch"/> holds its columns in: one array per column whose element type is
/// the column's row type (<see cref="DataValues.ClrType"/>) — <c>long[]</c> for a required long column,
/// <c>long?[]</c> for an optional one, <c>string[]</c> for strings — and <c>object?[]</c> for structs, lists
/// and maps. Values of value types are then stored unboxed: a batch holds no object per cell, and a reader
/// copying them into typed fields boxes nothing.
/// </summary>
internal static class TypedColumns
{
    private static readonly ConcurrentDictionary<Type, Setter> Setters = new();

    /// <summary>The element type of <paramref name="field"/>'s column arrays.</summary>
    internal static Type ElementType(NestedField field)
    {
        if (field.Type is not PrimitiveType primitive) return typeof(object);
        var type = DataValues.ClrType(primitive);
        return type.IsValueType && !field.Required ? typeof(Nullable<>).MakeGenericType(type) : type;
    }

    internal static Array New(Type elementType, int rows) =>
        elementType == typeof(object) ? new object?[rows]
        : elementType == typeof(string) ? new string?[rows]
        : Array.CreateInstance(elementType, rows);

    /// <summary>
    /// Stores <paramref name="value"/> (a row value, null or of the column's row type) at <paramref name="row"/>.
    /// A null in a column of a non-nullable value type (a required column the file lacks or holds nulls in)
    /// replaces the array with a nullable one holding the same values.
    /// </summary>
    internal static void Set(ref Array column, int row, object? value)
    {
        switch (column)
        {
            case object?[] objects:
                // Also string[] and byte[][] (arrays of a reference type are object[]s): the store checks the value's type.
                objects[row] = value;
                return;
            default:
                var setter = Setters.GetOrAdd(column.GetType().GetElementType()!, CreateSetter);
                if (value == null && setter.Promote != null)
                {
                    column = setter.Promote(column);
                    Set(ref column, row, value);
                    return;
                }
                setter.Store(column, row, value);
                return;
        }
    }

    /// <summary>Boxes the value at <paramref name="row"/> (null stays null).</summary>
    internal static object? Get(Array column, int row) => column switch
    {
        object?[] objects => objects[row],
        _ => column.GetValue(row),
    };

    private sealed record Setter(Action<Array, int, object?> Store, Func<Array, Array>? Promote);

    private static Setter CreateSetter(Type element)
    {
        var flags = BindingFlags.NonPublic | BindingFlags.Static;
        var store = typeof(TypedColumns).GetMethod(nameof(Store), flags)!.MakeGenericMethod(element).CreateDelegate<Action<Array, int, object?>>();
        var promote = element.IsValueType && Nullable.GetUnderlyingType(element) == null
            ? typeof(TypedColumns).GetMethod(nameof(ToNullable), flags)!.MakeGenericMethod(element).CreateDelegate<Func<Array, Array>>()
            : null;
        return new Setter(store, promote);
    }

    private static void Store<T>(Array column, int row, object? value) => ((T[])column)[row] = (T)value!;

    private static Array ToNullable<T>(Array column) where T : struct
    {
        var values = (T[])column;
        var nullable = new T?[values.Length];
        for (var i = 0; i < values.Length; i++) nullable[i] = values[i];
        return nullable;
    }
}
