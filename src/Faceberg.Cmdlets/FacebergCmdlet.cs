using System.Management.Automation;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets;

/// <summary>
/// The thin base of the Faceberg cmdlets: a PSCmdlet holding its invocation's <see cref="CmdletSession"/>
/// (Hub client from -Token, Ctrl+C, the async bridge and progress) plus the -Token parameter every
/// cmdlet that may reach the Hub takes. Shared behaviour lives in the session and the Plumbing classes.
/// </summary>
public abstract class FacebergCmdlet : PSCmdlet, IDisposable
{
    private CmdletSession? _session;

    /// <summary>This invocation's services.</summary>
    internal CmdletSession Session => _session ??= new CmdletSession(this);

    /// <summary>Hugging Face access token, sent only to the Hub endpoint; default HF_TOKEN, then the token file. Never written anywhere.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token
    {
        get => Session.Token;
        set => Session.Token = value;
    }

    /// <summary>The session's current file-system folder (not the process's: PowerShell keeps its own).</summary>
    internal string CurrentDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>Resolves a path the user typed against the session's current folder.</summary>
    internal string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>The catalog <paramref name="catalog"/> names or, when null, the nearest catalog at or
    /// above the current folder. A catalog on the Hub is read and written with this invocation's client.</summary>
    internal CatalogContext ResolveCatalog(CatalogArgument? catalog)
    {
        var context = catalog is null ? CatalogLocator.Require(CurrentDirectory) : catalog.Resolve(CurrentDirectory);
        if (!context.Location.IsLocal)
            context.Hub ??= Session.Hub;
        WriteVerbose($"Catalog '{context.Name}' at {context.Location}.");
        return context;
    }

    /// <summary>True when -WhatIf was given (as opposed to a declined -Confirm prompt).</summary>
    internal bool WhatIfRequested =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && value is SwitchParameter { IsPresent: true };

    internal void ThrowTerminating(Exception exception, object? target = null) =>
        ThrowTerminatingError(Failures.ToErrorRecord(exception, target));

    /// <summary>Reports a failure for one input and lets the pipeline go on with the next.</summary>
    internal void WriteFailure(object? target, Exception exception) => WriteError(Failures.ToErrorRecord(exception, target));

    /// <summary>Runs <paramref name="action"/>, reporting expected failures as non-terminating errors;
    /// Ctrl+C stops the pipeline; anything else is a bug and propagates.</summary>
    internal void Try(object? target, Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException) when (Session.Stopping)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (Failures.IsExpected(ex))
        {
            WriteFailure(target, ex);
        }
    }

    /// <summary>The object inside a PSObject wrapper (pipeline input often arrives wrapped).</summary>
    internal static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    protected override void StopProcessing() => Session.Stop();

    public void Dispose()
    {
        // Work still running on the thread pool (a pipeline that ended without this cmdlet's end block) stops here.
        _session?.Stop();
        _session?.Dispose();
        GC.SuppressFinalize(this);
    }
}
