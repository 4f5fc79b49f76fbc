using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Avro.IO;
using AvroSchema = Avro.Schema;

namespace Faceberg.Core.Iceberg.Avro;

/// <summary>Avro container codecs Faceberg writes; icebird reads only these two.</summary>
public enum AvroCodec { Null, Deflate }

/// <summary>The decoded content of an Avro container file.</summary>
internal sealed record AvroContainerContent(string SchemaJson, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<GenericRecord> Records);

/// <summary>One data block of a container: its record count and its decompressed bytes.</summary>
internal sealed record AvroBlock(long Count, byte[] Data);

/// <summary>A container's header and its blocks, not yet decoded.</summary>
internal sealed record AvroContainerBlocks(string SchemaJson, AvroSchema Schema, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<AvroBlock> Blocks);

/// <summary>
/// Reads and writes Avro object container files. The header is written here rather than by
/// Apache.Avro's DataFileWriter because that writer re-serialises the schema and drops
/// <c>"logicalType": "map"</c> from array schemas, which Iceberg requires on maps stored as arrays of
/// key/value records. Record bodies are encoded with Apache.Avro against the same schema with logical
/// type annotations removed (they do not change the binary encoding, and removing them keeps
/// Apache.Avro from expecting DateTime/AvroDecimal objects for annotated ints and fixeds).
/// </summary>
internal static class AvroContainer
{
    private static readonly byte[] Magic = { (byte)'O', (byte)'b', (byte)'j', 1 };
    private const int RecordsPerBlock = 4096;

    /// <summary>Writes a container; <paramref name="buildRecords"/> receives the parsed record schema the records must be built on.</summary>
    public static byte[] Write(JsonNode schema, IReadOnlyDictionary<string, string> metadata, Func<RecordSchema, IEnumerable<GenericRecord>> buildRecords, AvroCodec codec)
    {
        var schemaJson = schema.ToJsonString();
        var encodingSchema = ParseForEncoding(schemaJson);
        var records = buildRecords((RecordSchema)encodingSchema);
        var sync = RandomNumberGenerator.GetBytes(16);
        using var output = new MemoryStream();
        output.Write(Magic);

        var meta = new List<KeyValuePair<string, byte[]>>
        {
            new("avro.schema", Encoding.UTF8.GetBytes(schemaJson)),
            new("avro.codec", Encoding.UTF8.GetBytes(codec == AvroCodec.Deflate ? "deflate" : "null")),
        };
        meta.AddRange(metadata.Select(kv => new KeyValuePair<string, byte[]>(kv.Key, Encoding.UTF8.GetBytes(kv.Value))));
        WriteLong(output, meta.Count);
        foreach (var (key, value) in meta)
        {
            WriteBytes(output, Encoding.UTF8.GetBytes(key));
            WriteBytes(output, value);
        }
        WriteLong(output, 0);
        output.Write(sync);

        // Each record is encoded as soon as it is built and dropped: a block's records are never held together, so a
        // large file's generic records (a dozen small objects per manifest entry) die young instead of piling up.
        var writer = new GenericDatumWriter<GenericRecord>(encodingSchema);
        using var block = new MemoryStream();
        var encoder = new BinaryEncoder(block);
        var count = 0;
        foreach (var record in records)
        {
            writer.Write(record, encoder);
            if (++count == RecordsPerBlock)
            {
                WriteBlock(output, block, encoder, count, sync, codec);
                count = 0;
            }
        }
        if (count > 0)
            WriteBlock(output, block, encoder, count, sync, codec);
        return output.ToArray();
    }

    /// <summary>Writes the records encoded into <paramref name="block"/> as one data block, then empties it for the next.</summary>
    private static void WriteBlock(MemoryStream output, MemoryStream block, BinaryEncoder encoder, int count, byte[] sync, AvroCodec codec)
    {
        encoder.Flush();
        var encoded = block.GetBuffer().AsSpan(0, (int)block.Length);
        WriteLong(output, count);
        if (codec == AvroCodec.Deflate)
        {
            var data = Deflate(encoded);
            WriteLong(output, data.Length);
            output.Write(data);
        }
        else
        {
            WriteLong(output, encoded.Length);
            output.Write(encoded);
        }
        output.Write(sync);
        block.SetLength(0);
    }

