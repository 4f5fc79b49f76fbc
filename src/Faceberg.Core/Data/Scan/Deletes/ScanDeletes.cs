using System.Runtime.CompilerServices;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Data;

/// <summary>
/// The delete files of one scan: which apply to each data file (<see cref="DeleteFileIndex"/>) and their
/// contents, each delete file read once per scan however many data files it concerns. Position delete
/// files are read for their <c>file_path</c> and <c>pos</c> columns; equality delete files for their
/// <c>equality_ids</c> columns, with the table's types and column mapping, so their values compare equal
/// to the data rows' own.
/// </summary>
internal sealed class ScanDeletes
{
    private static readonly NestedField[] PositionFields =
    [
        NestedField.Require(DeleteFileIndex.FilePathFieldId, "file_path", PrimitiveType.String),
        NestedField.Require(DeleteFileIndex.PositionFieldId, "pos", PrimitiveType.Long),
    ];
    private static readonly NameMapping PositionMapping = NameMapping.FromSchema(new Schema(0, PositionFields));

    private readonly DeleteFileIndex _index;
    private readonly IFileIO _io;
    private readonly Schema _schema;
    private readonly NameMapping _mapping;
    private readonly Dictionary<string, Task<Dictionary<string, HashSet<long>>>> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<HashSet<object?[]>>> _equality = new(StringComparer.Ordinal);

    /// <param name="schema">The schema rows are read with: equality columns resolve in it.</param>
    /// <param name="mapping">How files without field ids map their columns to the schema's.</param>
    public ScanDeletes(IReadOnlyList<DeleteFileTask> deletes, IFileIO io, Schema schema, NameMapping mapping)
    {
        _index = new DeleteFileIndex(deletes);
        _io = io;
        _schema = schema;
        _mapping = mapping;
        foreach (var id in _index.EqualityFieldIds) EqualityField(id);   // refuse unusable equality columns before any row is read
    }

    public bool IsEmpty => _index.IsEmpty;

    /// <summary>The deletes that apply to <paramref name="task"/>, loaded; null when none does.</summary>
    public async Task<DataFileDeletes?> ForDataFileAsync(FileScanTask task, CancellationToken ct)
    {
        var positionFiles = _index.PositionDeletesFor(task);
        var equalityFiles = _index.EqualityDeletesFor(task);
        if (positionFiles.Count == 0 && equalityFiles.Count == 0) return null;

        HashSet<long>? positions = null;
        foreach (var delete in positionFiles)
        {
            var byPath = await Cached(_positions, delete, () => ReadPositionsAsync(delete.File, ct)).ConfigureAwait(false);
            if (!byPath.TryGetValue(task.File.FilePath, out var deleted)) continue;
            positions ??= [];
            positions.UnionWith(deleted);
        }

        var equalityIds = equalityFiles.SelectMany(d => d.File.EqualityIds!).Distinct().ToArray();
        var sets = new List<EqualityDeleteSet>();
        foreach (var group in equalityFiles.GroupBy(d => string.Join(",", d.File.EqualityIds!)))
        {
            var ids = group.First().File.EqualityIds!.ToArray();
            var keys = new HashSet<object?[]>(EqualityKeyComparer.Instance);
            foreach (var delete in group)
                keys.UnionWith(await Cached(_equality, delete, () => ReadEqualityKeysAsync(delete, ids, ct)).ConfigureAwait(false));
            if (keys.Count > 0) sets.Add(new EqualityDeleteSet(ids.Select(id => Array.IndexOf(equalityIds, id)).ToArray(), keys));
        }
        if (positions == null && sets.Count == 0) return null;
        return new DataFileDeletes(positions, sets.Count == 0 ? [] : equalityIds.Select(EqualityField).ToArray(), sets);
    }

    private static Task<T> Cached<T>(Dictionary<string, Task<T>> cache, DeleteFileTask delete, Func<Task<T>> load)
    {
        if (!cache.TryGetValue(delete.File.FilePath, out var task))
            cache[delete.File.FilePath] = task = load();
        return task;
    }

    /// <summary>A top-level column of the schema; equality deletes on anything else are refused by name.</summary>
    private NestedField EqualityField(int id)
    {
        if (_schema.Fields.FirstOrDefault(f => f.Id == id) is { Type: PrimitiveType } field) return field;
        var reason = _schema.FindField(id) is { } nested
            ? $"column '{nested.Name}' (field id {id}) is not a top-level primitive column"
            : $"field id {id} is not a column of the schema being read";
        throw new FacebergException("UnsupportedEqualityDelete", FacebergErrorKind.NotSupported,
            $"An equality delete file of this snapshot compares on a column this reader cannot apply it to: {reason}.");
    }

