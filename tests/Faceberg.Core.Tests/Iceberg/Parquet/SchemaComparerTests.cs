using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using ListType = Faceberg.Core.Iceberg.Spec.ListType;
using MapType = Faceberg.Core.Iceberg.Spec.MapType;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

public class SchemaComparerTests
{
    private static readonly Schema Table = new(3,
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "text", PrimitiveType.String, "a doc"),
        NestedField.Optional(3, "meta", new StructType(NestedField.Optional(5, "a", PrimitiveType.Int))),
        NestedField.Optional(4, "tags", new ListType(6, PrimitiveType.String, true)));

    /// <summary>The same columns as a file inspected on its own would number them.</summary>
    private static Schema File(params NestedField[] fields) => new(0, FieldIdAssigner.AssignFresh(fields, 0, out _));

    private static NestedField[] TableColumns() => new[]
    {
        NestedField.Require(0, "id", PrimitiveType.Long),
        NestedField.Optional(0, "text", PrimitiveType.String),
        NestedField.Optional(0, "meta", new StructType(NestedField.Optional(0, "a", PrimitiveType.Int))),
        NestedField.Optional(0, "tags", new ListType(0, PrimitiveType.String, true)),
    };

    [Fact]
    public void Same_columns_with_other_ids_and_docs_are_identical()
    {
        var result = SchemaComparer.Compare(Table, File(TableColumns().Reverse().ToArray()));
        Assert.Equal(SchemaCompatibility.Identical, result.Kind);
        Assert.Same(Table, result.MergedSchema);
        Assert.Equal(6, result.LastColumnId);
    }

    [Fact]
    public void New_columns_are_appended_optional_with_ids_after_the_last_column_id()
    {
        var file = File(TableColumns().Concat(new[]
        {
            NestedField.Require(0, "score", PrimitiveType.Double),
            NestedField.Optional(0, "extra", new MapType(0, PrimitiveType.String, 0, PrimitiveType.Int, false)),
        }).Select(f => f.Name == "meta" ? f with { Type = new StructType(NestedField.Optional(0, "a", PrimitiveType.Int), NestedField.Optional(0, "b", PrimitiveType.String)) } : f).ToArray());

        var result = SchemaComparer.Compare(Table, file, lastColumnId: 10);

        Assert.Equal(SchemaCompatibility.Compatible, result.Kind);
        Assert.Equal(new[] { "meta.b", "score", "extra" }, result.AddedColumns);
        var merged = result.MergedSchema!;
        Assert.Equal(3, merged.SchemaId);
        Assert.Equal(new[] { "id", "text", "meta", "tags", "score", "extra" }, merged.Fields.Select(f => f.Name));
        Assert.Equal("a doc", merged.FindField("text")!.Doc);
        Assert.Equal(11, merged.FindField("meta.b")!.Id);
        Assert.Equal(NestedField.Optional(12, "score", PrimitiveType.Double), merged.FindField("score"));
        Assert.Equal(NestedField.Optional(13, "extra", new MapType(14, PrimitiveType.String, 15, PrimitiveType.Int, false)), merged.FindField("extra"));
        Assert.Equal(15, result.LastColumnId);
        Assert.Equal(Table.FindField("tags"), merged.FindField("tags"));
    }

    [Fact]
    public void A_file_lacking_an_optional_column_is_compatible_without_changes()
    {
        var result = SchemaComparer.Compare(Table, File(TableColumns().Where(f => f.Name != "text").ToArray()));
        Assert.Equal(SchemaCompatibility.Compatible, result.Kind);
        Assert.Same(Table, result.MergedSchema);
        Assert.Empty(result.AddedColumns);
    }

    [Fact]
    public void An_optional_file_column_relaxes_a_required_table_column()
    {
        var columns = TableColumns();
        columns[0] = columns[0] with { Required = false };
        columns[3] = columns[3] with { Type = new ListType(0, PrimitiveType.String, false) };
        var result = SchemaComparer.Compare(Table, File(columns));
        Assert.Equal(SchemaCompatibility.Compatible, result.Kind);
        Assert.Equal(new[] { "id", "tags.element" }, result.RelaxedColumns);
        Assert.False(result.MergedSchema!.FindField("id")!.Required);
        Assert.False(((ListType)result.MergedSchema.FindField("tags")!.Type).ElementRequired);
        Assert.Equal(1, result.MergedSchema.FindField("id")!.Id);
    }

    [Theory]
    [InlineData("id", "long", "string")]
    [InlineData("meta.a", "int", "long")]
    [InlineData("tags", "list<string>", "struct<x: int>")]
    public void Type_differences_conflict_naming_column_and_both_types(string column, string tableType, string fileType)
    {
        var columns = TableColumns();
        var changed = column switch
        {
            "id" => columns.Select(f => f.Name == "id" ? f with { Type = PrimitiveType.String } : f),
            "meta.a" => columns.Select(f => f.Name == "meta" ? f with { Type = new StructType(NestedField.Optional(0, "a", PrimitiveType.Long)) } : f),
            _ => columns.Select(f => f.Name == "tags" ? f with { Type = new StructType(NestedField.Optional(0, "x", PrimitiveType.Int)) } : f),
        };
        var result = SchemaComparer.Compare(Table, File(changed.ToArray()));
        Assert.True(result.IsConflict);
        Assert.Null(result.MergedSchema);
        Assert.Equal(column, result.ConflictColumn);
        Assert.Equal(tableType, result.TableType);
        Assert.Equal(fileType, result.FileType);
    }

    [Fact]
    public void A_file_missing_a_required_column_conflicts()
    {
        var result = SchemaComparer.Compare(Table, File(TableColumns().Skip(1).ToArray()));
        Assert.True(result.IsConflict);
        Assert.Equal("id", result.ConflictColumn);
        Assert.Equal("required long", result.TableType);
        Assert.Equal("missing", result.FileType);
    }

    [Fact]
    public void Union_evolves_through_files_and_names_both_files_on_conflict()
    {
        var a = File(NestedField.Optional(0, "x", PrimitiveType.Int));
        var b = File(NestedField.Optional(0, "x", PrimitiveType.Int), NestedField.Optional(0, "y", PrimitiveType.String));
        var c = File(NestedField.Optional(0, "y", PrimitiveType.Long));

        var union = SchemaUnion.Union(new[] { ("a.parquet", a), ("b.parquet", b) });
        Assert.Equal(new[] { (1, "x"), (2, "y") }, union.Fields.Select(f => (f.Id, f.Name)));

        var e = Assert.Throws<SchemaConflictException>(() => SchemaUnion.Union(new[] { ("a.parquet", a), ("b.parquet", b), ("c.parquet", c) }));
        Assert.Equal("y", e.Column);
        Assert.Equal("b.parquet", e.FirstFile);
        Assert.Equal("c.parquet", e.SecondFile);
        Assert.Equal("Files 'b.parquet' and 'c.parquet' disagree on column 'y': string in 'b.parquet', long in 'c.parquet'.", e.Message);

        var e2 = Assert.Throws<SchemaConflictException>(() => SchemaUnion.Union(new[] { ("a.parquet", a), ("c2.parquet", File(NestedField.Optional(0, "x", PrimitiveType.String))) }));
        Assert.Equal("a.parquet", e2.FirstFile);
        Assert.Equal(FacebergErrorKind.InvalidData, e2.Kind);
    }

    [Fact]
    public void Fresh_ids_number_a_struct_before_its_nested_fields()
    {
        var fields = FieldIdAssigner.AssignFresh(new[]
        {
            NestedField.Optional(0, "s", new StructType(NestedField.Optional(0, "p", new ListType(0, PrimitiveType.Int, true)), NestedField.Optional(0, "q", PrimitiveType.Int))),
            NestedField.Optional(0, "m", new MapType(0, PrimitiveType.String, 0, new StructType(NestedField.Optional(0, "v", PrimitiveType.Int)), false)),
        }, 100, out var highest);
        Assert.Equal(new Schema(0,
            NestedField.Optional(101, "s", new StructType(NestedField.Optional(103, "p", new ListType(105, PrimitiveType.Int, true)), NestedField.Optional(104, "q", PrimitiveType.Int))),
            NestedField.Optional(102, "m", new MapType(106, PrimitiveType.String, 107, new StructType(NestedField.Optional(108, "v", PrimitiveType.Int)), false))).Struct,
            new StructType(fields));
        Assert.Equal(108, highest);
    }
}
