using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Parquet.Meta;
using Parquet.Schema;

namespace Faceberg.Core.Data;

/// <summary>
/// One node of a Parquet file's schema tree with its definition and repetition levels, and the table
/// field id it stands for (from the file's field ids, else the table's name mapping).
/// </summary>
internal sealed class ParquetNode
{
    public ParquetNode(SchemaElement element, ParquetNode? parent)
    {
        Element = element;
        Parent = parent;
        var repetition = element.RepetitionType ?? FieldRepetitionType.OPTIONAL;
        Def = parent == null ? 0 : parent.Def + (repetition == FieldRepetitionType.REQUIRED ? 0 : 1);
        Rep = parent == null ? 0 : parent.Rep + (repetition == FieldRepetitionType.REPEATED ? 1 : 0);
        Path = parent == null ? [] : [.. parent.Path, element.Name];
    }

    public SchemaElement Element { get; }
    public ParquetNode? Parent { get; }
    public string Name => Element.Name;
    public IReadOnlyList<string> Path { get; }
    public List<ParquetNode> Children { get; } = new();

    /// <summary>Definition level at which this node is present.</summary>
    public int Def { get; }

    /// <summary>Repetition level of this node (counts repeated nodes at and above it).</summary>
    public int Rep { get; }

    public bool IsLeaf => Element.Type != null;
    public bool IsRepeated => Element.RepetitionType == FieldRepetitionType.REPEATED;

    /// <summary>Position among the file's leaves (pre-order), for leaves.</summary>
    public int LeafIndex { get; set; } = -1;
    public DataField? Field { get; set; }
    public ParquetLeafColumn? Leaf { get; set; }

    /// <summary>The table field id this node maps to (struct fields, list elements, map keys and values).</summary>
    public int? MappedId { get; set; }

    public bool IsMap => !IsLeaf && (Element.LogicalType?.MAP != null || Element.ConvertedType is ConvertedType.MAP or ConvertedType.MAP_KEY_VALUE)
        && Children.Count == 1 && Children[0].IsRepeated && !Children[0].IsLeaf && Children[0].Children.Count == 2;

    public bool IsList => !IsLeaf && (Element.LogicalType?.LIST != null || Element.ConvertedType == ConvertedType.LIST)
        && Children.Count == 1 && Children[0].IsRepeated;

    /// <summary>For a list node: the repeated node and the element node (Parquet's three-level form, or the legacy two-level ones).</summary>
    public (ParquetNode Repeated, ParquetNode Element) ListParts()
    {
        // A bare repeated field is a list of required elements; a LIST-annotated group that is itself
        // repeated (the legacy inner list of a list of lists) still has its own repeated child.
        if (IsRepeated && !IsList) return (this, this);
        var repeated = Children[0];
        if (repeated.IsLeaf || repeated.Children.Count != 1 || repeated.Name == "array" || repeated.Name == Name + "_tuple")
            return (repeated, repeated);
        return (repeated, repeated.Children[0]);
    }

    public (ParquetNode KeyValue, ParquetNode Key, ParquetNode Value) MapParts()
    {
        var kv = Children[0];
        return (kv, kv.Children[0], kv.Children[1]);
    }

    public IEnumerable<ParquetNode> Leaves() => IsLeaf ? [this] : Children.SelectMany(c => c.Leaves());
}

/// <summary>The schema tree of one Parquet file, with leaves tied to Parquet.Net's data fields and table field ids assigned.</summary>
internal sealed class ParquetColumnLayout
{
    private ParquetColumnLayout(ParquetNode root, IReadOnlyList<ParquetNode> leaves)
    {
        Root = root;
        Leaves = leaves;
    }

    public ParquetNode Root { get; }
    public IReadOnlyList<ParquetNode> Leaves { get; }

    public ParquetNode? TopLevel(int tableFieldId) => Root.Children.FirstOrDefault(c => c.MappedId == tableFieldId);

    public static ParquetColumnLayout Build(FileMetaData metadata, ParquetSchema schema, ParquetFileFacts facts, NameMapping mapping, bool usesFileIds, string fileUri)
    {
        var index = 0;
        var root = ReadNode(metadata.Schema, ref index, null);
        var leaves = root.Leaves().ToList();
        var dataFields = schema.GetDataFields();
        if (dataFields.Length != leaves.Count)
            throw new FacebergException("InvalidParquetFooter", FacebergErrorKind.InvalidData,
                $"Parquet file '{fileUri}' has {leaves.Count} leaf columns in its footer but {dataFields.Length} readable ones.");
        var leafFacts = facts.Leaves.ToDictionary(l => string.Join('\u001f', l.ParquetPath), StringComparer.Ordinal);
        for (var i = 0; i < leaves.Count; i++)
        {
            leaves[i].LeafIndex = i;
            leaves[i].Field = dataFields[i];
            leaves[i].Leaf = leafFacts.GetValueOrDefault(string.Join('\u001f', leaves[i].Path));
        }
        if (usesFileIds) AssignFileIds(root);
        else AssignMappedIds(root.Children, mapping.Fields);
        return new ParquetColumnLayout(root, leaves);
    }

    private static ParquetNode ReadNode(List<SchemaElement> elements, ref int index, ParquetNode? parent)
    {
        var node = new ParquetNode(elements[index++], parent);
        if (node.Element.Type == null)
        {
            var count = node.Element.NumChildren ?? 0;
            for (var i = 0; i < count && index < elements.Count; i++)
                node.Children.Add(ReadNode(elements, ref index, node));
        }
        return node;
    }

    private static void AssignFileIds(ParquetNode node)
    {
        foreach (var child in node.Children)
        {
            child.MappedId = child.Element.FieldId;
            AssignFileIds(child);
        }
    }

    private static void AssignMappedIds(IEnumerable<ParquetNode> fields, IReadOnlyList<MappedField>? mapping)
    {
        foreach (var field in fields)
        {
            var mapped = mapping?.FirstOrDefault(m => m.Names.Contains(field.Name));
            field.MappedId = mapped?.FieldId;
            AssignMappedType(field, mapped?.Fields);
        }
    }

    /// <summary>Descends into a field's type: list elements and map keys/values map by the names "element", "key", "value".</summary>
    private static void AssignMappedType(ParquetNode node, IReadOnlyList<MappedField>? children)
    {
        if (node.IsLeaf) return;
        if (node.IsMap)
        {
            var (_, key, value) = node.MapParts();
            Assign(key, children, "key");
            Assign(value, children, "value");
        }
        else if (node.IsList)
        {
            Assign(node.ListParts().Element, children, "element");
        }
        else
        {
            AssignMappedIds(node.Children, children);
        }
    }

    private static void Assign(ParquetNode node, IReadOnlyList<MappedField>? siblings, string name)
    {
        var mapped = siblings?.FirstOrDefault(m => m.Names.Contains(name));
        node.MappedId = mapped?.FieldId;
        AssignMappedType(node, mapped?.Fields);
    }
}
