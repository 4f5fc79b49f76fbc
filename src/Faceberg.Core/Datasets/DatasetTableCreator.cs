using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Creates the tables of a <see cref="DatasetPlan"/>: reads the footers of their files once
/// (<see cref="FooterReader"/>), unions each config's file schemas, adds the <c>split</c> partition column, and
/// creates each table with its first snapshot through <see cref="DatasetTableStore.CreateAsync"/>. Thread-safe.
/// </summary>
public sealed class DatasetTableCreator
{
    private readonly FooterReader _footers;
    private readonly DatasetTableStore _store;

    public DatasetTableCreator(FooterReader footers, DatasetTableStore store)
    {
        ArgumentNullException.ThrowIfNull(footers);
        ArgumentNullException.ThrowIfNull(store);
        _footers = footers;
        _store = store;
    }

    /// <summary>
    /// Creates the tables of a plan (drop entries from <see cref="DatasetPlan.Tables"/> to create fewer) and registers
    /// them in the catalog. Failures are reported per config in the results, never thrown, except cancellation; a
    /// failed config leaves nothing behind. Results are in the plan's config order.
    /// </summary>
    public async Task<IReadOnlyList<DatasetTableResult>> CreateAsync(CatalogContext catalog, DatasetPlan plan,
        DatasetTableOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new DatasetTableOptions();
        var results = new List<DatasetTableResult>();
        var store = _store.Open(catalog);
        HashSet<TableIdentifier> existing;
        try
        {
            existing = (await store.ListTablesAsync(null, cancellationToken).ConfigureAwait(false)).ToHashSet();
        }
        catch (FacebergException e)
        {
            return plan.Tables.Select(t => Failed(plan, t, e)).ToList();
        }

        var pending = new List<PlannedTable>();
        foreach (var table in plan.Tables)
        {
            if (existing.Contains(table.Identifier))
                results.Add(Failed(plan, table, new FacebergException("TableAlreadyExists", FacebergErrorKind.AlreadyExists,
                    $"Table '{table.Identifier}' already exists in catalog '{catalog.Name}'; use Sync-FacebergTable to update it.")));
            else if (store is LocalCatalog local && local.KeptTableFolder(table.Identifier) is { } kept)
                results.Add(await AdoptAsync(local, plan, table, kept, options.WhatIf, cancellationToken).ConfigureAwait(false));
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
                    Identifier = t.Identifier, Location = DefaultLocation(catalog, t.Identifier),
                    Repo = plan.Repo, Config = t.Config, Revision = plan.Revision, FileCount = t.Files.Count,
                },
            }));
            return Ordered(results, plan);
        }

        var files = pending.SelectMany(t => t.Files.Select(f => (t.Config, f.File))).DistinctBy(f => f.File.Path, StringComparer.Ordinal).ToList();
        var footers = await _footers.ReadAsync(plan.Dataset.Name, plan.Repo, plan.DataRevision, files, options.ThrottleLimit, options.Progress, cancellationToken)
            .ConfigureAwait(false);

        foreach (var table in pending)
        {
            options.Progress?.Report(new DatasetProgress(plan.Dataset.Name, table.Config, files.Count, files.Count, $"Creating {table.Identifier}"));
            try
            {
                var info = await CreateTableAsync(store, plan, table, footers, cancellationToken).ConfigureAwait(false);
                results.Add(new DatasetTableResult
                {
                    Dataset = plan.Dataset.Name, Repo = plan.Repo, Config = table.Config, Identifier = table.Identifier,
                    Status = DatasetTableStatus.Created, FileCount = table.Files.Count, Table = info,
                });
            }
            catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
            {
                results.Add(Failed(plan, table, DatasetErrors.AsFaceberg(e, table.Identifier)));
            }
        }
        return Ordered(results, plan);
    }

    /// <summary>
    /// A table kept by a drop without purge, in the folder a new table would use: when it is the table this plan would
    /// create (same dataset repo, config and ref) it is registered again, keeping its history and pin (the user asked for
    /// the table, and its metadata is what Remove-FacebergTable promised to keep); anything else in the folder is
    /// refused with <c>TableFolderInUse</c> and left as it is.
    /// </summary>
    private static async Task<DatasetTableResult> AdoptAsync(LocalCatalog local, DatasetPlan plan, PlannedTable table, string kept, bool whatIf, CancellationToken ct)
    {
        bool IsSame(Iceberg.Table.IcebergTable iceberg)
        {
            try
            {
                var source = DatasetTable.Bind(table.Identifier, iceberg, key => new FacebergException("NotADatasetTable", FacebergErrorKind.NotSupported, key)).Source;
                return string.Equals(source.Repo, plan.Repo, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(source.Config, table.Config, StringComparison.Ordinal)
                    && string.Equals(source.Ref, plan.Ref, StringComparison.Ordinal);
            }
            catch (FacebergException)
            {
                return false;
            }
        }

        try
        {
            var adopted = whatIf
                ? await local.FindKeptTableAsync(table.Identifier, IsSame, ct).ConfigureAwait(false)
                : await local.AdoptKeptTableAsync(table.Identifier, IsSame, ct).ConfigureAwait(false);
            if (adopted is null)
                return Failed(plan, table, JsonCatalog.FolderInUse(table.Identifier, kept));
            var info = new FacebergTableInfo { Identifier = table.Identifier, Location = adopted.Location.ToString() };
            TableFacts.Apply(info, adopted.Metadata);
            return new DatasetTableResult
            {
                Dataset = plan.Dataset.Name, Repo = plan.Repo, Config = table.Config, Identifier = table.Identifier,
                Status = whatIf ? DatasetTableStatus.WouldAdopt : DatasetTableStatus.Adopted, FileCount = (int)(info.FileCount ?? 0), Table = info,
            };
        }
        catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
        {
            return Failed(plan, table, DatasetErrors.AsFaceberg(e, table.Identifier));
        }
    }

    /// <summary>The source a table of <paramref name="plan"/> records: the plan's dataset, ref, pin and conversion commit.</summary>
    public static DatasetSource SourceOf(DatasetPlan plan, PlannedTable table)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(table);
        return new DatasetSource(plan.Dataset.Name, plan.Repo, table.Config, plan.Revision, plan.Ref, plan.SourceRevision);
    }

    /// <summary>The schema of a new table: the union of its files' schemas plus the optional string partition
    /// column <c>split</c>, whose value is only in the manifests.</summary>
    /// <exception cref="FacebergException"><c>SplitColumnConflict</c> when the data has a <c>split</c> column; <c>ParquetSchemaConflict</c>.</exception>
    public static Schema TableSchema(IReadOnlyList<ParquetFileStatistics> files, string repo, string config)
    {
        ArgumentNullException.ThrowIfNull(files);
        // Files of one shape have one schema: the union needs it once, from the first file that has it.
        var dataSchema = SchemaUnion.Union(files.DistinctBy(f => f.Shape).Select(f => (f.FileUri, f.Schema)).ToList());
        if (dataSchema.Struct.Field(TableProperties.SplitColumn) is not null)
            throw new FacebergException("SplitColumnConflict", FacebergErrorKind.NotSupported,
                $"Config '{config}' of dataset '{repo}' has a column named '{TableProperties.SplitColumn}', which Faceberg needs for the split partition.");
        var split = NestedField.Optional(dataSchema.HighestFieldId + 1, TableProperties.SplitColumn, PrimitiveType.String,
            "The dataset split (train, validation, test, …) the row's file belongs to.");
        return new Schema(0, dataSchema.Fields.Append(split));
    }

    private async Task<FacebergTableInfo> CreateTableAsync(ICatalog store, DatasetPlan plan, PlannedTable table,
        IReadOnlyDictionary<string, FooterOutcome> footers, CancellationToken ct)
    {
        var files = table.Files.Select(f => new NewDatasetFile(footers[f.File.Path].Get(), f.Split)).ToList();
        var schema = TableSchema(files.Select(f => f.Facts).ToList(), plan.Repo, table.Config);
        var spec = PartitionSpec.Identity(schema, TableProperties.SplitColumn);
        var source = SourceOf(plan, table);
        var first = new DatasetCommit
        {
            BaseSnapshotId = null,
            Source = source,
            AddFiles = files,
            FileRecord = table.Files,
            Summary = source.SnapshotSummary(),
        };
        var (location, metadata) = await _store.CreateAsync(store, table.Identifier, schema, spec, first, ct).ConfigureAwait(false);
        var info = new FacebergTableInfo { Identifier = table.Identifier, Location = location };
        TableFacts.Apply(info, metadata);
        return info;
    }

    /// <summary>The folder a catalog creates a new table in (what <c>-WhatIf</c> reports).</summary>
    private static string DefaultLocation(CatalogContext catalog, TableIdentifier id) => catalog.Location.IsLocal
        ? Path.Combine(catalog.Location.Path, JsonCatalog.MetadataFolderName, id.Namespace, id.Name)
        : $"{catalog.Location.Path.TrimEnd('/')}/{JsonCatalog.MetadataFolderName}/{id.Namespace}/{id.Name}";

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
}
