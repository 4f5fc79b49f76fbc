using System.Collections.Concurrent;
using System.Text.Json;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Discovery;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Parquet;
using Parquet.Meta;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Turns the datasets of faceberg.yml into Iceberg tables over their existing Parquet files, and keeps
/// them current (<see cref="SyncAsync"/>). Every data file URI is pinned to a commit:
/// <c>hf://datasets/&lt;repo&gt;@&lt;sha&gt;/&lt;path&gt;</c>. Thread-safe; one instance can serve many calls.
/// See docs/datasets.md.
/// </summary>
public sealed partial class DatasetTables
{
    public const int DefaultThrottleLimit = 16;

    /// <summary>The ref a dataset without a configured revision follows.</summary>
    public const string DefaultRef = "main";

    /// <summary>The branch where the Hub keeps its Parquet conversion of non-Parquet datasets.</summary>
    public const string ConversionRef = "refs/convert/parquet";

    private readonly HubClient _hub;
    private readonly IFileIO? _io;

    /// <param name="hub">The Hub the datasets live on (its endpoint and token).</param>
    /// <param name="io">Where table metadata is written; by default the catalog's own file IO
    /// (<see cref="CatalogContext.CreateFileIO"/>: local files, its repo's hf:// URIs in a working copy, the Hub for an hf:// catalog).</param>
    public DatasetTables(HubClient hub, IFileIO? io = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _io = io;
    }

    public HubClient Hub => _hub;

    private IFileIO IoFor(CatalogContext catalog) => _io ?? catalog.CreateFileIO(_hub);

    /// <summary>The URI a dataset file is registered under: <c>hf://datasets/&lt;repo&gt;@&lt;sha&gt;/&lt;path&gt;</c>.</summary>
    public static string DataFileUri(string repo, string revision, string path) => new HfUri(repo, revision, path).ToString();

    /// <summary>The Iceberg location of a table whose catalog location is <paramref name="catalogLocation"/>:
    /// a local folder becomes its file:// URI (readers fetch metadata paths as written, so they must be absolute URIs).</summary>
    public static string IcebergLocation(string catalogLocation) =>
        catalogLocation.Contains("://", StringComparison.Ordinal) ? catalogLocation.TrimEnd('/') : LocalFileIO.ToUri(catalogLocation);

    // ---- plan ----------------------------------------------------------------------------------

