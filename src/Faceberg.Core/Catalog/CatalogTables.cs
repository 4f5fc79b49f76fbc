using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Catalog;

/// <summary>What every catalog does the same way once it knows where a table is: load its newest version,
/// commit (requirements, updates) to it, and read a metadata file to register.</summary>
internal static partial class CatalogTables
{
    public static async Task<LoadedTable> LoadAsync(IFileIO io, TableIdentifier id, TableLocation location, CancellationToken ct)
    {
        try
        {
            return new LoadedTable(id, await IcebergTable.LoadAsync(io, location.Uri, ct).ConfigureAwait(false));
        }
        catch (FacebergException ex) when (ex.ErrorId == "TableNotFound")
        {
            throw new FacebergException("TableMetadataNotFound", FacebergErrorKind.NotFound,
                $"Table '{id}' is in the catalog, but {ex.Message}", ex);
        }
    }

    public static async Task<LoadedTable> CommitAsync(IFileIO io, TableIdentifier id, TableLocation location,
        IReadOnlyList<TableRequirement> requirements, IReadOnlyList<TableUpdate> updates, IReadOnlyList<FileWrite> files, CancellationToken ct,
        Action<LoadedTable>? verify = null)
    {
        var loaded = await LoadAsync(io, id, location, ct).ConfigureAwait(false);
        verify?.Invoke(loaded);
        // A requirement that fails now fails before anything is written.
        foreach (var requirement in requirements)
            requirement.Check(loaded.Metadata);
        await loaded.Table.CommitChangesAsync(requirements, updates, files, ct).ConfigureAwait(false);
        return loaded;
    }

    /// <summary>The metadata a commit with assert-create describes, at <paramref name="defaultLocation"/> unless it sets one.</summary>
    public static TableMetadata NewTableMetadata(TableLocation defaultLocation, IReadOnlyList<TableUpdate> updates) =>
        TableMetadataBuilder.Apply(null, updates.Any(u => u is SetLocation) ? updates : [new SetLocation(defaultLocation.Uri), .. updates],
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>The table a metadata file belongs to: it must be <c>&lt;location&gt;/metadata/vN.metadata.json</c> of the
    /// location it records, the layout every Faceberg catalog reads tables in.</summary>
    public static async Task<TableLocation> ReadRegisteredLocationAsync(IFileIO io, string metadataLocation, CancellationToken ct)
    {
        var match = VersionFile().Match(metadataLocation);
        if (!match.Success)
            throw new FacebergException("UnsupportedMetadataLocation", FacebergErrorKind.NotSupported,
                $"'{metadataLocation}' is not a '<table>/metadata/v<N>.metadata.json' file; Faceberg catalogs find a table's versions by that layout.");
        var metadata = SpecJson.ParseTableMetadata(Encoding.UTF8.GetString(await io.ReadAllBytesAsync(metadataLocation, ct).ConfigureAwait(false)));
        var location = TableLocation.Parse(metadata.Location);
        var expected = TableLocation.Parse(match.Groups["table"].Value);
        if (!location.Equals(expected))
            throw new FacebergException("MetadataLocationMismatch", FacebergErrorKind.InvalidData,
                $"'{metadataLocation}' records table location '{metadata.Location}', not the folder it is in.");
        _ = int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture);
        return location;
    }

    [GeneratedRegex(@"^(?<table>.+)/metadata/v(?<version>\d+)\.metadata\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionFile();

    public static bool CreatesTable(IReadOnlyList<TableRequirement> requirements) => requirements.Any(r => r is AssertCreate);
}
