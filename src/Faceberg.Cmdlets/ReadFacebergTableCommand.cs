using System.Collections.ObjectModel;
using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets;

/// <summary>
/// Read-FacebergTable: streams a table's rows as objects (one PSObject per row, properties in schema
/// order), reading only the splits, columns, files and row groups needed.
/// </summary>
[Cmdlet(VerbsCommunications.Read, "FacebergTable", DefaultParameterSetName = ByName)]
[OutputType(typeof(PSObject))]
public sealed class ReadFacebergTableCommand : FacebergTableCmdlet
{
    public const string RowTypeName = "Faceberg.Row";

    // Filter problems that mean "this predicate cannot be pushed down", not "the filter is wrong":
    // PowerShell's own comparison (the scriptblock) still decides every row.
    private static readonly HashSet<string> PushdownFailures = new(StringComparer.Ordinal)
    {
        "ColumnNotFound", "AmbiguousColumn", "FilterColumnNotSupported", "FilterLiteralType", "FilterIncomparable", "NullComparison",
    };

    /// <summary>Only rows of these splits (e.g. train, test).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Split { get; set; }

    /// <summary>Only these columns, in this order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Column")]
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
    public long SnapshotId { get; set; }

    /// <summary>Read the table as it was at this time.</summary>
    [Parameter]
    public DateTime AsOf { get; set; }

    protected override void ProcessTable(TableTarget target)
    {
        var table = Access.Load(target, Cancellation).Table;
        var translation = Filter == null ? null : FilterTranslator.Translate(Filter, SessionState);
        var options = new TableScanOptions
        {
            Splits = Split,
            Columns = Property,
            Filter = translation?.Predicate,
            FilterRows = translation?.Exact == true,
            SnapshotId = MyInvocation.BoundParameters.ContainsKey(nameof(SnapshotId)) ? SnapshotId : null,
            AsOf = MyInvocation.BoundParameters.ContainsKey(nameof(AsOf)) ? new DateTimeOffset(AsOf) : null,
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
        var names = scan.RowSchema.Names;
        var addSplit = Property == null && scan.RowSchema.IndexOf(TableScan.SplitColumn) < 0;
        long written = 0;
        if (limit == 0) return;

        var rows = scan.ReadAsync(Cancellation).GetAsyncEnumerator(Cancellation);
        try
        {
            while (true)
            {
                var next = rows.MoveNextAsync();
                if (!(next.IsCompletedSuccessfully ? next.Result : next.AsTask().GetAwaiter().GetResult())) break;
                var row = rows.Current;
                var obj = new PSObject();
                obj.TypeNames.Insert(0, RowTypeName);
                for (var i = 0; i < names.Count; i++)
                    obj.Properties.Add(new PSNoteProperty(names[i], row[i]));
                if (addSplit && row.Split != null)
                    obj.Properties.Add(new PSNoteProperty(TableScan.SplitColumn, row.Split));
                if (runScriptBlock && !Passes(obj)) continue;
                WriteObject(obj);
                if (++written == limit) break;
            }
        }
        finally
        {
            rows.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
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
        Collection<PSObject> result = Filter!.InvokeWithContext(null, [new PSVariable("_", row)]);
        return result.Count switch
        {
            0 => false,
            1 => LanguagePrimitives.IsTrue(result[0]),
            _ => LanguagePrimitives.IsTrue(result),
        };
    }
}
