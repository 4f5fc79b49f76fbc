using System.Collections;
using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Cmdlets;

/// <summary>
/// Update-FacebergTable: evolves a table's schema (add, rename, drop top-level columns; field ids are kept
/// and the name mapping keeps old names, so files written before still read correctly) and sets or
/// removes table properties. With -PassThru emits the updated Faceberg.Table.
/// </summary>
[Cmdlet(VerbsData.Update, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = TableParameters.ByName)]
[OutputType(typeof(Table))]
public sealed class UpdateFacebergTableCommand : FacebergCmdlet
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

    /// <summary>New optional columns as "name:type", e.g. "lang:string", "price:decimal(9,2)".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AddColumn { get; set; }

    /// <summary>Renames as "old=new".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RenameColumn { get; set; }

    /// <summary>Columns to drop (their data stays in the files; readers no longer return it).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DropColumn { get; set; }

    /// <summary>Table properties to set; a $null value removes the property.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Property { get; set; }

    /// <summary>Emit the updated Faceberg.Table (by default the cmdlet emits nothing).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (AddColumn is null && RenameColumn is null && DropColumn is null && Property is null)
            ThrowTerminating(new FacebergException("UpdateNothingToDo", FacebergErrorKind.InvalidArgument,
                "Give -AddColumn, -RenameColumn, -DropColumn or -Property."));
        try
        {
            _changes = new ColumnChanges
            {
                Add = (AddColumn ?? []).Select(ParseAdd).ToList(),
                Rename = (RenameColumn ?? []).Select(ParseRename).ToList(),
                Drop = DropColumn ?? [],
            };
        }
        catch (FacebergException e)
        {
            ThrowTerminating(e);
        }
    }

    private ColumnChanges _changes = new();

    protected override void ProcessRecord()
    {
        var access = new TableAccess(() => Session.Hub);
        TableTargets.ForEach(this, Name, InputObject, Catalog, target => Update(access, target));
    }

    private void Update(TableAccess access, TableTarget target)
    {
        var what = string.Join("; ", Describe());
        if (!ShouldProcess(target.Identifier.ToString(), $"Update table: {what}"))
            return;
        LoadedTable? table = null;
        if (!_changes.IsEmpty)
            table = CommitColumnChanges(access, target);
        if (Property is not null)
        {
            var set = new Dictionary<string, string>(StringComparer.Ordinal);
            var remove = new List<string>();
            foreach (DictionaryEntry entry in Property)
            {
                var key = entry.Key?.ToString() ?? "";
                var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                if (value is null) remove.Add(key);
                else set[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
            table = access.Commit(target, [], [new SetProperties(set), new RemoveProperties(remove)], Session.Cancellation);
        }
        if (table is not null)
            WriteVerbose($"{target.Identifier}: committed ({what}); metadata {table.MetadataLocation}.");
        if (!PassThru)
            return;
        var info = new FacebergTableInfo { Identifier = target.Identifier, Location = target.Location };
        Session.Await(TableFacts.ApplyAsync(info, (table ?? access.Load(target, Session.Cancellation)).Table, Session.Cancellation));
        var count = Session.Await(target.Catalog.ListTablesAsync(null, Session.Cancellation)).Count;
        WriteObject(OutputObjects.ToTable(info, OutputObjects.ToCatalog(target.Context, count)));
    }

    /// <summary>The column changes as one schema commit on the version they were planned on; planned again on the newer
    /// version when another writer changed the schema first (the requirements say so), since the names may mean other fields now.</summary>
    private LoadedTable CommitColumnChanges(TableAccess access, TableTarget target)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var current = access.Load(target, Session.Cancellation);
            var (requirements, updates) = _changes.ToCommit(current.Metadata, target.Identifier.ToString());
            try
            {
                return access.Commit(target, requirements, updates, Session.Cancellation);
            }
            catch (CommitFailedException) when (attempt < attempts)
            {
            }
        }
    }

    private IEnumerable<string> Describe()
    {
        foreach (var c in _changes.Add) yield return $"add column {c.Name} {c.Type}";
        foreach (var (from, to) in _changes.Rename) yield return $"rename column {from} to {to}";
        foreach (var c in _changes.Drop) yield return $"drop column {c}";
        if (Property is not null)
            foreach (DictionaryEntry e in Property) yield return (e.Value is PSObject wrapped ? wrapped.BaseObject : e.Value) is null ? $"remove property {e.Key}" : $"set property {e.Key}";
    }

    private static NestedField ParseAdd(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new FacebergException("UpdateInvalidColumnSpec", FacebergErrorKind.InvalidArgument,
                $"-AddColumn '{text}' must be name:type, e.g. 'lang:string' or 'price:decimal(9,2)'.");
        var name = text[..colon].Trim();
        PrimitiveType type;
        try
        {
            type = PrimitiveType.Parse(text[(colon + 1)..]);
        }
        catch (FacebergException e)
        {
            throw new FacebergException("UpdateInvalidColumnSpec", FacebergErrorKind.InvalidArgument,
                $"-AddColumn '{text}': {e.Message} Types: boolean, int, long, float, double, decimal(P,S), date, timestamp, timestamptz, string, uuid, binary.", e);
        }
        // Ids are assigned by the commit.
        return NestedField.Optional(0, name, type);
    }

    private static KeyValuePair<string, string> ParseRename(string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
            throw new FacebergException("UpdateInvalidRenameSpec", FacebergErrorKind.InvalidArgument,
                $"-RenameColumn '{text}' must be old=new, e.g. 'text=body'.");
        return new(parts[0].Trim(), parts[1].Trim());
    }
}
