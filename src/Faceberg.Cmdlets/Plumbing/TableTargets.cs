using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>One table a cmdlet acts on, with the catalog it was found in.</summary>
public sealed record TableTarget(TableIdentifier Identifier, string Location, CatalogContext Context, ICatalog Catalog);

/// <summary>
/// How every table cmdlet finds the tables it acts on — -Name patterns in -Catalog (else the nearest
/// catalog), or a piped Faceberg.Table (in its own catalog) — and runs its work on each: a failure is a
/// non-terminating error for that table and the next one goes on; Ctrl+C stops the pipeline.
/// </summary>
public static class TableTargets
{
    /// <param name="names">Name patterns; null or empty: every table of the catalog.</param>
    /// <param name="piped">A piped Faceberg.Table; when set, <paramref name="names"/> and <paramref name="catalog"/> are ignored.</param>
    public static void ForEach(FacebergCmdlet cmdlet, string[]? names, Table? piped, CatalogArgument? catalog, Action<TableTarget> work)
    {
        IReadOnlyList<TableTarget> targets;
        IReadOnlyList<string> unmatched;
        CatalogContext context;
        try
        {
            context = cmdlet.ResolveCatalog(piped?.Catalog is { } own ? CatalogArgument.Of(own, piped) : catalog);
            var store = context.OpenCatalog(cmdlet.Session.Hub);
            var tables = cmdlet.Session.Await(context.DescribeAsync(store, cmdlet.Session.Cancellation));
            var selected = TableFilter.Select(tables, piped != null ? [piped.Identifier] : names, out unmatched);
            targets = selected.Select(t => new TableTarget(t.Identifier, t.Location, context, store)).ToList();
        }
        catch (Exception ex) when (Failures.IsExpected(ex))
        {
            cmdlet.WriteFailure((object?)piped ?? (object?)names ?? catalog, ex);
            return;
        }
        foreach (var name in unmatched)
            cmdlet.WriteFailure(name, Failures.TableNotFound(name, context));
        foreach (var target in targets)
        {
            if (cmdlet.Session.Stopping)
                throw new PipelineStoppedException();
            try
            {
                work(target);
            }
            catch (OperationCanceledException) when (cmdlet.Session.Stopping)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception ex) when (Failures.IsExpected(ex))
            {
                cmdlet.WriteFailure(target.Identifier.ToString(), ex);
            }
        }
    }
}
