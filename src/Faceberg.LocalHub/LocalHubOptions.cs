namespace Faceberg.LocalHub;

public sealed class LocalHubOptions
{
    /// <summary>Folder holding the repos (state under .localhub/; plain {org}/{name} folders are imported).</summary>
    public required string RootPath { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Entries per page of the tree endpoint (the Hub uses 1000; tests use small pages).</summary>
    public int TreePageSize { get; init; } = 1000;

    /// <summary>Commits per page of the commits endpoint.</summary>
    public int CommitsPageSize { get; init; } = 50;

    /// <summary>When set, every request to the Hub listener (LFS routes included) needs "Authorization: Bearer {RequiredToken}" (else 401); it is then also <see cref="Token"/>.</summary>
    public string? RequiredToken { get; init; }

    /// <summary>
    /// The local user's access token. As on the Hub, writes (repos, commits, LFS, branches, tags), private repos and
    /// whoami need "Authorization: Bearer {Token}". Null: <see cref="RequiredToken"/> if set, else a random token
    /// per server (<see cref="LocalHubServer.Token"/>).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Delay added before each request is handled (also settable on the running server).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>
    /// Serve LFS file downloads with a 302 to a second listener ("cdn", another port), as the Hub
    /// redirects to its CDN; also sends LFS uploads there. Lets clients prove they do not forward tokens.
    /// </summary>
    public bool RedirectLfsToCdn { get; init; }

    /// <summary>Files at least this large go through LFS even when not binary.</summary>
    public long LfsThresholdBytes { get; init; } = Store.LfsPolicy.DefaultThresholdBytes;

    /// <summary>Import plain {org}/{name} folders under RootPath as repos on start.</summary>
    public bool ImportPlainFolders { get; init; } = true;

    /// <summary>User name reported by whoami and used when create requests name no organization.</summary>
    public string UserName { get; init; } = "local";
}
