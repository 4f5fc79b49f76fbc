using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Turns the datasets of faceberg.yml into Iceberg tables over their existing Parquet files, and keeps
/// them current. Every data file URI is pinned to a commit: <c>hf://datasets/&lt;repo&gt;@&lt;sha&gt;/&lt;path&gt;</c>.
/// The entry point of <c>Datasets/</c>: it wires <see cref="DatasetPlanner"/> (what a dataset's tables hold),
/// <see cref="FooterReader"/> (Parquet footers from the Hub), <see cref="DatasetTableCreator"/> and
/// <see cref="DatasetSync"/> and <see cref="DatasetMaintenance"/>, which load and commit tables through one <see cref="DatasetTableStore"/>.
/// Thread-safe; one instance can serve many calls. See docs/datasets.md.
/// </summary>
public sealed class DatasetTables
{
    public const int DefaultThrottleLimit = 16;

    private readonly DatasetPlanner _planner;
    private readonly DatasetTableCreator _creator;
    private readonly DatasetSync _sync;
    private readonly DatasetMaintenance _maintenance;

    /// <param name="hub">The Hub the datasets live on (its endpoint and token).</param>
    /// <param name="io">Where table metadata is written; by default the catalog's own file IO (see <see cref="DatasetTableStore"/>).</param>
    public DatasetTables(HubClient hub, IFileIO? io = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        Hub = hub;
        var store = new DatasetTableStore(hub, io);
        var footers = new FooterReader(hub);
        _planner = new DatasetPlanner(hub);
        _creator = new DatasetTableCreator(footers, store);
        _sync = new DatasetSync(_planner, footers, store);
        _maintenance = new DatasetMaintenance(store);
    }

    public HubClient Hub { get; }

    /// <inheritdoc cref="DatasetPlanner.PlanAsync"/>
    public Task<DatasetPlan> PlanAsync(DatasetConfig dataset, CancellationToken cancellationToken = default) =>
        _planner.PlanAsync(dataset, cancellationToken);

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
            plan = await _planner.PlanAsync(dataset, cancellationToken).ConfigureAwait(false);
        }
        catch (FacebergException e)
        {
            return [new DatasetTableResult { Dataset = dataset.Name, Repo = dataset.Repo, Status = DatasetTableStatus.Failed, Error = e }];
        }
        return await _creator.CreateAsync(catalog, plan, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="DatasetTableCreator.CreateAsync"/>
    public Task<IReadOnlyList<DatasetTableResult>> CreateAsync(CatalogContext catalog, DatasetPlan plan,
        DatasetTableOptions? options = null, CancellationToken cancellationToken = default) =>
        _creator.CreateAsync(catalog, plan, options, cancellationToken);

    /// <inheritdoc cref="DatasetSync.SyncAsync"/>
    public Task<SyncResult> SyncAsync(CatalogContext catalog, TableIdentifier table, SyncOptions? options = null,
        CancellationToken cancellationToken = default) =>
        _sync.SyncAsync(catalog, table, options, cancellationToken);

    /// <inheritdoc cref="DatasetMaintenance.OptimizeAsync"/>
    public Task<Iceberg.Maintenance.OptimizeResult> OptimizeAsync(CatalogContext catalog, TableIdentifier table, int? retainLast = null,
        DateTimeOffset? olderThan = null, CancellationToken cancellationToken = default) =>
        _maintenance.OptimizeAsync(catalog, table, retainLast, olderThan, cancellationToken);
}
