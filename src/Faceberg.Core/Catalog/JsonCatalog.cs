using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Catalog;

/// <summary>
/// A catalog kept in one human-readable file, <c>catalog.json</c>: a flat dictionary from
/// <c>"namespace.table"</c> to the table's location (relative to the catalog directory unless
/// absolute). Namespaces are the folders under <c>metadata/</c>; each table owns the folder
/// <c>metadata/&lt;namespace&gt;/&lt;table&gt;</c> by default.
/// Every change re-reads the file under a lock file and refuses to save when the file no longer
/// matches what this instance loaded, so a concurrent writer is reported, never overwritten.
/// </summary>
public sealed class JsonCatalog
{
    public const string CatalogFileName = "catalog.json";
    public const string MetadataFolderName = "metadata";
    public const string LockFileName = "catalog.json.lock";

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    private SortedDictionary<string, string> _entries;
    private string _loadedHash;

    private JsonCatalog(string directory, SortedDictionary<string, string> entries, string loadedHash, string? publishedRoot = null)
    {
        PublishedRoot = publishedRoot?.TrimEnd('/');
        Directory = directory;
        _entries = entries;
        _loadedHash = loadedHash;
    }

    /// <summary>The catalog directory (holds catalog.json and metadata/).</summary>
    public string Directory { get; }

    public string CatalogFile => Path.Combine(Directory, CatalogFileName);

    /// <summary>
    /// The <c>hf://datasets/&lt;catalog-repo&gt;</c> URI of the repo this directory is a working copy of, or null
    /// for a purely local catalog. With it, tables inside the catalog are located by their published URI
    /// (so Iceberg metadata written for them stays valid after publishing); the working copy serves those
    /// URIs from local files until then.
    /// </summary>
    public string? PublishedRoot { get; }

    public string MetadataDirectory => Path.Combine(Directory, MetadataFolderName);

    /// <summary>How long a change waits for another process's lock before giving up.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static bool ExistsAt(string directory) => File.Exists(Path.Combine(directory, CatalogFileName));

