using System.Text.Json;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A local table creation in progress: <c>.creating/&lt;namespace.table&gt;.json</c> in the catalog folder records
/// the table, its stored location and the creating process (pid, start time, host). <see cref="JsonCatalog"/>
/// writes it with the catalog entry, under the catalog lock, and rolls back a creation whose owner died before
/// the table's version hint was written. The folder starts with '.', so it is never published.
/// </summary>
internal static class CreationMarkers
{
    public const string FolderName = ".creating";

    public sealed record Marker(string Table, string? Stored, int Pid, DateTimeOffset? Start, string Host, DateTimeOffset Since)
    {
        /// <summary>True unless the owner is known dead: same host, and no process with its id or one started at another time.
        /// An owner on another host counts as alive for <see cref="CatalogLock.ForeignLockAge"/>.</summary>
        public bool OwnerAlive
        {
            get
            {
                if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
                    return DateTimeOffset.UtcNow - Since <= CatalogLock.ForeignLockAge;
                if (Pid == Environment.ProcessId)
                    return true;
                var start = CatalogLock.ProcessStart(Pid);
                if (start is null)
                    return false;
                return start == DateTimeOffset.MinValue || Start is not { } recorded || Math.Abs((start.Value - recorded).TotalSeconds) <= 1;
            }
        }
    }

    public static bool Any(string catalogDirectory) => Directory.Exists(Path.Combine(catalogDirectory, FolderName));

    public static void Begin(string catalogDirectory, TableIdentifier table, string stored)
    {
        var folder = Path.Combine(catalogDirectory, FolderName);
        Directory.CreateDirectory(folder);
        var marker = new Marker(table.ToString(), stored, Environment.ProcessId, CatalogLock.ProcessStart(Environment.ProcessId),
            Environment.MachineName, DateTimeOffset.UtcNow);
        AtomicFile.WriteAllBytes(Path.Combine(folder, table + ".json"), JsonSerializer.SerializeToUtf8Bytes(marker));
    }

    public static IReadOnlyList<Marker> List(string catalogDirectory)
    {
        var folder = Path.Combine(catalogDirectory, FolderName);
        var markers = new List<Marker>();
        if (!Directory.Exists(folder))
            return markers;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<Marker>(File.ReadAllBytes(file)) is { } marker
                    && marker.Table + ".json" == Path.GetFileName(file) && TableIdentifier.TryParse(marker.Table, out _))
                    markers.Add(marker);
                else
                    File.Delete(file);
            }
            catch (JsonException) { TryDelete(file); }
            catch (IOException) { }
        }
        return markers;
    }

    public static void End(string catalogDirectory, Marker marker)
    {
        var folder = Path.Combine(catalogDirectory, FolderName);
        TryDelete(Path.Combine(folder, marker.Table + ".json"));
        try
        {
            if (!Directory.EnumerateFileSystemEntries(folder).Any())
                Directory.Delete(folder);
        }
        catch (IOException) { }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
