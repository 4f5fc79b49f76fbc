using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Maintenance;

namespace Faceberg.Core.Datasets;

/// <summary>
/// Optimize for the tables of a catalog: opens the catalog the context names and runs
/// <see cref="DatasetTableStore.OptimizeAsync"/>, which knows the dataset layer's file records.
/// </summary>
public sealed class DatasetMaintenance
{
    private readonly DatasetTableStore _store;

    public DatasetMaintenance(DatasetTableStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Rewrites the table's manifests, expires snapshots beyond <paramref name="retainLast"/> or older than
    /// <paramref name="olderThan"/> (the current one and those a branch or tag names always stay) and removes the
    /// metadata files nothing references any more. Data files are never removed.</summary>
    /// <exception cref="FacebergException">TableNotFound, InvalidRetainLast, CommitFailed (another writer committed first), write failures.</exception>
    public Task<OptimizeResult> OptimizeAsync(CatalogContext catalog, TableIdentifier table, int? retainLast = null, DateTimeOffset? olderThan = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(table);
        return _store.OptimizeAsync(_store.Open(catalog), table, retainLast, olderThan, cancellationToken);
    }
}
