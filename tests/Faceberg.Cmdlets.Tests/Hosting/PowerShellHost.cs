using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>A real PowerShell 7.6 engine (System.Management.Automation) with the built module
/// imported by path and the session's current folder set to <see cref="WorkingDirectory"/>.
/// One runspace per instance; scripts run one after another and share session state.</summary>
public sealed class PowerShellHost : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellHost(string workingDirectory, bool importModule = true)
    {
        WorkingDirectory = workingDirectory;
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        // Set-Location is not among the engine's built-in cmdlets; the session API does the same.
        _runspace.SessionStateProxy.Path.SetLocation(workingDirectory);
        if (importModule)
            Run("Import-Module -Name $args[0] -ErrorAction Stop", args: [RepoPaths.ModuleManifest]).AssertSuccess();
    }

    public string WorkingDirectory { get; }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>The session's current folder (tests check cmdlets use it, not the process's).</summary>
    public string CurrentLocation => _runspace.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath;

    public void SetLocation(string path) => _runspace.SessionStateProxy.Path.SetLocation(path);

    /// <summary>Runs <paramref name="script"/>; <paramref name="variables"/> become session variables
    /// and <paramref name="args"/> its $args. A terminating error is captured, not thrown.</summary>
    public PsResult Run(string script, IDictionary<string, object?>? variables = null, object?[]? args = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            SetVariable(name, value);
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var arg in args ?? [])
            shell.AddArgument(arg);
        var output = new List<PSObject>();
        ErrorRecord? terminating = null;
        try
        {
            output.AddRange(shell.Invoke());
        }
        catch (RuntimeException ex)
        {
            terminating = ex.ErrorRecord;
        }
        return new PsResult
        {
            Output = output,
            Errors = shell.Streams.Error.ToList(),
            Warnings = shell.Streams.Warning.ToList(),
            Verbose = shell.Streams.Verbose.ToList(),
            Progress = shell.Streams.Progress.ToList(),
            Information = shell.Streams.Information.ToList(),
            TerminatingError = terminating,
            HadErrors = shell.HadErrors || terminating is not null,
        };
    }

    /// <summary>A pipeline over this runspace holding <paramref name="script"/>, for tests that run it
    /// asynchronously (BeginInvoke) and stop it as Ctrl+C would.</summary>
    public PowerShell CreatePipeline(string script)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        return shell;
    }

    public void Dispose() => _runspace.Dispose();
}
