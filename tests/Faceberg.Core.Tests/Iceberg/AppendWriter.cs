using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Core.Tests.Iceberg;

/// <summary>
/// A table writer run in a separate process by the concurrency tests: the test assembly is started
/// with `dotnet Faceberg.Core.Tests.dll iceberg-append-writer …` (see <see cref="TestAssemblyEntryPoint"/>).
/// </summary>
internal static class AppendWriter
{
    public const string Command = "iceberg-append-writer";

    public static async Task RunAsync(string location, string writerId, int commits)
    {
        var io = new LocalFileIO();
        var table = await IcebergTable.LoadAsync(io, location);
        table.MaxCommitAttempts = 100;
        for (var i = 0; i < commits; i++)
        {
            await table.NewAppend()
                .AddFile(TableFixtures.File(location, $"{writerId}-{i}", i % 2 == 0 ? "train" : "test", rows: 1))
                .CommitAsync();
        }
    }
}

/// <summary>
/// The test project's entry point (GenerateProgramFile is off in the csproj): the test host never calls
/// it; a test starts the assembly as a child process to get a second, independent writer.
/// </summary>
public static class TestAssemblyEntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 5 && args[0] == AppendWriter.Command)
        {
            var startAt = long.Parse(args[4]);
            var wait = startAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
            await AppendWriter.RunAsync(args[1], args[2], int.Parse(args[3]));
            Console.WriteLine("ok");
            return 0;
        }
        await Console.Error.WriteLineAsync($"usage: {AppendWriter.Command} <location> <writer-id> <commits> <start-at-unix-ms>");
        return 2;
    }
}
