using System.Diagnostics;

namespace Faceberg.Core.Datasets;

// TEMPORARY diagnosis timers (FACEBERG_SYNC_TIMERS=1): wall and process CPU per phase, to stderr.
internal static class SyncTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("FACEBERG_SYNC_TIMERS") == "1";
    private static readonly Stopwatch Watch = Stopwatch.StartNew();
    private static double _lastWall;
    private static TimeSpan _lastCpu;

    public static void Start()
    {
        if (!Enabled) return;
        _lastWall = Watch.Elapsed.TotalMilliseconds;
        _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public static void Note(string text)
    {
        if (Enabled) Console.Error.WriteLine($"      [sync]   {text} (at {Watch.Elapsed.TotalMilliseconds - _lastWall:F1} ms into the phase, cpu {(Process.GetCurrentProcess().TotalProcessorTime - _lastCpu).TotalMilliseconds:F1})");
    }

    public static void Mark(string phase)
    {
        if (!Enabled) return;
        var wall = Watch.Elapsed.TotalMilliseconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Console.Error.WriteLine($"      [sync] {phase,-14} wall {wall - _lastWall,7:F1} ms  cpu {(cpu - _lastCpu).TotalMilliseconds,7:F1} ms");
        _lastWall = wall;
        _lastCpu = cpu;
    }
}
