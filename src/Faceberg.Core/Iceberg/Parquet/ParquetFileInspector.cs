using Parquet;
using Parquet.Meta;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>Reads a Parquet footer (only the footer: two seeks and two reads) and describes the file in Iceberg terms.</summary>
public static class ParquetFileInspector
{
    /// <param name="seekableStream">The file; only its tail is read, so a ranged-read stream over a remote file works well.</param>
    /// <param name="fileUri">The file's URI, used in error messages and the facts.</param>
    public static async Task<ParquetFileFacts> InspectAsync(Stream seekableStream, string fileUri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seekableStream);
        if (!seekableStream.CanSeek || !seekableStream.CanRead)
            throw new ArgumentException("The stream must be readable and seekable: only the footer at its end is read.", nameof(seekableStream));
        FileMetaData metadata;
        long fileSize;
        try
        {
            fileSize = seekableStream.Length;
            await using var reader = await ParquetReader.CreateAsync(seekableStream, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            metadata = reader.Metadata ?? throw new InvalidDataException("the footer could not be read");
        }
        catch (Exception e) when (e is not OperationCanceledException and not FacebergException)
        {
            throw ParquetEncryption.Unreadable(fileUri, seekableStream, e);
        }
        return Describe(metadata, fileUri, fileSize);
    }

