using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Core;

namespace Faceberg.Cmdlets;

/// <summary>
/// Base of the cmdlets that act on existing tables: -Name patterns in a catalog (-Catalog, else the
/// nearest one), or Faceberg.Table objects from the pipeline. Each table's failure is reported as a
/// non-terminating error and the next table goes on; Ctrl+C cancels the work in flight.
/// </summary>
public abstract class FacebergTableCmdlet : FacebergCmdlet, IDisposable
{
    protected const string ByName = "ByName";
    protected const string ByTable = "ByTable";
    private readonly CancellationTokenSource _stop = new();
    private TableAccess? _access;

    /// <summary>Table names or "namespace.table" identifiers; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>A Faceberg.Table, e.g. from Get-FacebergTable.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByTable)]
    public Table? InputObject { get; set; }

    /// <summary>A Faceberg.Catalog object or a path; default: the nearest catalog at or above the current folder.</summary>
    [Parameter(ParameterSetName = ByName)]
    public object? Catalog { get; set; }

    protected CancellationToken Cancellation => _stop.Token;

    protected TableAccess Access => _access ??= new TableAccess();

    protected override Core.Hub.HubClient? CatalogHub => Access.Hub;

    protected override void ProcessRecord()
    {
        IReadOnlyList<TableTarget> targets;
        IReadOnlyList<string> unmatched;
        Core.Catalog.CatalogContext context;
        try
        {
            var piped = InputObject;
            context = ResolveCatalog(piped?.Catalog is not null ? piped : Catalog);
            var catalog = Access.Catalog(context);
            var tables = context.DescribeAsync(catalog, Cancellation).GetAwaiter().GetResult();
            var selected = TableFilter.Select(tables, piped != null ? [piped.Identifier] : Name, out unmatched);
            targets = selected.Select(t => new TableTarget(t.Identifier, t.Location, context, catalog)).ToList();
        }
        catch (Exception ex) when (ex is FacebergException or IOException or UnauthorizedAccessException)
        {
            WriteFailure((object?)InputObject ?? Name, ex);
            return;
        }
        foreach (var name in unmatched)
            WriteFailure(name, new FacebergException("TableNotFound", FacebergErrorKind.NotFound,
                $"Table '{name}' does not exist in catalog '{context.Name}' ({context.Location.Path})."));
        foreach (var target in targets)
        {
            if (Cancellation.IsCancellationRequested) return;
            try
            {
                ProcessTable(target);
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is FacebergException or IOException or UnauthorizedAccessException or HttpRequestException)
            {
                WriteFailure(target.Identifier.ToString(), ex);
            }
        }
    }

    /// <summary>Does the cmdlet's work for one table.</summary>
    protected abstract void ProcessTable(TableTarget target);

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose()
    {
        _access?.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
