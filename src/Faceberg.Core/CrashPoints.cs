namespace Faceberg.Core;

/// <summary>
/// TEST-ONLY fault hooks at the named steps of a change, for the crash and race matrices
/// (tests/pester/ReliabilityCrash.Tests.ps1, tests/pester/ReliabilityRace.Tests.ps1). Each needs
/// <c>FACEBERG_TEST_HOOKS</c> set to its name <b>and</b> a step that matches a name below exactly, so neither can be
/// triggered by accident; with them unset (always, outside the tests) <see cref="Reach"/> is one cached comparison.
/// <list type="bullet">
/// <item><c>FACEBERG_TEST_HOOKS=crash-matrix</c>, <c>FACEBERG_TEST_CRASH_AT=&lt;step&gt;</c>: the process ends at once,
/// as a kill -9 would (no finally blocks, no cleanup, exit code 86).</item>
/// <item><c>FACEBERG_TEST_HOOKS=race-barrier</c>, <c>FACEBERG_TEST_PAUSE_AT=&lt;step&gt;</c>,
/// <c>FACEBERG_TEST_PAUSE_DIR=&lt;folder&gt;</c>: the first time the process reaches the step it creates
/// <c>&lt;folder&gt;/arrived-&lt;pid&gt;</c> and waits (at most <see cref="PauseLimit"/>) for <c>&lt;folder&gt;/go</c>, so a
/// test can line two processes up at the same point (both have read the same base) and release them together.</item>
/// </list>
/// </summary>
public static class CrashPoints
{
    /// <summary>New-FacebergTable on a local catalog: the entry is in catalog.json, no table file is written yet.</summary>
    public const string NewRegistered = "new.registered";

    /// <summary>A commit (create, sync, write, update): its manifests are written, <c>vN.metadata.json</c> is about to be created.</summary>
    public const string MetadataWriting = "commit.metadata-writing";

    /// <summary>A commit (create, sync, write, update): <c>vN.metadata.json</c> is written, <c>version-hint.text</c> not yet moved.</summary>
    public const string MetadataWritten = "commit.metadata-written";

    /// <summary>A Hub commit (Write's data files, a catalog on the Hub, Publish) is about to be sent.</summary>
    public const string HubCommitSending = "hub.commit.sending";

    /// <summary>A Hub commit has landed; nothing after it has run.</summary>
    public const string HubCommitLanded = "hub.commit.landed";

    /// <summary>Write-FacebergTable: the data files are on the Hub (their commit verified), the table's snapshot is not committed yet.</summary>
    public const string WriteDataCommitted = "write.data-committed";

    /// <summary>Publish-FacebergCatalog: the catalog commit is on the Hub, the working copy's <c>.published</c> state is not updated yet.</summary>
    public const string PublishCommitted = "publish.committed";

    /// <summary>Every step a hook can stop or pause at.</summary>
    public static readonly IReadOnlyList<string> Steps =
        [NewRegistered, MetadataWriting, MetadataWritten, HubCommitSending, HubCommitLanded, WriteDataCommitted, PublishCommitted];

    public const string ExitCode = "86";

    /// <summary>How long a paused process waits for the go file before carrying on.</summary>
    public static readonly TimeSpan PauseLimit = TimeSpan.FromSeconds(60);

    private static readonly string? CrashStep = ArmedStep("crash-matrix", "FACEBERG_TEST_CRASH_AT");
    private static readonly string? PauseStep = ArmedStep("race-barrier", "FACEBERG_TEST_PAUSE_AT");
    private static int _paused;

    private static string? ArmedStep(string hook, string variable)
    {
        if (Environment.GetEnvironmentVariable("FACEBERG_TEST_HOOKS") != hook)
            return null;
        var step = Environment.GetEnvironmentVariable(variable);
        return step is not null && Steps.Contains(step, StringComparer.Ordinal) ? step : null;
    }

    /// <summary>Ends the process at once, or pauses it, when a hook is armed for <paramref name="step"/>.</summary>
    public static void Reach(string step)
    {
        if (CrashStep is not null && string.Equals(CrashStep, step, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"FACEBERG_TEST_CRASH_AT: stopping at {step}");
            Environment.Exit(86);
        }
        if (PauseStep is not null && string.Equals(PauseStep, step, StringComparison.Ordinal) && Interlocked.Exchange(ref _paused, 1) == 0)
            Pause(step);
    }

    private static void Pause(string step)
    {
        var folder = Environment.GetEnvironmentVariable("FACEBERG_TEST_PAUSE_DIR");
        if (string.IsNullOrEmpty(folder))
            return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"arrived-{Environment.ProcessId}"), step);
        var go = Path.Combine(folder, "go");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(go) && waited.Elapsed < PauseLimit)
            Thread.Sleep(20);
        if (!File.Exists(go))
            Console.Error.WriteLine($"FACEBERG_TEST_PAUSE_AT: no go file after {PauseLimit.TotalSeconds} s at {step}; carrying on");
    }
}
