namespace Faceberg.Core.Iceberg.Spec;

/// <summary>
/// Gives fields fresh ids in one fixed order, so the same shape always gets the same ids:
/// the fields of a struct take consecutive ids first (top-level columns are 1..n), then each field's
/// nested type is numbered in field order, depth first; a list numbers its element, a map its key then
/// its value, before descending into them. This is the order Iceberg's reference implementation uses when
/// it assigns fresh ids, so a schema written by another engine for the same columns lines up.
/// </summary>
public static class FieldIdAssigner
{
    /// <summary>Renumbers <paramref name="fields"/> starting after <paramref name="lastAssignedId"/>; returns the highest id used.</summary>
    public static IReadOnlyList<NestedField> AssignFresh(IReadOnlyList<NestedField> fields, int lastAssignedId, out int highestId)
    {
        var counter = new Counter(lastAssignedId);
        var result = AssignStruct(fields, counter);
        highestId = counter.Last;
        return result;
    }

    /// <summary>Renumbers one field's nested type (not the field's own id).</summary>
    public static IcebergType AssignFresh(IcebergType type, int lastAssignedId, out int highestId)
    {
        var counter = new Counter(lastAssignedId);
        var result = Assign(type, counter);
        highestId = counter.Last;
        return result;
    }

    private sealed class Counter(int last)
    {
        public int Last { get; private set; } = last;
        public int Next() => ++Last;
    }

    private static IReadOnlyList<NestedField> AssignStruct(IReadOnlyList<NestedField> fields, Counter counter)
    {
        var ids = fields.Select(_ => counter.Next()).ToArray();
        var result = new NestedField[fields.Count];
        for (var i = 0; i < fields.Count; i++)
            result[i] = fields[i] with { Id = ids[i], Type = Assign(fields[i].Type, counter) };
        return result;
    }

    private static IcebergType Assign(IcebergType type, Counter counter)
    {
        switch (type)
        {
            case StructType s:
                return new StructType(AssignStruct(s.Fields, counter));
            case ListType l:
            {
                var elementId = counter.Next();
                return new ListType(elementId, Assign(l.Element, counter), l.ElementRequired);
            }
            case MapType m:
            {
                var keyId = counter.Next();
                var valueId = counter.Next();
                var key = Assign(m.Key, counter);
                var value = Assign(m.Value, counter);
                return new MapType(keyId, key, valueId, value, m.ValueRequired);
            }
            default:
                return type;
        }
    }
}
