using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Data;

/// <summary>
/// A row filter as the planner's file filter: manifests are pruned by their partition summaries (exact
/// equalities and in-lists on identity partition columns), data files by their partition values and
/// column metrics through <see cref="MetricsEvaluator"/>.
/// </summary>
internal sealed class PredicateScanFilter : IScanFilter
{
    private readonly BoundPredicate _predicate;
    private readonly Schema _schema;
    private readonly IScanFilter? _partitions;

    public PredicateScanFilter(BoundPredicate predicate, Schema schema, TableMetadata metadata)
    {
        _predicate = predicate;
        _schema = schema;
        _partitions = BuildPartitionFilter(predicate, metadata)?.Bind(schema);
    }

    public bool MightMatch(ManifestFile manifest, PartitionSpec spec) => _partitions?.MightMatch(manifest, spec) ?? true;

    public bool MightMatch(DataFile file, PartitionSpec spec) => MetricsEvaluator.MightMatch(_predicate, id => FileStats(_schema, file, spec, id));

    /// <summary>Exact equalities and in-lists on identity partition columns among the filter's top-level conjuncts.</summary>
    private static PartitionFilter? BuildPartitionFilter(BoundPredicate predicate, TableMetadata metadata)
    {
        PartitionFilter? filter = null;
        var identitySources = metadata.PartitionSpecs.SelectMany(s => s.Fields)
            .Where(f => f.Transform.Kind == TransformKind.Identity).Select(f => f.SourceId).ToHashSet();
        foreach (var conjunct in Conjuncts(predicate))
        {
            (BoundColumn Column, IReadOnlyList<object?> Values)? condition = conjunct switch
            {
                BoundIn { IgnoreCase: false } i => (i.Column, i.Values),
                BoundComparison { Operator: ComparisonOperator.Equal, IgnoreCase: false } c => (c.Column, [c.Literal]),
                _ => null,
            };
            if (condition is not { } cond || cond.Column.NestedPath.Count > 0 || !identitySources.Contains(cond.Column.FieldId)) continue;
            var values = new List<object?>();
            foreach (var v in cond.Values)
            {
                var bound = v == null ? null : DataValues.ToBound(cond.Column.Type, v);
                if (v != null && bound == null) { values = null; break; }
                values.Add(bound);
            }
            if (values == null) continue;
            filter = filter == null ? PartitionFilter.In(cond.Column.Name, values.ToArray()) : filter.AndIn(cond.Column.Name, values.ToArray());
        }
        return filter;
    }

    private static IEnumerable<BoundPredicate> Conjuncts(BoundPredicate? p) => p switch
    {
        null => [],
        BoundAnd a => Conjuncts(a.Left).Concat(Conjuncts(a.Right)),
        _ => [p],
    };

    /// <summary>The row values of the file's identity partition fields, by source field id: columns constant over the file.</summary>
    public static Dictionary<int, object?> PartitionConstants(Schema schema, DataFile file, PartitionSpec spec)
    {
        var constants = new Dictionary<int, object?>();
        for (var i = 0; i < spec.Fields.Count && i < file.Partition.Count; i++)
        {
            var field = spec.Fields[i];
            if (field.Transform.Kind != TransformKind.Identity || schema.FindField(field.SourceId)?.Type is not PrimitiveType type) continue;
            constants.TryAdd(field.SourceId, file.Partition[i] is { } value ? DataValues.FromBound(type, value) : null);
        }
        return constants;
    }

    /// <summary>Statistics of a column over a whole data file: its partition value for identity partition columns, else the manifest's metrics.</summary>
    public static ColumnStats? FileStats(Schema schema, DataFile file, PartitionSpec spec, int fieldId)
    {
        if (schema.FindField(fieldId)?.Type is not PrimitiveType type) return null;
        for (var i = 0; i < spec.Fields.Count && i < file.Partition.Count; i++)
        {
            var pf = spec.Fields[i];
            if (pf.SourceId != fieldId || pf.Transform.Kind != TransformKind.Identity) continue;
            var value = file.Partition[i];
            return value == null
                ? new ColumnStats(null, null, file.RecordCount, file.RecordCount)
                : new ColumnStats(DataValues.FromBound(type, value), DataValues.FromBound(type, value), 0, file.RecordCount);
        }
        var lower = DecodeBound(type, file.LowerBounds, fieldId);
        var upper = DecodeBound(type, file.UpperBounds, fieldId);
        long? nulls = file.NullValueCounts?.TryGetValue(fieldId, out var n) == true ? n : null;
        long? values = file.ValueCounts?.TryGetValue(fieldId, out var c) == true ? c : null;
        return lower == null && upper == null && nulls == null && values == null ? null : new ColumnStats(lower, upper, nulls, values);
    }

    private static object? DecodeBound(PrimitiveType type, Dictionary<int, byte[]>? bounds, int fieldId)
    {
        if (bounds == null || !bounds.TryGetValue(fieldId, out var bytes)) return null;
        try
        {
            return DataValues.FromBound(type, BoundEncoding.Decode(type, bytes));
        }
        catch (FacebergException)
        {
            return null;   // a bound this reader cannot decode prunes nothing
        }
    }
}
