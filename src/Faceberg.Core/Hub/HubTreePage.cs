using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Faceberg.Core.Hub;

/// <summary>
/// Reads one page of a tree listing (a JSON array of entries, as <c>GET /api/datasets/{id}/tree/{rev}</c> answers) into
/// <see cref="HubTreeEntry"/> values: the fields huggingface_hub's <c>RepoFile</c>/<c>RepoFolder</c> read that Faceberg
/// uses (type, path, size, oid, lfs), every other field skipped. A listing of a large dataset is thousands of entries,
/// read once per sync: field by field, optimized from the first call, instead of through the reflection serializer.
/// </summary>
internal static class HubTreePage
{
    /// <exception cref="JsonException">The page is not an array of entry objects with these fields' types.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<HubTreeEntry> Parse(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        if (Next(ref reader) != JsonTokenType.StartArray)
            throw new JsonException($"a tree page is an array, not {reader.TokenType}");
        var entries = new List<HubTreeEntry>();
        while (Next(ref reader) == JsonTokenType.StartObject)
            entries.Add(ParseEntry(ref reader));
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"a tree page holds entry objects, not {reader.TokenType}");
        return entries;
    }

    private static HubTreeEntry ParseEntry(ref Utf8JsonReader reader)
    {
        string type = "", path = "", oid = "";
        long size = 0;
        HubLfsInfo? lfs = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type")) type = ReadType(ref reader);
            else if (reader.ValueTextEquals("path")) path = ReadString(ref reader);
            else if (reader.ValueTextEquals("oid")) oid = ReadString(ref reader);
            else if (reader.ValueTextEquals("size")) size = ReadInt64(ref reader);
            else if (reader.ValueTextEquals("lfs")) lfs = ReadLfs(ref reader);
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return new HubTreeEntry { Type = type, Path = path, Oid = oid, Size = size, Lfs = lfs };
    }

    private static HubLfsInfo? ReadLfs(ref Utf8JsonReader reader)
    {
        var token = Next(ref reader);
        if (token == JsonTokenType.Null) return null;
        if (token != JsonTokenType.StartObject) throw new JsonException($"'lfs' is an object, not {token}");
        string oid = "";
        long size = 0;
        long? pointerSize = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("oid")) oid = ReadString(ref reader);
            else if (reader.ValueTextEquals("size")) size = ReadInt64(ref reader);
            else if (reader.ValueTextEquals("pointerSize")) pointerSize = Next(ref reader) == JsonTokenType.Null ? null : Int64(ref reader);
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return new HubLfsInfo { Oid = oid, Size = size, PointerSize = pointerSize };
    }

    // The two types every entry names, without a string per entry.
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

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the page ends early");

    // As the serializer reads these fields: a null leaves the default.
    private static string ReadString(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Null => "",
        var token => throw new JsonException($"a string where the page has {token}"),
    };

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
