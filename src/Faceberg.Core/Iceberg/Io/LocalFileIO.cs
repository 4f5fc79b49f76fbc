using System.Runtime.InteropServices;

namespace Faceberg.Core.Iceberg.Io;

/// <summary>
/// Local files. Accepts file:// URIs and plain absolute paths; optionally maps another URI prefix
/// (e.g. an http:// address a test server exposes) onto a directory.
/// </summary>
public sealed class LocalFileIO : IFileIO
{
    private readonly string? _mappedPrefix;
    private readonly string? _mappedDirectory;

    public LocalFileIO() { }

    /// <summary>Serves paths starting with <paramref name="uriPrefix"/> from <paramref name="directory"/>.</summary>
    public LocalFileIO(string uriPrefix, string directory)
    {
        _mappedPrefix = uriPrefix.TrimEnd('/') + "/";
        _mappedDirectory = Path.GetFullPath(directory);
    }

    /// <summary>The file:// URI of a local path, the form table metadata stores.</summary>
    public static string ToUri(string localPath) => new Uri(Path.GetFullPath(localPath)).AbsoluteUri;

    public string ToLocalPath(string path)
    {
        if (_mappedPrefix != null && path.StartsWith(_mappedPrefix, StringComparison.Ordinal))
            return Path.Combine(_mappedDirectory!, Uri.UnescapeDataString(path[_mappedPrefix.Length..]));
        if (path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return new Uri(path).LocalPath;
        if (Path.IsPathRooted(path)) return path;
        throw new FacebergException("UnsupportedPath", FacebergErrorKind.InvalidArgument, $"'{path}' is not a local file path or file:// URI.");
    }

    private string FromLocalPath(string local, string like)
    {
        if (_mappedPrefix != null && like.StartsWith(_mappedPrefix, StringComparison.Ordinal))
            return _mappedPrefix + Path.GetRelativePath(_mappedDirectory!, local).Replace(Path.DirectorySeparatorChar, '/');
        return like.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? ToUri(local) : local;
    }

    // Whole-file reads and writes are done in place: metadata files are small, and the asynchronous file API of Unix
    // runs each on another pool thread, a hop that costs more than the read when the cores are busy.
    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<byte[]>(cancellationToken);
        try
        {
            return Task.FromResult(File.ReadAllBytes(ToLocalPath(path)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromException<byte[]>(FileIOErrors.NotFound(path, ex));
        }
        catch (Exception ex)
        {
            return Task.FromException<byte[]>(ex);
        }
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(ToLocalPath(path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw FileIOErrors.NotFound(path, ex);
        }
    }

    public Task WriteAsync(string path, byte[] data, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        try
        {
            Write(path, data, overwrite);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    private void Write(string path, byte[] data, bool overwrite)
    {
        var target = ToLocalPath(path);
        if (path.EndsWith("/metadata/version-hint.text", StringComparison.Ordinal))
            CrashPoints.Reach(CrashPoints.MetadataWritten);
        else if (!overwrite && path.EndsWith(".metadata.json", StringComparison.Ordinal))
            CrashPoints.Reach(CrashPoints.MetadataWriting);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        // Write beside the target, then publish in one step, so nobody ever sees a partial file.
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, data);
        try
        {
            if (overwrite) File.Move(temp, target, overwrite: true); // rename(2): atomic replace
            else PublishExclusive(temp, target, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Gives <paramref name="temp"/>'s content the name <paramref name="target"/> only if that name is
    /// free, atomically. Not File.Move(…, overwrite: false): on Unix it checks for the target and then
    /// renames, so two writers can both "create" the same file — the race a commit protocol must not have.
    /// </summary>
    private static void PublishExclusive(string temp, string target, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically if the target exists.
            try
            {
                File.Move(temp, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                throw FileIOErrors.AlreadyExists(path);
            }
            return;
        }

        int result, errno;
        try
        {
            result = NativeMethods.Link(temp, target);
            errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            (result, errno) = (-1, -1);
        }
        if (result == 0) return;
        if (errno == NativeMethods.EEXIST) throw FileIOErrors.AlreadyExists(path);

        // No hard links on this file system: claim the name with O_CREAT|O_EXCL and copy the bytes in.
        // Still exclusive; a crash mid-copy leaves a torn file, which readers skip.
        FileStream destination;
        try
        {
            destination = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(target))
        {
            throw FileIOErrors.AlreadyExists(path);
        }
        using (destination)
        using (var source = File.OpenRead(temp))
            source.CopyTo(destination);
    }

    private static class NativeMethods
    {
        /// <summary>EEXIST on Linux, macOS and the BSDs.</summary>
        public const int EEXIST = 17;

        [DllImport("libc", EntryPoint = "link", SetLastError = true)]
        public static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(ToLocalPath(path)));

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        File.Delete(ToLocalPath(path));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var local = ToLocalPath(prefix);
        // A prefix ending in a separator is a directory; otherwise list its parent and filter by name prefix.
        var directory = local.EndsWith('/') || Directory.Exists(local) ? local : Path.GetDirectoryName(local)!;
        if (!Directory.Exists(directory)) return Task.FromResult<IReadOnlyList<string>>(Array.Empty<string>());
        var result = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f.StartsWith(local.TrimEnd('/'), StringComparison.Ordinal))
            .Select(f => FromLocalPath(f, prefix))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult<IReadOnlyList<string>>(result);
    }
}
