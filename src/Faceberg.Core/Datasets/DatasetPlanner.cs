using System.Runtime.CompilerServices;
using System.Text.Json;
using Faceberg.Core.Config;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Datasets;

/// <summary>The layout of a dataset commit and the commit its Parquet files are read from (the conversion's for
/// datasets that are not Parquet).</summary>
public sealed record DatasetData(DatasetLayout Layout, string DataRevision, string? SourceRevision, IReadOnlyList<RepoFile> DataFiles);

/// <summary>
/// Decides what tables a dataset has and what files they hold, from the Hub: which commit a ref points at, which
/// configs and splits that commit's files form (<see cref="DatasetLayoutResolver"/>), and for non-Parquet datasets
/// where the Hub's Parquet conversion is. Reads the Hub only; writes nothing. Thread-safe.
/// </summary>
public sealed class DatasetPlanner
{
    private readonly HubClient _hub;

    public DatasetPlanner(HubClient hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
    }

    /// <summary>
    /// Resolves a dataset against the Hub: one info request for the ref's commit and card, one tree
    /// listing at that commit (paged for very large repos), and for non-Parquet datasets the same two on
    /// <c>refs/convert/parquet</c>. Then discovers its configs and keeps those faceberg.yml names.
    /// </summary>
    /// <exception cref="FacebergException">The repo, ref or conversion is missing, or a requested config does not exist (<c>DiscoveryConfigNotFound</c>, listing those that do).</exception>
    public async Task<DatasetPlan> PlanAsync(DatasetConfig dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var reference = dataset.Revision ?? DatasetSource.DefaultRef;
        var (sha, card) = await ResolveRefAsync(dataset.Repo, reference, cancellationToken).ConfigureAwait(false);
        var data = await ResolveDataAsync(dataset.Repo, sha, card, cancellationToken).ConfigureAwait(false);
        var selected = data.Layout.Select(dataset.Configs, dataset.Repo);
        return new DatasetPlan
        {
            Dataset = dataset,
            Ref = reference,
            Revision = sha,
            DataRevision = data.DataRevision,
            SourceRevision = data.SourceRevision,
            Layout = selected.Kind,
            Tables = selected.Configs.Select(c => new PlannedTable(c.Name, TableNaming.TableName(dataset.Name, c.Name), FilesOf(c))).ToList(),
        };
    }

    /// <summary>The commit <paramref name="reference"/> points at and the dataset card there (one Hub request).</summary>
    public async Task<(string Sha, JsonElement? CardData)> ResolveRefAsync(string repo, string reference, CancellationToken cancellationToken = default)
    {
        var info = await _hub.GetDatasetCommitAsync(repo, reference, cancellationToken).ConfigureAwait(false);
        return (RequireSha(info, repo, reference), info.CardData);
    }

    /// <summary>The layout of commit <paramref name="sha"/>, and for a dataset that is not Parquet the Hub's conversion of it.</summary>
    /// <exception cref="FacebergException"><c>DatasetNotConverted</c> when the Hub has no Parquet conversion of such a dataset.</exception>
    public async Task<DatasetData> ResolveDataAsync(string repo, string sha, JsonElement? cardData, CancellationToken cancellationToken = default)
    {
        var files = await ListFilesAsync(repo, sha, cancellationToken).ConfigureAwait(false);
        var layout = DatasetLayoutResolver.Resolve(files, cardData, repo);
        if (!layout.NeedsParquetConversion)
            return new DatasetData(layout, sha, null, files);

        DatasetInfo conversion;
        try
        {
            conversion = await _hub.GetDatasetCommitAsync(repo, DatasetSource.ConversionRef, cancellationToken).ConfigureAwait(false);
        }
        catch (RevisionNotFoundException e)
        {
            throw new FacebergException("DatasetNotConverted", FacebergErrorKind.NotFound,
                $"Dataset '{repo}' holds {layout.Format} files, not Parquet, and the Hub has no Parquet conversion of it ({DatasetSource.ConversionRef}).", e);
        }
        var conversionSha = RequireSha(conversion, repo, DatasetSource.ConversionRef);
        var converted = await ListFilesAsync(repo, conversionSha, cancellationToken).ConfigureAwait(false);
        return new DatasetData(DatasetLayoutResolver.ResolveParquetConversion(converted, repo), conversionSha, conversionSha, converted);
    }

    /// <summary>
    /// Whether the Hub's conversion is still at <paramref name="sourceRevision"/>. The Hub converts a dataset some
    /// time after its main branch moves, so a converted table whose main commit is unchanged may still be behind.
    /// </summary>
    public async Task<bool> ConversionUnchangedAsync(string repo, string sourceRevision, CancellationToken cancellationToken = default)
    {
        var conversion = await _hub.GetDatasetCommitAsync(repo, DatasetSource.ConversionRef, cancellationToken).ConfigureAwait(false);
        return string.Equals(conversion.Sha, sourceRevision, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every file of a commit, with the content id sync compares (LFS sha256, else git oid).</summary>
    public async Task<IReadOnlyList<RepoFile>> ListFilesAsync(string repo, string sha, CancellationToken cancellationToken = default) =>
        await _hub.ListFilesAsync(repo, sha, static (path, size, contentId) => new RepoFile(path, size, contentId), cancellationToken)
            .ConfigureAwait(false);

    /// <summary>A config's files, each path once: a file the card lists under two splits is registered
    /// under the first (Iceberg allows one entry per path and one partition value per entry).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<PlannedFile> FilesOf(DiscoveredConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var files = new List<PlannedFile>(config.Splits.Sum(s => s.Files.Count));
        var seen = new HashSet<string>(files.Capacity, StringComparer.Ordinal);
        foreach (var split in config.Splits)
            foreach (var file in split.Files)
                if (seen.Add(file.Path))
                    files.Add(new PlannedFile(split.Name, file));
        return files;
    }

    private static string RequireSha(DatasetInfo info, string repo, string reference) =>
        string.IsNullOrEmpty(info.Sha)
            ? throw new FacebergException("HubMissingRevision", FacebergErrorKind.InvalidData,
                $"The Hub did not say which commit '{reference}' of dataset '{repo}' points at.")
            : info.Sha;
}
