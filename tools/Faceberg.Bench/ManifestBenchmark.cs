using System.Diagnostics;
using System.Text;
using Faceberg.Core.Iceberg.Avro;
using Faceberg.Core.Iceberg.Spec;

namespace Faceberg.Bench;

/// <summary>
/// Decodes (and encodes) a manifest of as many entries as a dataset table of that many files has, with the
/// statistics a create records for a 3-column file, single-threaded: the CPU a sync spends learning the
/// table's live files before its first Hub read.
/// </summary>
public static class ManifestBenchmark
{
    public const string Command = "manifest";

    public static int Run(BenchArgs args, TextWriter output)
    {
        var sizes = args.IntList("files", [1000, 10000]);
        args.RejectUnknown();
        var schema = new Schema(0, new[]
        {
            NestedField.Optional(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "text", PrimitiveType.String),
            NestedField.Optional(3, "score", PrimitiveType.Double),
            NestedField.Optional(4, "split", PrimitiveType.String),
        });
        var spec = PartitionSpec.Identity(schema, "split");
        output.WriteLine("| Entries | Manifest (KB) | Write (ms) | Read, best of 5 (ms) | Read, first (ms) |");
        output.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var count in sizes)
        {
            var entries = Enumerable.Range(0, count).Select(i => new ManifestEntry(ManifestEntryStatus.Added, 1, 1, 1, File(i, count))).ToList();
            var write = Stopwatch.StartNew();
            var bytes = ManifestIO.Write(schema, spec, entries);
            write.Stop();
            var times = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                var read = Stopwatch.StartNew();
                var contents = ManifestIO.Read(bytes, "bench manifest");
                read.Stop();
                if (contents.Entries.Count != count || (string?)contents.Entries[^1].DataFile.Partition[0] != "train")
                    throw new InvalidOperationException("The manifest did not read back.");
                times.Add(read.Elapsed.TotalMilliseconds);
            }
            output.WriteLine($"| {count:N0} | {bytes.Length / 1024:N0} | {write.Elapsed.TotalMilliseconds:N0} | {times.Min():N0} | {times[0]:N0} |");
        }
        return 0;
    }

    private static DataFile File(int i, int count)
    {
        static byte[] Long(long v) => BitConverter.GetBytes(v);
        return new DataFile
        {
            FilePath = $"hf://datasets/bench/files@0123456789abcdef0123456789abcdef01234567/data/train-{i:D5}-of-{count:D5}.parquet",
            Partition = ["train"],
            RecordCount = 20,
            FileSizeInBytes = 3000 + i,
            ColumnSizes = new() { [1] = 120, [2] = 400, [3] = 160 },
            ValueCounts = new() { [1] = 20, [2] = 20, [3] = 20 },
            NullValueCounts = new() { [1] = 0, [2] = 1, [3] = 0 },
            NanValueCounts = new() { [3] = 0 },
            LowerBounds = new() { [1] = Long(i * 20L), [2] = Encoding.UTF8.GetBytes("aaaa"), [3] = BitConverter.GetBytes(0.5) },
            UpperBounds = new() { [1] = Long(i * 20L + 19), [2] = Encoding.UTF8.GetBytes("zzzz"), [3] = BitConverter.GetBytes(9.5) },
            SplitOffsets = [4],
            SortOrderId = 0,
        };
    }
}
