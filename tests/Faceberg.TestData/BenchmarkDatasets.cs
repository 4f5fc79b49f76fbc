using Faceberg.LocalHub.Samples;
using Faceberg.LocalHub.Store;

namespace Faceberg.TestData;

/// <summary>Repos with many small Parquet files, for benchmarks and concurrency tests.</summary>
public static class BenchmarkDatasets
{
    /// <summary>
    /// Creates <paramref name="repoId"/> with one commit of <paramref name="fileCount"/> files
    /// data/train-{i:00000}-of-{n:00000}.parquet, each of <paramref name="rowsPerFile"/> rows. With
    /// <paramref name="distinctFiles"/> below the file count, only that many different files are generated and file i
    /// has the content of file i mod <paramref name="distinctFiles"/> (the Hub stores each content once), so very
    /// large datasets are cheap to make.
    /// </summary>
    /// <returns>The commit sha.</returns>
    public static string Create(LocalHubStore store, string repoId, int fileCount, int rowsPerFile, int? distinctFiles = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fileCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerFile);
        var distinct = Math.Min(fileCount, distinctFiles ?? fileCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(distinct);
        if (!store.RepoExists(repoId)) store.CreateRepo(repoId);
        var features = SampleParquet.Features;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // Files are independent, so they are written in parallel; ids stay unique per file index.
        var contents = new byte[distinct][];
        Parallel.For(0, distinct, i => contents[i] = ParquetSamples.Write(SampleParquet.Rows(rowsPerFile, (long)i * rowsPerFile), features));
        for (var i = 0; i < fileCount; i++) files[$"data/train-{i:00000}-of-{fileCount:00000}.parquet"] = contents[i % distinct];
        return store.Commit(repoId, files, null, $"Add {fileCount} files of {rowsPerFile} rows");
    }
}
