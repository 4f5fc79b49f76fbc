using System.Collections.Concurrent;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Parquet;
using Parquet;
using Parquet.Meta;

namespace Faceberg.Core.Datasets;

/// <summary>A footer read: the file's statistics, or why it could not be read.</summary>
public sealed record FooterOutcome(ParquetFileStatistics? Facts, FacebergException? Error)
{
    /// <summary>The statistics, or the read's error thrown.</summary>
    public ParquetFileStatistics Get() => Facts ?? throw Error!;
}

/// <summary>
/// Reads the Parquet footers of dataset files from the Hub, many in parallel, and describes each file in Iceberg
/// terms (schema, row count, column statistics: <see cref="ParquetFileFacts"/>). A read of many files keeps only each
/// file's <see cref="ParquetFileStatistics"/>, its schema shared with the files of the same schema, and lets the
/// footer go as soon as it is described. Reads only; thread-safe.
/// </summary>
public sealed class FooterReader
{
    private readonly HubClient _hub;

    public FooterReader(HubClient hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
    }

    /// <summary>
    /// Reads the footers of <paramref name="files"/> at <paramref name="revision"/> with at most
    /// <paramref name="throttle"/> in flight, keyed by repo path; a failure is kept per file so it fails only
    /// the configs that contain the file. Reports progress under <paramref name="dataset"/> after every file.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, FooterOutcome>> ReadAsync(string dataset, string repo, string revision,
        IReadOnlyList<(string Config, RepoFile File)> files, int throttle, IProgress<DatasetProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var outcomes = new ConcurrentDictionary<string, FooterOutcome>(StringComparer.Ordinal);
        var shapes = new ParquetFileShapes();
        var done = 0;
        progress?.Report(new DatasetProgress(dataset, files.FirstOrDefault().Config, 0, files.Count, "Reading Parquet footers"));
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttle), CancellationToken = cancellationToken },
            async (item, token) =>
            {
                FooterOutcome outcome;
                try
                {
                    var facts = await ReadOneAsync(repo, revision, item.File, token).ConfigureAwait(false);
                    outcome = new FooterOutcome(ParquetFileStatistics.Of(facts, shapes), null);
                }
                catch (FacebergException e)
                {
                    outcome = new FooterOutcome(null, e);
                }
                outcomes[item.File.Path] = outcome;
                var count = Interlocked.Increment(ref done);
                progress?.Report(new DatasetProgress(dataset, item.Config, count, files.Count, "Reading Parquet footers"));
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>One ranged request for a typical file (the tail holds the whole footer), then the footer is described in Iceberg terms.</summary>
    public async Task<ParquetFileFacts> ReadOneAsync(string repo, string revision, RepoFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var uri = DatasetSource.DataFileUri(repo, revision, file.Path);
        var footer = await HubParquetFooter.ReadAsync(_hub, repo, revision, file.Path, file.Size > 0 ? file.Size : null, cancellationToken).ConfigureAwait(false);
        FileMetaData metadata;
        try
        {
            await using var reader = await ParquetReader.CreateAsync(footer.OpenFooterStream(), cancellationToken: cancellationToken).ConfigureAwait(false);
            metadata = reader.Metadata ?? throw new InvalidDataException("the footer could not be decoded");
        }
        catch (Exception e) when (e is not OperationCanceledException and not FacebergException)
        {
            throw ParquetEncryption.Unreadable(uri, footer.OpenFooterStream(), e);
        }
        // The footer stream is only the footer; the real size comes from the Hub.
        return ParquetFileInspector.Describe(metadata, uri, footer.FileSize);
    }
}