    private async Task<Dictionary<string, HashSet<long>>> ReadPositionsAsync(DataFile file, CancellationToken ct)
    {
        var byPath = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        await foreach (var row in ReadRowsAsync(file, PositionFields, PositionMapping, new Dictionary<int, object?>(), ct).ConfigureAwait(false))
        {
            if (row[0] is not string path || row[1] is not long position)
                throw new FacebergException("InvalidDeleteFile", FacebergErrorKind.InvalidData,
                    $"Position delete file '{file.FilePath}' has a row without file_path or pos.");
            if (!byPath.TryGetValue(path, out var set)) byPath[path] = set = [];
            set.Add(position);
        }
        return byPath;
    }

    private async Task<HashSet<object?[]>> ReadEqualityKeysAsync(DeleteFileTask delete, int[] ids, CancellationToken ct)
    {
        var keys = new HashSet<object?[]>(EqualityKeyComparer.Instance);
        // An identity partition column the file leaves out has the file's partition value, as in data files.
        var constants = PredicateScanFilter.PartitionConstants(_schema, delete.File, delete.Spec);
        await foreach (var row in ReadRowsAsync(delete.File, ids.Select(EqualityField).ToArray(), _mapping, constants, ct).ConfigureAwait(false))
            keys.Add(row);
        return keys;
    }

    /// <summary>The rows of a Parquet delete file, one value per field; every field must be a column of the file or one of <paramref name="constants"/>.</summary>
    private async IAsyncEnumerable<object?[]> ReadRowsAsync(DataFile file, NestedField[] fields, NameMapping mapping, IReadOnlyDictionary<int, object?> constants,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (file.FileFormat != FileFormat.Parquet)
            throw new FacebergException("UnsupportedDeleteFileFormat", FacebergErrorKind.NotSupported,
                $"Delete file '{file.FilePath}' is {file.FileFormat}; only Parquet delete files can be applied.");
        var reader = await ParquetFileReader.OpenAsync(_io, file.FilePath, mapping, ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (fields.FirstOrDefault(f => reader.Layout.TopLevel(f.Id) == null && !constants.ContainsKey(f.Id)) is { } missing)
                throw new FacebergException("InvalidDeleteFile", FacebergErrorKind.InvalidData,
                    $"Delete file '{file.FilePath}' has no column '{missing.Name}' (field id {missing.Id}).");
            var builder = new RowBuilder(fields, Enumerable.Range(0, fields.Length).ToArray(), null, reader.Layout, constants);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                if (reader.Facts.RowGroups[g].RowCount == 0) continue;
                var rows = await reader.LoadRowGroupAsync(g, builder.Cursors, ct).ConfigureAwait(false);
                for (long r = 0; r < rows; r++)
                    yield return builder.Next()!;
            }
        }
    }
}

/// <summary>Keys deleted by equality delete files on the same columns; <see cref="Slots"/> index each column's value in a row's equality values.</summary>
internal sealed record EqualityDeleteSet(int[] Slots, HashSet<object?[]> Keys);

/// <summary>
/// The deletes that apply to one data file: the deleted row positions (0-based, in file order) and the
/// equality delete keys, matched against the values of <see cref="EqualityFields"/>, which the file's
/// rows must carry after their output columns.
/// </summary>
internal sealed class DataFileDeletes(HashSet<long>? positions, IReadOnlyList<NestedField> equalityFields, IReadOnlyList<EqualityDeleteSet> equality)
{
    /// <summary>Columns whose values equality deletes compare; empty when only position deletes apply.</summary>
    public IReadOnlyList<NestedField> EqualityFields { get; } = equalityFields;

    /// <summary>Rows of a file of <paramref name="recordCount"/> rows that position deletes remove.</summary>
    public long DeletedPositions(long recordCount) => positions?.Count(p => p >= 0 && p < recordCount) ?? 0;

    /// <param name="values">The row's values; its equality column values start at <paramref name="equalityOffset"/>.</param>
    public bool IsDeleted(long position, object?[] values, int equalityOffset)
    {
        if (positions != null && positions.Contains(position)) return true;
        foreach (var set in equality)
        {
            var key = new object?[set.Slots.Length];
            for (var i = 0; i < key.Length; i++) key[i] = values[equalityOffset + set.Slots[i]];
            if (set.Keys.Contains(key)) return true;
        }
        return false;
    }
}