    /// <summary>Creates an empty catalog with the given namespaces (default: <c>default</c>).
    /// An existing catalog is an error unless <paramref name="overwrite"/>, which replaces its
    /// catalog.json and removes its metadata folder.</summary>
    public static JsonCatalog Create(string directory, bool overwrite = false, IEnumerable<string>? namespaces = null, string? publishedRoot = null)
    {
        directory = Path.GetFullPath(directory);
        var nsList = (namespaces ?? [TableIdentifier.DefaultNamespace]).ToList();
        nsList.ForEach(TableIdentifier.ValidateNamespace);
        if (ExistsAt(directory))
        {
            if (!overwrite)
                throw new FacebergException("CatalogAlreadyExists", FacebergErrorKind.AlreadyExists,
                    $"A catalog already exists at '{directory}'. Use -Force to replace it.");
            var metadata = Path.Combine(directory, MetadataFolderName);
            if (System.IO.Directory.Exists(metadata))
                System.IO.Directory.Delete(metadata, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        foreach (var ns in nsList)
            System.IO.Directory.CreateDirectory(Path.Combine(directory, MetadataFolderName, ns));
        var empty = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var bytes = Serialize(empty);
        AtomicFile.WriteAllBytes(Path.Combine(directory, CatalogFileName), bytes);
        return new JsonCatalog(directory, empty, AtomicFile.Hash(bytes), publishedRoot);
    }

    public static JsonCatalog Open(string directory, string? publishedRoot = null)
    {
        directory = Path.GetFullPath(directory);
        var file = Path.Combine(directory, CatalogFileName);
        var bytes = ReadCatalogBytes(file);
        var catalog = new JsonCatalog(directory, Deserialize(file, bytes), AtomicFile.Hash(bytes), publishedRoot);
        if (CreationMarkers.Any(directory) && catalog.RollBackAbandonedCreations())
            catalog = new JsonCatalog(directory, Deserialize(file, ReadCatalogBytes(file)), AtomicFile.Hash(ReadCatalogBytes(file)), publishedRoot);
        return catalog;
    }

    /// <summary>
    /// A creation registers its table, then writes the table's files (the version hint last). A process killed in
    /// between leaves an entry without a readable table: its marker names a dead owner and the folder has no
    /// version hint. Such a table is rolled back (entry and folder, which held nothing before the creation), so every
    /// command sees either no table or a complete one, and running the creation again creates it. Markers of
    /// finished creations are removed. Returns true when catalog.json changed.
    /// </summary>
    private bool RollBackAbandonedCreations()
    {
        var changed = false;
        foreach (var marker in CreationMarkers.List(Directory))
        {
            var complete = marker.Stored is { } s && File.Exists(Path.Combine(LocalFolder(s), "metadata", Iceberg.Table.IcebergTable.VersionHintFile));
            var entryIsOurs = _entries.TryGetValue(marker.Table, out var stored) && stored == marker.Stored;
            if (complete || !entryIsOurs)
            {
                CreationMarkers.End(Directory, marker);
                continue;
            }
            if (marker.OwnerAlive)
                continue;
            try
            {
                var id = TableIdentifier.Parse(marker.Table);
                Mutate(entries =>
                {
                    if (entries.TryGetValue(marker.Table, out var current) && current == marker.Stored)
                        entries.Remove(marker.Table);
                });
                var folder = LocalFolder(marker.Stored!);
                if (IsOwnedEntry(marker.Stored!) && IsInside(folder, Directory) && System.IO.Directory.Exists(folder))
                {
                    PathSafety.RequireNoLinkEscape(folder, Directory, "UnsafeTableLocation");
                    System.IO.Directory.Delete(folder, recursive: true);
                }
                CreationMarkers.End(Directory, marker);
                changed = true;
            }
            catch (CatalogConflictException)
            {
                // Another process changed catalog.json meanwhile; the next open rolls it back.
            }
        }
        return changed;
    }

    public IReadOnlyList<TableIdentifier> ListTables(string? @namespace = null)
    {
        if (@namespace is not null)
            RequireNamespace(@namespace);
        return _entries.Keys.Select(k => TableIdentifier.Parse(k))
            .Where(id => @namespace is null || id.Namespace == @namespace)
            .ToList();
    }

    public IReadOnlyList<string> ListNamespaces()
    {
        var fromFolders = System.IO.Directory.Exists(MetadataDirectory)
            ? System.IO.Directory.GetDirectories(MetadataDirectory).Select(Path.GetFileName).OfType<string>().Where(TableIdentifier.IsValidPart)
            : [];
        var fromTables = _entries.Keys.Select(k => TableIdentifier.Parse(k).Namespace);
        return fromFolders.Concat(fromTables).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public bool NamespaceExists(string @namespace)
    {
        TableIdentifier.ValidateNamespace(@namespace);
        return System.IO.Directory.Exists(NamespaceDirectory(@namespace))
            || _entries.Keys.Any(k => TableIdentifier.Parse(k).Namespace == @namespace);
    }

    public void CreateNamespace(string @namespace)
    {
        if (NamespaceExists(@namespace))
            throw new FacebergException("NamespaceAlreadyExists", FacebergErrorKind.AlreadyExists,
                $"Namespace '{@namespace}' already exists in catalog '{Directory}'.");
        System.IO.Directory.CreateDirectory(NamespaceDirectory(@namespace));
    }

    public void DropNamespace(string @namespace)
    {
        RequireNamespace(@namespace);
        if (_entries.Keys.Any(k => TableIdentifier.Parse(k).Namespace == @namespace))
            throw new FacebergException("NamespaceNotEmpty", FacebergErrorKind.Conflict,
                $"Namespace '{@namespace}' still has tables; drop them first.");
        var folder = NamespaceDirectory(@namespace);
        if (!System.IO.Directory.Exists(folder))
            return;
        if (System.IO.Directory.EnumerateFileSystemEntries(folder).Any())
            throw new FacebergException("NamespaceNotEmpty", FacebergErrorKind.Conflict,
                $"Namespace folder '{folder}' still holds files of dropped tables; remove them first.");
        System.IO.Directory.Delete(folder);
    }

    public bool TableExists(TableIdentifier id) => _entries.ContainsKey(id.ToString());

    /// <summary>The table's absolute location (a directory, or a URI such as hf://…).</summary>
    public string GetTableLocation(TableIdentifier id) =>
        TryGetTableLocation(id, out var location)
            ? location
            : throw TableNotFound(id);

    public bool TryGetTableLocation(TableIdentifier id, out string location)
    {
        if (_entries.TryGetValue(id.ToString(), out var stored))
        {
            location = Resolve(stored);
            return true;
        }
        location = "";
        return false;
    }

    /// <summary>The catalog-owned folder that holds the table's files and that a purge deletes: a folder inside the
    /// catalog directory (also for a working copy, whose tables are located by their published hf:// URI), or null
    /// when the files live elsewhere.</summary>
    public string? OwnedTableFolder(TableIdentifier id)
    {
        if (!_entries.TryGetValue(id.ToString(), out var stored))
            throw TableNotFound(id);
        var folder = LocalFolder(stored);
        return IsOwnedEntry(stored) && IsInside(folder, Directory) ? folder : null;
    }

    /// <summary>Where a new table's files go unless told otherwise.</summary>
    public string DefaultTableLocation(TableIdentifier id) => Resolve(Store(Path.Combine(NamespaceDirectory(id.Namespace), id.Name)));

    /// <summary>Adds a table to the catalog and creates its folder; returns its absolute location.</summary>
    public string CreateTable(TableIdentifier id, string? location = null)
    {
        RequireNamespace(id.Namespace);
        var absolute = location is null ? DefaultTableLocation(id) : Resolve(location);
        Mutate(entries =>
        {
            if (entries.ContainsKey(id.ToString()))
                throw TableAlreadyExists(id);
            var stored = Store(absolute);
            if (IsOwnedEntry(stored))
            {
                // A new table's folder is its own: files already there belong to a table that is not in the catalog
                // (kept by a drop without purge), and a failed create must never delete them.
                var folder = LocalFolder(stored);
                PathSafety.RequireNoLinkEscape(folder, Directory, "UnsafeTableLocation");
                RequireEmptyFolder(id, folder);
                System.IO.Directory.CreateDirectory(folder);
                CreationMarkers.Begin(Directory, id, stored);
            }
            else if (IsLocalPath(absolute))
                System.IO.Directory.CreateDirectory(absolute);
            entries[id.ToString()] = stored;
        });
        CrashPoints.Reach(CrashPoints.NewRegistered);
        return absolute;
    }

    /// <summary>Adds an existing table (its folder already holds its metadata) to the catalog; returns its absolute location.</summary>
    internal string RegisterTable(TableIdentifier id, string location)
    {
        RequireNamespace(id.Namespace);
        var absolute = Resolve(location);
        Mutate(entries =>
        {
            if (entries.ContainsKey(id.ToString()))
                throw TableAlreadyExists(id);
            var stored = Store(absolute);
            if (IsOwnedEntry(stored))
                PathSafety.RequireNoLinkEscape(LocalFolder(stored), Directory, "UnsafeTableLocation");
            entries[id.ToString()] = stored;
        });
        return absolute;
    }

    /// <summary>The default folder of a table that is not in the catalog when it holds files (a table kept by a drop
    /// without purge, or files put there by hand), else null.</summary>
    public string? KeptTableFolder(TableIdentifier id)
    {
        if (_entries.ContainsKey(id.ToString()))
            return null;
        var folder = LocalFolder(Store(DefaultTableLocation(id)));
        return IsLocalPath(folder) && System.IO.Directory.Exists(folder) && System.IO.Directory.EnumerateFileSystemEntries(folder).Any() ? folder : null;
    }

    private static void RequireEmptyFolder(TableIdentifier id, string folder)
    {
        if (System.IO.Directory.Exists(folder) && System.IO.Directory.EnumerateFileSystemEntries(folder).Any())
            throw FolderInUse(id, folder);
    }

    /// <summary>The error for a new table whose folder already holds another table's files (see <see cref="KeptTableFolder"/>).</summary>
    public static FacebergException FolderInUse(TableIdentifier id, string folder) =>
        new("TableFolderInUse", FacebergErrorKind.AlreadyExists,
            $"Cannot create table '{id}': its folder '{folder}' already holds the files of a table that is not in the catalog " +
            "(Remove-FacebergTable without -Purge keeps them), and they are not a readable table of the same dataset, config and ref, which New-FacebergTable " +
            "would register again. Faceberg neither overwrites nor deletes them: move or delete that folder to create the table anew.");

    /// <summary>Removes a table from the catalog; <paramref name="purge"/> also deletes its folder
    /// when that folder is inside the catalog directory.</summary>
    public void DropTable(TableIdentifier id, bool purge = false)
    {
        string? removed = null;
        Mutate(entries =>
        {
            if (!entries.Remove(id.ToString(), out removed))
                throw TableNotFound(id);
            if (CreationInProgress(id, removed) is { } creation)
                throw new FacebergException("TableBeingCreated", FacebergErrorKind.Conflict,
                    $"Cannot remove table '{id}': process {creation.Pid} on {creation.Host} has been creating it since {creation.Since:u}. "
                    + "Remove it once that creation has finished (or the process has ended: an abandoned creation is rolled back by itself).");
            if (purge && IsOwnedEntry(removed) && entries.FirstOrDefault(e => SameFolder(e.Value, removed)) is { Key: { } other })
                throw new FacebergException("TableFolderShared", FacebergErrorKind.Conflict,
                    $"Cannot purge table '{id}': its folder '{LocalFolder(removed)}' is also the folder of '{other}'. Remove it without -Purge.");
        });
        var folder = LocalFolder(removed!);
        if (purge && IsOwnedEntry(removed!) && IsInside(folder, Directory) && System.IO.Directory.Exists(folder))
        {
            // A symbolic link on the way (metadata/ns -> elsewhere) would make the purge delete files outside the catalog.
            PathSafety.RequireNoLinkEscape(folder, Directory, "UnsafeTableLocation");
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Another live process's unfinished creation of <paramref name="id"/> at <paramref name="stored"/>: dropping the
    /// entry under it would leave that process writing a table nobody lists. This process's own creation may drop it
    /// (that is how a failed creation cleans up).</summary>
    private CreationMarkers.Marker? CreationInProgress(TableIdentifier id, string stored)
    {
        if (!CreationMarkers.Any(Directory))
            return null;
        var marker = CreationMarkers.List(Directory).FirstOrDefault(m => m.Table == id.ToString() && m.Stored == stored);
        if (marker is null || (marker.Pid == Environment.ProcessId && string.Equals(marker.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)))
            return null;
        var complete = File.Exists(Path.Combine(LocalFolder(stored), "metadata", Iceberg.Table.IcebergTable.VersionHintFile));
        return !complete && marker.OwnerAlive ? marker : null;
    }

    /// <summary>Renames a table. Its files stay where they are: Iceberg metadata records the
    /// table location, so moving the folder would break it.</summary>
    public void RenameTable(TableIdentifier from, TableIdentifier to)
    {
        RequireNamespace(to.Namespace);
        Mutate(entries =>
        {
            if (!entries.TryGetValue(from.ToString(), out var location))
                throw TableNotFound(from);
            if (entries.ContainsKey(to.ToString()))
                throw TableAlreadyExists(to);
            entries.Remove(from.ToString());
            entries[to.ToString()] = location;
        });
    }

    private void Mutate(Action<SortedDictionary<string, string>> change)
    {
        using var _ = AcquireLock();
        if (!File.Exists(CatalogFile))
            throw new CatalogConflictException(CatalogFile, $"Catalog file '{CatalogFile}' was deleted by another process.");
        var current = File.ReadAllBytes(CatalogFile);
        if (AtomicFile.Hash(current) != _loadedHash)
            throw new CatalogConflictException(CatalogFile,
                $"Catalog file '{CatalogFile}' was changed by another process after it was loaded; open the catalog again and retry.");
        var next = new SortedDictionary<string, string>(_entries, StringComparer.Ordinal);
        change(next);
        var bytes = Serialize(next);
        AtomicFile.WriteAllBytes(CatalogFile, bytes);
        _entries = next;
        _loadedHash = AtomicFile.Hash(bytes);
    }

    private FileStream AcquireLock() => CatalogLock.Acquire(Path.Combine(Directory, LockFileName), CatalogFile, Directory, LockTimeout);

    private void RequireNamespace(string @namespace)
    {
        if (!NamespaceExists(@namespace))
            throw new FacebergException("NamespaceNotFound", FacebergErrorKind.NotFound,
                $"Namespace '{@namespace}' does not exist in catalog '{Directory}'.");
    }

    private FacebergException TableNotFound(TableIdentifier id) => TableNotFound(id, Directory);

    internal static FacebergException TableNotFound(TableIdentifier id, string catalog) =>
        new("TableNotFound", FacebergErrorKind.NotFound, $"Table '{id}' does not exist in catalog '{catalog}'.");

    private FacebergException TableAlreadyExists(TableIdentifier id) => TableAlreadyExists(id, Directory);

    internal static FacebergException TableAlreadyExists(TableIdentifier id, string catalog) =>
        new("TableAlreadyExists", FacebergErrorKind.AlreadyExists, $"Table '{id}' already exists in catalog '{catalog}'.");

    /// <summary>Fails when the table is already in the catalog.</summary>
    internal void RequireAbsent(TableIdentifier id)
    {
        if (_entries.ContainsKey(id.ToString()))
            throw TableAlreadyExists(id);
    }

    private string NamespaceDirectory(string @namespace) => Path.Combine(MetadataDirectory, @namespace);

    // Stored locations are paths (relative to the catalog or absolute) or URIs.
    private static bool IsLocalPath(string location) => !CatalogLocation.IsUri(location);

    // Only a relative entry (checked by RequireOwnFolders to be a table folder of its own) names files the catalog
    // owns: an absolute one names a table registered from elsewhere, which a purge leaves alone.
    private bool SameFolder(string a, string b) => IsLocalPath(a) && IsLocalPath(b) && LocalFolder(a) == LocalFolder(b);

    private static bool IsOwnedEntry(string stored) =>
        IsLocalPath(stored) && !Path.IsPathRooted(stored) && !stored.StartsWith('/') && !stored.StartsWith('\\');

    private static bool IsInside(string path, string directory)
    {
        var relative = Path.GetRelativePath(directory, path);
        return relative != "." && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    // Locations inside the catalog are stored relative with '/' so the catalog can be moved or uploaded.
    private string Store(string absolute)
    {
        if (IsLocalPath(absolute))
            return IsInside(absolute, Directory) ? Path.GetRelativePath(Directory, absolute).Replace('\\', '/') : absolute;
        return PublishedRoot is not null && absolute.StartsWith(PublishedRoot + "/", StringComparison.Ordinal)
            ? absolute[(PublishedRoot.Length + 1)..].TrimEnd('/')
            : absolute;
    }

    private string Resolve(string stored)
    {
        if (!IsLocalPath(stored))
            return stored;
        var local = Path.GetFullPath(Path.Combine(Directory, stored));
        return PublishedRoot is not null && IsInside(local, Directory)
            ? PublishedRoot + "/" + Path.GetRelativePath(Directory, local).Replace('\\', '/')
            : local;
    }

    /// <summary>The folder of a stored location in this directory (a working copy keeps a published table's files here).</summary>
    private string LocalFolder(string stored) => IsLocalPath(stored) ? Path.GetFullPath(Path.Combine(Directory, stored)) : stored;

    private static byte[] ReadCatalogBytes(string file)
    {
        if (!File.Exists(file))
            throw new FacebergException("CatalogNotFound", FacebergErrorKind.NotFound,
                $"No catalog file at '{file}'. Create the catalog with New-FacebergCatalog.");
        return File.ReadAllBytes(file);
    }

    internal static byte[] Serialize(SortedDictionary<string, string> entries)
    {
        var json = JsonSerializer.Serialize(entries, WriteOptions);
        return Encoding.UTF8.GetBytes(json + "\n");
    }

    internal static SortedDictionary<string, string> Deserialize(string file, byte[] bytes)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(file, "the top level must be an object of \"namespace.table\": \"location\" pairs");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(property.Value.GetString()))
                    throw Corrupt(file, $"the location of '{property.Name}' must be a non-empty string");
                if (!TableIdentifier.TryParse(property.Name, out var id))
                    throw Corrupt(file, $"'{property.Name}' is not a valid 'namespace.table' identifier");
                if (!entries.TryAdd(id!.ToString(), property.Value.GetString()!))
                    throw Corrupt(file, $"table '{property.Name}' appears twice");
            }
        }
        catch (JsonException ex)
        {
            throw Corrupt(file, ex.Message, ex);
        }
        RequireOwnFolders(file, entries);
        return entries;
    }

    /// <summary>
    /// The entries of a catalog.json pulled from a repo, checked before anything is written: besides what every
    /// catalog.json must satisfy, no entry may be an absolute local path. Such a path names a folder on the publisher's
    /// machine, outside the folder pulled into, where later syncs and writes to that table would create files.
    /// </summary>
    /// <exception cref="FacebergException"><c>CatalogCorrupt</c>, <c>UnsafeCatalogLocation</c>, naming <paramref name="file"/>.</exception>
    public static void RequirePortable(string file, byte[] bytes)
    {
        foreach (var (table, stored) in Deserialize(file, bytes))
        {
            if (IsLocalPath(stored) && (Path.IsPathRooted(stored) || stored.StartsWith('/') || stored.StartsWith('\\')))
                throw new FacebergException("UnsafeCatalogLocation", FacebergErrorKind.InvalidData,
                    $"Catalog file '{file}' puts table '{table}' at the local path '{stored}', outside the pulled catalog; "
                    + "a pulled catalog's tables must be inside it or on the Hub. Nothing was written.");
        }
    }

    /// <summary>
    /// catalog.json may come from anyone (a pulled repo): a location inside the catalog must be a table folder
    /// <c>metadata/&lt;namespace&gt;/&lt;folder&gt;</c> of its own — no '..', no entry at or inside another's — so
    /// that dropping or purging one table can never touch another's files or anything outside the catalog.
    /// </summary>
    private static void RequireOwnFolders(string file, SortedDictionary<string, string> entries)
    {
        var folders = new List<(string Table, string Folder)>();
        foreach (var (table, stored) in entries)
        {
            if (!IsLocalPath(stored))
                continue;
            var normalized = stored.Replace('\\', '/');
            var parts = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Any(p => p is ".." or "."))
                throw Corrupt(file, $"the location '{stored}' of '{table}' contains '.' or '..' segments");
            if (Path.IsPathRooted(stored) || normalized.StartsWith('/'))
                continue; // A table registered from elsewhere: read where it is, never purged (see OwnedTableFolder).
            if (parts.Length < 3 || parts[0] != MetadataFolderName)
                throw Corrupt(file, $"the location '{stored}' of '{table}' is not a table folder '{MetadataFolderName}/<namespace>/<table>'");
            folders.Add((table, string.Join('/', parts) + "/"));
        }
        foreach (var (table, folder) in folders)
        {
            // Equal folders are one table registered under two names (a purge then refuses, see DropTable); a folder
            // inside another's is never a table of its own.
            var clash = folders.FirstOrDefault(o => o.Table != table && o.Folder != folder && folder.StartsWith(o.Folder, StringComparison.Ordinal));
            if (clash.Table is not null)
                throw Corrupt(file, $"the folder of '{table}' ('{folder.TrimEnd('/')}') is inside the folder of '{clash.Table}'; every table needs a folder of its own");
        }
    }

    private static FacebergException Corrupt(string file, string what, Exception? inner = null) =>
        new("CatalogCorrupt", FacebergErrorKind.InvalidData, $"Catalog file '{file}' is not valid: {what}.", inner);
}
