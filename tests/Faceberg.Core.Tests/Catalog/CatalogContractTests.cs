using Faceberg.Core.Catalog;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Publishing;

namespace Faceberg.Core.Tests.Catalog;

/// <summary>The contract every <see cref="ICatalog"/> keeps; run against a local folder and against a repo on a local Hub over HTTP.</summary>
public abstract class CatalogContractTests
{
    protected abstract Task<ICatalog> NewCatalogAsync();

    private static readonly Schema TwoColumns = new(0, [NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "text", PrimitiveType.String)]);

    private static TableIdentifier Id(string name) => new(TableIdentifier.DefaultNamespace, name);

    private static Snapshot NextSnapshot(TableMetadata current, long id) => new(
        id, current.CurrentSnapshotId, current.LastSequenceNumber + 1, current.LastUpdatedMs + 1,
        $"{current.Location}/metadata/snap-{id}.avro", new Dictionary<string, string> { ["operation"] = "append" }, current.CurrentSchemaId);

    private static (IReadOnlyList<TableRequirement>, IReadOnlyList<TableUpdate>) Append(TableMetadata current, long id) => (
        [new AssertRefSnapshotId(SnapshotRef.MainBranch, current.CurrentSnapshotId)],
        [new AddSnapshot(NextSnapshot(current, id)), new SetSnapshotRef(SnapshotRef.MainBranch, new SnapshotRef(id, SnapshotRef.Branch))]);

    [Fact]
    public async Task Namespaces_are_created_listed_described_and_dropped_only_when_empty()
    {
        var catalog = await NewCatalogAsync();
        Assert.Contains("default", await catalog.ListNamespacesAsync());
        Assert.False(await catalog.NamespaceExistsAsync("sales"));

        await catalog.CreateNamespaceAsync("sales", new Dictionary<string, string> { ["owner"] = "ana" });
        Assert.True(await catalog.NamespaceExistsAsync("sales"));
        Assert.Contains("sales", await catalog.ListNamespacesAsync());
        Assert.Empty(await catalog.ListNamespacesAsync("sales"));
        Assert.Equal("ana", (await catalog.LoadNamespaceAsync("sales"))["owner"]);
        var again = await Assert.ThrowsAsync<FacebergException>(() => catalog.CreateNamespaceAsync("sales"));
        Assert.Equal(FacebergErrorKind.AlreadyExists, again.Kind);

        var change = await catalog.UpdateNamespacePropertiesAsync("sales", new Dictionary<string, string> { ["tier"] = "gold" }, ["owner", "absent"]);
        Assert.Equal(["tier"], change.Updated);
        Assert.Equal(["owner"], change.Removed);
        Assert.Equal(["absent"], change.Missing);
        var properties = await catalog.LoadNamespaceAsync("sales");
        Assert.Equal("gold", properties["tier"]);
        Assert.False(properties.ContainsKey("owner"));

        await catalog.CreateTableAsync(new TableIdentifier("sales", "orders"), TwoColumns);
        var notEmpty = await Assert.ThrowsAsync<FacebergException>(() => catalog.DropNamespaceAsync("sales"));
        Assert.Equal("NamespaceNotEmpty", notEmpty.ErrorId);
        await catalog.DropTableAsync(new TableIdentifier("sales", "orders"), purge: true);
        await catalog.DropNamespaceAsync("sales");
        Assert.False(await catalog.NamespaceExistsAsync("sales"));
        var missing = await Assert.ThrowsAsync<FacebergException>(() => catalog.LoadNamespaceAsync("sales"));
        Assert.Equal(FacebergErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Tables_are_created_loaded_renamed_registered_and_dropped()
    {
        var catalog = await NewCatalogAsync();
        var created = await catalog.CreateTableAsync(Id("reviews"), TwoColumns, properties: new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal(Id("reviews"), created.Identifier);
        Assert.EndsWith("/metadata/v1.metadata.json", created.MetadataLocation);
        Assert.Equal("v", created.Metadata.Properties["k"]);
        Assert.True(await catalog.TableExistsAsync(Id("reviews")));
        Assert.Equal([Id("reviews")], await catalog.ListTablesAsync("default"));

        var loaded = await catalog.LoadTableAsync(Id("reviews"));
        Assert.Equal(created.Metadata.TableUuid, loaded.Metadata.TableUuid);
        Assert.Equal(created.MetadataLocation, loaded.MetadataLocation);
        var duplicate = await Assert.ThrowsAsync<FacebergException>(() => catalog.CreateTableAsync(Id("reviews"), TwoColumns));
        Assert.Equal(FacebergErrorKind.AlreadyExists, duplicate.Kind);

        await catalog.RenameTableAsync(Id("reviews"), Id("critiques"));
        Assert.False(await catalog.TableExistsAsync(Id("reviews")));
        Assert.Equal(created.Metadata.TableUuid, (await catalog.LoadTableAsync(Id("critiques"))).Metadata.TableUuid);

        // Registering the same metadata under another name: both entries point at one table.
        var registered = await catalog.RegisterTableAsync(Id("alias"), created.MetadataLocation);
        Assert.Equal(created.Metadata.TableUuid, registered.Metadata.TableUuid);
        var entry = await catalog.GetTableEntryAsync(Id("alias"));
        Assert.Equal(created.Location, entry.Location);

        // Dropping without purge keeps the files the other entry still reads.
        await catalog.DropTableAsync(Id("alias"));
        Assert.False(await catalog.TableExistsAsync(Id("alias")));
        Assert.Equal(created.Metadata.TableUuid, (await catalog.LoadTableAsync(Id("critiques"))).Metadata.TableUuid);
        var owned = await catalog.GetTableEntryAsync(Id("critiques"));
        Assert.NotNull(owned.OwnedFolder);
        await catalog.DropTableAsync(Id("critiques"), purge: true);
        Assert.Empty(await catalog.ListTablesAsync());
        Assert.False(await created.Io.ExistsAsync(created.MetadataLocation));
        var gone = await Assert.ThrowsAsync<FacebergException>(() => catalog.LoadTableAsync(Id("critiques")));
        Assert.Equal(FacebergErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task Every_update_kind_is_applied_and_written_as_the_next_version()
    {
        var catalog = await NewCatalogAsync();
        var base1 = (await catalog.CreateTableAsync(Id("t"), TwoColumns, properties: new Dictionary<string, string> { ["drop.me"] = "x" })).Metadata;
        var wider = new Schema(0, [.. TwoColumns.Fields, NestedField.Optional(3, "score", PrimitiveType.Double)]);
        var spec = new PartitionSpec(0, [new PartitionField(1, 1000, "id", Transform.Identity)]);
        var order = new SortOrder(0, [new SortField(Transform.Identity, 1, "asc", "nulls-first")]);
        var first = NextSnapshot(base1, 101);

        var committed = await catalog.CommitTableAsync(Id("t"),
            [new AssertTableUuid(base1.TableUuid), new AssertCurrentSchemaId(0), new AssertLastAssignedFieldId(2),
             new AssertLastAssignedPartitionId(base1.LastPartitionId), new AssertDefaultSpecId(0), new AssertDefaultSortOrderId(0),
             new AssertRefSnapshotId(SnapshotRef.MainBranch, null)],
            [new AssignUuid(base1.TableUuid), new UpgradeFormatVersion(2),
             new AddSchema(wider, 3), new SetCurrentSchema(-1),
             new AddPartitionSpec(spec), new SetDefaultSpec(-1),
             new AddSortOrder(order), new SetDefaultSortOrder(-1),
             new AddSnapshot(first), new SetSnapshotRef(SnapshotRef.MainBranch, new SnapshotRef(101, SnapshotRef.Branch)),
             new SetSnapshotRef("v1", new SnapshotRef(101, SnapshotRef.Tag)),
             new SetProperties(new Dictionary<string, string> { ["owner"] = "ana" }), new RemoveProperties(["drop.me"])]);

        var m = (await catalog.LoadTableAsync(Id("t"))).Metadata;
        Assert.EndsWith("/metadata/v2.metadata.json", committed.MetadataLocation);
        Assert.Equal(1, m.CurrentSchemaId);
        Assert.Equal(3, m.LastColumnId);
        Assert.Equal("score", m.CurrentSchema.Fields[^1].Name);
        Assert.Equal(1, m.DefaultSpecId);
        Assert.Equal(1000, m.LastPartitionId);
        Assert.Equal(1, m.DefaultSortOrderId);
        Assert.Equal(101, m.CurrentSnapshotId);
        Assert.Equal(1, m.LastSequenceNumber);
        Assert.Equal(101, m.Refs["v1"].SnapshotId);
        Assert.Equal(SnapshotRef.Tag, m.Refs["v1"].Type);
        Assert.Equal(new SnapshotLogEntry(101, first.TimestampMs), Assert.Single(m.SnapshotLog));
        Assert.Single(m.MetadataLog);
        Assert.Equal("ana", m.Properties["owner"]);
        Assert.False(m.Properties.ContainsKey("drop.me"));

        // A second snapshot, then the first one expired, the tag removed and the location moved.
        var (requirements, updates) = Append(m, 102);
        await catalog.CommitTableAsync(Id("t"), requirements, updates);
        var moved = (m.Location + "-moved");
        var last = await catalog.CommitTableAsync(Id("t"), [new AssertRefSnapshotId(SnapshotRef.MainBranch, 102)],
            [new RemoveSnapshotRef("v1"), new RemoveSnapshots([101]), new SetLocation(moved)]);
        m = (await catalog.LoadTableAsync(Id("t"))).Metadata;
        Assert.EndsWith("/metadata/v4.metadata.json", last.MetadataLocation);
        Assert.Equal(102, m.CurrentSnapshotId);
        Assert.Equal(2, m.LastSequenceNumber);
        Assert.Equal([102L], m.Snapshots.Select(s => s.SnapshotId));
        Assert.False(m.Refs.ContainsKey("v1"));
        Assert.Equal([102L], m.SnapshotLog.Select(e => e.SnapshotId));
        Assert.Equal(moved, m.Location);
        Assert.Equal(3, m.MetadataLog.Count);
        Assert.True(m.LastUpdatedMs >= base1.LastUpdatedMs);

        var downgrade = await Assert.ThrowsAsync<FacebergException>(() => catalog.CommitTableAsync(Id("t"), [], [new UpgradeFormatVersion(1)]));
        Assert.Equal("CannotDowngradeFormatVersion", downgrade.ErrorId);
        var v3 = await Assert.ThrowsAsync<FacebergException>(() => catalog.CommitTableAsync(Id("t"), [], [new UpgradeFormatVersion(3)]));
        Assert.Equal(FacebergErrorKind.NotSupported, v3.Kind);
    }

    [Fact]
    public async Task A_stale_requirement_fails_the_commit_naming_it_and_writes_nothing()
    {
        var catalog = await NewCatalogAsync();
        var created = await catalog.CreateTableAsync(Id("t"), TwoColumns);
        var (requirements, updates) = Append(created.Metadata, 7);
        await catalog.CommitTableAsync(Id("t"), requirements, updates);

        // The same requirement again: main is no longer where the writer saw it.
        var (stale, more) = Append(created.Metadata, 8);
        var failed = await Assert.ThrowsAsync<CommitFailedException>(() => catalog.CommitTableAsync(Id("t"), stale, more));
        Assert.Equal("CommitFailed", failed.ErrorId);
        Assert.Equal(FacebergErrorKind.Conflict, failed.Kind);
        Assert.Equal("assert-ref-snapshot-id", failed.Requirement.Type);
        Assert.Contains("snapshot 7", failed.Message);
        await Assert.ThrowsAsync<CommitFailedException>(() => catalog.CommitTableAsync(Id("t"), [new AssertTableUuid(Guid.NewGuid())], []));
        await Assert.ThrowsAsync<CommitFailedException>(() => catalog.CommitTableAsync(Id("t"), [new AssertCurrentSchemaId(5)], []));
        await Assert.ThrowsAsync<CommitFailedException>(() => catalog.CommitTableAsync(Id("t"), [new AssertCreate()], []));

        var table = await catalog.LoadTableAsync(Id("t"));
        Assert.Equal(7, table.Metadata.CurrentSnapshotId);
        Assert.EndsWith("/metadata/v2.metadata.json", table.MetadataLocation);
    }

    [Fact]
    public async Task Of_two_commits_racing_on_the_same_base_exactly_one_wins()
    {
        var catalog = await NewCatalogAsync();
        var created = await catalog.CreateTableAsync(Id("t"), TwoColumns);
        var (r1, u1) = Append(created.Metadata, 11);
        var (r2, u2) = Append(created.Metadata, 22);
        var attempts = new[] { catalog.CommitTableAsync(Id("t"), r1, u1), catalog.CommitTableAsync(Id("t"), r2, u2) };
        try { await Task.WhenAll(attempts); }
        catch (CommitFailedException) { }

        _ = Assert.Single(attempts, a => a.IsCompletedSuccessfully);
        var loser = Assert.Single(attempts, a => a.IsFaulted);
        Assert.IsType<CommitFailedException>(loser.Exception!.InnerException);
        var table = await catalog.LoadTableAsync(Id("t"));
        Assert.Contains(table.Metadata.CurrentSnapshotId, new long?[] { 11, 22 });
        Assert.Single(table.Metadata.Snapshots);
        Assert.EndsWith("/metadata/v2.metadata.json", table.MetadataLocation);
    }

    [Fact]
    public async Task A_commit_with_assert_create_creates_the_table_from_its_updates()
    {
        var catalog = await NewCatalogAsync();
        var uuid = Guid.NewGuid();
        var created = await catalog.CommitTableAsync(Id("fresh"), [new AssertCreate()],
            [new AssignUuid(uuid), new UpgradeFormatVersion(2), new AddSchema(TwoColumns), new SetCurrentSchema(-1),
             new AddPartitionSpec(PartitionSpec.Unpartitioned), new SetDefaultSpec(-1), new AddSortOrder(SortOrder.Unsorted), new SetDefaultSortOrder(-1),
             new SetProperties(new Dictionary<string, string> { ["made"] = "by-commit" })]);
        Assert.Equal(uuid, created.Metadata.TableUuid);
        var loaded = await catalog.LoadTableAsync(Id("fresh"));
        Assert.Equal("by-commit", loaded.Metadata.Properties["made"]);
        Assert.Equal(2, loaded.Metadata.LastColumnId);
        var missing = await Assert.ThrowsAsync<FacebergException>(() => catalog.CommitTableAsync(Id("nope"), [], []));
        Assert.Equal(FacebergErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task A_table_is_created_with_its_first_snapshot_by_a_writer_the_catalog_hands_its_folder()
    {
        var catalog = await NewCatalogAsync();
        var created = await catalog.CreateTableAsync(Id("w"), async (io, location, ct) =>
        {
            var table = await IcebergTable.CreateAsync(io, location.Uri, TwoColumns, cancellationToken: ct);
            await table.NewAppend().AddFile(new DataFile { FilePath = "hf://datasets/a/b@0123/data.parquet", RecordCount = 3, FileSizeInBytes = 10 })
                .CommitAsync(null, ct);
            return table;
        });
        Assert.EndsWith("/metadata/v2.metadata.json", created.MetadataLocation);
        var loaded = await catalog.LoadTableAsync(Id("w"));
        Assert.Equal(created.Metadata.CurrentSnapshotId, loaded.Metadata.CurrentSnapshotId);
        Assert.Equal(["hf://datasets/a/b@0123/data.parquet"], (await loaded.Table.PlanFilesAsync()).Select(f => f.FilePath));

        // A writer that fails leaves no table behind.
        await Assert.ThrowsAsync<FacebergException>(() => catalog.CreateTableAsync(Id("broken"),
            (_, _, _) => throw new FacebergException("WriterFailed", FacebergErrorKind.InvalidData, "no")));
        Assert.False(await catalog.TableExistsAsync(Id("broken")));
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        var catalog = await NewCatalogAsync();
        await catalog.CreateTableAsync(Id("t"), TwoColumns);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.CommitTableAsync(Id("t"), [], [new SetProperties(new Dictionary<string, string> { ["a"] = "b" })], cancelled.Token));
    }
}

public sealed class LocalCatalogContractTests : CatalogContractTests, IDisposable
{
    private readonly TempDirectory _temp = new();

    protected override Task<ICatalog> NewCatalogAsync() =>
        Task.FromResult<ICatalog>(LocalCatalog.Create(_temp.Combine("c" + Guid.NewGuid().ToString("N")[..6]), new FileIORouter()));

    public void Dispose() => _temp.Dispose();
}

public sealed class HubCatalogContractTests(PublishHubFixture fixture) : CatalogContractTests, IClassFixture<PublishHubFixture>
{
    protected override async Task<ICatalog> NewCatalogAsync() =>
        await HubCatalog.CreateAsync(fixture.Hub.Client, PublishHubFixture.NewRepo());

    [Fact]
    public async Task A_change_is_one_hub_commit_on_the_head_it_read()
    {
        var repo = PublishHubFixture.NewRepo();
        var catalog = await HubCatalog.CreateAsync(fixture.Hub.Client, repo);
        var head = fixture.Hub.Server.Store.ResolveRevision(repo, "main");
        var commits = fixture.CommitCount(repo);
        await catalog.CreateTableAsync(new TableIdentifier("default", "t"), async (io, location, ct) =>
        {
            var table = await IcebergTable.CreateAsync(io, location.Uri, new Schema(0, [NestedField.Optional(1, "a", PrimitiveType.String)]), cancellationToken: ct);
            await table.UpdatePropertiesAsync(new Dictionary<string, string> { ["second"] = "version" }, null, ct);
            return table;
        });
        // Both versions, the hint and the catalog entry: one commit on the head it read.
        Assert.Equal(commits + 1, fixture.CommitCount(repo));
        Assert.NotNull(fixture.Hub.Server.Store.FindFile(repo, "main", "metadata/default/t/metadata/v2.metadata.json"));
        Assert.Equal(head, fixture.Hub.Server.Store.GetCommit(repo, "main").Parents.Single());
        Assert.True(await HubCatalog.ExistsAsync(fixture.Hub.Client, repo));
        Assert.False(await HubCatalog.ExistsAsync(fixture.Hub.Client, PublishHubFixture.NewRepo()));
    }
}
