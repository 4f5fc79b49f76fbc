namespace Faceberg.Core;

/// <summary>
/// TEST-ONLY fault hook for the crash matrix (tests/pester/ReliabilityCrash.Tests.ps1): at each named step of a
/// change, a process started with <c>FACEBERG_TEST_CRASH_AT=&lt;step&gt;</c> <b>and</b>
/// <c>FACEBERG_TEST_HOOKS=crash-matrix</c> ends at once, as a kill -9 would (no finally blocks, no cleanup, exit
/// code 86). Both variables are needed and the step must match a name below exactly, so it cannot be triggered by
/// accident; with them unset (always, outside the tests) <see cref="Reach"/> is one cached comparison.
/// </summary>
public static class CrashPoints
{
    /// <summary>New-FacebergTable on a local catalog: the entry is in catalog.json, no table file is written yet.</summary>
    public const string NewRegistered = "new.registered";

    /// <summary>A commit (create, sync, write, update): <c>vN.metadata.json</c> is written, <c>version-hint.text</c> not yet moved.</summary>
    public const string MetadataWritten = "commit.metadata-written";

    /// <summary>A Hub commit (Write's data files, a catalog on the Hub, Publish) is about to be sent.</summary>
    public const string HubCommitSending = "hub.commit.sending";

    /// <summary>A Hub commit has landed; nothing after it has run.</summary>
    public const string HubCommitLanded = "hub.commit.landed";

    /// <summary>Every step a crash can be injected at.</summary>
    public static readonly IReadOnlyList<string> Steps = [NewRegistered, MetadataWritten, HubCommitSending, HubCommitLanded];

    public const string ExitCode = "86";

    private static readonly string? Armed = Arm();

    private static string? Arm()
    {
        if (Environment.GetEnvironmentVariable("FACEBERG_TEST_HOOKS") != "crash-matrix")
            return null;
        var step = Environment.GetEnvironmentVariable("FACEBERG_TEST_CRASH_AT");
        return step is not null && Steps.Contains(step, StringComparer.Ordinal) ? step : null;
    }

    /// <summary>Ends the process at once when the crash hook is armed for <paramref name="step"/>.</summary>
    public static void Reach(string step)
    {
        if (Armed is null || !string.Equals(Armed, step, StringComparison.Ordinal))
            return;
        Console.Error.WriteLine($"FACEBERG_TEST_CRASH_AT: stopping at {step}");
        Environment.Exit(86);
    }
}
