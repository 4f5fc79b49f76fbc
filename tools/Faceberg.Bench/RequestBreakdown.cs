using Faceberg.LocalHub;

namespace Faceberg.Bench;

/// <summary>The Hub requests of one scenario by kind: where the requests went.</summary>
public sealed record RequestBreakdown(int Total, int Info, int Tree, int Resolve, int Cdn, int Other, int Failed)
{
    public static RequestBreakdown Of(IReadOnlyCollection<LoggedRequest> entries)
    {
        int info = 0, tree = 0, resolve = 0, cdn = 0, other = 0;
        foreach (var entry in entries)
        {
            switch (KindOf(entry.Path))
            {
                case RequestKind.Info: info++; break;
                case RequestKind.Tree: tree++; break;
                case RequestKind.Resolve: resolve++; break;
                case RequestKind.Cdn: cdn++; break;
                default: other++; break;
            }
        }
        // Status 0 is a dropped connection; either way the client had to retry.
        var failed = entries.Count(e => e.Status is 0 or >= 400);
        return new RequestBreakdown(entries.Count, info, tree, resolve, cdn, other, failed);
    }

    private enum RequestKind { Info, Tree, Resolve, Cdn, Other }

    /// <summary>
    /// /api/datasets/{org}/{name}[/revision/{rev}] is repo info (ref → sha, card); /api/datasets/…/tree/… a page
    /// of a file listing; /datasets/…/resolve/… a file read (a ranged GET for a footer); /cdn/… the CDN's answer
    /// to a file read the Hub redirected.
    /// </summary>
    private static RequestKind KindOf(string path)
    {
        if (path.StartsWith("/cdn/", StringComparison.Ordinal)) return RequestKind.Cdn;
        if (path.Contains("/resolve/", StringComparison.Ordinal)) return RequestKind.Resolve;
        if (!path.StartsWith("/api/datasets/", StringComparison.Ordinal)) return RequestKind.Other;
        if (path.Contains("/tree/", StringComparison.Ordinal)) return RequestKind.Tree;
        var segments = path["/api/datasets/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 2 || (segments.Length >= 4 && segments[2] == "revision") ? RequestKind.Info : RequestKind.Other;
    }

    public override string ToString() =>
        $"info {Info} · tree {Tree} · resolve {Resolve}" + (Cdn > 0 ? $" · cdn {Cdn}" : "") + (Other > 0 ? $" · other {Other}" : "") + (Failed > 0 ? $" · failed {Failed}" : "");
}
