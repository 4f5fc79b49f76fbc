namespace Faceberg.Cmdlets.Server;

/// <summary>The REST catalog servers started in this process. A cmdlet's objects die with its pipeline, so the
/// servers live here until Stop-FacebergServer (or process exit).</summary>
internal static class ServerRegistry
{
    private static readonly object Gate = new();
    private static readonly List<Faceberg.Server> Running = [];

    static ServerRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in All()) Stop(server);
        };
    }

    public static IReadOnlyList<Faceberg.Server> All()
    {
        lock (Gate) return Running.ToList();
    }

    public static void Add(Faceberg.Server server)
    {
        lock (Gate) Running.Add(server);
    }

    public static void Stop(Faceberg.Server server)
    {
        lock (Gate) Running.Remove(server);
        server.Stop();
    }
}
