using System.Buffers;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Faceberg.Core.Data;

/// <summary>
/// Stripes one top-level column's canonical values (see <see cref="ValueCoercion"/>: structs as object?[] in
/// field order, lists as List&lt;object?&gt;, maps as List&lt;KeyValuePair&lt;object, object?&gt;&gt;) into its
/// Parquet leaf columns: per leaf, the present values in a typed array plus definition and repetition levels
/// (Dremel encoding), written with <see cref="ParquetRowGroupWriter.WriteAllPartsAsync{T}"/>. Typed buffers
/// and a converter chosen once per leaf replace a dictionary per row and a value lookup by name per cell.
/// The buffers are rented from <see cref="ArrayPool{T}.Shared"/> and kept from one row group to the next: a row group's
/// buffers are megabytes, and fresh ones per write would each be a large-object allocation, which the runtime pays
/// for with full collections of the caller's heap (the rows being written among it). <see cref="Release"/> returns them.
/// </summary>
internal abstract class ColumnStriper
{
    /// <summary>Levels follow Parquet.Net's own (its PropagateLevels): a nullable field or struct adds one
    /// definition level, a list or map adds one for its optional container and one (plus a repetition level)
    /// for its repeated group.</summary>
    public static ColumnStriper Create(Field field) => Create(field, 0, 0);

    private static ColumnStriper Create(Field field, int parentRepetition, int parentDefinition) => field switch
    {
        DataField data => Leaf.For(data, parentRepetition, parentDefinition + (data.IsNullable ? 1 : 0)),
        StructField s => new StructStriper(s.Fields.Select(f => Create(f, parentRepetition, parentDefinition + (s.IsNullable ? 1 : 0))).ToArray(),
            parentDefinition + (s.IsNullable ? 1 : 0)),
        ListField l => new ListStriper([Create(l.Item, parentRepetition + 1, parentDefinition + 2)], parentRepetition + 1, parentDefinition + 1),
        MapField m => new MapStriper([Create(m.Key, parentRepetition + 1, parentDefinition + 2), Create(m.Value, parentRepetition + 1, parentDefinition + 2)],
            parentRepetition + 1, parentDefinition + 1),
        _ => throw new FacebergException("WriteUnsupportedType", FacebergErrorKind.NotSupported, $"Column '{field.Name}' cannot be written."),
    };

    /// <summary>Adds one row's value of the column.</summary>
    public void Add(object? value) => Add(value, 0, 0);

    /// <summary>Sizes the buffers for <paramref name="rows"/> more rows (at least one value each), so a row group
    /// is striped without growing its arrays step by step.</summary>
    public abstract void Reserve(int rows);

    /// <summary>Writes the striped leaves to <paramref name="group"/> in schema order and clears the buffers.</summary>
    public abstract Task FlushAsync(ParquetRowGroupWriter group, CancellationToken ct);

    /// <summary>Returns the buffers to the pool; the striper holds no rows afterwards and can be used again.</summary>
    public abstract void Release();

    /// <param name="repetition">The repetition level of this value (0 for a new row).</param>
    /// <param name="parentDefinition">The definition level reached by the value's ancestors.</param>
    protected abstract void Add(object? value, int repetition, int parentDefinition);

    /// <summary>Records "no value below here" at <paramref name="definition"/> in every leaf.</summary>
    protected abstract void AddAbsent(int repetition, int definition);

    private abstract class Group(ColumnStriper[] children) : ColumnStriper
    {
        protected ColumnStriper[] Children { get; } = children;

        public override async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken ct)
        {
            foreach (var child in Children) await child.FlushAsync(group, ct).ConfigureAwait(false);
        }

        public override void Reserve(int rows)
        {
            foreach (var child in Children) child.Reserve(rows);
        }

        public override void Release()
        {
            foreach (var child in Children) child.Release();
        }

