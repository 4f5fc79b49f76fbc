using System.Collections;
using System.Collections.Concurrent;
using System.Data;
using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Data;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>
/// Write-FacebergTable: appends the piped objects, hashtables or DataTable rows to a table's split as
/// new Parquet files in the dataset repo (one Hub commit) and one new snapshot. Every row is validated before
/// anything is uploaded. Past <see cref="LargeRowCount"/> rows the write streams: this (the pipeline) thread only
/// reads the objects into rows and hands them on in chunks to the writer, which checks and encodes them on the
/// thread pool meanwhile and keeps no row once encoded; the commit waits for the end of the input and its confirmation.
/// </summary>
[Cmdlet(VerbsCommunications.Write, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WriteResult))]
public sealed class WriteFacebergTableCommand : FacebergCmdlet
{
    /// <summary>Rows enough to call a write long before it has run a second: its progress shows at once.</summary>
    private const int LargeRowCount = 10_000;

    /// <summary>Rows handed to a streaming writer at a time, and chunks at most waiting for it: bounds the memory.</summary>
    private const int ChunkRows = 4096;
    private const int ChunksInFlight = 4;

    private List<IReadOnlyDictionary<string, object?>> _rows = [];
    private long _taken;
    private bool _mayStream;
    private RowStream? _stream;
    private int? _expectedRows;
    private readonly CustomObjectReader _customObjects = new();

    /// <summary>The table's name or "namespace.table" identifier.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TableNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>The split the rows belong to (train, test, …); an existing one or a new one the dataset's layout can hold.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SplitCompleter))]
    public string Split { get; set; } = "";

    /// <summary>A row: an object (its properties), a hashtable, a DataRow, or a DataTable (all its rows).</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog.</summary>
    [Parameter]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    /// <summary>Codec of the new Parquet files: Snappy (default, as the Hub's Parquet converter writes), Zstd, Gzip, Brotli or None.</summary>
    [Parameter]
    public ParquetCodec Compression { get; set; } = ParquetCompression.Default.Codec;

    /// <summary>Effort of Zstd, Gzip and Brotli: Fastest, Optimal (default) or SmallestSize.</summary>
    [Parameter]
    public ParquetCompressionLevel CompressionLevel { get; set; } = ParquetCompression.Default.Level;

    protected override void BeginProcessing() => _mayStream = !WhatIfRequested;

    protected override void ProcessRecord()
    {
        switch (Unwrap(InputObject))
        {
            case null:
                return;
            case DataTable table:
                ExpectRows(table.Rows.Count);
                foreach (DataRow row in table.Rows) Take(RowConversion.FromDataRow(row));
                break;
            case IEnumerable items when items is not string and not IDictionary:
                // -InputObject $rows (not piped) arrives as one array.
                if (items is ICollection collection) ExpectRows(collection.Count);
                foreach (var item in items) Add(item);
                break;
            default:
                Add(InputObject);
                break;
        }
    }

    /// <summary>Given all at once (-InputObject, not the pipeline), the input's row count is known before a streamed write
    /// starts, so its progress shows a percentage.</summary>
    private void ExpectRows(int count)
    {
        if (!MyInvocation.ExpectingInput)
            _expectedRows = (int)Math.Min(int.MaxValue, _taken + count);
    }

    private void Add(object? item)
    {
        if (Unwrap(item) is null) return;
        var row = RowConversion.ToRow(item, _customObjects);
        if (row is null)
        {
            WriteFailure(item, new FacebergException("WriteInputNotARow", FacebergErrorKind.InvalidArgument,
                $"Row {_taken} is {ValueDescription(item)}, not an object, hashtable or DataRow whose properties are the table's columns."));
            return;
        }
        Take(row);
    }

    private void Take(IReadOnlyDictionary<string, object?> row)
    {
        _rows.Add(row);
        _taken++;
        if (!_mayStream || _rows.Count < (_stream is null ? LargeRowCount : ChunkRows)) return;
        _stream ??= StartStream();
        Send();
    }

