using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Hub;

/// <summary>
/// Reads one page of a tree listing (a JSON array of entries, as <c>GET /api/datasets/{id}/tree/{rev}</c> answers) into
/// <see cref="HubTreeEntry"/> values: the fields huggingface_hub's <c>RepoFile</c>/<c>RepoFolder</c> read that Faceberg
/// uses (type, path, size, oid, lfs), every other field skipped. A listing of a large dataset is thousands of entries,
/// read once per sync, often in a process that has just started: field by field, every method optimized from its first
/// call, instead of through the reflection serializer.
/// </summary>
internal static class HubTreePage
{
    // Strict, as Utf8JsonReader.GetString is: an oid read late fails on bad UTF-8 as one read at once would.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="JsonException">The page is not an array of entry objects with these fields' types.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<HubTreeEntry> Parse(byte[] json)
    {
        var reader = Start(json);
        var entries = new List<HubTreeEntry>();
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            var e = ReadEntry(ref reader);
            entries.Add(new HubTreeEntry
            {
                Type = e.Type, Path = e.Path, Oid = e.Oid(json), Size = e.Size,
                Lfs = e.HasLfs ? new HubLfsInfo { Oid = e.LfsOid, Size = e.LfsSize, PointerSize = e.PointerSize } : null,
            });
        }
        End(ref reader);
        return entries;
    }

    /// <summary>
    /// The page's files (folders left out), each made by <paramref name="file"/> from its path, size and content id as
    /// <see cref="HubTreeEntry"/> holds them: an entry with an <c>lfs</c> object has the LFS size and, when the object
    /// names one, the LFS sha256; any other has its own size and git blob oid. The git oid of an LFS file is never
    /// turned into a string.
    /// </summary>
    /// <exception cref="JsonException">The page is not an array of entry objects with these fields' types.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<T> ParseFiles<T>(byte[] json, Func<string, long, string, T> file)
    {
        var reader = Start(json);
        var files = new List<T>();
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            var e = ReadEntry(ref reader);
            if (e.Type != "file")
                continue;
            files.Add(e.HasLfs
                ? file(e.Path, e.LfsSize, e.LfsOid.Length > 0 ? e.LfsOid : e.Oid(json))
                : file(e.Path, e.Size, e.Oid(json)));
        }
        End(ref reader);
        return files;
    }

    private static Utf8JsonReader Start(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        if (Next(ref reader) != JsonTokenType.StartArray)
            throw new JsonException($"a tree page is an array, not {reader.TokenType}");
        return reader;
    }

    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"a tree page holds entry objects, not {reader.TokenType}");
    }

    /// <summary>One entry's fields; the oid stays a range of the page until asked for.</summary>
    private struct EntryFields
    {
        public string Type, Path, LfsOid;
        public long Size, LfsSize;
        public long? PointerSize;
        public bool HasLfs;
        public string? OidText;
        public int OidStart, OidLength;

        public readonly string Oid(byte[] json)
        {
            if (OidText is not null || OidLength == 0)
                return OidText ?? "";
            try
            {
                return StrictUtf8.GetString(json, OidStart, OidLength);
            }
            catch (DecoderFallbackException e)
            {
                throw new JsonException("an 'oid' that is not UTF-8", e);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static EntryFields ReadEntry(ref Utf8JsonReader reader)
    {
        var e = new EntryFields { Type = "", Path = "", LfsOid = "" };
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type")) e.Type = ReadType(ref reader);
            else if (reader.ValueTextEquals("path")) e.Path = ReadString(ref reader);
            else if (reader.ValueTextEquals("oid")) ReadOid(ref reader, ref e);
            else if (reader.ValueTextEquals("size")) e.Size = ReadInt64(ref reader);
            else if (reader.ValueTextEquals("lfs")) ReadLfs(ref reader, ref e);
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return e;
    }

    // The page is one array, so an unescaped string value is a slice of it at a known place.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadOid(ref Utf8JsonReader reader, ref EntryFields e)
    {
        var token = Next(ref reader);
        if (token == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            e.OidText = null;
            e.OidStart = checked((int)reader.TokenStartIndex + 1);
            e.OidLength = reader.ValueSpan.Length;
        }
        else
        {
            e.OidText = token switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => "",
                _ => throw new JsonException($"a string where the page has {token}"),
            };
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadLfs(ref Utf8JsonReader reader, ref EntryFields e)
    {
        var token = Next(ref reader);
        // A later "lfs" replaces an earlier one, as the serializer would.
        e.HasLfs = false;
        e.LfsOid = "";
        e.LfsSize = 0;
        e.PointerSize = null;
        if (token == JsonTokenType.Null) return;
        if (token != JsonTokenType.StartObject) throw new JsonException($"'lfs' is an object, not {token}");
        e.HasLfs = true;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("oid")) e.LfsOid = ReadString(ref reader);
            else if (reader.ValueTextEquals("size")) e.LfsSize = ReadInt64(ref reader);
            else if (reader.ValueTextEquals("pointerSize")) e.PointerSize = Next(ref reader) == JsonTokenType.Null ? null : Int64(ref reader);
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
    }

    // The two types every entry names, without a string per entry.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string ReadType(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("file")) return "file";
            if (reader.ValueTextEquals("directory")) return "directory";
            return reader.GetString()!;
        }
        return reader.TokenType == JsonTokenType.Null ? "" : throw new JsonException($"a string where the page has {reader.TokenType}");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the page ends early");

    // As the serializer reads these fields: a null leaves the default.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string ReadString(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Null => "",
        var token => throw new JsonException($"a string where the page has {token}"),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long ReadInt64(ref Utf8JsonReader reader) => Next(ref reader) == JsonTokenType.Null ? 0 : Int64(ref reader);

    // The client's serializer options (JsonSerializerDefaults.Web) also read a number written as a string.
    private static long Int64(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
        JsonTokenType.String when long.TryParse(reader.GetString(), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var value) => value,
        var token => throw new JsonException($"an integer where the page has {token}"),
    };
}
