using Faceberg.Core.Data;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Parquet;
using Faceberg.Core.Iceberg.Spec;
using Faceberg.Core.Iceberg.Table;
using Faceberg.Core.Tests.Hub;
using Faceberg.LocalHub;
using Parquet;
using Parquet.Serialization;

namespace Faceberg.Core.Tests.Data;

/// <summary>
/// A local Hub holding Parquet files, an IO that reads hf:// through it, and a temporary folder for
/// table metadata: tables built with the Iceberg API over real files, read over real HTTP.
/// </summary>
internal sealed class ReadFixture : IDisposable
{
    private readonly TestHub _hub = new();

    public ReadFixture()
    {
        Directory.CreateDirectory(Root);
        Client = _hub.Client();
        Io = new FileIORouter().Register("hf", new HubFileIO(Client));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "faceberg-read-tests", Guid.NewGuid().ToString("N"));
    public HubClient Client { get; }
    public FileIORouter Io { get; }
    public RequestLog Log => _hub.Log;

    public static async Task<byte[]> ParquetBytes<T>(IEnumerable<T> rows, int? rowGroupSize = null)
    {
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, buffer, new ParquetOptions { RowGroupSize = rowGroupSize ?? ParquetOptions.DefaultRowGroupSize });
        return buffer.ToArray();
    }

    /// <summary>Commits files to a dataset repo; returns their pinned hf:// URIs by path.</summary>
    public Dictionary<string, string> Seed(string repo, IDictionary<string, byte[]> files)
    {
        var sha = _hub.Seed(repo, files);
        return files.Keys.ToDictionary(p => p, p => new HfUri(repo, sha, p).ToString());
    }

    public static async Task<ParquetFileFacts> Inspect(byte[] bytes, string uri)
    {
        using var stream = new MemoryStream(bytes);
        return await ParquetFileInspector.InspectAsync(stream, uri);
    }

    /// <summary>The file's own schema plus a "split" string column, partitioned by identity on split (Faceberg's table shape).</summary>
    public static (Schema Schema, PartitionSpec Spec) SplitTableSchema(Schema fileSchema)
    {
        var fields = fileSchema.Fields.Append(NestedField.Optional(fileSchema.HighestFieldId + 1, TableScan.SplitColumn, PrimitiveType.String)).ToArray();
        var schema = new Schema(0, fields);
        return (schema, PartitionSpec.Identity(schema, TableScan.SplitColumn));
    }

    public Task<IcebergTable> CreateTable(string name, Schema schema, PartitionSpec? spec = null, IReadOnlyDictionary<string, string>? properties = null) =>
        IcebergTable.CreateAsync(Io, Path.Combine(Root, name), schema, spec, properties);

    public static async Task<DataFile> DataFile(byte[] bytes, string uri, Schema tableSchema, params object?[] partition) =>
        (await Inspect(bytes, uri)).ToDataFile(tableSchema, partition, uri);

    public static async Task<List<TableRow>> ReadAll(TableScan scan)
    {
        var rows = new List<TableRow>();
        await foreach (var row in scan.ReadAsync()) rows.Add(row);
        return rows;
    }

    /// <summary>Paths of the repo files the Hub served content for (ranged or whole).</summary>
    public IReadOnlyList<string> OpenedFiles() => Log.Entries
        .Where(e => e.Path.Contains("/resolve/", StringComparison.Ordinal))
        .Select(e => Uri.UnescapeDataString(e.Path[(e.Path.IndexOf("/resolve/", StringComparison.Ordinal) + "/resolve/".Length)..]))
        .Select(p => p[(p.IndexOf('/') + 1)..])
        .Distinct()
        .ToList();

    /// <summary>Bytes requested through Range headers ("bytes=a-b").</summary>
    public long RangeBytes() => Log.Entries.Where(e => e.Range != null).Sum(e =>
    {
        var spec = e.Range!["bytes=".Length..].Split('-');
        if (spec[0].Length == 0) return long.Parse(spec[1]);
        var first = long.Parse(spec[0]);
        return spec[1].Length == 0 ? 0 : long.Parse(spec[1]) - first + 1;
    });

    public void Dispose()
    {
        _hub.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
