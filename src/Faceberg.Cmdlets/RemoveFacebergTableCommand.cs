using System.Management.Automation;

namespace Faceberg.Cmdlets;

/// <summary>
/// Remove-FacebergTable: drops tables from the catalog (catalog.json); with -Purge also deletes each
/// table's metadata folder. The dataset's data files are never touched.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FacebergTable", DefaultParameterSetName = ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFacebergTableCommand : FacebergTableCmdlet
{
    /// <summary>Also delete the table's metadata folder (Iceberg metadata, manifests) when it lies inside the catalog.</summary>
    [Parameter]
    public SwitchParameter Purge { get; set; }

    protected override void ProcessTable(TableTarget target)
    {
        var folder = target.Catalog.GetTableEntryAsync(target.Identifier, Cancellation).GetAwaiter().GetResult().OwnedFolder;
        var inside = folder is not null;
        var action = Purge && inside
            ? $"Remove from catalog '{target.Context.Name}' and delete its metadata folder {folder}"
            : $"Remove from catalog '{target.Context.Name}' (metadata files are kept)";
        if (!ShouldProcess(target.Identifier.ToString(), action)) return;
        target.Catalog.DropTableAsync(target.Identifier, Purge, Cancellation).GetAwaiter().GetResult();
        if (Purge && !inside)
            WriteWarning($"Table '{target.Identifier}' was removed from the catalog, but its metadata at {target.Location} is outside the catalog folder and was left in place.");
    }
}
