using System.Globalization;
using System.Text.RegularExpressions;

namespace Faceberg.Core.Iceberg.Spec;

public enum TransformKind { Identity, Bucket, Truncate, Year, Month, Day, Hour, Void }

/// <summary>A partition transform; <see cref="ToString"/> is the spec's JSON form ("identity", "bucket[16]", …).</summary>
public sealed record Transform(TransformKind Kind, int? Parameter = null)
{
    public static readonly Transform Identity = new(TransformKind.Identity);
    public static readonly Transform Year = new(TransformKind.Year);
    public static readonly Transform Month = new(TransformKind.Month);
    public static readonly Transform Day = new(TransformKind.Day);
    public static readonly Transform Hour = new(TransformKind.Hour);
    public static readonly Transform Void = new(TransformKind.Void);
    public static Transform Bucket(int n) => new(TransformKind.Bucket, n);
    public static Transform Truncate(int width) => new(TransformKind.Truncate, width);

    private static readonly Regex Parameterised = new(@"^(bucket|truncate)\[\s*(\d+)\s*\]$", RegexOptions.CultureInvariant);

    public static Transform Parse(string text)
    {
        switch (text.Trim())
        {
            case "identity": return Identity;
            case "year": return Year;
            case "month": return Month;
            case "day": return Day;
            case "hour": return Hour;
            case "void": return Void;
        }
        var m = Parameterised.Match(text.Trim());
        if (m.Success)
        {
            var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            return m.Groups[1].Value == "bucket" ? Bucket(n) : Truncate(n);
        }
        throw new FacebergException("UnknownTransform", FacebergErrorKind.NotSupported, $"Unknown partition transform '{text}'.");
    }

    /// <summary>The type of the partition value this transform produces from a source column type (spec "Partition Transforms").</summary>
    public IcebergType ResultType(IcebergType sourceType) => Kind switch
    {
        TransformKind.Identity or TransformKind.Truncate or TransformKind.Void => sourceType,
        TransformKind.Bucket or TransformKind.Year or TransformKind.Month or TransformKind.Day or TransformKind.Hour => PrimitiveType.Int,
        _ => throw new InvalidOperationException(),
    };

    public override string ToString() => Kind switch
    {
        TransformKind.Bucket => string.Create(CultureInfo.InvariantCulture, $"bucket[{Parameter}]"),
        TransformKind.Truncate => string.Create(CultureInfo.InvariantCulture, $"truncate[{Parameter}]"),
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
