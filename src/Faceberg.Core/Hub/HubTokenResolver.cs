namespace Faceberg.Core.Hub;

/// <summary>
/// Finds the access token the way huggingface_hub does: explicit value, then HF_TOKEN, then the token file
/// ($HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token).
/// </summary>
public static class HubTokenResolver
{
    public static string? Resolve(string? explicitToken = null)
    {
        if (Clean(explicitToken) is { } given) return given;
        if (Clean(Environment.GetEnvironmentVariable("HF_TOKEN")) is { } fromEnv) return fromEnv;
        var path = TokenFilePath();
        try
        {
            return File.Exists(path) ? Clean(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable token file means anonymous access, as in huggingface_hub.
            return null;
        }
    }

    public static string TokenFilePath()
    {
        if (Environment.GetEnvironmentVariable("HF_TOKEN_PATH") is { Length: > 0 } explicitPath) return Expand(explicitPath);
        return Path.Combine(HfHome(), "token");
    }

    public static string HfHome()
    {
        if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home) return Expand(home);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? Expand(xdg)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "huggingface");
    }

    private static string Expand(string path) =>
        path.StartsWith('~')
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;

    private static string? Clean(string? token)
    {
        var trimmed = token?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }
}
