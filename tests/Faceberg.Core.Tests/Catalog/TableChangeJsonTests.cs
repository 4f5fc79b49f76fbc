using System.Text.Json;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Tests.Catalog;

/// <summary>Requirements and updates read and written in the shapes of the Iceberg REST OpenAPI document.</summary>
public sealed class TableChangeJsonTests
{
    [Fact]
    public void A_rest_commit_request_maps_onto_requirements_and_updates_one_to_one()
    {
        const string body = """
        {
          "identifier": {"namespace": ["default"], "name": "t"},
          "requirements": [
            {"type": "assert-create"},
            {"type": "assert-table-uuid", "uuid": "2cc52516-5e73-41f2-b139-545d41a4e151"},
            {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": null},
            {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3},
            {"type": "assert-current-schema-id", "current-schema-id": 1},
            {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 1000},
            {"type": "assert-default-spec-id", "default-spec-id": 0},
            {"type": "assert-default-sort-order-id", "default-sort-order-id": 0}
          ],
          "updates": [
            {"action": "assign-uuid", "uuid": "2cc52516-5e73-41f2-b139-545d41a4e151"},
            {"action": "upgrade-format-version", "format-version": 2},
            {"action": "add-schema", "schema": {"type": "struct", "schema-id": 1, "fields": [{"id": 1, "name": "a", "required": false, "type": "string"}]}, "last-column-id": 1},
            {"action": "set-current-schema", "schema-id": -1},
            {"action": "add-spec", "spec": {"spec-id": 1, "fields": [{"source-id": 1, "field-id": 1000, "name": "a", "transform": "identity"}]}},
            {"action": "set-default-spec", "spec-id": -1},
            {"action": "add-sort-order", "sort-order": {"order-id": 1, "fields": [{"transform": "identity", "source-id": 1, "direction": "asc", "null-order": "nulls-first"}]}},
            {"action": "set-default-sort-order", "sort-order-id": -1},
            {"action": "add-snapshot", "snapshot": {"snapshot-id": 5, "sequence-number": 1, "timestamp-ms": 1700000000000, "manifest-list": "hf://datasets/a/b/snap.avro", "summary": {"operation": "append"}, "schema-id": 1}},
            {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 5, "max-ref-age-ms": 10},
            {"action": "remove-snapshots", "snapshot-ids": [4]},
            {"action": "remove-snapshot-ref", "ref-name": "old"},
            {"action": "set-location", "location": "hf://datasets/a/b/t"},
            {"action": "set-properties", "updates": {"k": "v"}},
            {"action": "remove-properties", "removals": ["gone"]}
          ]
        }
        """;
        using var doc = JsonDocument.Parse(body);
        var (requirements, updates) = TableChangeJson.ReadCommit(doc.RootElement);

        Assert.Equal(["assert-create", "assert-table-uuid", "assert-ref-snapshot-id", "assert-last-assigned-field-id", "assert-current-schema-id",
            "assert-last-assigned-partition-id", "assert-default-spec-id", "assert-default-sort-order-id"], requirements.Select(r => r.Type));
        Assert.Equal(new AssertRefSnapshotId("main", null), requirements[2]);
        Assert.Equal(15, updates.Count);
        Assert.Equal(new SetSnapshotRef("main", new SnapshotRef(5, "branch", null, null, 10)), updates[9]);
        Assert.Equal(5, Assert.IsType<AddSnapshot>(updates[8]).Snapshot.SnapshotId);

        // Written back, each reads as itself.
        foreach (var r in requirements)
            Assert.Equal(r, TableChangeJson.ParseRequirement(TableChangeJson.ToJson(r)));
        var originals = doc.RootElement.GetProperty("updates").EnumerateArray().ToList();
        for (var i = 0; i < updates.Count; i++)
        {
            var written = TableChangeJson.ToJson(updates[i]);
            Assert.Equal(originals[i].GetProperty("action").GetString(), JsonDocument.Parse(written).RootElement.GetProperty("action").GetString());
            Assert.Equal(TableChangeJson.ToJson(TableChangeJson.ParseUpdate(written)), written);
        }
    }

    [Fact]
    public void Unknown_or_malformed_changes_are_clear_errors()
    {
        var unknown = Assert.Throws<FacebergException>(() => TableChangeJson.ParseUpdate("""{"action": "set-statistics", "snapshot-id": 1}"""));
        Assert.Equal(FacebergErrorKind.NotSupported, unknown.Kind);
        Assert.Contains("set-statistics", unknown.Message);
        var malformed = Assert.Throws<FacebergException>(() => TableChangeJson.ParseRequirement("""{"type": "assert-current-schema-id"}"""));
        Assert.Equal(FacebergErrorKind.InvalidArgument, malformed.Kind);
    }
}
