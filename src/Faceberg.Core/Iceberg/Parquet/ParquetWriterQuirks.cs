namespace Faceberg.Core.Iceberg.Parquet;

/// <summary>
/// Statistics some writers are known to get wrong, recognised by the footer's created_by.
/// Parquet.Net (checked against 6.1.0, the version Faceberg ships) encodes every INT64 timestamp
/// statistic in milliseconds whatever the column's unit, TIME(NANOS) statistics in microseconds,
/// UUID statistics in .NET's mixed-endian Guid byte order, and orders strings by UTF-16 code units
/// rather than by UTF-8 bytes.
/// </summary>
internal sealed class ParquetWriterQuirks
{
    private readonly bool _parquetNet;

    private ParquetWriterQuirks(bool parquetNet) => _parquetNet = parquetNet;

    public static ParquetWriterQuirks For(string? createdBy) =>
        new(createdBy != null && createdBy.StartsWith("Parquet.Net", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether min/max of this column can be trusted at all.</summary>
    public bool BoundsUsable(ParquetLeafColumn leaf) =>
        !_parquetNet || leaf.Kind is not (ParquetValueKind.TimestampMicros or ParquetValueKind.TimestampNanos
            or ParquetValueKind.TimeNanos or ParquetValueKind.Uuid);

    /// <summary>Whether one decoded bound can be trusted.</summary>
    public bool BoundUsable(ParquetLeafColumn leaf, object value)
    {
        if (!_parquetNet || leaf.Kind != ParquetValueKind.String) return true;
        // UTF-16 and UTF-8 order disagree only where a surrogate pair meets a code unit at or above
        // U+E000, so a reported bound with no code unit from U+D800 up is the true UTF-8 bound.
        foreach (var c in (string)value)
            if (c >= '\uD800') return false;
        return true;
    }
}
