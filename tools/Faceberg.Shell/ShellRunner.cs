using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Faceberg.Shell;

/// <summary>Runs one script in a fresh PowerShell 7.6 session with the Faceberg module imported,
/// rendering its output through Out-Default (and so the module's format views).</summary>
public static partial class ShellRunner
{
    /// <summary>The folder of the Shell's own files (ShellCompat.ps1).</summary>
    private static string ShellDirectory => AppContext.BaseDirectory;

    /// <summary>Runs <paramref name="scriptPath"/> and returns the process exit code: the script's
    /// own exit code, 1 if it wrote any error, else 0.</summary>
    public static int Run(string scriptPath, IReadOnlyList<string> arguments, TextWriter output, TextWriter error,
        string workingDirectory, string? moduleManifest = null, int width = 120, bool ansi = false)
    {
        var host = new ShellHost(output, error, width, ansi);
        using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        // Colour escapes are for terminals; logs and test assertions get plain text. (Opening a
        // runspace resets the engine-wide style, so this comes after Open.)
        PSStyle.Instance.OutputRendering = ansi ? OutputRendering.Ansi : OutputRendering.PlainText;
        runspace.SessionStateProxy.Path.SetLocation(workingDirectory);
        runspace.SessionStateProxy.SetVariable("FacebergShellModule", moduleManifest ?? FindModuleManifest());
        runspace.SessionStateProxy.SetVariable("FacebergShellCompat", Path.Combine(ShellDirectory, "ShellCompat.ps1"));
        runspace.SessionStateProxy.SetVariable("FacebergShellScript", Path.GetFullPath(scriptPath, workingDirectory));
        runspace.SessionStateProxy.SetVariable("FacebergShellArgs", arguments.ToArray());

        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        // Every stream is merged into the output so Out-Default prints errors and warnings in
        // order with the objects; errors are counted on the way to set the exit code.
        shell.AddScript("""
            $global:FacebergShellErrorCount = 0
            Import-Module -Name $FacebergShellModule -ErrorAction Stop
            . $FacebergShellCompat
            & $FacebergShellScript {{ARGUMENTS}} *>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $global:FacebergShellErrorCount++ }
                $_
            } | Out-Default
            """.Replace("{{ARGUMENTS}}", ArgumentList(arguments)));
        try
        {
            shell.Invoke();
        }
        catch (RuntimeException ex)
        {
            error.WriteLine(ex.ErrorRecord.ToString());
            var position = ex.ErrorRecord.InvocationInfo?.PositionMessage;
            if (!string.IsNullOrEmpty(position))
                error.WriteLine(position);
            return 1;
        }
        foreach (var record in shell.Streams.Error)
            error.WriteLine(record.ToString());
        if (host.ExitCode is { } requested)
            return requested;
        var lastExitCode = runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
        if (lastExitCode is int code && code != 0)
            return code;
        var errorCount = runspace.SessionStateProxy.GetVariable("FacebergShellErrorCount") as int? ?? 0;
        return errorCount > 0 || shell.Streams.Error.Count > 0 ? 1 : 0;
    }

    /// <summary>The script's arguments as PowerShell syntax, the way pwsh -File passes them:
    /// "-Name" is a parameter name, anything else a value (read from $FacebergShellArgs, so no
    /// value is ever parsed as code).</summary>
    private static string ArgumentList(IReadOnlyList<string> arguments) =>
        string.Join(" ", arguments.Select((argument, index) =>
            ParameterName().IsMatch(argument) ? argument : $"$FacebergShellArgs[{index}]"));

    [System.Text.RegularExpressions.GeneratedRegex(@"^-[A-Za-z_][A-Za-z0-9_]*:?$")]
    private static partial System.Text.RegularExpressions.Regex ParameterName();

    /// <summary>out/Faceberg/Faceberg.psd1 of the repository this Shell was built in, unless
    /// FACEBERG_MODULE names another manifest.</summary>
    public static string FindModuleManifest()
    {
        var overridden = Environment.GetEnvironmentVariable("FACEBERG_MODULE");
        if (!string.IsNullOrEmpty(overridden))
            return Path.GetFullPath(overridden);
        for (var dir = new DirectoryInfo(ShellDirectory); dir is not null; dir = dir.Parent)
        {
            var manifest = Path.Combine(dir.FullName, "out", "Faceberg", "Faceberg.psd1");
            if (File.Exists(manifest))
                return manifest;
        }
        throw new FileNotFoundException("The Faceberg module is not built: no out/Faceberg/Faceberg.psd1 above " + ShellDirectory + ". Run 'dotnet build'.");
    }
}
