using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
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

    /// <summary>A Faceberg.Catalog object (or a Faceberg.Table, meaning its catalog) or a path;
    /// default: the nearest catalog at or above the current folder.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public object? Catalog { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var context = ResolveCatalog(Catalog);
            var catalog = context.OpenCatalog();
            var tables = context.DescribeAsync(catalog).GetAwaiter().GetResult();
            var catalogObject = ToCatalogObject(context, tables.Count);
            // A piped Faceberg.Table asks for that table again (fresh facts), not its whole catalog.
            var names = Name ?? (Unwrap(Catalog) is Table piped ? [piped.Identifier] : null);
            var selected = TableFilter.Select(tables, names, out var unmatched);
            foreach (var table in selected)
            {
                // The pinned revision, snapshot and counts live in the table's own metadata.
                // A table without readable metadata keeps what the catalog says: listing must not fail because one table is broken.
                try
                {
                    TableFacts.Apply(table, catalog.LoadTableAsync(table.Identifier).GetAwaiter().GetResult().Metadata);
                }
                catch (Exception e) when (e is FacebergException or IOException or UnauthorizedAccessException)
                {
                }
                WriteObject(ToTableObject(table, catalogObject));
            }
            foreach (var name in unmatched)
                WriteFailure(name, new FacebergException("TableNotFound", FacebergErrorKind.NotFound,
                    $"Table '{name}' does not exist in catalog '{context.Name}' ({context.Location.Path})."));
        }
        catch (FacebergException ex)
        {
            WriteFailure(Catalog, ex);
        }
    }
}
