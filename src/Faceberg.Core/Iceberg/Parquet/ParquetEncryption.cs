using Parquet.Meta;

namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// Parquet modular encryption, which Faceberg does not support (it holds no keys): files with an
/// encrypted footer (magic "PARE") and files with a plaintext footer but encrypted columns are refused
/// with UnsupportedParquetEncryption rather than read as garbage or failing deep in a decoder.
/// </summary>
internal static class ParquetEncryption
{
    /// <summary>The error for a footer Parquet.Net could not read: encryption when the file ends with "PARE", else InvalidParquetFile.</summary>
    public static FacebergException Unreadable(string uri, Stream stream, Exception e) =>
        EndsWithEncryptedMagic(stream)
            ? Refuse(uri, "its footer is encrypted (Parquet modular encryption)", e)
            : new FacebergException("InvalidParquetFile", FacebergErrorKind.InvalidData, $"'{uri}' is not a readable Parquet file: {e.Message}", e);

    /// <summary>Refuses a plaintext-footer file whose footer declares encryption or encrypted columns.</summary>
    public static void EnsureNotEncrypted(FileMetaData metadata, string uri)
    {
        var encrypted = (metadata.RowGroups ?? [])
            .SelectMany(g => g.Columns)
            .Where(c => c.CryptoMetadata != null || c.EncryptedColumnMetadata != null)
            .Select(c => c.MetaData?.PathInSchema is { } path ? string.Join('.', path) : c.CryptoMetadata?.ENCRYPTIONWITHCOLUMNKEY?.PathInSchema is { } keyed ? string.Join('.', keyed) : "?")
            .Distinct()
            .ToList();
        if (encrypted.Count > 0)
            throw Refuse(uri, $"its column{(encrypted.Count == 1 ? "" : "s")} {string.Join(", ", encrypted.Select(c => $"'{c}'"))} {(encrypted.Count == 1 ? "is" : "are")} encrypted (Parquet modular encryption)", null);
        if (metadata.EncryptionAlgorithm != null)
            throw Refuse(uri, "its footer is signed for Parquet modular encryption", null);
    }

    private static FacebergException Refuse(string uri, string what, Exception? e) =>
        new("UnsupportedParquetEncryption", FacebergErrorKind.NotSupported,
            $"Parquet file '{uri}' cannot be read: {what}, and Faceberg does not read encrypted Parquet files.", e);

    private static bool EndsWithEncryptedMagic(Stream stream)
    {
        try
        {
            if (!stream.CanSeek || stream.Length < 4) return false;
            var position = stream.Position;
            var tail = new byte[4];
            stream.Seek(-4, SeekOrigin.End);
            stream.ReadExactly(tail);
            stream.Position = position;
            return tail.AsSpan().SequenceEqual("PARE"u8);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            return false;
        }
    }
}
