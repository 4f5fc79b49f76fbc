namespace Faceberg.LocalHub.Store;

/// <summary>
/// Decides whether a file goes through Git LFS, as the Hub's preupload does: large files, files
/// matched by the default .gitattributes (binary and columnar formats), and binary samples.
/// </summary>
public sealed class LfsPolicy
{
    /// <summary>Extensions the Hub's default .gitattributes routes to LFS.</summary>
    public static readonly IReadOnlySet<string> LfsExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".parquet", ".arrow", ".avro", ".bin", ".bz2", ".ckpt", ".gz", ".h5", ".lz4", ".msgpack", ".npy", ".npz",
        ".onnx", ".pb", ".pickle", ".pkl", ".pt", ".pth", ".safetensors", ".tar", ".tgz", ".wasm", ".xz", ".zip",
        ".zst", ".mp3", ".wav", ".ogg", ".flac", ".jpg", ".jpeg", ".png", ".webp", ".tfrecord", ".db",
    };

    public const long DefaultThresholdBytes = 10 * 1024 * 1024;

    public LfsPolicy(long thresholdBytes = DefaultThresholdBytes) => ThresholdBytes = thresholdBytes;

    public long ThresholdBytes { get; }

    /// <param name="sample">The first bytes of the content (the Hub receives 512); a NUL byte marks binary.</param>
    public bool IsLfs(string path, long size, ReadOnlySpan<byte> sample) =>
        size >= ThresholdBytes
        || LfsExtensions.Contains(Path.GetExtension(path))
        || sample.IndexOf((byte)0) >= 0;
}
