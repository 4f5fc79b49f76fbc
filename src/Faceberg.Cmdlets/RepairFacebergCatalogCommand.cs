using System.Management.Automation;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Catalog.Relocation;

namespace Faceberg.Cmdlets;

/// <summary>
/// Repair-FacebergCatalog: makes a local catalog that was copied or moved work in the folder it is in now, by
/// writing a new metadata version of each table whose Iceberg metadata still names the old folder.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "FacebergCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RepairResult))]
public sealed class RepairFacebergCatalogCommand : FacebergCmdlet
{
    /// <summary>A Faceberg.Catalog object, a folder or faceberg.yml path; default: the nearest catalog.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    protected override void ProcessRecord() => Try(Catalog, () =>
    {
        var context = ResolveCatalog(Catalog);
        if (!context.Location.IsLocal)
        {
            WriteVerbose($"Catalog '{context.Name}' is on the Hub: its tables are located by hf:// paths, which no copy changes. Nothing to repair.");
            return;
        }
        var directory = context.Location.Path;
        var plan = Session.Run(ct => CatalogRelocation.RepairAsync(directory, context.PublishedRoot, whatIf: true, ct: ct));
        if (plan.Count == 0)
        {
            WriteVerbose($"Every table of catalog '{context.Name}' names its own folder in '{directory}'. Nothing to repair.");
            return;
        }
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in plan)
        {
            if (ShouldProcess(table.Identifier.ToString(), $"Write a new metadata version whose paths name '{table.To}' instead of '{table.From}' ({table.FilesWritten} file(s))"))
                chosen.Add(table.Identifier.ToString());
        }
        if (chosen.Count == 0)
            return;
        var repaired = Session.Run(ct => CatalogRelocation.RepairAsync(directory, context.PublishedRoot, shouldRepair: id => chosen.Contains(id.ToString()), ct: ct));
        foreach (var table in repaired)
        {
            WriteVerbose($"Repaired {table.Identifier}: metadata v{table.MetadataVersion} names '{table.To}' ({table.FilesWritten} file(s) written).");
            WriteObject(new RepairResult
            {
                Table = table.Identifier.ToString(),
                From = table.From,
                To = table.To,
                MetadataVersion = table.MetadataVersion ?? 0,
                FilesWritten = table.FilesWritten,
            });
        }
    });
}
