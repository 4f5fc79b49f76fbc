using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>Get-FacebergTable: lists the tables of a catalog, optionally filtered by name patterns.</summary>
[Cmdlet(VerbsCommon.Get, "FacebergTable")]
[OutputType(typeof(Table))]
public sealed class GetFacebergTableCommand : FacebergCmdlet
{
    /// <summary>Table names or identifiers ("movie_reviews_default", "default.movie*"); wildcards allowed.
    /// Not bound from the pipeline: a piped Faceberg.Catalog's Name is the catalog's, not a table's.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>A Faceberg.Catalog object (or a Faceberg.Table, meaning its catalog), a folder or
    /// faceberg.yml path, or an hf:// URI; default: the nearest catalog at or above the current folder.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    protected override void ProcessRecord() => Try(Catalog, () =>
    {
        var context = ResolveCatalog(Catalog);
        var catalog = context.OpenCatalog(Session.Hub);
        var tables = Session.Await(context.DescribeAsync(catalog, Session.Cancellation));
        var catalogObject = OutputObjects.ToCatalog(context, tables.Count);
        // A piped Faceberg.Table asks for that table again (fresh facts), not its whole catalog.
        var names = Name ?? (Catalog?.Table is { } piped ? [piped.Identifier] : null);
        var selected = TableFilter.Select(tables, names, out var unmatched);
        foreach (var table in selected)
        {
            // The pinned revision, snapshot and counts live in the table's own metadata. A table without metadata yet
            // is listed with what the catalog says. One whose metadata cannot be read is listed too (so it can be piped
            // to Remove-FacebergTable) and its failure is reported: listing must neither fail nor stay silent because
            // one table is broken.
            Exception? failure = null;
            try
            {
                var loaded = Session.Await(catalog.LoadTableAsync(table.Identifier, Session.Cancellation));
                Session.Await(TableFacts.ApplyAsync(table, loaded.Table, Session.Cancellation));
            }
            catch (FacebergException e) when (e.ErrorId == "TableMetadataNotFound")
            {
            }
            catch (Exception e) when (Failures.IsExpected(e))
            {
                failure = e;
            }
            WriteObject(OutputObjects.ToTable(table, catalogObject));
            if (failure is not null)
                WriteFailure(table.Identifier.ToString(), failure);
        }
        foreach (var name in unmatched)
            WriteFailure(name, Failures.TableNotFound(name, context));
    });
}
