using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Tests.Interop;

/// <summary>Options for one <see cref="IcebirdReader.ReadAsync"/> call.</summary>
public sealed record IcebirdReadOptions
{
    /// <summary>Read at most this many rows; 0 reads none; null reads all.</summary>
    public int? Rows { get; init; }

    /// <summary>Snapshot whose rows are read; null means the current snapshot.</summary>
    public long? SnapshotId { get; init; }

    /// <summary>Metadata file to read (e.g. <c>v2.metadata.json</c>); null means what version-hint.text names.</summary>
    public string? MetadataFile { get; init; }

    /// <summary>URL prefix rewrites (<c>--map PREFIX=TARGET</c>); TARGET is a URL or a local directory.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Maps { get; init; } = [];

    /// <summary>Hub endpoint for hf:// URIs; null inherits HF_ENDPOINT from this process.</summary>
    public string? HfEndpoint { get; init; }

    /// <summary>Token sent to the Hub endpoint's host only; null inherits HF_TOKEN from this process.</summary>
    public string? HfToken { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>dump.mjs failed, timed out, or printed something that is not its JSON document.</summary>
public sealed class IcebirdException(string message) : Exception(message);

/// <summary>
/// Reads an Iceberg table with icebird (npm), software independent of Faceberg, by running
/// <c>node tests/interop/dump.mjs</c>, and returns what icebird saw.
/// </summary>
public sealed class IcebirdReader
{
    private readonly string interopDirectory;

    public IcebirdReader(string? interopDirectory = null)
    {
        this.interopDirectory = interopDirectory ?? DefaultInteropDirectory;
    }

    /// <summary>The repository root: the nearest ancestor of the test assembly holding Faceberg.PowerShell.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string DefaultInteropDirectory => Path.Combine(RepoRoot, "tests", "interop");

    public static string FixturesDirectory => Path.Combine(DefaultInteropDirectory, "fixtures");

    /// <summary>Why icebird cannot run here, or null when it can.</summary>
    public string? UnavailableReason()
    {
        var script = Path.Combine(interopDirectory, "dump.mjs");
        if (!File.Exists(script))
        {
            return $"{script} does not exist.";
        }

        if (!File.Exists(Path.Combine(interopDirectory, "node_modules", "icebird", "package.json")))
        {
            return $"icebird is not installed: run `npm ci --prefix {Path.GetRelativePath(RepoRoot, interopDirectory)}` from the repository root.";
        }

        return FindOnPath("node") is null ? "node is not on PATH (Node 20 or newer is needed)." : null;
    }

    public async Task<IcebirdTableDump> ReadAsync(
        string tableLocation, IcebirdReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new IcebirdReadOptions();
        var unavailable = UnavailableReason();
        if (unavailable is not null)
        {
            throw new IcebirdException($"Cannot read {tableLocation} with icebird: {unavailable}");
        }

        var start = new ProcessStartInfo(FindOnPath("node")!)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(interopDirectory, "dump.mjs"));
        start.ArgumentList.Add(tableLocation);
        if (options.Rows is { } rows)
        {
            start.ArgumentList.Add("--rows");
            start.ArgumentList.Add(rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (options.SnapshotId is { } snapshotId)
        {
            start.ArgumentList.Add("--snapshot");
            start.ArgumentList.Add(snapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (options.MetadataFile is { } metadataFile)
        {
            start.ArgumentList.Add("--metadata");
            start.ArgumentList.Add(metadataFile);
        }

        foreach (var (prefix, target) in options.Maps)
        {
            start.ArgumentList.Add("--map");
            start.ArgumentList.Add($"{prefix}={target}");
        }

        if (options.HfEndpoint is not null)
        {
            start.Environment["HF_ENDPOINT"] = options.HfEndpoint;
        }

        if (options.HfToken is not null)
        {
            start.Environment["HF_TOKEN"] = options.HfToken;
        }

        var token = options.HfToken ?? Environment.GetEnvironmentVariable("HF_TOKEN");

        using var process = Process.Start(start) ?? throw new IcebirdException("Could not start node.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new IcebirdException($"icebird did not finish reading {tableLocation} within {options.Timeout}.");
        }

        var output = await stdout;
        var errors = Redact(await stderr, token);
        if (process.ExitCode != 0)
        {
            throw new IcebirdException(
                $"icebird failed to read {tableLocation} (exit code {process.ExitCode}): {errors.Trim()}");
        }

        try
        {
            return IcebirdTableDump.Parse(output);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new IcebirdException($"dump.mjs printed an unexpected document for {tableLocation}: {e.Message}");
        }
    }

    private static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Faceberg.PowerShell.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Faceberg.PowerShell.sln above {AppContext.BaseDirectory}; the interop tests run from a repository checkout.");
    }

    private static string? FindOnPath(string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd" } : new[] { program };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (dir.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
