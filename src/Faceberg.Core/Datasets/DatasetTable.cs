using System.Globalization;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Datasets;

/// <summary>
/// The Hub dataset a table is made from, as the table's properties record it: the repo and config, the commit
/// the table reflects and the ref it follows, and for datasets read through the Hub's Parquet conversion the
/// conversion commit. The only reader (<see cref="Read"/>) and writer (<see cref="ToProperties"/>) of those
/// properties, and the only builder of the snapshot summaries that record a change of them.
/// </summary>
/// <param name="Dataset">The dataset's name in faceberg.yml; null for tables that do not record it.</param>
/// <param name="Revision">The commit the table reflects (its pin).</param>
/// <param name="Ref">The branch, tag or sha the table follows.</param>
/// <param name="SourceRevision">The <c>refs/convert/parquet</c> commit the data files come from, for datasets that are not Parquet.</param>
public sealed record DatasetSource(string? Dataset, string Repo, string Config, string Revision, string Ref, string? SourceRevision = null)
{
    /// <summary>The ref a dataset without a configured revision follows.</summary>
    public const string DefaultRef = "main";

    /// <summary>The branch where the Hub keeps its Parquet conversion of non-Parquet datasets.</summary>
    public const string ConversionRef = "refs/convert/parquet";

    /// <summary>The commit the data files are read from: the conversion commit, else the pin.</summary>
    public string DataRevision => SourceRevision ?? Revision;

    /// <summary>The URI a dataset file is registered under: <c>hf://datasets/&lt;repo&gt;@&lt;sha&gt;/&lt;path&gt;</c>.</summary>
    public static string DataFileUri(string repo, string revision, string path) => new HfUri(repo, revision, path).ToString();

    /// <summary>
    /// The source recorded in <paramref name="properties"/>. A table without a repo, config or pin was not made
    /// from a dataset by Faceberg: <paramref name="notADatasetTable"/> builds the error naming the missing key.
    /// </summary>
    public static DatasetSource Read(IReadOnlyDictionary<string, string> properties, Func<string, FacebergException> notADatasetTable)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(notADatasetTable);
        string Required(string key) => properties.TryGetValue(key, out var value) && value.Length > 0 ? value : throw notADatasetTable(key);
        var repo = Required(TableProperties.Repo);
        var config = Required(TableProperties.Config);
        var revision = Required(TableProperties.Revision);
        return new DatasetSource(properties.GetValueOrDefault(TableProperties.Dataset), repo, config, revision,
            properties.GetValueOrDefault(TableProperties.Ref) ?? DefaultRef, properties.GetValueOrDefault(TableProperties.SourceRevision));
    }

    /// <summary>
    /// The table properties that record this source, with Iceberg's <c>write.data.path</c> pointing at the pinned
    /// data commit. Set all at once with the snapshot they describe, so no reader sees a pin without its files.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TableProperties.Repo] = Repo,
            [TableProperties.Config] = Config,
            [TableProperties.Revision] = Revision,
            [TableProperties.Ref] = Ref,
            [TableProperties.WriteDataPath] = DataFileUri(Repo, DataRevision, ""),
        };
        if (Dataset is not null)
            properties[TableProperties.Dataset] = Dataset;
        if (SourceRevision is not null)
            properties[TableProperties.SourceRevision] = SourceRevision;
        return properties;
    }

    /// <summary>
    /// The Faceberg keys of the summary of a snapshot that moves the table to this source: its commit, and for a
    /// change of an existing table the commit before and its file counts (a count is left out when null).
    /// </summary>
    public IReadOnlyDictionary<string, string> SnapshotSummary(string? previousRevision = null, int? added = null, int? removed = null, int? replaced = null)
    {
        var summary = new Dictionary<string, string>(StringComparer.Ordinal) { [TableProperties.Revision] = Revision };
        if (previousRevision is null)
            return summary;
        summary[TableProperties.PreviousRevision] = previousRevision;
        summary[TableProperties.Ref] = Ref;
        if (added is { } a) summary[TableProperties.AddedFiles] = a.ToString(CultureInfo.InvariantCulture);
        if (removed is { } r) summary[TableProperties.RemovedFiles] = r.ToString(CultureInfo.InvariantCulture);
        if (replaced is { } p) summary[TableProperties.ReplacedFiles] = p.ToString(CultureInfo.InvariantCulture);
        return summary;
    }
}

/// <summary>
/// An Iceberg table bound to the Hub dataset it is made from (<see cref="DatasetSource"/>) and to the record of
/// that dataset's files at the table's data commit (<see cref="DatasetTableStore.ReadFileRecordAsync"/>). Loaded and
/// committed through <see cref="DatasetTableStore"/>.
/// </summary>
public sealed class DatasetTable
{
    private DatasetTable(TableIdentifier identifier, IcebergTable iceberg, DatasetSource source)
    {
        Identifier = identifier;
        Iceberg = iceberg;
        Source = source;
    }

    public TableIdentifier Identifier { get; }
    public IcebergTable Iceberg { get; }
    public DatasetSource Source { get; }

    /// <summary>The name progress reports use: the dataset's, or the table's when the table does not record it.</summary>
    public string Label => Source.Dataset ?? Identifier.ToString();

    /// <summary>The current snapshot, which a change computed against this table requires to still be current.</summary>
    public long? SnapshotId => Iceberg.CurrentSnapshot?.SnapshotId;

    /// <summary>Binds <paramref name="iceberg"/> to its source; <paramref name="notADatasetTable"/> builds the error
    /// for a table whose properties lack one (see <see cref="DatasetSource.Read"/>).</summary>
    public static DatasetTable Bind(TableIdentifier identifier, IcebergTable iceberg, Func<string, FacebergException> notADatasetTable)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(iceberg);
        return new DatasetTable(identifier, iceberg, DatasetSource.Read(iceberg.Metadata.Properties, notADatasetTable));
    }
}
