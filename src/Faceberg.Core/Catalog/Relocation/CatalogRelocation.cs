using System.Text;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Catalog.Relocation;

/// <summary>A table of a local catalog whose metadata names another folder than the one its files are in.</summary>
public sealed record MisplacedTable(TableIdentifier Identifier, string Folder, string RecordedLocation, string Location, int Version);

/// <summary>One table a repair rewrote (or, for a WhatIf run, would rewrite).</summary>
public sealed record RepairedTable(TableIdentifier Identifier, string From, string To, int? MetadataVersion, int FilesWritten);

/// <summary>
/// Finds and repairs the tables of a local catalog whose Iceberg metadata names another folder than theirs — a
/// catalog folder copied (<c>cp -r</c>, a git clone) or moved (see <see cref="RelocatedTables"/>). A working copy of a
/// Hub catalog records hf:// paths, which mean the same in any folder.
/// </summary>
public static class CatalogRelocation
{
    /// <summary>The tables of the catalog at <paramref name="catalogDirectory"/> whose files are in the catalog folder but whose
    /// current metadata names another folder. Tables registered from elsewhere (absolute entries) are not its to repair.</summary>
    public static async Task<IReadOnlyList<MisplacedTable>> FindMisplacedAsync(string catalogDirectory, string? publishedRoot, CancellationToken ct = default)
    {
        var file = JsonCatalog.Open(catalogDirectory, publishedRoot);
        var misplaced = new List<MisplacedTable>();
        foreach (var id in file.ListTables().Order())
        {
            if (file.OwnedTableFolder(id) is not { } folder || !File.Exists(Path.Combine(folder, "metadata", IcebergTable.VersionHintFile)))
                continue;
            var table = await IcebergTable.LoadAsync(new LocalFileIO(), TableLocation.Local(folder).Uri, ct).ConfigureAwait(false);
            if (RelocatedTables.OriginalFolder(catalogDirectory, folder, table.Metadata.Location) is not null)
                misplaced.Add(new MisplacedTable(id, folder, table.Metadata.Location, TableLocation.Parse(file.GetTableLocation(id)).Uri, table.Version));
        }
        return misplaced;
    }

    /// <summary>
    /// Rewrites every misplaced table for the folder it is in: per table a new metadata version whose paths (and those of the
    /// manifest lists, manifests and records it reaches, written anew) name this folder. Existing files are never changed, and
    /// only files inside the catalog folder are read. With <paramref name="whatIf"/> nothing is written.
    /// </summary>
    public static async Task<IReadOnlyList<RepairedTable>> RepairAsync(string catalogDirectory, string? publishedRoot, bool whatIf = false,
        Func<TableIdentifier, bool>? shouldRepair = null, CancellationToken ct = default)
    {
        catalogDirectory = Path.GetFullPath(catalogDirectory);
        var repaired = new List<RepairedTable>();
        foreach (var table in await FindMisplacedAsync(catalogDirectory, publishedRoot, ct).ConfigureAwait(false))
        {
            if (shouldRepair is not null && !shouldRepair(table.Identifier))
                continue;
            var rewrite = new PathRewrite(table.RecordedLocation, table.Location);
            var relocated = TableRelocator.NewVersion(table.Folder, rewrite, table.Version, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (!whatIf)
                await WriteAsync(table, relocated, ct).ConfigureAwait(false);
            repaired.Add(new RepairedTable(table.Identifier, table.RecordedLocation, table.Location, whatIf ? null : relocated.Version, relocated.Files.Count));
        }
        return repaired;
    }

    private static async Task WriteAsync(MisplacedTable table, RelocatedVersion relocated, CancellationToken ct)
    {
        var io = new LocalFileIO();
        var folderUri = TableLocation.Local(table.Folder).Uri;
        // Manifests and records first, then the metadata file (the commit point: created exclusively, so a concurrent
        // commit or repair of the same version fails this one), then the version hint.
        foreach (var file in relocated.Files)
        {
            try
            {
                await io.WriteAsync(folderUri + file.Rest, file.Content, overwrite: false, ct).ConfigureAwait(false);
            }
            catch (FacebergException ex) when (ex.Kind == FacebergErrorKind.AlreadyExists && file == relocated.Files[^1])
            {
                throw new FacebergException("RepairConflict", FacebergErrorKind.Conflict,
                    $"Table '{table.Identifier}' got metadata version {relocated.Version} from another writer while it was being repaired; run Repair-FacebergCatalog again.", ex);
            }
        }
        await io.WriteAsync(folderUri + "/metadata/" + IcebergTable.VersionHintFile,
            Encoding.ASCII.GetBytes(relocated.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), overwrite: true, ct).ConfigureAwait(false);
    }
}