    /// <summary>
    /// Resolves a dataset against the Hub: one info request for the ref's commit and card, one tree
    /// listing at that commit (paged for very large repos), and for non-Parquet datasets the same two on
    /// <c>refs/convert/parquet</c>. Then discovers its configs and keeps those faceberg.yml names.
    /// </summary>
    /// <exception cref="FacebergException">The repo, ref or conversion is missing, or a requested config does not exist (<c>DiscoveryConfigNotFound</c>, listing those that do).</exception>
    public async Task<DatasetPlan> PlanAsync(DatasetConfig dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var reference = dataset.Revision ?? DefaultRef;
        var info = await _hub.GetDatasetInfoAsync(dataset.Repo, reference, cancellationToken).ConfigureAwait(false);
        var sha = RequireSha(info, dataset.Repo, reference);
        var data = await ResolveDataAsync(dataset.Repo, sha, info.CardData, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The layout of a commit and the commit its Parquet files are read from.</summary>
    private sealed record DataSource(DatasetLayout Layout, string DataRevision, string? SourceRevision, IReadOnlyList<RepoFile> DataFiles);

    private async Task<DataSource> ResolveDataAsync(string repo, string sha, JsonElement? cardData, CancellationToken ct)
    {
        var files = await ListFilesAsync(repo, sha, ct).ConfigureAwait(false);
        var layout = DatasetLayoutResolver.Resolve(files, cardData, repo);
        if (!layout.NeedsParquetConversion)
            return new DataSource(layout, sha, null, files);

        DatasetInfo conversion;
        try
        {
            conversion = await _hub.GetDatasetInfoAsync(repo, ConversionRef, ct).ConfigureAwait(false);
        }
        catch (RevisionNotFoundException e)
        {
            throw new FacebergException("DatasetNotConverted", FacebergErrorKind.NotFound,
                $"Dataset '{repo}' holds {layout.Format} files, not Parquet, and the Hub has no Parquet conversion of it ({ConversionRef}).", e);
        }
        var conversionSha = RequireSha(conversion, repo, ConversionRef);
        var converted = await ListFilesAsync(repo, conversionSha, ct).ConfigureAwait(false);
        return new DataSource(DatasetLayoutResolver.ResolveParquetConversion(converted, repo), conversionSha, conversionSha, converted);
    }

    /// <summary>Every file of a commit, with the content id sync compares (LFS sha256, else git oid).</summary>
    private async Task<IReadOnlyList<RepoFile>> ListFilesAsync(string repo, string sha, CancellationToken ct)
    {
        var entries = await _hub.ListTreeAsync(repo, sha, recursive: true, ct: ct).ConfigureAwait(false);
        return entries.Where(e => e.IsFile)
            .Select(e => new RepoFile(e.Path, e.Lfs?.Size ?? e.Size, e.Lfs?.Oid is { Length: > 0 } lfs ? lfs : e.Oid))
            .ToList();
    }

    private static string RequireSha(DatasetInfo info, string repo, string reference) =>
        string.IsNullOrEmpty(info.Sha)
            ? throw new FacebergException("HubMissingRevision", FacebergErrorKind.InvalidData,
                $"The Hub did not say which commit '{reference}' of dataset '{repo}' points at.")
            : info.Sha;

    /// <summary>A config's files, each path once: a file the card lists under two splits is registered
    /// under the first (Iceberg allows one entry per path and one partition value per entry).</summary>
    private static IReadOnlyList<PlannedFile> FilesOf(DiscoveredConfig config) =>
        config.Files.DistinctBy(f => f.File.Path, StringComparer.Ordinal).Select(f => new PlannedFile(f.Split, f.File)).ToList();

    // ---- create --------------------------------------------------------------------------------

    /// <summary>
    /// Creates one table per config of <paramref name="dataset"/> (those faceberg.yml names, or all) and
    /// registers them in the catalog. Failures are reported per config in the results, never thrown,
    /// except cancellation; a failed config leaves nothing behind.
    /// </summary>
    public async Task<IReadOnlyList<DatasetTableResult>> CreateAsync(CatalogContext catalog, DatasetConfig dataset,
        DatasetTableOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(dataset);
        options?.Progress?.Report(new DatasetProgress(dataset.Name, null, 0, 0, "Resolving revision and configs"));
        DatasetPlan plan;
        try
        {
            plan = await PlanAsync(dataset, cancellationToken).ConfigureAwait(false);
        }
        catch (FacebergException e)
        {
            return [new DatasetTableResult { Dataset = dataset.Name, Repo = dataset.Repo, Status = DatasetTableStatus.Failed, Error = e }];
        }
        return await CreateAsync(catalog, plan, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the tables of a plan (drop entries from <see cref="DatasetPlan.Tables"/> to create fewer).</summary>
    public async Task<IReadOnlyList<DatasetTableResult>> CreateAsync(CatalogContext catalog, DatasetPlan plan,
        DatasetTableOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new DatasetTableOptions();
        var results = new List<DatasetTableResult>();
        JsonCatalog store;
        try
        {
            store = catalog.Open();
        }
        catch (FacebergException e)
        {
            return plan.Tables.Select(t => Failed(plan, t, e)).ToList();
        }

        var pending = new List<PlannedTable>();
        foreach (var table in plan.Tables)
        {
            if (store.TableExists(table.Identifier))
                results.Add(Failed(plan, table, new FacebergException("TableAlreadyExists", FacebergErrorKind.AlreadyExists,
                    $"Table '{table.Identifier}' already exists in catalog '{catalog.Name}'; use Sync-FacebergTable to update it.")));
            else
                pending.Add(table);
        }

        if (options.WhatIf)
        {
            results.AddRange(pending.Select(t => new DatasetTableResult
            {
                Dataset = plan.Dataset.Name, Repo = plan.Repo, Config = t.Config, Identifier = t.Identifier,
                Status = DatasetTableStatus.WouldCreate, FileCount = t.Files.Count,
                Table = new FacebergTableInfo
                {
                    Identifier = t.Identifier, Location = store.DefaultTableLocation(t.Identifier),
                    Repo = plan.Repo, Config = t.Config, Revision = plan.Revision, FileCount = t.Files.Count,
                },
            }));
            return Ordered(results, plan);
        }

        var files = pending.SelectMany(t => t.Files.Select(f => (t.Config, f.File))).DistinctBy(f => f.File.Path, StringComparer.Ordinal).ToList();
        var footers = await ReadFootersAsync(plan.Dataset.Name, plan.Repo, plan.DataRevision, files, options.ThrottleLimit, options.Progress, cancellationToken)
            .ConfigureAwait(false);

        foreach (var table in pending)
        {
            options.Progress?.Report(new DatasetProgress(plan.Dataset.Name, table.Config, files.Count, files.Count, $"Creating {table.Identifier}"));
            try
            {
                var info = await CreateTableAsync(catalog, store, plan, table, footers, cancellationToken).ConfigureAwait(false);
                results.Add(new DatasetTableResult
                {
                    Dataset = plan.Dataset.Name, Repo = plan.Repo, Config = table.Config, Identifier = table.Identifier,
                    Status = DatasetTableStatus.Created, FileCount = table.Files.Count, Table = info,
                });
            }
            catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
            {
                results.Add(Failed(plan, table, AsFaceberg(e, table.Identifier)));
            }
        }
        return Ordered(results, plan);
    }

    /// <summary>Results in the plan's config order, whichever way they were produced.</summary>
    private static List<DatasetTableResult> Ordered(List<DatasetTableResult> results, DatasetPlan plan)
    {
        var order = plan.Tables.Select((t, i) => (t.Config, i)).ToDictionary(x => x.Config, x => x.i, StringComparer.Ordinal);
        return results.OrderBy(r => r.Config is null ? -1 : order.GetValueOrDefault(r.Config)).ToList();
    }

    private static DatasetTableResult Failed(DatasetPlan plan, PlannedTable table, FacebergException error) => new()
    {
        Dataset = plan.Dataset.Name, Repo = plan.Repo, Config = table.Config, Identifier = table.Identifier,
        Status = DatasetTableStatus.Failed, FileCount = table.Files.Count, Error = error,
    };

    private static FacebergException AsFaceberg(Exception e, TableIdentifier table) => e as FacebergException
        ?? new FacebergException("TableWriteFailed", FacebergErrorKind.Unavailable, $"Could not write the metadata of table '{table}': {e.Message}", e);

    private async Task<FacebergTableInfo> CreateTableAsync(CatalogContext catalog, JsonCatalog store, DatasetPlan plan, PlannedTable table,
        IReadOnlyDictionary<string, FooterOutcome> footers, CancellationToken ct)
    {
        var facts = table.Files.Select(f => (f.Split, Facts: footers[f.File.Path].Get())).ToList();
        var dataSchema = SchemaUnion.Union(facts.Select(f => (f.Facts.FileUri, f.Facts.Schema)).ToList());
        var schema = WithSplitColumn(dataSchema, plan.Repo, table.Config);
        var spec = PartitionSpec.Identity(schema, TableProperties.SplitColumn);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TableProperties.Dataset] = plan.Dataset.Name,
            [TableProperties.Repo] = plan.Repo,
            [TableProperties.Config] = table.Config,
            [TableProperties.Revision] = plan.Revision,
            [TableProperties.Ref] = plan.Ref,
            [TableProperties.WriteDataPath] = DataFileUri(plan.Repo, plan.DataRevision, ""),
        };
        if (plan.SourceRevision is not null)
            properties[TableProperties.SourceRevision] = plan.SourceRevision;

        if (store.StoresFilesWithCatalog)
        {
            // A catalog on the Hub: the table's metadata (both versions, manifests, manifest list, hint) is staged and
            // committed with its catalog entry, one Hub commit; a failure before it leaves nothing to undo.
            var staged = new StagedFileIO(IoFor(catalog));
            var target = store.DefaultTableLocation(table.Identifier);
            var metadata = await WriteTableAsync(staged, target, schema, spec, properties, plan, table, facts, ct).ConfigureAwait(false);
            var registered = ChangeCatalog(store, () => store.CreateTable(table.Identifier, null, staged.Writes));
            return Describe(table.Identifier, registered, metadata);
        }

        // Registered first so a failure can be undone by dropping it: the drop also purges the folder.
        var location = ChangeCatalog(store, () => store.CreateTable(table.Identifier));
        try
        {
            var metadata = await WriteTableAsync(IoFor(catalog), location, schema, spec, properties, plan, table, facts, ct).ConfigureAwait(false);
            return Describe(table.Identifier, location, metadata);
        }
        catch
        {
            try { ChangeCatalog(store, () => { store.DropTable(table.Identifier, purge: true); return true; }); }
            catch (Exception cleanup) when (cleanup is FacebergException or IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Creates the Iceberg table at <paramref name="location"/> and commits its first snapshot (every file of the config).</summary>
    private static async Task<TableMetadata> WriteTableAsync(IFileIO io, string location, Schema schema, PartitionSpec spec,
        IReadOnlyDictionary<string, string> properties, DatasetPlan plan, PlannedTable table, IReadOnlyList<(string Split, ParquetFileFacts Facts)> facts,
        CancellationToken ct)
    {
        var iceberg = await IcebergTable.CreateAsync(io, IcebergLocation(location), schema, spec, properties, ct).ConfigureAwait(false);
        var append = iceberg.NewAppend();
        foreach (var (split, file) in facts)
            append.AddFile(file.ToDataFile(iceberg.Schema, [split], file.FileUri));
        append.SetSummary(TableProperties.Revision, plan.Revision);
        RevisionFileRecord.AddTo(append, plan.DataRevision, table.Files.Select(f => f.File));
        await append.CommitAsync(null, ct).ConfigureAwait(false);
        return iceberg.Metadata;
    }

    private static FacebergTableInfo Describe(TableIdentifier identifier, string location, TableMetadata metadata)
    {
        var info = new FacebergTableInfo { Identifier = identifier, Location = location };
        TableFacts.Apply(info, metadata);
        return info;
    }

    /// <summary>Changes catalog.json; another writer meanwhile (another dataset being created in parallel)
    /// only means reloading and trying again.</summary>
    private static T ChangeCatalog<T>(JsonCatalog store, Func<T> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return change();
            }
            catch (CatalogConflictException) when (attempt < 10)
            {
                Thread.Sleep(Random.Shared.Next(10, 50 * attempt));
                store.Reload();
            }
            // Only the other writer's change can make ours invalid after a reload (the same table created or dropped by them).
            catch (FacebergException e) when (attempt > 1 && e is not CatalogConflictException
                && e.Kind is FacebergErrorKind.AlreadyExists or FacebergErrorKind.NotFound)
            {
                throw new CatalogConflictException(store.CatalogFile, $"{e.Message} Another writer changed the catalog meanwhile.", e);
            }
        }
    }

    /// <summary>The data schema plus the optional string partition column <c>split</c>, whose value is only in the manifests.</summary>
    private static Schema WithSplitColumn(Schema dataSchema, string repo, string config)
    {
        if (dataSchema.Struct.Field(TableProperties.SplitColumn) is not null)
            throw new FacebergException("SplitColumnConflict", FacebergErrorKind.NotSupported,
                $"Config '{config}' of dataset '{repo}' has a column named '{TableProperties.SplitColumn}', which Faceberg needs for the split partition.");
        var split = NestedField.Optional(dataSchema.HighestFieldId + 1, TableProperties.SplitColumn, PrimitiveType.String,
            "The dataset split (train, validation, test, …) the row's file belongs to.");
        return new Schema(0, dataSchema.Fields.Append(split));
    }

    // ---- footers -------------------------------------------------------------------------------

    /// <summary>A footer read: its facts, or why it could not be read.</summary>
    private sealed record FooterOutcome(ParquetFileFacts? Facts, FacebergException? Error)
    {
        public ParquetFileFacts Get() => Facts ?? throw Error!;
    }

    /// <summary>Reads the footers of <paramref name="files"/> with at most <paramref name="throttle"/> in flight;
    /// a failure is kept per file so it fails only the configs that contain the file.</summary>
    private async Task<IReadOnlyDictionary<string, FooterOutcome>> ReadFootersAsync(string dataset, string repo, string revision,
        IReadOnlyList<(string Config, RepoFile File)> files, int throttle, IProgress<DatasetProgress>? progress, CancellationToken ct)
    {
        var outcomes = new ConcurrentDictionary<string, FooterOutcome>(StringComparer.Ordinal);
        var done = 0;
        progress?.Report(new DatasetProgress(dataset, files.FirstOrDefault().Config, 0, files.Count, "Reading Parquet footers"));
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttle), CancellationToken = ct },
            async (item, token) =>
            {
                FooterOutcome outcome;
                try
                {
                    outcome = new FooterOutcome(await ReadFooterAsync(repo, revision, item.File, token).ConfigureAwait(false), null);
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
    private async Task<ParquetFileFacts> ReadFooterAsync(string repo, string revision, RepoFile file, CancellationToken ct)
    {
        var uri = DataFileUri(repo, revision, file.Path);
        var footer = await HubParquetFooter.ReadAsync(_hub, repo, revision, file.Path, file.Size > 0 ? file.Size : null, ct).ConfigureAwait(false);
        FileMetaData metadata;
        try
        {
            await using var reader = await ParquetReader.CreateAsync(footer.OpenFooterStream(), cancellationToken: ct).ConfigureAwait(false);
            metadata = reader.Metadata ?? throw new InvalidDataException("the footer could not be decoded");
        }
        catch (Exception e) when (e is not OperationCanceledException and not FacebergException)
        {
            throw new FacebergException("InvalidParquetFile", FacebergErrorKind.InvalidData, $"'{uri}' is not a readable Parquet file: {e.Message}", e);
        }
        // The footer stream is only the footer; the real size comes from the Hub.
        return ParquetFileInspector.Describe(metadata, uri, footer.FileSize);
    }
}
