using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// What a table keeps of one Parquet footer until its commit: exactly what the file's manifest entry needs (path,
/// size, record count, row-group offsets, and per leaf column its size, value and null counts and encoded bounds),
/// as arrays indexed like <see cref="ParquetFileShape.Leaves"/>. The schema lives in a <see cref="ParquetFileShape"/>
/// that files with the same schema share, and the footer itself (key-value metadata, row groups, chunk statistics)
/// is not kept, so creating a table over 100,000 files holds a few hundred bytes per file instead of the whole
/// <see cref="ParquetFileFacts"/>.
/// </summary>
public sealed class ParquetFileStatistics
{
    /// <summary>The null count of a leaf whose footer did not give one for every row group.</summary>
    private const long UnknownNullCount = long.MinValue;

    private readonly long[] _columnSizes;
    private readonly long[] _valueCounts;
    private readonly long[] _nullCounts;
    private readonly byte[]?[] _lowerBounds;
    private readonly byte[]?[] _upperBounds;
    private readonly long[] _splitOffsets;

    private ParquetFileStatistics(string fileUri, long fileSizeInBytes, long recordCount, ParquetFileShape shape,
        long[] columnSizes, long[] valueCounts, long[] nullCounts, byte[]?[] lowerBounds, byte[]?[] upperBounds, long[] splitOffsets)
    {
        FileUri = fileUri;
        FileSizeInBytes = fileSizeInBytes;
        RecordCount = recordCount;
        Shape = shape;
        _columnSizes = columnSizes;
        _valueCounts = valueCounts;
        _nullCounts = nullCounts;
        _lowerBounds = lowerBounds;
        _upperBounds = upperBounds;
        _splitOffsets = splitOffsets;
    }

    public string FileUri { get; }
    public long FileSizeInBytes { get; }
    public long RecordCount { get; }

    /// <summary>The file's schema and leaf columns, shared with every file of the same schema.</summary>
    public ParquetFileShape Shape { get; }

    /// <summary>The file's own Iceberg schema (see <see cref="ParquetFileFacts.Schema"/>).</summary>
    public Schema Schema => Shape.Schema;

    /// <summary>
    /// The compact statistics of <paramref name="facts"/>; with <paramref name="shapes"/>, the schema is shared with
    /// the files already summarized through it that have the same one.
    /// </summary>
    public static ParquetFileStatistics Of(ParquetFileFacts facts, ParquetFileShapes? shapes = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var shape = shapes is null ? new ParquetFileShape(facts.Schema, facts.Leaves) : shapes.Intern(facts.Schema, facts.Leaves);
        // Facts.Columns follows Facts.Leaves one to one (ParquetFileInspector aggregates per leaf).
        var columns = facts.Columns;
        if (columns.Count != shape.Leaves.Count)
            throw new ArgumentException($"'{facts.FileUri}' has {columns.Count} column metrics for {shape.Leaves.Count} leaf columns.", nameof(facts));
        var count = columns.Count;
        var sizes = new long[count];
        var values = new long[count];
        var nulls = new long[count];
        var lower = new byte[]?[count];
        var upper = new byte[]?[count];
        for (var i = 0; i < count; i++)
        {
            var column = columns[i];
            sizes[i] = column.CompressedSize;
            values[i] = column.ValueCount;
            nulls[i] = column.NullCount ?? UnknownNullCount;
            lower[i] = column.LowerBound;
            upper[i] = column.UpperBound;
        }
        var offsets = facts.RowGroups.Count == 0 ? [] : facts.RowGroups.Select(g => g.StartOffset).Order().ToArray();
        return new ParquetFileStatistics(facts.FileUri, facts.FileSizeInBytes, facts.RecordCount, shape, sizes, values, nulls, lower, upper, offsets);
    }

    /// <summary>
    /// The manifest entry for this file in a table whose schema is <paramref name="tableSchema"/>. Columns are matched
    /// by name path, not by id, so files inspected separately map onto one table schema. Counts are kept for every leaf
    /// the table knows; bounds only for leaves outside lists and maps whose table type is exactly the file's type (a
    /// bound in another type's encoding would mislead pruning).
    /// </summary>
    public DataFile ToDataFile(Schema tableSchema, IReadOnlyList<object?> partitionValues, string filePath)
    {
        ArgumentNullException.ThrowIfNull(tableSchema);
        ArgumentNullException.ThrowIfNull(partitionValues);
        var fields = Shape.FieldsIn(tableSchema);
        var columnSizes = new Dictionary<int, long>(fields.Count);
        var valueCounts = new Dictionary<int, long>(fields.Count);
        var nullCounts = new Dictionary<int, long>(fields.Count);
        var lower = new Dictionary<int, byte[]>(fields.Count);
        var upper = new Dictionary<int, byte[]>(fields.Count);
        for (var i = 0; i < fields.FieldIds.Length; i++)
        {
            var id = fields.FieldIds[i];
            if (id == ParquetFileShape.NoField) continue;
            columnSizes[id] = _columnSizes[i];
            valueCounts[id] = _valueCounts[i];
            if (_nullCounts[i] != UnknownNullCount) nullCounts[id] = _nullCounts[i];
            if (!fields.BoundsUsable[i]) continue;
            if (_lowerBounds[i] is { } low) lower[id] = low;
            if (_upperBounds[i] is { } up) upper[id] = up;
        }

        return new DataFile
        {
            FilePath = filePath,
            FileFormat = FileFormat.Parquet,
            Partition = partitionValues,
            RecordCount = RecordCount,
            FileSizeInBytes = FileSizeInBytes,
            ColumnSizes = columnSizes,
            ValueCounts = valueCounts,
            NullValueCounts = nullCounts,
            // Parquet footers carry no NaN counts; an absent map means "unknown" to readers.
            NanValueCounts = null,
            LowerBounds = lower,
            UpperBounds = upper,
            SplitOffsets = _splitOffsets,
        };
    }
}