    /// <summary>Starts the writer on the thread pool, reading the rows sent to it until the input ends.</summary>
    private RowStream StartStream()
    {
        try
        {
            var (context, id) = ResolveTable();
            var chunks = new BlockingCollection<List<IReadOnlyDictionary<string, object?>>>(ChunksInFlight);
            var options = new TableWriteOptions
            {
                Progress = Session.Progress<WorkProgress>($"Writing to {id}", p => ProgressUpdate.From(p, large: true)),
                Compression = new(Compression, CompressionLevel),
                ExpectedRows = _expectedRows,
                ConfirmAsync = (plan, ct) => ConfirmOnPipelineThread(id, plan, ct),
            };
            var writer = new TableWriter(Session.Hub);
            var cancellation = Session.Cancellation;
            var task = Task.Run(() => writer.WriteAsync(context, id, Split, Receive(chunks, cancellation), options, cancellation), cancellation);
            return Session.Own(new RowStream(id, chunks, task));
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            ThrowWriteFailed(e);
            throw;
        }
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Receive(
        BlockingCollection<List<IReadOnlyDictionary<string, object?>>> chunks, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks.GetConsumingEnumerable(cancellationToken))
        {
            foreach (var row in chunk) yield return row;
        }
    }

    /// <summary>Hands the rows read so far to the writer, waiting while it is <see cref="ChunksInFlight"/> chunks behind;
    /// a writer that has failed (a bad table, a lost Hub) ends the command with its error at once.</summary>
    private void Send()
    {
        var stream = _stream!;
        try
        {
            while (!stream.Chunks.TryAdd(_rows, 100, Session.Cancellation))
            {
                if (stream.Task.IsCompleted) Session.Await(stream.Task);
            }
            _rows = new List<IReadOnlyDictionary<string, object?>>(ChunkRows);
            Session.Drain();
        }
        catch (OperationCanceledException) when (Session.Stopping)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            ThrowWriteFailed(e);
        }
    }

    /// <summary>The streaming writer's question before it uploads: ShouldProcess, asked on the pipeline thread.</summary>
    private Task<bool> ConfirmOnPipelineThread(TableIdentifier id, TableWriteResult plan, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Session.Post(() =>
        {
            try
            {
                answer.TrySetResult(ShouldProcess(id.ToString(), AppendAction(plan.Records)));
            }
            catch
            {
                answer.TrySetResult(false);
                throw;
            }
        });
        return answer.Task.WaitAsync(cancellationToken);
    }

    private string AppendAction(long rows) => $"Append {rows} rows to split '{Split}' (one commit to the dataset repo, one snapshot)";

    private (CatalogContext Context, TableIdentifier Id) ResolveTable()
    {
        var context = ResolveCatalog(Catalog);
        var selected = TableFilter.Select(Session.Await(context.DescribeAsync(context.OpenCatalog(Session.Hub), Session.Cancellation)), [Name], out _);
        if (selected.Count > 1)
            throw new FacebergException("TableNameAmbiguous", FacebergErrorKind.InvalidArgument,
                $"'{Name}' matches {selected.Count} tables in catalog '{context.Name}' ({string.Join(", ", selected.Select(t => t.Identifier))}); name one table.");
        if (selected.Count == 0)
            throw Failures.TableNotFound(Name, context);
        return (context, selected[0].Identifier);
    }

    /// <summary>The rest of a streamed write: the last rows, the end of the input, the confirmation and the commit.</summary>
    private void EndStream(RowStream stream)
    {
        try
        {
            if (_rows.Count > 0) Send();
            stream.Chunks.CompleteAdding();
            var result = Session.Wait(stream.Task);
            // A declined confirmation returns the plan: nothing was written.
            if (result.WhatIf) return;
            WriteVerbose($"{stream.Id}: {result.Records} row(s) in {result.Files.Count} file(s) added to {result.Repo} in Hub commit {result.Revision} (parent {result.ParentRevision}); snapshot {result.SnapshotId}.");
            WriteObject(ToResult(result));
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            ThrowWriteFailed(e);
        }
    }

    /// <summary>Ends the command with <paramref name="e"/>: a FacebergException as it is, any other expected failure as <c>WriteFailed</c>.</summary>
    private void ThrowWriteFailed(Exception e) =>
        ThrowTerminating(e as FacebergException ?? new FacebergException("WriteFailed", FacebergErrorKind.Unavailable, e.Message, e), Name);

    /// <summary>A streamed write: the chunks handed to the writer and the writer's task.</summary>
    private sealed class RowStream(TableIdentifier id, BlockingCollection<List<IReadOnlyDictionary<string, object?>>> chunks,
        Task<TableWriteResult> task) : IDisposable
    {
        public TableIdentifier Id => id;
        public BlockingCollection<List<IReadOnlyDictionary<string, object?>>> Chunks => chunks;
        public Task<TableWriteResult> Task => task;

        /// <summary>
        /// Waits for the writer, then frees the chunk queue. The session disposes the stream after it is stopped, so a
        /// writer the command left behind (its input ended by an error or Ctrl+C) has been cancelled and ends at its next
        /// chunk or request without committing; input is never completed here, which would commit the rows taken so far.
        /// The writer's own failure was reported when the command met it, or concerns a command that has ended.
        /// </summary>
        public void Dispose()
        {
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
            _ = task.Exception;
            chunks.Dispose();
        }
    }

    private static string ValueDescription(object? item) => Unwrap(item) is { } v ? $"a {v.GetType().Name} ('{v}')" : "null";

    protected override void EndProcessing()
    {
        if (_stream is not null)
        {
            EndStream(_stream);
            return;
        }
        if (_rows.Count == 0)
        {
            WriteWarning($"No rows to write to '{Name}'; nothing was written.");
            return;
        }
        try
        {
            var (context, id) = ResolveTable();
            var writer = new TableWriter(Session.Hub);

            var action = AppendAction(_rows.Count);
            if (!ShouldProcess(id.ToString(), action))
            {
                if (!WhatIfRequested) return;
                var plan = Session.Run(ct => writer.WriteAsync(context, id, Split, _rows, new TableWriteOptions { WhatIf = true, Compression = new(Compression, CompressionLevel) }, ct));
                foreach (var file in plan.Files)
                    ShouldProcess($"hf://datasets/{plan.Repo}/{file}", $"Upload new Parquet file of split '{Split}'");
                WriteObject(ToResult(plan));
                return;
            }
            var large = _rows.Count >= LargeRowCount;
            var result = Session.Run<WorkProgress, TableWriteResult>($"Writing to {id}", p => ProgressUpdate.From(p, large),
                (progress, ct) => writer.WriteAsync(context, id, Split, _rows, new TableWriteOptions { Progress = progress, Compression = new(Compression, CompressionLevel) }, ct));
            WriteVerbose($"{id}: {result.Records} row(s) in {result.Files.Count} file(s) added to {result.Repo} in Hub commit {result.Revision} (parent {result.ParentRevision}); snapshot {result.SnapshotId}.");
            WriteObject(ToResult(result));
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            ThrowWriteFailed(e);
        }
    }

    private static WriteResult ToResult(TableWriteResult r) => new()
    {
        Table = r.Table.ToString(),
        Repo = r.Repo,
        Split = r.Split,
        Files = r.Files.ToArray(),
        Records = r.Records,
        Revision = r.Revision,
        ParentRevision = r.ParentRevision,
        SnapshotId = r.SnapshotId,
        Bytes = r.Bytes,
        WhatIf = r.WhatIf,
    };
}

