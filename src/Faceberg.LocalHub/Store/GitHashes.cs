using System.Security.Cryptography;
using System.Text;

namespace Faceberg.LocalHub.Store;

/// <summary>The hashes Git and Git LFS use, so oids look and behave like the Hub's.</summary>
public static class GitHashes
{
    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Git blob id: sha1 of "blob {length}\0" followed by the content.</summary>
    public static string GitBlobOid(ReadOnlySpan<byte> content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(header);
        sha1.AppendData(content);
        return Convert.ToHexString(sha1.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>The Git LFS pointer file that Git stores in place of an LFS file's content.</summary>
    public static byte[] LfsPointer(string sha256, long size) =>
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n");

    public static string Sha1Hex(string text) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    public static bool IsFullSha(string value) => value.Length == 40 && value.All(Uri.IsHexDigit);
}
