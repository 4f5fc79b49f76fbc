using Faceberg.Shell;

if (args.Length == 0 || args[0] is "-h" or "--help" or "-?")
{
    Console.Error.WriteLine("usage: dotnet run --project tools/Faceberg.Shell -- <script.ps1> [arguments...]");
    Console.Error.WriteLine("Runs the script in PowerShell 7.6 with the Faceberg module (out/Faceberg) imported.");
    return args.Length == 0 ? 2 : 0;
}
if (!File.Exists(args[0]))
{
    Console.Error.WriteLine($"Script not found: {Path.GetFullPath(args[0])}");
    return 2;
}
var width = Console.IsOutputRedirected ? 120 : Math.Max(80, Console.WindowWidth);
return ShellRunner.Run(args[0], args[1..], Console.Out, Console.Error, Directory.GetCurrentDirectory(),
    width: width, ansi: !Console.IsOutputRedirected);
