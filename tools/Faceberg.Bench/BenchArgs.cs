using System.Globalization;

namespace Faceberg.Bench;

public sealed class BenchArgumentException(string message) : Exception(message);

/// <summary>Options given as <c>--name value</c> pairs.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private BenchArgs(Dictionary<string, string> values) => _values = values;

    public static BenchArgs Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
                throw new BenchArgumentException($"Expected an option such as --files, got '{name}'.");
            if (i + 1 >= args.Count)
                throw new BenchArgumentException($"Option '{name}' needs a value.");
            values[name[2..]] = args[++i];
        }
        return new BenchArgs(values);
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string RequiredString(string name) => String(name) ?? throw new BenchArgumentException($"Option --{name} is required.");

    public int Int(string name, int defaultValue, int min = 1) =>
        String(name) is { } text ? ParseInt(name, text, min) : defaultValue;

    public double Double(string name, double defaultValue, double min = 0)
    {
        if (String(name) is not { } text) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new BenchArgumentException($"--{name} must be a number ≥ {min.ToString(CultureInfo.InvariantCulture)}, got '{text}'.");
        return value;
    }

    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> defaultValue, int min = 1) =>
        String(name) is { } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => ParseInt(name, t, min)).ToList()
            : defaultValue;

    /// <summary>Fails on options no one asked for, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new BenchArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }

    private static int ParseInt(string name, string text, int min) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new BenchArgumentException($"--{name} must be an integer ≥ {min}, got '{text}'.");
}
