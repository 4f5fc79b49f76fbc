using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Reflection;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet;
using Parquet.Data;
using ListType = Faceberg.Core.Iceberg.Spec.ListType;
using MapType = Faceberg.Core.Iceberg.Spec.MapType;
using StructType = Faceberg.Core.Iceberg.Spec.StructType;

namespace Faceberg.Core.Data;

/// <summary>
/// One leaf column of one row group: its definition and repetition levels and its non-null values
/// (already converted to row values; left unconverted for a cursor that only tells null from present,
/// whose type is null), with a read position.
/// </summary>
internal sealed class LeafCursor(ParquetNode leaf, PrimitiveType? type)
{
    private static readonly ConcurrentDictionary<Type, Func<RawColumnData, int, object?[]>> Extractors = new();
    private int[]? _def;
    private int[]? _rep;
    private object?[] _values = [];
    private TypedValues? _typed;   // instead of _values, when the values are unboxed
    private int _valuePos;

    public ParquetNode Leaf { get; } = leaf;
    public int Count { get; private set; }
    public int Pos { get; private set; }
    public bool HasMore => Pos < Count;
    public int CurrentDef => _def?[Pos] ?? Leaf.Def;
    public int CurrentRep => _rep?[Pos] ?? 0;

    public async Task LoadAsync(ParquetRowGroupReader rowGroup, CancellationToken ct)
    {
        var raw = await rowGroup.ReadRawColumnDataBaseAsync(Leaf.Field!, ct).ConfigureAwait(false);
        var kept = false;
        try
        {
            var def = Leaf.Def > 0 ? raw.DefinitionLevels.ToArray() : null;
            var rep = Leaf.Rep > 0 ? raw.RepetitionLevels.ToArray() : null;
            var count = def?.Length ?? (int)rowGroup.RowCount;
            var present = count;
            if (def != null)
            {
                present = 0;
                foreach (var d in def) if (d == Leaf.Def) present++;
            }
            // A plain physical value of the row's own type stays unboxed, and a string is made when its row is
            // read: an object per cell made here would live as long as the row group.
            if (type != null && TypedValues.From(raw, DataValues.ClrType(type)) is { } typed)
            {
                SetLevels(def, rep, count);
                _typed = typed;
                kept = true;
                return;
            }
            var values = Extractors.GetOrAdd(raw.GetType().GetGenericArguments()[0], CreateExtractor)(raw, present);
            Load(def, rep, values, count);
        }
        finally
        {
            if (!kept) raw.Dispose();
        }
    }

    /// <summary>Takes a chunk decoded outside Parquet.Net: its levels and its non-null values in Parquet.Net's value forms.</summary>
    public void Load(int[]? def, int[]? rep, object?[] boxed, int count)
    {
        SetLevels(def, rep, count);
        if (type != null)
        {
            var kind = Leaf.Leaf?.Kind ?? ParquetValueKind.Binary;
            // A plain physical value of the row's own type is already the row value: converting would only box it again.
            var rowType = kind is ParquetValueKind.Boolean or ParquetValueKind.Int32 or ParquetValueKind.Int64 or ParquetValueKind.Float
                or ParquetValueKind.Double or ParquetValueKind.String ? DataValues.ClrType(type) : null;
            for (var i = 0; i < boxed.Length; i++)
            {
                var raw = boxed[i]!;
                if (raw.GetType() != rowType) boxed[i] = DataValues.FromParquet(type, kind, raw);
            }
        }
        _values = boxed;
    }

    private void SetLevels(int[]? def, int[]? rep, int count)
    {
        (_typed as IDisposable)?.Dispose();
        _typed = null;
        _values = [];
        if (rep is { Length: > 0 } && rep[0] != 0)
            throw new InvalidDataException($"the column chunk's repetition levels start with {rep[0]}, not 0 (a new row)");
        _def = def;
        _rep = rep;
        Count = count;
        Pos = 0;
        _valuePos = 0;
    }

    /// <summary>
    /// Reads the next <paramref name="count"/> entries (a leaf with no repetition: one per row) into rows 0 to
    /// <paramref name="count"/> - 1 of a <see cref="TypedColumns"/> array, unboxed where the values are.
    /// </summary>
    public void ReadInto(ref Array column, int count)
    {
        if (_typed != null && _typed.TryFill(column, count, _def, Pos, ref _valuePos, Leaf.Def))
        {
            Pos += count;
            return;
        }
        if (column is string?[] strings)
        {
            for (var r = 0; r < count; r++) strings[r] = (string?)Next();
            return;
        }
        for (var r = 0; r < count; r++) TypedColumns.Set(ref column, r, Next());
    }

