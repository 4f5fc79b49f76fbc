using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Core.Iceberg.Table;

/// <summary>
/// Applies <see cref="TableUpdate"/>s to table metadata the way the Iceberg reference implementation does:
/// added schemas, specs and sort orders get fresh ids (or the id of an equal one), -1 refers to the last one
/// added in the same commit, a snapshot raises the last sequence number, moving the main branch moves the
/// current snapshot and appends to the snapshot log. The metadata log is the committer's job, since only it
/// knows the file the base metadata was read from.
/// </summary>
public sealed class TableMetadataBuilder
{
    private const int LastAdded = -1;

    private readonly TableMetadata? _base;
    private int _formatVersion;
    private Guid _uuid;
    private string? _location;
    private long _lastSequenceNumber;
    private int _lastColumnId;
    private readonly List<Schema> _schemas;
    private int? _currentSchemaId;
    private readonly List<PartitionSpec> _specs;
    private int? _defaultSpecId;
    private int _lastPartitionId;
    private readonly List<SortOrder> _sortOrders;
    private int _defaultSortOrderId;
    private readonly Dictionary<string, string> _properties;
    private readonly List<Snapshot> _snapshots;
    private readonly Dictionary<string, SnapshotRef> _refs;
    private readonly List<SnapshotLogEntry> _snapshotLog;
    private long? _currentSnapshotId;
    private readonly HashSet<long> _addedSnapshots = [];
    private int? _lastAddedSchemaId;
    private int? _lastAddedSpecId;
    private int? _lastAddedSortOrderId;
    private long? _snapshotTimestamp;
    private readonly long _nowMs;

