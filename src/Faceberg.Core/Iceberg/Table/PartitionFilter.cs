using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Scan;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// A conjunction of "column in {values}" conditions on identity-partitioned columns, used to prune
/// manifests (through the manifest list's partition summaries) and data files. Conditions on columns
/// a manifest's spec does not partition by identity cannot exclude anything.
/// </summary>
public sealed class PartitionFilter
{
    private readonly IReadOnlyDictionary<string, object?[]> _conditions;

    private PartitionFilter(IReadOnlyDictionary<string, object?[]> conditions) => _conditions = conditions;

    public static PartitionFilter In(string column, params object?[] values) =>
        new(new Dictionary<string, object?[]>(StringComparer.Ordinal) { [column] = values });

    public PartitionFilter AndIn(string column, params object?[] values) =>
        new(new Dictionary<string, object?[]>(_conditions, StringComparer.Ordinal) { [column] = values });

    public IReadOnlyDictionary<string, object?[]> Conditions => _conditions;

    /// <summary>Partition position, type and normalised allowed values for each condition this spec can evaluate.</summary>
    private List<(int Position, PrimitiveType Type, object?[] Values)> Bind(PartitionSpec spec, Schema schema)
    {
        var bound = new List<(int, PrimitiveType, object?[])>();
        var partitionType = spec.PartitionType(schema);
        foreach (var (column, values) in _conditions)
        {
            var source = schema.FindField(column);
            var position = -1;
            for (var i = 0; i < spec.Fields.Count; i++)
            {
                var f = spec.Fields[i];
                if (f.Transform.Kind != TransformKind.Identity) continue;
                if ((source != null && f.SourceId == source.Id) || (source == null && f.Name == column)) { position = i; break; }
            }
            if (position < 0) continue;
            var type = (PrimitiveType)partitionType.Fields[position].Type;
            bound.Add((position, type, values.Select(v => v == null ? null : BoundEncoding.Decode(type, BoundEncoding.Encode(type, v))).ToArray()));
        }
        return bound;
    }

    /// <summary>False when the manifest's partition summaries prove no file in it matches.</summary>
    public bool MightMatch(ManifestFile manifest, PartitionSpec spec, Schema schema)
    {
        if (manifest.Partitions == null) return true;
        foreach (var (position, type, values) in Bind(spec, schema))
        {
            if (position >= manifest.Partitions.Count) continue;
            var summary = manifest.Partitions[position];
            var any = values.Any(v => v == null
                ? summary.ContainsNull
                : (summary.LowerBound == null || BoundEncoding.Compare(type, v, BoundEncoding.Decode(type, summary.LowerBound)) >= 0)
                  && (summary.UpperBound == null || BoundEncoding.Compare(type, v, BoundEncoding.Decode(type, summary.UpperBound)) <= 0)
                  && (summary.LowerBound != null || summary.UpperBound != null || !summary.ContainsNull || summary.ContainsNan == true));
            if (!any) return false;
        }
        return true;
    }

    /// <summary>This filter for the planner, against <paramref name="schema"/>'s column names.</summary>
    public IScanFilter Bind(Schema schema) => new Bound(this, schema);

    private sealed class Bound(PartitionFilter filter, Schema schema) : IScanFilter
    {
        public bool MightMatch(ManifestFile manifest, PartitionSpec spec) => filter.MightMatch(manifest, spec, schema);
        public bool MightMatch(DataFile file, PartitionSpec spec) => filter.Matches(spec, schema, file.Partition);
    }

    public bool Matches(PartitionSpec spec, Schema schema, IReadOnlyList<object?> partition)
    {
        foreach (var (position, type, values) in Bind(spec, schema))
        {
            var actual = partition[position];
            if (!values.Any(v => v == null ? actual == null : actual != null && BoundEncoding.Compare(type, v, actual) == 0)) return false;
        }
        return true;
    }
}