/// <summary>
/// A Parquet file's Iceberg schema and leaf columns, shared by the <see cref="ParquetFileStatistics"/> of every file
/// with the same schema. It remembers where its leaves land in the last table schema it was mapped onto, so the
/// files of one commit resolve their column paths once, not once per file.
/// </summary>
public sealed class ParquetFileShape
{
    internal const int NoField = 0;

    private LeafFields? _lastFields;

    public ParquetFileShape(Schema schema, IReadOnlyList<ParquetLeafColumn> leaves)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(leaves);
        Schema = schema;
        Leaves = leaves;
    }

    public Schema Schema { get; }
    public IReadOnlyList<ParquetLeafColumn> Leaves { get; }

    /// <summary>
    /// Each leaf's field id in <paramref name="tableSchema"/> (<see cref="NoField"/> when the table has no primitive
    /// column at its path) and whether its bounds may be kept: not inside a list or map, and the table's type is
    /// exactly the file's (a bound in another type's encoding would mislead pruning). Columns are matched by name
    /// path.
    /// </summary>
    internal LeafFields FieldsIn(Schema tableSchema)
    {
        // Racing threads may each compute it; the result is the same.
        if (Volatile.Read(ref _lastFields) is { } last && ReferenceEquals(last.TableSchema, tableSchema))
            return last;
        var ids = new int[Leaves.Count];
        var bounds = new bool[Leaves.Count];
        var count = 0;
        for (var i = 0; i < Leaves.Count; i++)
        {
            var leaf = Leaves[i];
            var field = ParquetFileFacts.FindByPath(tableSchema.Struct, leaf.IcebergPath);
            if (field == null || !field.Type.IsPrimitive) continue;
            ids[i] = field.Id;
            bounds[i] = !leaf.InRepeated && field.Type.Equals(leaf.Type);
            count++;
        }
        var fields = new LeafFields(tableSchema, ids, bounds, count);
        Volatile.Write(ref _lastFields, fields);
        return fields;
    }

    internal sealed record LeafFields(Schema TableSchema, int[] FieldIds, bool[] BoundsUsable, int Count);
}

/// <summary>
/// Hands out one <see cref="ParquetFileShape"/> per distinct schema (structurally equal schema and leaf columns), so
/// the files of a dataset written by one writer share it. Thread-safe.
/// </summary>
public sealed class ParquetFileShapes
{
    private readonly Dictionary<ShapeKey, ParquetFileShape> _shapes = [];
    private readonly object _lock = new();

    /// <summary>Distinct shapes handed out so far.</summary>
    public int Count
    {
        get { lock (_lock) return _shapes.Count; }
    }

    public ParquetFileShape Intern(Schema schema, IReadOnlyList<ParquetLeafColumn> leaves)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(leaves);
        var key = new ShapeKey(schema, leaves);
        lock (_lock)
        {
            if (_shapes.TryGetValue(key, out var shape)) return shape;
            shape = new ParquetFileShape(schema, leaves);
            _shapes.Add(key, shape);
            return shape;
        }
    }

    private sealed class ShapeKey : IEquatable<ShapeKey>
    {
        private readonly Schema _schema;
        private readonly IReadOnlyList<ParquetLeafColumn> _leaves;
        private readonly int _hash;

        public ShapeKey(Schema schema, IReadOnlyList<ParquetLeafColumn> leaves)
        {
            _schema = schema;
            _leaves = leaves;
            _hash = HashCode.Combine(schema, leaves.Count);
        }

        public bool Equals(ShapeKey? other)
        {
            if (other is null || other._hash != _hash || other._leaves.Count != _leaves.Count || !other._schema.Equals(_schema))
                return false;
            for (var i = 0; i < _leaves.Count; i++)
                if (!SameLeaf(_leaves[i], other._leaves[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as ShapeKey);
        public override int GetHashCode() => _hash;

        private static bool SameLeaf(ParquetLeafColumn a, ParquetLeafColumn b) =>
            a.Type.Equals(b.Type) && a.Kind == b.Kind && a.InRepeated == b.InRepeated && a.AlwaysDefined == b.AlwaysDefined
            && a.ParquetPath.SequenceEqual(b.ParquetPath, StringComparer.Ordinal) && a.IcebergPath.SequenceEqual(b.IcebergPath, StringComparer.Ordinal);
    }
}