    /// <summary>Starts from <paramref name="current"/>, or from nothing for a table created by the commit.</summary>
    public TableMetadataBuilder(TableMetadata? current, long nowMs)
    {
        _base = current;
        _nowMs = nowMs;
        _formatVersion = current?.FormatVersion ?? TableMetadata.SupportedFormatVersion;
        _uuid = current?.TableUuid ?? Guid.Empty;
        _location = current?.Location;
        _lastSequenceNumber = current?.LastSequenceNumber ?? 0;
        _lastColumnId = current?.LastColumnId ?? 0;
        _schemas = [.. current?.Schemas ?? []];
        _currentSchemaId = current?.CurrentSchemaId;
        _specs = [.. current?.PartitionSpecs ?? []];
        _defaultSpecId = current?.DefaultSpecId;
        _lastPartitionId = current?.LastPartitionId ?? PartitionSpec.UnpartitionedLastAssignedFieldId;
        _sortOrders = [.. current?.SortOrders ?? []];
        _defaultSortOrderId = current?.DefaultSortOrderId ?? SortOrder.Unsorted.OrderId;
        _properties = new Dictionary<string, string>(current?.Properties ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        _snapshots = [.. current?.Snapshots ?? []];
        _refs = new Dictionary<string, SnapshotRef>(current?.Refs ?? new Dictionary<string, SnapshotRef>(), StringComparer.Ordinal);
        _snapshotLog = [.. current?.SnapshotLog ?? []];
        _currentSnapshotId = current?.CurrentSnapshotId;
    }

    /// <summary>Applies <paramref name="updates"/> in order to <paramref name="current"/> (null: a new table).</summary>
    public static TableMetadata Apply(TableMetadata? current, IEnumerable<TableUpdate> updates, long nowMs)
    {
        var builder = new TableMetadataBuilder(current, nowMs);
        foreach (var update in updates)
            update.ApplyTo(builder);
        return builder.Build();
    }

    internal void AssignUuid(Guid uuid)
    {
        if (_uuid != Guid.Empty && _uuid != uuid)
            throw Invalid("CannotReassignUuid", $"The table's uuid is {_uuid:D}; it cannot be reassigned to {uuid:D}.");
        _uuid = uuid;
    }

    internal void UpgradeFormatVersion(int version)
    {
        if (version > TableMetadata.SupportedFormatVersion)
            throw new FacebergException("UnsupportedFormatVersion", FacebergErrorKind.NotSupported,
                $"Format version {version} is not supported; Faceberg writes format version {TableMetadata.SupportedFormatVersion}.");
        if (version < _formatVersion)
            throw Invalid("CannotDowngradeFormatVersion", $"The table is at format version {_formatVersion}; it cannot go back to {version}.");
        _formatVersion = version;
    }

    internal void AddSchema(Schema schema, int? lastColumnId)
    {
        var highest = Math.Max(schema.HighestFieldId, lastColumnId ?? 0);
        var equal = _schemas.FirstOrDefault(s => SameSchema(s, schema));
        if (equal is null)
        {
            var id = _schemas.Count == 0 ? 0 : _schemas.Max(s => s.SchemaId) + 1;
            _schemas.Add(schema.WithSchemaId(id));
            equal = _schemas[^1];
        }
        _lastColumnId = Math.Max(_lastColumnId, highest);
        _lastAddedSchemaId = equal.SchemaId;
    }

    internal void SetCurrentSchema(int schemaId)
    {
        var id = Resolve(schemaId, _lastAddedSchemaId, "set-current-schema", "schema");
        if (_schemas.All(s => s.SchemaId != id))
            throw Invalid("SchemaNotFound", $"set-current-schema names schema {id}, which the table does not have.");
        _currentSchemaId = id;
    }

    internal void AddSpec(PartitionSpec spec)
    {
        var equal = _specs.FirstOrDefault(s => s.CompatibleWith(spec));
        if (equal is null)
        {
            var id = _specs.Count == 0 ? 0 : _specs.Max(s => s.SpecId) + 1;
            _specs.Add(spec.WithSpecId(id));
            equal = _specs[^1];
        }
        _lastPartitionId = Math.Max(_lastPartitionId, spec.LastAssignedFieldId);
        _lastAddedSpecId = equal.SpecId;
    }

    internal void SetDefaultSpec(int specId)
    {
        var id = Resolve(specId, _lastAddedSpecId, "set-default-spec", "partition spec");
        if (_specs.All(s => s.SpecId != id))
            throw Invalid("PartitionSpecNotFound", $"set-default-spec names partition spec {id}, which the table does not have.");
        _defaultSpecId = id;
    }

    internal void AddSortOrder(SortOrder order)
    {
        var equal = _sortOrders.FirstOrDefault(o => o.Fields.SequenceEqual(order.Fields));
        if (equal is null)
        {
            // Order id 0 is reserved for the unsorted order.
            var id = order.Fields.Count == 0 ? SortOrder.Unsorted.OrderId : Math.Max(1, _sortOrders.Select(o => o.OrderId).DefaultIfEmpty(0).Max() + 1);
            equal = order with { OrderId = id };
            _sortOrders.Add(equal);
        }
        _lastAddedSortOrderId = equal.OrderId;
    }

    internal void SetDefaultSortOrder(int orderId)
    {
        var id = Resolve(orderId, _lastAddedSortOrderId, "set-default-sort-order", "sort order");
        if (_sortOrders.All(o => o.OrderId != id))
            throw Invalid("SortOrderNotFound", $"set-default-sort-order names sort order {id}, which the table does not have.");
        _defaultSortOrderId = id;
    }

    internal void AddSnapshot(Snapshot snapshot)
    {
        if (_snapshots.Any(s => s.SnapshotId == snapshot.SnapshotId))
            throw Invalid("SnapshotExists", $"The table already has a snapshot with id {snapshot.SnapshotId}.");
        if (_formatVersion >= 2 && snapshot.SequenceNumber <= _lastSequenceNumber && snapshot.ParentSnapshotId is not null)
            throw Invalid("StaleSequenceNumber",
                $"Snapshot {snapshot.SnapshotId} has sequence number {snapshot.SequenceNumber}, not above the table's last sequence number {_lastSequenceNumber}.");
        if (snapshot.SchemaId is { } schemaId && _schemas.All(s => s.SchemaId != schemaId))
            throw Invalid("SchemaNotFound", $"Snapshot {snapshot.SnapshotId} names schema {schemaId}, which the table does not have.");
        _snapshots.Add(snapshot);
        _addedSnapshots.Add(snapshot.SnapshotId);
        _lastSequenceNumber = Math.Max(_lastSequenceNumber, snapshot.SequenceNumber);
        _snapshotTimestamp = Math.Max(_snapshotTimestamp ?? 0, snapshot.TimestampMs);
    }

    internal void SetRef(string name, SnapshotRef snapshotRef)
    {
        if (string.IsNullOrEmpty(name))
            throw Invalid("InvalidRefName", "A snapshot ref needs a name.");
        if (snapshotRef.Type is not (SnapshotRef.Branch or SnapshotRef.Tag))
            throw Invalid("InvalidRefType", $"Ref '{name}' has type '{snapshotRef.Type}'; expected 'branch' or 'tag'.");
        if (name == SnapshotRef.MainBranch && snapshotRef.Type != SnapshotRef.Branch)
            throw Invalid("InvalidRefType", "The main ref must be a branch.");
        var snapshot = _snapshots.FirstOrDefault(s => s.SnapshotId == snapshotRef.SnapshotId)
            ?? throw Invalid("SnapshotNotFound", $"Ref '{name}' names snapshot {snapshotRef.SnapshotId}, which the table does not have.");
        if (_refs.TryGetValue(name, out var existing) && existing == snapshotRef)
            return;
        _refs[name] = snapshotRef;
        if (name == SnapshotRef.MainBranch)
        {
            _currentSnapshotId = snapshot.SnapshotId;
            // The log records when the snapshot became current: its own time when this commit adds it.
            var when = _addedSnapshots.Contains(snapshot.SnapshotId) ? snapshot.TimestampMs : _nowMs;
            _snapshotLog.Add(new SnapshotLogEntry(snapshot.SnapshotId, when));
        }
    }

    internal void RemoveSnapshots(IReadOnlyList<long> ids)
    {
        var removed = ids.ToHashSet();
        _snapshots.RemoveAll(s => removed.Contains(s.SnapshotId));
        foreach (var (name, r) in _refs.ToList())
            if (removed.Contains(r.SnapshotId))
                RemoveRef(name);
        _snapshotLog.RemoveAll(e => removed.Contains(e.SnapshotId));
    }

    internal void RemoveRef(string name)
    {
        _refs.Remove(name);
        if (name == SnapshotRef.MainBranch)
            _currentSnapshotId = null;
    }

    internal void SetLocation(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
            throw Invalid("InvalidLocation", "set-location needs a location.");
        _location = location.TrimEnd('/');
    }

    internal void SetProperties(IReadOnlyDictionary<string, string> updates)
    {
        foreach (var (key, value) in updates)
            _properties[key] = value;
    }

    internal void RemoveProperties(IReadOnlyList<string> removals)
    {
        foreach (var key in removals)
            _properties.Remove(key);
    }

    /// <summary>The metadata the updates describe; last-updated-ms is now (or the newest added snapshot's time), never before the base's.</summary>
    public TableMetadata Build()
    {
        if (_location is null)
            throw Invalid("LocationRequired", "A new table needs a set-location update.");
        if (_currentSchemaId is not { } schemaId)
            throw Invalid("SchemaRequired", "A new table needs add-schema and set-current-schema updates.");
        if (_specs.Count == 0)
            AddSpec(PartitionSpec.Unpartitioned);
        if (_sortOrders.Count == 0)
            _sortOrders.Add(SortOrder.Unsorted);
        var specId = _defaultSpecId ?? _specs[0].SpecId;
        var lastUpdated = Math.Max(_snapshotTimestamp ?? _nowMs, _base?.LastUpdatedMs ?? 0);
        return new TableMetadata
        {
            FormatVersion = _formatVersion,
            TableUuid = _uuid == Guid.Empty ? Guid.NewGuid() : _uuid,
            Location = _location,
            LastSequenceNumber = _lastSequenceNumber,
            LastUpdatedMs = lastUpdated,
            LastColumnId = _lastColumnId,
            Schemas = _schemas.ToArray(),
            CurrentSchemaId = schemaId,
            PartitionSpecs = _specs.ToArray(),
            DefaultSpecId = specId,
            LastPartitionId = _lastPartitionId,
            Properties = new Dictionary<string, string>(_properties, StringComparer.Ordinal),
            CurrentSnapshotId = _currentSnapshotId,
            Snapshots = _snapshots.ToArray(),
            SnapshotLog = _snapshotLog.ToArray(),
            MetadataLog = _base?.MetadataLog ?? [],
            SortOrders = _sortOrders.ToArray(),
            DefaultSortOrderId = _defaultSortOrderId,
            Refs = new Dictionary<string, SnapshotRef>(_refs, StringComparer.Ordinal),
        };
    }

    private static int Resolve(int id, int? lastAdded, string action, string what) =>
        id != LastAdded ? id : lastAdded ?? throw Invalid("NothingAdded", $"{action} with id -1 needs a {what} added earlier in the same commit.");

    private static bool SameSchema(Schema a, Schema b) =>
        SpecJson.ToJson(a.WithSchemaId(0)) == SpecJson.ToJson(b.WithSchemaId(0));

    private static FacebergException Invalid(string errorId, string message) =>
        new(errorId, FacebergErrorKind.InvalidArgument, message);
}
