namespace Faceberg.Core;
#pragma warning disable CS1591
public static class DiagTmp
{
    private static readonly long Start = System.Diagnostics.Stopwatch.GetTimestamp();
    public static long Now() => System.Diagnostics.Stopwatch.GetTimestamp();
    public static void Log(string what, long since)
    {
        if (Environment.GetEnvironmentVariable("FB_DIAG") is null) return;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        Console.Error.WriteLine($"[diag] {System.Diagnostics.Stopwatch.GetElapsedTime(Start, now).TotalMilliseconds,8:F1} {what}: {System.Diagnostics.Stopwatch.GetElapsedTime(since, now).TotalMilliseconds:F1} ms");
    }
}
