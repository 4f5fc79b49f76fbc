namespace Faceberg.Core.Iceberg.Spec;

/// <summary>
/// A table schema: a struct of top-level fields plus a schema id and optional identifier field ids.
/// </summary>
public sealed class Schema : IEquatable<Schema>
{
    private readonly Dictionary<int, NestedField> _byId = new();
    private readonly Dictionary<string, NestedField> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _nameById = new();

    public Schema(int schemaId, IEnumerable<NestedField> fields, IEnumerable<int>? identifierFieldIds = null)
    {
        SchemaId = schemaId;
        Struct = new StructType(fields);
        IdentifierFieldIds = identifierFieldIds?.ToArray() ?? Array.Empty<int>();
        Index(Struct, prefix: null);
        HighestFieldId = _byId.Count == 0 ? 0 : _byId.Keys.Max();
        foreach (var id in IdentifierFieldIds)
        {
            if (!_byId.TryGetValue(id, out var f) || !f.Type.IsPrimitive || !f.Required)
                throw new FacebergException("InvalidIdentifierField", FacebergErrorKind.InvalidArgument,
                    $"Identifier field id {id} must name a required primitive field of the schema.");
        }
    }

    public Schema(int schemaId, params NestedField[] fields) : this(schemaId, (IEnumerable<NestedField>)fields) { }

    public int SchemaId { get; }
    public StructType Struct { get; }
    public IReadOnlyList<NestedField> Fields => Struct.Fields;
    public IReadOnlyList<int> IdentifierFieldIds { get; }

    /// <summary>The largest field id used anywhere in the schema, nested ids included (0 when empty).</summary>
    public int HighestFieldId { get; }

    /// <summary>Finds a field by id at any depth; list elements and map keys/values come back as fields named element/key/value.</summary>
    public NestedField? FindField(int id) => _byId.GetValueOrDefault(id);

    /// <summary>Finds a field by its full dotted name, e.g. "a.b", "tags.element", "attrs.key".</summary>
    public NestedField? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The full dotted name of a field id.</summary>
    public string? FindColumnName(int id) => _nameById.GetValueOrDefault(id);

    /// <summary>Every field at any depth, parents before children.</summary>
    public IEnumerable<NestedField> AllFields() => _byId.Values;

    public Schema WithSchemaId(int schemaId) => new(schemaId, Fields, IdentifierFieldIds);

    private void Index(IcebergType type, string? prefix)
    {
        switch (type)
        {
            case StructType s:
                foreach (var f in s.Fields) Add(f, prefix);
                break;
            case ListType l:
                Add(l.ElementField, prefix);
                break;
            case MapType m:
                Add(m.KeyField, prefix);
                Add(m.ValueField, prefix);
                break;
        }
    }

    private void Add(NestedField field, string? prefix)
    {
        var fullName = prefix == null ? field.Name : prefix + "." + field.Name;
        if (!_byId.TryAdd(field.Id, field))
            throw new FacebergException("DuplicateFieldId", FacebergErrorKind.InvalidArgument,
                $"Field id {field.Id} is used by both '{_nameById[field.Id]}' and '{fullName}'.");
        _byName[fullName] = field;
        _nameById[field.Id] = fullName;
        Index(field.Type, fullName);
    }

    public bool Equals(Schema? other) =>
        other != null && other.SchemaId == SchemaId && other.Struct.Equals(Struct) && other.IdentifierFieldIds.SequenceEqual(IdentifierFieldIds);

    /// <summary>Same fields and identifier ids, ignoring the schema id.</summary>
    public bool SameStructure(Schema other) => other.Struct.Equals(Struct) && other.IdentifierFieldIds.SequenceEqual(IdentifierFieldIds);

    public override bool Equals(object? obj) => obj is Schema s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(SchemaId, Struct);
    public override string ToString() => $"schema {SchemaId} {Struct}";
}
