using System.Collections.Specialized;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>
/// Turns one data file's columns into rows: a column reader per table column the file holds, a constant
/// per column it lacks (the file's identity partition value, else null: a column added after the file
/// was written), the row filter, and the projection to the output columns.
/// </summary>
internal sealed class RowBuilder
{
    private readonly NestedField[] _readFields;
    private readonly int[] _outputPositions;
    private readonly Dictionary<int, int> _readIndex;
    private readonly BoundPredicate? _rowFilter;
    private readonly ColumnReader?[] _readers;
    private readonly object?[] _constants;
    private readonly bool _readIsOutput;   // the columns read are the output, in order: a row needs one array

    /// <param name="readFields">Top-level fields read: the output columns, then columns only the filter needs.</param>
    /// <param name="outputPositions">Index in <paramref name="readFields"/> of each output column.</param>
    /// <param name="constants">Row values of columns constant over the file (identity partition values), by field id.</param>
    public RowBuilder(NestedField[] readFields, int[] outputPositions, BoundPredicate? rowFilter, ParquetColumnLayout layout, IReadOnlyDictionary<int, object?> constants)
    {
        _readFields = readFields;
        _outputPositions = outputPositions;
        _rowFilter = rowFilter;
        _readIndex = readFields.Select((f, i) => (f.Id, i)).ToDictionary(p => p.Id, p => p.i);
        _readers = new ColumnReader?[readFields.Length];
        _constants = new object?[readFields.Length];
        for (var i = 0; i < readFields.Length; i++)
        {
            var field = readFields[i];
            var node = layout.TopLevel(field.Id);
            if (node != null) _readers[i] = ColumnReader.Create(node, field.Type, field.Name);
            else _constants[i] = constants.GetValueOrDefault(field.Id);
        }
        _readIsOutput = outputPositions.Length == readFields.Length && outputPositions.Select((p, i) => p == i).All(same => same);
        Cursors = _readers.Where(r => r != null).SelectMany(r => r!.Cursors).ToArray();
    }

    /// <summary>The leaf columns to load for each row group.</summary>
    public IReadOnlyList<LeafCursor> Cursors { get; }

    /// <summary>Every row read is output as read: no row filter, and the columns read are the output columns in order.</summary>
    public bool ReadsOutputOnly => _rowFilter == null && _readIsOutput;

    /// <summary>
    /// Reads the next <paramref name="count"/> rows of the loaded row group column by column into
    /// <paramref name="columns"/> (one <see cref="TypedColumns"/> array per output column, which a null in a
    /// column of a non-nullable type replaces); only when <see cref="ReadsOutputOnly"/>.
    /// Top-level columns share no leaf cursors, so each column can be read on its own.
    /// </summary>
    public void ReadColumns(Array[] columns, int count)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            if (_readers[i] is { } reader)
            {
                reader.ReadInto(ref columns[i], count);
            }
            else
            {
                var constant = _constants[i];
                for (var r = 0; r < count; r++) TypedColumns.Set(ref columns[i], r, constant);
            }
        }
    }

    /// <summary>The next row of the loaded row group, or null when it fails the row filter.</summary>
    public object?[]? Next()
    {
        var values = new object?[_readFields.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = _readers[i] is { } reader ? reader.Read() : _constants[i];
        if (_rowFilter != null && !_rowFilter.Test(c => ValueOf(values, c))) return null;
        if (_readIsOutput) return values;
        var output = new object?[_outputPositions.Length];
        for (var i = 0; i < output.Length; i++) output[i] = values[_outputPositions[i]];
        return output;
    }

    private object? ValueOf(object?[] values, BoundColumn column)
    {
        object? value = values[_readIndex[column.TopLevelFieldId]];
        foreach (var name in column.NestedPath)
        {
            if (value is not OrderedDictionary record) return null;
            value = record[name];
        }
        return value;
    }
}
