using System.Management.Automation;
using Faceberg.Cmdlets.Completers;
using Faceberg.Cmdlets.Plumbing;

namespace Faceberg.Cmdlets;

/// <summary>
/// Remove-FacebergTable: drops tables from the catalog (catalog.json); with -Purge also deletes each
/// table's metadata folder. The dataset's data files are never touched.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FacebergTable", DefaultParameterSetName = TableParameters.ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFacebergTableCommand : FacebergCmdlet
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

    /// <summary>Also delete the table's metadata folder (Iceberg metadata, manifests) when it lies inside the catalog.</summary>
    [Parameter]
    public SwitchParameter Purge { get; set; }

    protected override void ProcessRecord() => TableTargets.ForEach(this, Name, InputObject, Catalog, Remove);

    private void Remove(TableTarget target)
    {
        var folder = Session.Await(target.Catalog.GetTableEntryAsync(target.Identifier, Session.Cancellation)).OwnedFolder;
        var inside = folder is not null;
        var action = Purge && inside
            ? $"Remove from catalog '{target.Context.Name}' and delete its metadata folder {folder}"
            : $"Remove from catalog '{target.Context.Name}' (metadata files are kept)";
        if (!ShouldProcess(target.Identifier.ToString(), action)) return;
        Session.Await(target.Catalog.DropTableAsync(target.Identifier, Purge, Session.Cancellation));
        WriteVerbose($"Removed {target.Identifier} from catalog '{target.Context.Name}'" + (Purge && inside ? $" and deleted {folder}." : "."));
        if (Purge && !inside)
            WriteWarning($"Table '{target.Identifier}' was removed from the catalog, but its metadata at {target.Location} is outside the catalog folder and was left in place.");
    }
}
