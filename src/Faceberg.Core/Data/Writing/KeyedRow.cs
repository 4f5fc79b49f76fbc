using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Faceberg.Core.Data;

/// <summary>
/// A row to write as its values by position plus a name array that rows of one shape share (by reference): the
/// compact input of <see cref="Datasets.TableWriter"/> when rows come from a source whose rows have the same names in
/// the same order (PowerShell objects, records). The writer matches the names to columns once per name array and
/// then reads values by position; a dictionary per row would cost a hash table per row and a lookup per cell.
/// Names must be distinct, and a name array must not change while rows that share it are written (the writer
/// knows it again by reference); lookups by name (the <see cref="IReadOnlyDictionary{TKey, TValue}"/> view) are linear.
/// </summary>
public sealed class KeyedRow : IReadOnlyDictionary<string, object?>
{
    private readonly string[] _names;
    private readonly object?[] _values;

    /// <param name="names">The names, shared with the other rows of this shape; not copied.</param>
    /// <param name="values">This row's values, in the order of <paramref name="names"/>; not copied.</param>
    public KeyedRow(string[] names, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        if (names.Length != values.Length)
            throw new ArgumentException($"{values.Length} values for {names.Length} names.", nameof(values));
        _names = names;
        _values = values;
    }

    /// <summary>The shared name array (compare by reference to find rows of one shape).</summary>
    public string[] Names => _names;

    public object? ValueAt(int index) => _values[index];

    public int Count => _names.Length;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<object?> Values => _values;

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The row has no '{key}'.");

    public bool ContainsKey(string key) => Array.IndexOf(_names, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var index = Array.IndexOf(_names, key);
        value = index >= 0 ? _values[index] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++) yield return new(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
