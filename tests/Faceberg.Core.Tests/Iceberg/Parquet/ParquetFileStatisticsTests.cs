using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Tests.Data;
using Faceberg.TestData;

namespace Faceberg.Core.Tests.Iceberg.Parquet;

/// <summary>
/// The compact per-file statistics a table creation keeps must give the manifest the full footer facts call for
/// (<see cref="ReferenceDataFile"/>, built straight from them): every file of the parquet-testing corpus and the sample
/// dataset, against the file's own schema, the table schema New-FacebergTable makes, and a table schema whose types
/// differ (bounds dropped), written both ways and compared byte for byte.
/// </summary>
public sealed class ParquetFileStatisticsTests
{
    private static async Task<List<ParquetFileFacts>> InspectAllAsync()
    {
        var facts = new List<ParquetFileFacts>();
        foreach (var file in ParquetCorpusTests.Corpus.Where(f => f.ErrorId == null))
        {
            var path = Path.Combine(ParquetCorpusTests.TestDataDirectory, file.Path);
            await using var stream = File.OpenRead(path);
            try
            {
                facts.Add(await ParquetFileInspector.InspectAsync(stream, $"hf://datasets/org/corpus@main/{Path.GetFileName(path)}"));
            }
            catch (FacebergException)
            {
                // Files Faceberg refuses have no manifest entry.
            }
        }
        for (var i = 0; i < 3; i++)
        {
            using var sample = new MemoryStream(SampleParquet.Write(40, i * 40L, rowGroupSize: 15));
            facts.Add(await ParquetFileInspector.InspectAsync(sample, $"hf://datasets/org/sample@main/data/train-{i}.parquet"));
        }
        return facts;
    }

    [Fact]
    public async Task Manifests_written_from_compact_statistics_equal_those_from_the_full_footer_facts()
    {
        var all = await InspectAllAsync();
        Assert.True(all.Count > 20, $"only {all.Count} files could be inspected");
        var shapes = new ParquetFileShapes();
        var compact = all.Select(f => ParquetFileStatistics.Of(f, shapes)).ToList();
        var comparedBounds = 0;

        for (var i = 0; i < all.Count; i++)
        {
            var facts = all[i];
            Schema? created = null;
            try
            {
                created = DatasetTableCreator.TableSchema([compact[i]], "org/corpus", "default");
            }
            catch (FacebergException)
            {
                // A file with its own 'split' column cannot become a dataset table; its own schema still compares.
            }
            foreach (var tableSchema in new[] { facts.Schema, created, Promoted(facts.Schema) }.OfType<Schema>())
            {
                var expected = ReferenceDataFile(facts, tableSchema, ["train"]);
                var actual = compact[i].ToDataFile(tableSchema, ["train"], compact[i].FileUri);
                Assert.Equal(Content(ManifestOf(tableSchema, expected)), Content(ManifestOf(tableSchema, actual)));
                comparedBounds += expected.LowerBounds!.Count;
            }
        }
        Assert.True(comparedBounds > 100, $"only {comparedBounds} lower bounds were compared");
    }

    [Fact]
    public async Task Files_with_the_same_schema_share_one_shape_and_the_table_schema_is_their_union()
    {
        var shapes = new ParquetFileShapes();
        var files = new List<ParquetFileStatistics>();
        for (var i = 0; i < 4; i++)
        {
            using var sample = new MemoryStream(SampleParquet.Write(10, i * 10L));
            files.Add(ParquetFileStatistics.Of(await ParquetFileInspector.InspectAsync(sample, $"hf://datasets/org/sample@main/{i}.parquet"), shapes));
        }

        Assert.Equal(1, shapes.Count);
        Assert.All(files, f => Assert.Same(files[0].Shape, f.Shape));
        var schema = DatasetTableCreator.TableSchema(files, "org/sample", "default");
        Assert.Equal(files[0].Schema.Fields.Select(f => f.Name).Append("split"), schema.Fields.Select(f => f.Name));
        // Same statistics as before the files were summarized: record counts and sizes are the file's own.
        Assert.All(files, f => Assert.Equal(10, f.RecordCount));
        Assert.NotEqual(files[0].ToDataFile(schema, ["train"], files[0].FileUri).LowerBounds![1],
            files[1].ToDataFile(schema, ["train"], files[1].FileUri).LowerBounds![1]);
    }

    /// <summary>
    /// The manifest entry the footer facts call for, per leaf column of <paramref name="facts"/>: counts for every leaf
    /// the table has a primitive column for (matched by name path), bounds only outside lists and maps and where the
    /// table's type is exactly the file's.
    /// </summary>
    private static DataFile ReferenceDataFile(ParquetFileFacts facts, Schema tableSchema, IReadOnlyList<object?> partition)
    {
        var sizes = new Dictionary<int, long>();
        var values = new Dictionary<int, long>();
        var nulls = new Dictionary<int, long>();
        var lower = new Dictionary<int, byte[]>();
        var upper = new Dictionary<int, byte[]>();
        foreach (var column in facts.Columns)
        {
            var field = ParquetFileFacts.FindByPath(tableSchema.Struct, column.Leaf.IcebergPath);
            if (field is not { Type.IsPrimitive: true }) continue;
            sizes[field.Id] = column.CompressedSize;
            values[field.Id] = column.ValueCount;
            if (column.NullCount is long n) nulls[field.Id] = n;
            if (column.Leaf.InRepeated || !field.Type.Equals(column.Leaf.Type)) continue;
            if (column.LowerBound != null) lower[field.Id] = column.LowerBound;
            if (column.UpperBound != null) upper[field.Id] = column.UpperBound;
        }
        return new DataFile
        {
            FilePath = facts.FileUri,
            FileFormat = FileFormat.Parquet,
            Partition = partition,
            RecordCount = facts.RecordCount,
            FileSizeInBytes = facts.FileSizeInBytes,
            ColumnSizes = sizes,
            ValueCounts = values,
            NullValueCounts = nulls,
            LowerBounds = lower,
            UpperBounds = upper,
            SplitOffsets = facts.RowGroups.Select(g => g.StartOffset).Order().ToArray(),
        };
    }

    /// <summary>The schema with int columns as long and float as double, as after a type promotion: no bounds may be kept for them.</summary>
    private static Schema? Promoted(Schema schema)
    {
        var changed = false;
        var fields = schema.Fields.Select(f =>
        {
            if (f.Type.Equals(PrimitiveType.Int)) { changed = true; return f with { Type = PrimitiveType.Long }; }
            if (f.Type.Equals(PrimitiveType.Float)) { changed = true; return f with { Type = PrimitiveType.Double }; }
            return f;
        }).ToList();
        return changed ? new Schema(schema.SchemaId, fields, schema.IdentifierFieldIds) : null;
    }

    private static byte[] ManifestOf(Schema schema, DataFile file) =>
        ManifestIO.Write(schema, PartitionSpec.Unpartitioned, [new ManifestEntry(ManifestEntryStatus.Added, 1, 1, 1, file with { Partition = [] })], codec: AvroCodec.Null);

    /// <summary>The manifest's bytes with its random sync marker (the file's last 16 bytes, repeated after the header and each block) zeroed.</summary>
    private static byte[] Content(byte[] manifest)
    {
        var sync = manifest.AsSpan(manifest.Length - 16).ToArray();
        var content = manifest.ToArray();
        for (var at = content.AsSpan().IndexOf(sync); at >= 0;)
        {
            content.AsSpan(at, 16).Clear();
            var next = content.AsSpan(at + 16).IndexOf(sync);
            at = next < 0 ? -1 : at + 16 + next;
        }
        return content;
    }
}
