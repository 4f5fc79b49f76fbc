using System.Collections.ObjectModel;
using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Cmdlets.Rows;
using Faceberg.Core;
using Faceberg.Core.Data;
using Faceberg.Core.Iceberg.Scan;

namespace Faceberg.Cmdlets;

/// <summary>
/// Read-FacebergTable: streams a table's rows as objects (one <see cref="Row"/> per row, properties in
/// schema order), reading only the splits, columns, files and row groups needed.
/// </summary>
[Cmdlet(VerbsCommunications.Read, "FacebergTable", DefaultParameterSetName = TableParameters.ByName)]
[OutputType(typeof(Row))]
public sealed class ReadFacebergTableCommand : FacebergCmdlet
{
    /// <summary>Table names or "namespace.table" identifiers; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TableParameters.ByName)]
    [Alias(TableParameters.IdentifierAlias)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>A Faceberg.Table, e.g. from Get-FacebergTable.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TableParameters.ByTable)]
    public Table? InputObject { get; set; }

    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog at or above the current folder.</summary>
    [Parameter(ParameterSetName = TableParameters.ByName)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    public const string RowTypeName = "Faceberg.Row";

    /// <summary>Data files enough to call a read long before it has run a second.</summary>
    private const int LargeFileCount = 50;

    // Filter problems that mean "this predicate cannot be pushed down", not "the filter is wrong":
    // PowerShell's own comparison (the scriptblock) still decides every row.
    private static readonly HashSet<string> PushdownFailures = new(StringComparer.Ordinal)
    {
        "ColumnNotFound", "AmbiguousColumn", "FilterColumnNotSupported", "FilterLiteralType", "FilterIncomparable", "NullComparison",
    };

    /// <summary>Only rows of these splits (e.g. train, test).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SplitCompleter))]
    public string[]? Split { get; set; }

    /// <summary>Only these columns, in this order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Column")]
    [ArgumentCompleter(typeof(ColumnCompleter))]
    public string[]? Property { get; set; }

    /// <summary>Rows for which the scriptblock is true ($_ is the row); simple comparisons also skip files and row groups.</summary>
    [Parameter]
    public ScriptBlock? Filter { get; set; }

    /// <summary>Stop after this many rows.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long First { get; set; } = -1;

    /// <summary>Read this snapshot (see Get-FacebergSnapshot).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SnapshotIdCompleter))]
    public long SnapshotId { get; set; }

    /// <summary>Read the table as it was at this time.</summary>
    [Parameter]
    public DateTime AsOf { get; set; }

    /// <summary>Only rows appended after this snapshot: a snapshot id, a Faceberg.Snapshot, or a time (the snapshot current then).</summary>
    [Parameter]
    [SnapshotBoundaryTransformation]
    [ArgumentCompleter(typeof(SnapshotIdCompleter))]
    public SnapshotBoundary? Since { get; set; }

    /// <summary>Only rows appended up to this snapshot (inclusive) instead of the current one: a snapshot id, a Faceberg.Snapshot, or a time.</summary>
    [Parameter]
    [SnapshotBoundaryTransformation]
    [ArgumentCompleter(typeof(SnapshotIdCompleter))]
    public SnapshotBoundary? Until { get; set; }

    protected override void ProcessRecord()
    {
        var access = new TableAccess(() => Session.Hub);
        TableTargets.ForEach(this, Name, InputObject, Catalog, target =>
        {
            try
            {
                Read(access, target);
            }
            finally
            {
                Session.CompleteProgress();
            }
        });
    }

    private void Read(TableAccess access, TableTarget target)
    {
        var table = access.Load(target, Session.Cancellation).Table;
        var translation = Filter == null ? null : FilterTranslator.Translate(Filter, SessionState);
        var options = new TableScanOptions
        {
            // Many files mean a long read: the bar then shows at once, else only after a second.
            Progress = Session.Progress<WorkProgress>($"Reading {target.Identifier}", p => ProgressUpdate.From(p, large: p.Total >= LargeFileCount)),
            Splits = Split,
            Columns = Property,
            Filter = translation?.Predicate,
            FilterRows = translation?.Exact == true,
            SnapshotId = MyInvocation.BoundParameters.ContainsKey(nameof(SnapshotId)) ? SnapshotId : null,
            AsOf = MyInvocation.BoundParameters.ContainsKey(nameof(AsOf)) ? new DateTimeOffset(AsOf) : null,
            Since = Since,
            Until = Until,
        };

        TableScan scan;
        try
        {
            scan = new TableScan(table, options);
        }
        catch (FacebergException ex) when (options.Filter != null && PushdownFailures.Contains(ex.ErrorId) && Filter != null)
        {
            WriteVerbose($"The filter cannot skip files ({ex.Message}); it is applied to every row.");
            options = options with { Filter = null, FilterRows = false };
            scan = new TableScan(table, options);
        }

        // Core orders strings by code point where PowerShell compares them culture-aware, so the
        // scriptblock keeps the last word unless every filtered column is a number.
        if (options.FilterRows && options.Filter != null && !options.Filter.Columns.All(c => IsNumeric(scan.Schema, c)))
        {
            options = options with { FilterRows = false };
            scan = new TableScan(table, options);
        }
        var runScriptBlock = Filter != null && !options.FilterRows;
        // When every row Core returns is written, Core may know the limit: it then opens no file ahead.
        if (!runScriptBlock && First > 0)
            scan = new TableScan(table, options with { Limit = First });
        if (options.Filter != null)
            WriteVerbose($"Filter used for pruning: {options.Filter}{(runScriptBlock ? " (the scriptblock decides each row)" : "")}.");
        var limit = First;
        var addSplit = Property == null && scan.RowSchema.IndexOf(TableScan.SplitColumn) < 0;
        long written = 0;
        if (limit == 0) return;
        Row[] Build(TableRowBatch batch) => RowTypes.Build(batch, addSplit && batch.Split != null ? TableScan.SplitColumn : null);

        // A read that may stop at any row (-First with a scriptblock deciding the rows) reads no row before
        // it is needed; any other read ends where Core ends it, so its rows are built ahead in batches.
        // Disposed before the metrics are reported: a read stopped early ends its scan there.
        using (var rows = new RowReadAhead(scan.ReadBatchesAsync(Session.Cancellation), Build, readAhead: !(runScriptBlock && limit > 0), Session.Cancellation))
        {
            while (written != limit && rows.Next(Session) is { } batch)
            {
                // Progress and messages Core posted while the batch was read.
                Session.Drain();
                if (!runScriptBlock)
                {
                    // Every row is written, up to the limit: no test per row.
                    var count = limit < 0 ? batch.Length : (int)Math.Min(batch.Length, limit - written);
                    for (var i = 0; i < count; i++) WriteObject(batch[i]);
                    written += count;
                    continue;
                }
                foreach (var row in batch)
                {
                    if (!Passes(PSObject.AsPSObject(row))) continue;
                    WriteObject(row);
                    if (++written == limit) break;
                }
            }
        }
        if (scan.AppendRange is { } range)
            WriteVerbose($"{target.Identifier}: rows appended by {range.Snapshots.Count} snapshot(s) after {range.Start?.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the table's start"} up to {range.End.SnapshotId}.");
        WriteVerbose($"{target.Identifier}: {scan.Metrics.FilesRead} files read, {scan.Metrics.FilesSkipped} skipped; "
            + $"{scan.Metrics.RowGroupsRead} row groups read, {scan.Metrics.RowGroupsSkipped} skipped; {written} rows.");
    }

    private static bool IsNumeric(Faceberg.Core.Iceberg.Spec.Schema schema, string column)
    {
        var field = ColumnResolver.Field(schema, column);
        return field.Type.TypeId is Faceberg.Core.Iceberg.Spec.TypeId.Int or Faceberg.Core.Iceberg.Spec.TypeId.Long
            or Faceberg.Core.Iceberg.Spec.TypeId.Float or Faceberg.Core.Iceberg.Spec.TypeId.Double or Faceberg.Core.Iceberg.Spec.TypeId.Decimal;
    }

    private bool Passes(PSObject row)
    {
        Collection<PSObject> result;
        try
        {
            // Errors inside the filter (a bad regex, a method that throws) stop it instead of writing one
            // raw error per row: the read fails with one FilterFailed error.
            result = Filter!.InvokeWithContext(null,
                [new PSVariable("_", row), new PSVariable("ErrorActionPreference", ActionPreference.Stop)]);
        }
        catch (RuntimeException e) when (e is not PipelineStoppedException)
        {
            var reason = e.ErrorRecord?.Exception?.Message ?? e.Message;
            throw new FacebergException("FilterFailed", FacebergErrorKind.InvalidArgument,
                $"The -Filter scriptblock failed on a row: {reason}", e);
        }
        return result.Count switch
        {
            0 => false,
            1 => LanguagePrimitives.IsTrue(result[0]),
            _ => LanguagePrimitives.IsTrue(result),
        };
    }
}