/// <summary>Turns PowerShell input into rows of plain .NET values for Core: objects become their properties,
/// nested objects hashtables, arrays object arrays, DBNull null.</summary>
internal static class RowConversion
{
    /// <summary>The row an input object stands for, or null when it is a scalar (a string, a number …).</summary>
    /// <param name="customObjects">Reads [pscustomobject]s fast; one per command, as it checks itself on its first object.</param>
    public static IReadOnlyDictionary<string, object?>? ToRow(object? input, CustomObjectReader? customObjects = null)
    {
        var value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case DataRow row:
                return FromDataRow(row);
            case IDictionary dictionary:
            {
                var row = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary) row[entry.Key?.ToString() ?? ""] = Plain(entry.Value);
                return row;
            }
            case null or string or ValueType:
                return null;
            default:
            {
                var wrapped = PSObject.AsPSObject(input!);
                if (customObjects is not null) return customObjects.Read(wrapped);
                var row = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in wrapped.Properties)
                {
                    if (!property.IsGettable) continue;
                    row[property.Name] = Plain(property.Value);
                }
                return row;
            }
        }
    }

    public static IReadOnlyDictionary<string, object?> FromDataRow(DataRow row)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DataColumn column in row.Table.Columns)
            result[column.ColumnName] = Plain(row[column]);
        return result;
    }

    /// <summary>A property value without PowerShell wrappers: custom objects become hashtables (struct values).</summary>
    internal static object? Plain(object? value)
    {
        switch (value)
        {
            case null or DBNull:
                return null;
            case PSObject { BaseObject: PSCustomObject } custom:
            {
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var property in custom.Properties) table[property.Name] = Plain(property.Value);
                return table;
            }
            case PSObject ps:
                return Plain(ps.BaseObject);
            case IDictionary dictionary:
            {
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in dictionary) table[entry.Key] = Plain(entry.Value);
                return table;
            }
            case string or byte[]:
                return value;
            case IEnumerable items:
                return items.Cast<object?>().Select(Plain).ToArray();
            default:
                return value;
        }
    }
}