    /// <summary>The value at the current entry (null when undefined at the leaf) and moves on.</summary>
    public object? Next()
    {
        var defined = CurrentDef == Leaf.Def;
        Pos++;
        if (!defined) return null;
        return _typed != null ? _typed.Box(_valuePos++) : _values[_valuePos++];
    }

    /// <summary>Passes over one entry that is null or empty above the leaf.</summary>
    public void Skip() => Pos++;

    private static Func<RawColumnData, int, object?[]> CreateExtractor(Type t) =>
        typeof(LeafCursor).GetMethod(nameof(Extract), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(t).CreateDelegate<Func<RawColumnData, int, object?[]>>();

    private static object?[] Extract<T>(RawColumnData raw, int count) where T : struct
    {
        var values = ((RawColumnData<T>)raw).Values;
        var result = new object?[count];
        for (var i = 0; i < count; i++) result[i] = values[i];
        return result;
    }
}

/// <summary>Assembles one table column's values, row by row, from the leaf cursors below its Parquet node.</summary>
internal abstract class ColumnReader
{
    protected ColumnReader(ParquetNode node, IReadOnlyList<LeafCursor> cursors)
    {
        Node = node;
        Cursors = cursors;
    }

    public ParquetNode Node { get; }
    public IReadOnlyList<LeafCursor> Cursors { get; }
    protected LeafCursor First => Cursors[0];

    public abstract object? Read();

    /// <summary>Reads the values of the next <paramref name="count"/> rows into rows 0 to <paramref name="count"/> - 1 of a <see cref="TypedColumns"/> array.</summary>
    public virtual void ReadInto(ref Array column, int count)
    {
        for (var r = 0; r < count; r++) TypedColumns.Set(ref column, r, Read());
    }

    /// <summary>Consumes the single entry each leaf holds for a value that is null or empty at this node.</summary>
    protected void SkipAll()
    {
        foreach (var c in Cursors) c.Skip();
    }

    /// <summary>The reader for a Parquet node read as <paramref name="type"/> (the table's type for the field).</summary>
    public static ColumnReader Create(ParquetNode node, IcebergType type, string column)
    {
        switch (type)
        {
            case PrimitiveType primitive when node.IsLeaf:
                return new LeafReader(node, new LeafCursor(node, primitive));
            case StructType structType when !node.IsLeaf && !node.IsList && !node.IsMap:
            {
                var children = structType.Fields.Select(f =>
                {
                    var child = node.Children.FirstOrDefault(c => c.MappedId == f.Id);
                    return child == null ? null : Create(child, f.Type, column + "." + f.Name);
                }).ToArray();
                var cursors = children.Where(c => c != null).SelectMany(c => c!.Cursors).ToList();
                LeafCursor? presence = null;
                if (cursors.Count == 0)
                {
                    // None of the table's fields are in this file's struct; one leaf still tells null from present.
                    var leaf = node.Leaves().FirstOrDefault() ?? throw Mismatch(column, type, node);
                    presence = new LeafCursor(leaf, type: null);
                    cursors.Add(presence);
                }
                return new StructReader(node, structType.Fields.Select(f => f.Name).ToArray(), children, cursors, presence);
            }
            case ListType listType when node.IsList || node.IsRepeated:
            {
                var (repeated, element) = node.ListParts();
                var elementReader = Create(element, listType.Element, column + ".element");
                return new ListReader(node, repeated, elementReader);
            }
            case MapType mapType when node.IsMap:
            {
                var (kv, key, value) = node.MapParts();
                var keyReader = Create(key, mapType.Key, column + ".key");
                var valueReader = Create(value, mapType.Value, column + ".value");
                return new MapReader(node, kv, keyReader, valueReader);
            }
            default:
                throw Mismatch(column, type, node);
        }
    }

    private static FacebergException Mismatch(string column, IcebergType type, ParquetNode node) =>
        new("ColumnTypeMismatch", FacebergErrorKind.InvalidData,
            $"Column '{column}' has table type {type}, but the data file's column '{string.Join('.', node.Path)}' has another shape.");
}

internal sealed class LeafReader(ParquetNode node, LeafCursor cursor) : ColumnReader(node, [cursor])
{
    public override object? Read() => First.Next();

