namespace Faceberg.Cmdlets.LocalHub;

/// <summary>
/// The local Hubs started in this process. A cmdlet's objects die with its pipeline, so the
/// servers live here until Stop-FacebergLocalHub (or process exit).
/// </summary>
internal static class LocalHubRegistry
{
    public const string EndpointVariable = "HF_ENDPOINT";

    private static readonly object Gate = new();
    private static readonly List<LocalHubInstance> Running = [];

    static LocalHubRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var instance in All()) Stop(instance);
        };
    }

    public static IReadOnlyList<LocalHubInstance> All()
    {
        lock (Gate) return Running.ToList();
    }

    public static LocalHubInstance? FindByPath(string path)
    {
        lock (Gate)
            return Running.FirstOrDefault(i => string.Equals(i.Path, path, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
    }

    public static void Add(LocalHubInstance instance)
    {
        lock (Gate) Running.Add(instance);
    }

    public const string TokenVariable = "HF_TOKEN";

    /// <summary>Stops the server and puts HF_ENDPOINT and HF_TOKEN back if they still point at this Hub.</summary>
    public static void Stop(LocalHubInstance instance)
    {
        lock (Gate) Running.Remove(instance);
        instance.Server.Dispose();
        if (instance.SetEnvironment && Environment.GetEnvironmentVariable(EndpointVariable) == instance.Endpoint)
            Environment.SetEnvironmentVariable(EndpointVariable, instance.PreviousEndpoint);
        if (instance.SetEnvironment && Environment.GetEnvironmentVariable(TokenVariable) == instance.Server.Token)
            Environment.SetEnvironmentVariable(TokenVariable, instance.PreviousToken);
    }
}