    /// <summary>Describes an already-decoded footer.</summary>
    public static ParquetFileFacts Describe(FileMetaData metadata, string fileUri, long fileSizeInBytes)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ParquetEncryption.EnsureNotEncrypted(metadata, fileUri);
        var conversion = ParquetSchemaConverter.Convert(metadata.Schema, fileUri);
        var keyValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in metadata.KeyValueMetadata ?? new List<KeyValue>())
            keyValues[kv.Key] = kv.Value ?? "";

        var features = HuggingFaceFeatures.FromKeyValueMetadata(keyValues);
        var schema = features?.ApplyDocs(conversion.Schema) ?? conversion.Schema;

        var quirks = ParquetWriterQuirks.For(metadata.CreatedBy);
        var leavesByPath = conversion.Leaves.ToDictionary(l => PathKey(l.ParquetPath), StringComparer.Ordinal);
        var rowGroups = new List<ParquetRowGroupFacts>();
        var chunksByPath = new List<Dictionary<string, ParquetColumnChunkFacts>>();
        var index = 0;
        foreach (var group in metadata.RowGroups ?? new List<RowGroup>())
        {
            var chunks = new List<ParquetColumnChunkFacts>();
            long? start = null;
            foreach (var chunk in group.Columns)
            {
                var md = chunk.MetaData;
                if (md == null) continue;   // encrypted column metadata: nothing we can use
                start ??= md.DictionaryPageOffset is > 0 and var dict && dict < md.DataPageOffset ? dict : md.DataPageOffset;
                leavesByPath.TryGetValue(PathKey(md.PathInSchema), out var leaf);
                object? min = null, max = null;
                if (leaf != null && md.Statistics is { } stats && quirks.BoundsUsable(leaf))
                {
                    var deprecatedUsable = SignedOrder(leaf.Kind);
                    min = ParquetStatisticsDecoder.Decode(leaf, stats.MinValue ?? (deprecatedUsable ? stats.Min : null), lower: true);
                    max = ParquetStatisticsDecoder.Decode(leaf, stats.MaxValue ?? (deprecatedUsable ? stats.Max : null), lower: false);
                    if (min != null && !quirks.BoundUsable(leaf, min)) min = null;
                    if (max != null && !quirks.BoundUsable(leaf, max)) max = null;
                }
                long? nullCount = md.Statistics?.NullCount;
                if (nullCount == null && leaf is { AlwaysDefined: true }) nullCount = 0;
                chunks.Add(new ParquetColumnChunkFacts(md.PathInSchema, md.TotalCompressedSize, md.TotalUncompressedSize, md.NumValues, nullCount, min, max));
            }
            rowGroups.Add(new ParquetRowGroupFacts(index++, group.NumRows, start ?? group.FileOffset ?? 4,
                group.TotalCompressedSize ?? chunks.Sum(c => c.CompressedSize), chunks));
            var byPath = new Dictionary<string, ParquetColumnChunkFacts>(StringComparer.Ordinal);
            foreach (var chunk in chunks) byPath.TryAdd(PathKey(chunk.ParquetPath), chunk);
            chunksByPath.Add(byPath);
        }

        return new ParquetFileFacts
        {
            FileUri = fileUri,
            FileSizeInBytes = fileSizeInBytes,
            RecordCount = metadata.NumRows,
            CreatedBy = metadata.CreatedBy,
            Schema = schema,
            Leaves = conversion.Leaves,
            KeyValueMetadata = keyValues,
            HuggingFaceFeatures = features,
            RowGroups = rowGroups,
            Columns = conversion.Leaves.Select(l => Aggregate(l, chunksByPath)).ToArray(),
        };
    }

    /// <summary>
    /// File-level metrics from the column's chunks. Sizes and value counts always add up; a null count
    /// or bound is reported only when every chunk that needs one has it.
    /// </summary>
    private static ParquetColumnFacts Aggregate(ParquetLeafColumn leaf, IReadOnlyList<Dictionary<string, ParquetColumnChunkFacts>> rowGroups)
    {
        var key = PathKey(leaf.ParquetPath);
        long size = 0, values = 0, nulls = 0;
        var nullsKnown = true;
        var boundsKnown = leaf.Kind != ParquetValueKind.Int96;
        object? min = null, max = null;
        foreach (var group in rowGroups)
        {
            if (!group.TryGetValue(key, out var chunk)) { nullsKnown = false; boundsKnown = false; continue; }
            size += chunk.CompressedSize;
            values += chunk.ValueCount;
            if (chunk.NullCount is long n) nulls += n; else nullsKnown = false;

            var onlyNulls = chunk.ValueCount == 0 || (chunk.NullCount is long cn && cn >= chunk.ValueCount);
            if (onlyNulls) continue;
            if (chunk.Min == null || chunk.Max == null) { boundsKnown = false; continue; }
            if (min == null || ParquetStatisticsDecoder.Compare(leaf.Type, chunk.Min, min) < 0) min = chunk.Min;
            if (max == null || ParquetStatisticsDecoder.Compare(leaf.Type, chunk.Max, max) > 0) max = chunk.Max;
        }

        byte[]? lowerBound = null, upperBound = null;
        if (boundsKnown && min != null && max != null)
        {
            lowerBound = ParquetStatisticsDecoder.EncodeLower(leaf.Type, min);
            upperBound = ParquetStatisticsDecoder.EncodeUpper(leaf.Type, max);
        }
        return new ParquetColumnFacts(leaf, size, values, nullsKnown ? nulls : null, lowerBound, upperBound);
    }

    /// <summary>
    /// Whether the deprecated min/max fields may stand in for min_value/max_value: Parquet defines them
    /// only for signed sort orders, and old writers filled them wrongly for byte arrays and unsigned ints.
    /// </summary>
    private static bool SignedOrder(ParquetValueKind kind) => kind is ParquetValueKind.Boolean or ParquetValueKind.Int32
        or ParquetValueKind.Int64 or ParquetValueKind.Float or ParquetValueKind.Double or ParquetValueKind.Date
        or ParquetValueKind.DecimalInt32 or ParquetValueKind.DecimalInt64 or ParquetValueKind.TimeMillis
        or ParquetValueKind.TimeMicros or ParquetValueKind.TimeNanos or ParquetValueKind.TimestampMillis
        or ParquetValueKind.TimestampMicros or ParquetValueKind.TimestampNanos;

    private static string PathKey(IEnumerable<string> path) => string.Join('\u001f', path);
}