    public override void ReadInto(ref Array column, int count) => First.ReadInto(ref column, count);
}

internal sealed class StructReader(ParquetNode node, string[] names, ColumnReader?[] children, IReadOnlyList<LeafCursor> cursors, LeafCursor? presence)
    : ColumnReader(node, cursors)
{
    public override object? Read()
    {
        if (First.CurrentDef < Node.Def)
        {
            SkipAll();
            return null;
        }
        var value = new OrderedDictionary(names.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
            value.Add(names[i], children[i]?.Read());
        presence?.Skip();
        return value;
    }
}

internal sealed class ListReader(ParquetNode node, ParquetNode repeated, ColumnReader element) : ColumnReader(node, element.Cursors)
{
    public override object? Read()
    {
        var def = First.CurrentDef;
        if (def < Node.Def && Node != repeated)
        {
            SkipAll();
            return null;
        }
        if (def < repeated.Def)
        {
            SkipAll();
            return Array.Empty<object?>();
        }
        var items = new List<object?>();
        do items.Add(element.Read());
        while (First.HasMore && First.CurrentRep == repeated.Rep);
        return items.ToArray();
    }
}

internal sealed class MapReader(ParquetNode node, ParquetNode keyValue, ColumnReader key, ColumnReader value)
    : ColumnReader(node, key.Cursors.Concat(value.Cursors).ToList())
{
    public override object? Read()
    {
        var def = First.CurrentDef;
        if (def < Node.Def)
        {
            SkipAll();
            return null;
        }
        var map = new Dictionary<object, object?>();
        if (def < keyValue.Def)
        {
            SkipAll();
            return map;
        }
        do
        {
            var k = key.Read() ?? throw new FacebergException("NullMapKey", FacebergErrorKind.InvalidData,
                $"A map in column '{string.Join('.', Node.Path)}' has a null key.");
            map[k] = value.Read();
        }
        while (First.HasMore && First.CurrentRep == keyValue.Rep);
        return map;
    }
}

/// <summary>A leaf's non-null values whose type is the row type itself, read unboxed from Parquet.Net's buffers.</summary>
internal abstract class TypedValues
{
    /// <summary>
    /// The values of <paramref name="raw"/> when their type is <paramref name="rowType"/> (bool, int, long, float or
    /// double, or strings: read from <paramref name="raw"/>, which they keep until the next load), else null.
    /// </summary>
    public static TypedValues? From(RawColumnData raw, Type rowType) => raw switch
    {
        RawColumnData<ReadOnlyMemory<char>> chars when rowType == typeof(string) => new RawStrings(chars),
        RawColumnData<long> longs when rowType == typeof(long) => new RawValues<long>(longs),
        RawColumnData<int> ints when rowType == typeof(int) => new RawValues<int>(ints),
        RawColumnData<double> doubles when rowType == typeof(double) => new RawValues<double>(doubles),
        RawColumnData<float> floats when rowType == typeof(float) => new RawValues<float>(floats),
        RawColumnData<bool> bools when rowType == typeof(bool) => new RawValues<bool>(bools),
        _ => null,
    };

    public abstract object Box(int index);

    /// <summary>
    /// Copies the next <paramref name="count"/> entries (levels from <paramref name="pos"/>, values from
    /// <paramref name="valuePos"/>, which moves on) into a <c>T[]</c> or <c>T?[]</c> column; false, consuming
    /// nothing, for another column type or a null bound for a <c>T[]</c>.
    /// </summary>
    public abstract bool TryFill(Array column, int count, int[]? def, int pos, ref int valuePos, int maxDef);
}

internal sealed class RawValues<T>(RawColumnData<T> raw) : TypedValues, IDisposable where T : struct
{
    public override object Box(int index) => raw.Values[index];

    public override bool TryFill(Array column, int count, int[]? def, int pos, ref int valuePos, int maxDef)
    {
        var values = raw.Values;
        switch (column)
        {
            case T[] dense:
                if (def != null && def.AsSpan(pos, count).ContainsAnyExcept(maxDef)) return false;
                values.Slice(valuePos, count).CopyTo(dense);
                valuePos += count;
                return true;
            case T?[] nullable:
                for (var r = 0; r < count; r++)
                    nullable[r] = def == null || def[pos + r] == maxDef ? values[valuePos++] : null;
                return true;
            default:
                return false;
        }
    }

    public void Dispose() => raw.Dispose();
}

/// <summary>A leaf's strings as Parquet.Net decoded them (in its buffers), each made a string when read.</summary>
internal sealed class RawStrings(RawColumnData<ReadOnlyMemory<char>> raw) : TypedValues, IDisposable
{
    public override object Box(int index) => new string(raw.Values[index].Span);

    public override bool TryFill(Array column, int count, int[]? def, int pos, ref int valuePos, int maxDef)
    {
        if (column is not string?[] strings) return false;
        var values = raw.Values;
        for (var r = 0; r < count; r++)
            strings[r] = def == null || def[pos + r] == maxDef ? new string(values[valuePos++].Span) : null;
        return true;
    }

    public void Dispose() => raw.Dispose();
}
