namespace Faceberg.Core.Data;

/// <summary>
/// Compares tuples of column values as equality deletes do: value by value, null equal to null (and to
/// nothing else), binary values by content.
/// </summary>
internal sealed class EqualityKeyComparer : IEqualityComparer<object?[]>
{
    public static readonly EqualityKeyComparer Instance = new();

    public bool Equals(object?[]? x, object?[]? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x == null || y == null || x.Length != y.Length) return false;
        for (var i = 0; i < x.Length; i++)
            if (!ValuesEqual(x[i], y[i])) return false;
        return true;
    }

    public int GetHashCode(object?[] key)
    {
        var hash = new HashCode();
        foreach (var value in key)
            hash.Add(value switch
            {
                null => 0,
                byte[] bytes => BytesHash(bytes),
                _ => value.GetHashCode(),
            });
        return hash.ToHashCode();
    }

    public static bool ValuesEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        _ => a.Equals(b),
    };

    private static int BytesHash(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
