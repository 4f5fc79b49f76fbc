using System.Text.RegularExpressions;

namespace Faceberg.Core;

/// <summary>A table's name inside a catalog: <c>namespace.table</c>, one level of namespace.
/// Both parts become folder names, so they are restricted to what is safe on every file system
/// and in SQL engines.</summary>
public sealed partial class TableIdentifier : IEquatable<TableIdentifier>, IComparable<TableIdentifier>
{
    public const string DefaultNamespace = "default";

    public TableIdentifier(string @namespace, string name)
    {
        ValidateNamespace(@namespace);
        ValidatePart(name, "table name");
        Namespace = @namespace;
        Name = name;
    }

    public string Namespace { get; }
    public string Name { get; }

    /// <summary>Parses <c>ns.table</c>. A bare name gets the
    /// <paramref name="defaultNamespace"/> when one is given.</summary>
    public static TableIdentifier Parse(string text, string? defaultNamespace = null)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid("A table identifier must not be empty.");
        var parts = text.Split('.');
        return parts.Length switch
        {
            1 when defaultNamespace is not null => new TableIdentifier(defaultNamespace, text),
            1 => throw Invalid($"Table identifier '{text}' has no namespace; expected 'namespace.table'."),
            2 => new TableIdentifier(parts[0], parts[1]),
            _ => throw Invalid($"Table identifier '{text}' has {parts.Length} parts; expected 'namespace.table'."),
        };
    }

    public static bool TryParse(string text, out TableIdentifier? identifier)
    {
        try { identifier = Parse(text); return true; }
        catch (FacebergException) { identifier = null; return false; }
    }

    public static void ValidateNamespace(string @namespace)
    {
        ValidatePart(@namespace, "namespace");
    }

    /// <summary>True when <paramref name="part"/> is usable as one identifier part.</summary>
    public static bool IsValidPart(string? part) => part is not null && PartPattern().IsMatch(part);

    private static void ValidatePart(string part, string what)
    {
        if (string.IsNullOrEmpty(part))
            throw Invalid($"Invalid {what}: identifier parts must not be empty.");
        if (part.Contains('/') || part.Contains('\\') || part == "..")
            throw Invalid($"Invalid {what}: '{part}' must not contain path separators or '..'.");
        if (!PartPattern().IsMatch(part))
            throw Invalid($"Invalid {what}: '{part}' must start with a letter or '_' and contain only letters, digits, '_' and '-' (at most 128 characters).");
    }

    private static FacebergException Invalid(string message) =>
        new("InvalidTableIdentifier", FacebergErrorKind.InvalidArgument, message);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex PartPattern();

    public override string ToString() => $"{Namespace}.{Name}";
    public bool Equals(TableIdentifier? other) => other is not null && Namespace == other.Namespace && Name == other.Name;
    public override bool Equals(object? obj) => Equals(obj as TableIdentifier);
    public override int GetHashCode() => HashCode.Combine(Namespace, Name);
    public int CompareTo(TableIdentifier? other) => string.CompareOrdinal(ToString(), other?.ToString());
    public static bool operator ==(TableIdentifier? a, TableIdentifier? b) => a?.Equals(b) ?? b is null;
    public static bool operator !=(TableIdentifier? a, TableIdentifier? b) => !(a == b);
}
