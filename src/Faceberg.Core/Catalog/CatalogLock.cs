using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Faceberg.Core.Catalog;

/// <summary>
/// The lock file that serializes changes to a catalog.json. It records its holder — process id, the process's
/// start time and the host — so a lock left behind by a process that died (kill -9) is recognised and broken at
/// once: on the same host, the holder is dead when no process has its id or the process with that id started at
/// another time (the id was reused). A holder on another host cannot be checked; its lock is broken only when it
/// is older than <see cref="ForeignLockAge"/>. Waiting for a live holder is bounded, and the error names it.
/// </summary>
public static class CatalogLock
{
    /// <summary>A lock from another host older than this is taken to be abandoned (changes under it take milliseconds).</summary>
    public static readonly TimeSpan ForeignLockAge = TimeSpan.FromMinutes(2);

    // A lock file being created is empty for an instant; one that stays unreadable this long was left half-written.
    private static readonly TimeSpan UnreadableLockAge = TimeSpan.FromSeconds(2);

    private static readonly Lazy<LockHolder> Self = new(() => new LockHolder(Environment.ProcessId, ProcessStart(Environment.ProcessId), Environment.MachineName, default));

    /// <summary>Takes the lock at <paramref name="lockFile"/>; the returned stream releases it when disposed.</summary>
    /// <exception cref="CatalogConflictException">A live holder kept it for longer than <paramref name="timeout"/>; the message names it.</exception>
    public static FileStream Acquire(string lockFile, string catalogFile, string catalogDirectory, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stream = new FileStream(lockFile, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 4096, FileOptions.DeleteOnClose);
                stream.Write(Self.Value with { Since = DateTimeOffset.UtcNow }).Flush();
                return stream;
            }
            catch (IOException) when (File.Exists(lockFile) || waited.Elapsed <= timeout)
            {
                if (!File.Exists(lockFile))
                    continue;
                var holder = LockHolder.TryRead(lockFile);
                if (IsAbandoned(lockFile, holder))
                {
                    BreakIfUnchanged(lockFile, holder);
                    continue;
                }
                if (waited.Elapsed > timeout)
                    throw new CatalogConflictException(catalogFile,
                        $"Catalog '{catalogDirectory}' is locked by {Describe(holder)} (lock file '{lockFile}'); waited {waited.Elapsed.TotalSeconds:0.#} s. " +
                        "Retry when that command has finished.");
                Thread.Sleep(25);
            }
        }
    }

    private static bool IsAbandoned(string lockFile, LockHolder? holder)
    {
        if (holder is null)
            return DateTime.UtcNow - SafeLastWrite(lockFile) > UnreadableLockAge;
        if (!string.Equals(holder.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            return DateTimeOffset.UtcNow - holder.Since > ForeignLockAge;
        if (holder.Pid == Environment.ProcessId)
            return false; // This process holds it (another catalog instance); it releases it shortly.
        var start = ProcessStart(holder.Pid);
        if (start is null)
            return true;
        return start != DateTimeOffset.MinValue && holder.Start is { } recorded && Math.Abs((start.Value - recorded).TotalSeconds) > 1;
    }

    // Another waiter may have broken the same dead lock and taken a new one meanwhile: only the file that still
    // names the dead holder is deleted.
    private static void BreakIfUnchanged(string lockFile, LockHolder? dead)
    {
        try
        {
            if (Equals(LockHolder.TryRead(lockFile), dead))
                File.Delete(lockFile);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static DateTime SafeLastWrite(string file)
    {
        try { return File.GetLastWriteTimeUtc(file); }
        catch (IOException) { return DateTime.UtcNow; }
    }

    private static string Describe(LockHolder? holder) => holder is null
        ? "another process (its lock file cannot be read)"
        : $"process {holder.Pid} on host '{holder.Host}' since {holder.Since:u}";

    /// <summary>The start time of a running process, or null when there is none with that id.</summary>
    internal static DateTimeOffset? ProcessStart(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (ArgumentException) { return null; }
        catch (InvalidOperationException) { return null; }
        catch (System.ComponentModel.Win32Exception) { return DateTimeOffset.MinValue; } // Exists, but not ours to inspect: treated as alive.
    }

    private static FileStream Write(this FileStream stream, LockHolder holder)
    {
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(holder));
        return stream;
    }

    /// <summary>Who holds a lock: what the lock file records.</summary>
    internal sealed record LockHolder(int Pid, DateTimeOffset? Start, string Host, DateTimeOffset Since)
    {
        public static LockHolder? TryRead(string file)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var text = reader.ReadToEnd();
                return text.Length == 0 ? null : JsonSerializer.Deserialize<LockHolder>(text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
        }
    }
}
