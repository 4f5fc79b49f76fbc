using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Catalog;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Cmdlets;

/// <summary>
/// What the table cmdlets share: the catalog a -Name/-Catalog pair or a piped Faceberg.Table means, opened with the
/// invocation's Hub client (-Token, else HF_TOKEN; made on first use, so purely local work never resolves a token),
/// and the tables in it.
/// </summary>
public sealed class TableAccess(Func<HubClient> hub)
{
    /// <summary>The Hub client of this invocation (made on first use).</summary>
    public HubClient Hub => hub();

    /// <summary>The catalog a context names, with this invocation's Hub client: a working copy serves its repo's hf:// URIs from local files.</summary>
    public ICatalog Catalog(CatalogContext context) => context.OpenCatalog(Hub);

    /// <summary>Loads a table through the catalog it was found in.</summary>
    public LoadedTable Load(TableTarget target, CancellationToken ct) =>
        target.Catalog.LoadTableAsync(target.Identifier, ct).GetAwaiter().GetResult();

    /// <summary>Commits (requirements, updates) to a table through its catalog.</summary>
    public LoadedTable Commit(TableTarget target, IReadOnlyList<TableRequirement> requirements, IReadOnlyList<TableUpdate> updates, CancellationToken ct) =>
        target.Catalog.CommitTableAsync(target.Identifier, requirements, updates, ct).GetAwaiter().GetResult();
}
