using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core.Catalog;
using Faceberg.Core.Datasets;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Cmdlets.Completers;

/// <summary>
/// What the argument completers read: the catalog the command line names (-Catalog, else the nearest one
/// above the session's folder) and the table its -Name (by name or position) names. Completion must never
/// throw at the user, so every completer catches all failures and offers nothing instead.
/// </summary>
internal static class CompletionSource
{
    // Completers run inside the session's pipeline, where SessionStateProxy refuses calls; a nested
    // pipeline on the current runspace may read the session's location.
    private static string? SessionCurrentDirectory()
    {
        if (Runspace.DefaultRunspace is null)
            return null;
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddScript("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath");
        return shell.Invoke().FirstOrDefault()?.BaseObject as string;
    }

    public static CatalogContext? FindCatalog(IDictionary? fakeBoundParameters)
    {
        var currentDirectory = SessionCurrentDirectory() ?? Directory.GetCurrentDirectory();
        var bound = fakeBoundParameters?.Contains("Catalog") == true ? fakeBoundParameters["Catalog"] : null;
        return FacebergCmdlet.Unwrap(bound) switch
        {
            CatalogArgument argument => argument.Resolve(currentDirectory),
            Catalog catalog => CatalogArgument.Of(catalog).Resolve(currentDirectory),
            Table { Catalog: { } catalog } => CatalogArgument.Of(catalog).Resolve(currentDirectory),
            FileSystemInfo item => CatalogLocator.FromPath(item.FullName, currentDirectory),
            string path => CatalogLocator.FromPath(path, currentDirectory),
            _ => CatalogLocator.Find(currentDirectory),
        };
    }

    /// <summary>The one table the command line's -Name names, or null.</summary>
    public static (CatalogContext Context, FacebergTableInfo Table)? FindTable(IDictionary? fakeBoundParameters)
    {
        var bound = fakeBoundParameters?.Contains("Name") == true ? FacebergCmdlet.Unwrap(fakeBoundParameters["Name"]) : null;
        var name = bound switch
        {
            string text => text,
            IEnumerable items => items.Cast<object?>().Select(FacebergCmdlet.Unwrap).OfType<string>().FirstOrDefault(),
            _ => null,
        };
        if (string.IsNullOrEmpty(name))
            return null;
        var context = FindCatalog(fakeBoundParameters);
        if (context is null)
            return null;
        var matches = TableFilter.Select(context.ListTables(), [name], out _);
        return matches.Count == 1 ? (context, matches[0]) : null;
    }

    /// <summary>The Iceberg table the command line's -Name names, or null.</summary>
    public static IcebergTable? LoadTable(IDictionary? fakeBoundParameters)
    {
        if (FindTable(fakeBoundParameters) is not { } found)
            return null;
        return IcebergTable.LoadAsync(found.Context.CreateFileIO(), DatasetTableStore.IcebergLocation(found.Table.Location)).GetAwaiter().GetResult();
    }

    /// <summary>The candidates starting with the word typed so far (case-insensitive), quoted when needed.</summary>
    public static IEnumerable<CompletionResult> Matching(string? wordToComplete, IEnumerable<(string Text, string ToolTip)> candidates)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = WildcardPattern.Get(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(c => pattern.IsMatch(c.Text))
            .Select(c => new CompletionResult(Quote(c.Text), c.Text, CompletionResultType.ParameterValue, c.ToolTip))
            .ToList();
    }

    private static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/')
            ? text
            : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