/// <summary>
/// Reads objects' properties into <see cref="KeyedRow"/>s: one value array per object, and one name array per run of
/// objects with the same property names (objects from one source share them), so the writer matches names to
/// columns once per run, not per object.
/// A [pscustomobject]'s properties are read from its own members. Enumerating <see cref="PSObject.Properties"/> builds
/// the object's whole member list anew (its type data, its adapter's members, and on first use its reserved member
/// sets psbase, psobject …), which costs 5–30× more than the values themselves and dominated piped writes. A custom
/// object's properties are its instance members plus any type data of its type names, and PowerShell exposes the
/// member list to itself only. The fast path reads it where it is reachable, for custom objects with PowerShell's own
/// two type names only, and per command only once the first such object has read exactly as through
/// <see cref="PSObject.Properties"/> (type data adding properties to custom objects turns it off); else the public path.
/// </summary>
internal sealed class CustomObjectReader
{
    private static readonly Func<PSObject, IEnumerable<PSMemberInfo>>? InstanceMembers = Bind<IEnumerable<PSMemberInfo>>("InstanceMembers");

    /// <summary>The type names as PowerShell keeps them: the public <see cref="PSObject.TypeNames"/> copies them into each object under a lock.</summary>
    private static readonly Func<PSObject, IList<string>>? InternalTypeNames = Bind<IList<string>>("InternalTypeNames");

    private const string ReservedTypeNames = "pstypenames";
    private bool? _verified;
    private string[] _lastNames = [];
    private readonly List<string> _names = [];
    private readonly List<object?> _values = [];

    private static Func<PSObject, T>? Bind<T>(string property) where T : class
    {
        try
        {
            var getter = typeof(PSObject).GetProperty(property, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetMethod;
            return getter is not null && typeof(T).IsAssignableFrom(getter.ReturnType)
                ? (Func<PSObject, T>)Delegate.CreateDelegate(typeof(Func<PSObject, T>), getter)
                : null;
        }
        catch (Exception e) when (e is ArgumentException or MemberAccessException)
        {
            return null;
        }
    }

    /// <summary>The gettable properties of <paramref name="ps"/> (whose names are distinct, as PowerShell keeps them).</summary>
    public KeyedRow Read(PSObject ps)
    {
        _names.Clear();
        _values.Clear();
        if (!TryReadFast(ps))
        {
            _names.Clear();
            _values.Clear();
            foreach (var property in ps.Properties)
            {
                if (!property.IsGettable) continue;
                _names.Add(property.Name);
                _values.Add(RowConversion.Plain(property.Value));
            }
        }
        return new KeyedRow(Shape(), _values.ToArray());
    }

    /// <summary>The names just read, as the previous object's array when they are the same.</summary>
    private string[] Shape()
    {
        var same = _lastNames.Length == _names.Count;
        for (var i = 0; same && i < _names.Count; i++) same = string.Equals(_lastNames[i], _names[i], StringComparison.Ordinal);
        if (!same) _lastNames = _names.ToArray();
        return _lastNames;
    }

    private bool TryReadFast(PSObject ps)
    {
        if (InstanceMembers is null || InternalTypeNames is null || _verified == false || ps.BaseObject is not PSCustomObject || !HasOnlyCustomObjectTypeNames(ps))
            return false;
        foreach (var member in InstanceMembers(ps))
        {
            if (member is PSPropertyInfo { IsGettable: true } property && !string.Equals(property.Name, ReservedTypeNames, StringComparison.OrdinalIgnoreCase))
            {
                _names.Add(property.Name);
                _values.Add(RowConversion.Plain(property.Value));
            }
        }
        if (_verified is null)
        {
            var expected = new List<string>();
            foreach (var property in ps.Properties)
            {
                if (property.IsGettable) expected.Add(property.Name);
            }
            _verified = expected.SequenceEqual(_names, StringComparer.Ordinal);
        }
        return _verified == true;
    }

    private static bool HasOnlyCustomObjectTypeNames(PSObject ps)
    {
        var names = InternalTypeNames!(ps);
        return names.Count == 2 && names[0] == typeof(PSCustomObject).FullName && names[1] == typeof(object).FullName;
    }
}