        protected override void AddAbsent(int repetition, int definition)
        {
            foreach (var child in Children) child.AddAbsent(repetition, definition);
        }
    }

    private sealed class StructStriper(ColumnStriper[] fields, int presentDefinition) : Group(fields)
    {
        protected override void Add(object? value, int repetition, int parentDefinition)
        {
            if (value is null)
            {
                AddAbsent(repetition, parentDefinition);
                return;
            }
            var values = (object?[])value;
            for (var i = 0; i < Children.Length; i++) Children[i].Add(values[i], repetition, presentDefinition);
        }
    }

    private sealed class ListStriper(ColumnStriper[] item, int itemRepetition, int emptyDefinition) : Group(item)
    {
        protected override void Add(object? value, int repetition, int parentDefinition)
        {
            if (value is null)
            {
                AddAbsent(repetition, parentDefinition);
                return;
            }
            var items = (List<object?>)value;
            if (items.Count == 0)
            {
                AddAbsent(repetition, emptyDefinition);
                return;
            }
            for (var i = 0; i < items.Count; i++)
                Children[0].Add(items[i], i == 0 ? repetition : itemRepetition, emptyDefinition + 1);
        }
    }

    private sealed class MapStriper(ColumnStriper[] keyAndValue, int entryRepetition, int emptyDefinition) : Group(keyAndValue)
    {
        protected override void Add(object? value, int repetition, int parentDefinition)
        {
            if (value is null)
            {
                AddAbsent(repetition, parentDefinition);
                return;
            }
            var entries = (List<KeyValuePair<object, object?>>)value;
            if (entries.Count == 0)
            {
                AddAbsent(repetition, emptyDefinition);
                return;
            }
            for (var i = 0; i < entries.Count; i++)
            {
                var level = i == 0 ? repetition : entryRepetition;
                Children[0].Add(entries[i].Key, level, emptyDefinition + 1);
                Children[1].Add(entries[i].Value, level, emptyDefinition + 1);
            }
        }
    }

    /// <summary>A leaf column: its present values plus definition and repetition levels.</summary>
    private abstract class Leaf : ColumnStriper
    {
        private int[] _definitions = [];
        private int[] _repetitions = [];

        protected Leaf(DataField field, int maxRepetition, int maxDefinition)
        {
            // The levels computed here must be the ones Parquet.Net declares for the leaf, or the file is corrupt.
            if (field.MaxRepetitionLevel != maxRepetition || field.MaxDefinitionLevel != maxDefinition)
                throw new InvalidOperationException(
                    $"Leaf '{field.Path}': striped levels ({maxRepetition}, {maxDefinition}) differ from Parquet.Net's ({field.MaxRepetitionLevel}, {field.MaxDefinitionLevel}).");
            Field = field;
            MaxRepetition = maxRepetition;
            MaxDefinition = maxDefinition;
        }

        protected DataField Field { get; }
        protected int MaxRepetition { get; }
        protected int MaxDefinition { get; }
        protected int LevelCount { get; private set; }

        public static Leaf For(DataField field, int maxRepetition, int maxDefinition) => field switch
        {
            DateTimeDataField => new Leaf<DateTime>(field, maxRepetition, maxDefinition, v => v switch
            {
                DateTime dt => dt,
                // Parquet.Net writes timestamptz from a UTC DateTime.
                DateTimeOffset dto => dto.UtcDateTime,
                _ => throw Mismatch(field, v),
            }),
            DecimalDataField => new Leaf<decimal>(field, maxRepetition, maxDefinition, v => (decimal)v),
            _ when field.ClrType == typeof(bool) => new Leaf<bool>(field, maxRepetition, maxDefinition, v => (bool)v),
            _ when field.ClrType == typeof(int) => new Leaf<int>(field, maxRepetition, maxDefinition, v => (int)v),
            _ when field.ClrType == typeof(long) => new Leaf<long>(field, maxRepetition, maxDefinition, v => (long)v),
            _ when field.ClrType == typeof(float) => new Leaf<float>(field, maxRepetition, maxDefinition, v => (float)v),
            _ when field.ClrType == typeof(double) => new Leaf<double>(field, maxRepetition, maxDefinition, v => (double)v),
            _ when field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>) => new Leaf<ReadOnlyMemory<char>>(field, maxRepetition, maxDefinition, v => ((string)v).AsMemory()),
            _ when field.ClrType == typeof(Guid) => new Leaf<Guid>(field, maxRepetition, maxDefinition, v => (Guid)v),
            _ when field.ClrType == typeof(byte[]) || field.ClrType == typeof(ReadOnlyMemory<byte>) => new Leaf<ReadOnlyMemory<byte>>(field, maxRepetition, maxDefinition, v => new ReadOnlyMemory<byte>((byte[])v)),
            _ => throw new FacebergException("WriteUnsupportedType", FacebergErrorKind.NotSupported, $"Column '{field.Path}' of {field.ClrType.Name} cannot be written."),
        };

        private static InvalidCastException Mismatch(DataField field, object value) =>
            new($"Column '{field.Path}' got a {value.GetType().Name}.");

        protected void ReserveLevels(int rows)
        {
            if (MaxDefinition > 0) _definitions = Pooled.Ensure(_definitions, LevelCount, LevelCount + rows);
            if (MaxRepetition > 0) _repetitions = Pooled.Ensure(_repetitions, LevelCount, LevelCount + rows);
        }

        protected void AddLevels(int repetition, int definition)
        {
            if (MaxDefinition > 0)
            {
                if (LevelCount == _definitions.Length) _definitions = Pooled.Grow(_definitions, LevelCount);
                _definitions[LevelCount] = definition;
            }
            if (MaxRepetition > 0)
            {
                if (LevelCount == _repetitions.Length) _repetitions = Pooled.Grow(_repetitions, LevelCount);
                _repetitions[LevelCount] = repetition;
            }
            LevelCount++;
        }

        protected ReadOnlyMemory<int>? Definitions => MaxDefinition == 0 ? null : _definitions.AsMemory(0, LevelCount);
        protected ReadOnlyMemory<int>? Repetitions => MaxRepetition == 0 ? null : _repetitions.AsMemory(0, LevelCount);

        protected void ClearLevels() => LevelCount = 0;

        protected void ReleaseLevels()
        {
            Pooled.Return(ref _definitions);
            Pooled.Return(ref _repetitions);
            LevelCount = 0;
        }

        protected override void AddAbsent(int repetition, int definition) => AddLevels(repetition, definition);
    }

    private sealed class Leaf<T>(DataField field, int maxRepetition, int maxDefinition, Func<object, T> convert)
        : Leaf(field, maxRepetition, maxDefinition) where T : struct
    {
        private T[] _values = [];
        private int _count;

        public override void Reserve(int rows)
        {
            ReserveLevels(rows);
            _values = Pooled.Ensure(_values, _count, _count + rows);
        }

        public override void Release()
        {
            ReleaseLevels();
            Pooled.Return(ref _values);
            _count = 0;
        }

        protected override void Add(object? value, int repetition, int parentDefinition)
        {
            if (value is null)
            {
                AddLevels(repetition, parentDefinition);
                return;
            }
            if (_count == _values.Length) _values = Pooled.Grow(_values, _count);
            _values[_count++] = convert(value);
            AddLevels(repetition, MaxDefinition);
        }

        public override async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken ct)
        {
            // Without levels Parquet.Net counts the row group's rows only through WriteAsync.
            if (MaxDefinition == 0 && MaxRepetition == 0)
                await group.WriteAsync<T>(Field, _values.AsMemory(0, _count), null, null, ct).ConfigureAwait(false);
            else
                await group.WriteAllPartsAsync<T>(Field, _values.AsMemory(0, _count), Definitions, Repetitions, ct).ConfigureAwait(false);
            _count = 0;
            ClearLevels();
        }
    }
}

/// <summary>Array growth through <see cref="ArrayPool{T}.Shared"/>; an empty array stands for "none rented".</summary>
internal static class Pooled
{
    /// <summary>An array of at least <paramref name="size"/> items holding the first <paramref name="used"/> of <paramref name="array"/>.</summary>
    public static T[] Ensure<T>(T[] array, int used, int size)
    {
        if (size <= array.Length) return array;
        var larger = ArrayPool<T>.Shared.Rent(size);
        Array.Copy(array, larger, used);
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        return larger;
    }

    /// <summary>Twice the room (at least 1024 items), keeping the first <paramref name="used"/> items.</summary>
    public static T[] Grow<T>(T[] array, int used) => Ensure(array, used, Math.Max(1024, used * 2));

    public static void Return<T>(ref T[] array)
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        array = [];
    }
}