    public static AvroContainerContent Read(byte[] file, string description)
    {
        var blocks = ReadBlocks(file, description);
        try
        {
            var reader = new GenericDatumReader<GenericRecord>(blocks.Schema, blocks.Schema);
            var records = new List<GenericRecord>();
            foreach (var block in blocks.Blocks)
            {
                var decoder = new BinaryDecoder(new MemoryStream(block.Data));
                for (long i = 0; i < block.Count; i++) records.Add(reader.Read(null!, decoder));
            }
            return new AvroContainerContent(blocks.SchemaJson, blocks.Metadata, records);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or EndOfStreamException or global::Avro.AvroException or InvalidDataException or InvalidCastException)
        {
            throw new FacebergException("InvalidAvroFile", FacebergErrorKind.InvalidData, $"{description} is not a readable Avro file: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The container again with each record passed through <paramref name="change"/> (which edits it in place and says
    /// whether it changed anything), written with the same schema text, header metadata and codec, so field ids and
    /// the Iceberg header keys stay as they were. Null when no record changed.
    /// </summary>
    public static byte[]? Rewrite(byte[] file, string description, Func<GenericRecord, bool> change)
    {
        var content = Read(file, description);
        var changed = false;
        foreach (var record in content.Records)
            changed |= change(record);
        if (!changed)
            return null;
        var codec = ReadHeaderMetadata(file, description).TryGetValue("avro.codec", out var c) && c == "deflate" ? AvroCodec.Deflate : AvroCodec.Null;
        return Write(JsonNode.Parse(content.SchemaJson)!, content.Metadata, _ => content.Records, codec);
    }

    /// <summary>
    /// The header and the (decompressed) data blocks of a container, for readers that decode the records
    /// themselves. <see cref="AvroContainerBlocks.Schema"/> is the writer schema without logical types.
    /// </summary>
    public static AvroContainerBlocks ReadBlocks(byte[] file, string description)
    {
        try
        {
            var pos = 0;
            var meta = ReadHeader(file, ref pos, description);
            var sync = file.AsSpan(pos - 16, 16);

            if (!meta.TryGetValue("avro.schema", out var schemaBytes))
                throw Invalid(description, "the header has no avro.schema");
            var schemaJson = Encoding.UTF8.GetString(schemaBytes);
            var codec = meta.TryGetValue("avro.codec", out var c) ? Encoding.UTF8.GetString(c) : "null";
            if (codec is not ("null" or "deflate"))
                throw new FacebergException("UnsupportedAvroCodec", FacebergErrorKind.NotSupported, $"{description} uses Avro codec '{codec}'; only null and deflate are supported.");

            var schema = ParseForEncoding(schemaJson);
            var blocks = new List<AvroBlock>();
            while (pos < file.Length)
            {
                var count = ReadLong(file, ref pos);
                var size = (int)ReadLong(file, ref pos);
                var data = file.AsSpan(pos, size).ToArray();
                pos += size;
                if (!file.AsSpan(pos, 16).SequenceEqual(sync))
                    throw Invalid(description, "a block's sync marker does not match the header");
                pos += 16;
                if (codec == "deflate") data = Inflate(data);
                blocks.Add(new AvroBlock(count, data));
            }

            var metadata = meta.Where(kv => !kv.Key.StartsWith("avro.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value), StringComparer.Ordinal);
            return new AvroContainerBlocks(schemaJson, schema, metadata, blocks);
        }
        catch (FacebergException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or EndOfStreamException or global::Avro.AvroException or InvalidDataException or InvalidCastException)
        {
            throw new FacebergException("InvalidAvroFile", FacebergErrorKind.InvalidData, $"{description} is not a readable Avro file: {ex.Message}", ex);
        }
    }

    /// <summary>Every header metadata entry (avro.schema and avro.codec included), decoded as UTF-8.</summary>
    public static IReadOnlyDictionary<string, string> ReadHeaderMetadata(byte[] file, string description)
    {
        try
        {
            var pos = 0;
            return ReadHeader(file, ref pos, description).ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException)
        {
            throw new FacebergException("InvalidAvroFile", FacebergErrorKind.InvalidData, $"{description} is not a readable Avro file: {ex.Message}", ex);
        }
    }

    /// <summary>Reads magic, metadata map and sync marker; leaves <paramref name="pos"/> after the sync marker.</summary>
    private static Dictionary<string, byte[]> ReadHeader(byte[] file, ref int pos, string description)
    {
        if (file.Length < 4 || !file.AsSpan(0, 4).SequenceEqual(Magic))
            throw Invalid(description, "not an Avro container file (bad magic)");
        pos = 4;
        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            var count = ReadLong(file, ref pos);
            if (count == 0) break;
            if (count < 0)
            {
                count = -count;
                ReadLong(file, ref pos); // block byte size, not needed when reading sequentially
            }
            for (var i = 0; i < count; i++)
            {
                var key = Encoding.UTF8.GetString(ReadBytes(file, ref pos));
                meta[key] = ReadBytes(file, ref pos);
            }
        }
        if (file.Length < pos + 16) throw Invalid(description, "the header is truncated");
        pos += 16;
        return meta;
    }

    // A process writes and reads the same few schemas (one manifest list schema, a manifest schema per partition type):
    // each is parsed once. Parsed schemas are only read, so they are shared between threads.
    private static readonly ConcurrentDictionary<string, AvroSchema> Parsed = new(StringComparer.Ordinal);
    private const int MaxParsed = 64;

    /// <summary>Parses a schema for Apache.Avro with every logicalType annotation removed.</summary>
    private static AvroSchema ParseForEncoding(string schemaJson)
    {
        if (Parsed.TryGetValue(schemaJson, out var parsed))
            return parsed;
        parsed = ParseWithoutLogicalTypes(schemaJson);
        if (Parsed.Count >= MaxParsed)
            Parsed.Clear();
        Parsed[schemaJson] = parsed;
        return parsed;
    }

    private static AvroSchema ParseWithoutLogicalTypes(string schemaJson)
    {
        var node = JsonNode.Parse(schemaJson)!;
        StripLogicalTypes(node);
        return AvroSchema.Parse(node.ToJsonString());
    }

    private static void StripLogicalTypes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("logicalType");
                foreach (var (_, child) in o.ToList()) StripLogicalTypes(child);
                break;
            case JsonArray a:
                foreach (var child in a) StripLogicalTypes(child);
                break;
        }
    }

    private static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(data);
        return output.ToArray();
    }

    private static byte[] Inflate(byte[] data)
    {
        using var input = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static void WriteLong(Stream s, long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        while (n >= 0x80)
        {
            s.WriteByte((byte)(n | 0x80));
            n >>= 7;
        }
        s.WriteByte((byte)n);
    }

    private static void WriteBytes(Stream s, byte[] bytes)
    {
        WriteLong(s, bytes.Length);
        s.Write(bytes);
    }

    private static long ReadLong(byte[] b, ref int pos)
    {
        ulong n = 0;
        var shift = 0;
        while (true)
        {
            var x = b[pos++];
            n |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) break;
            shift += 7;
            if (shift > 63) throw new InvalidDataException("varint too long");
        }
        return (long)(n >> 1) ^ -(long)(n & 1);
    }

    private static byte[] ReadBytes(byte[] b, ref int pos)
    {
        var len = (int)ReadLong(b, ref pos);
        var result = b.AsSpan(pos, len).ToArray();
        pos += len;
        return result;
    }

    private static FacebergException Invalid(string description, string what) =>
        new("InvalidAvroFile", FacebergErrorKind.InvalidData, $"{description} is not a readable Avro file: {what}.");
}
