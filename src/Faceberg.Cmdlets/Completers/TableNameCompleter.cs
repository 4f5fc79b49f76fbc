using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Faceberg.Core;
using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of table names from the catalog given by -Catalog (a path or a
/// Faceberg.Catalog object) or, without it, the nearest catalog above the current folder.</summary>
public sealed class TableNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        IReadOnlyList<FacebergTableInfo> tables;
        try
        {
            var context = FindCatalog(fakeBoundParameters);
            if (context is null)
                return [];
            tables = context.ListTables();
        }
        catch (Exception ex) when (ex is FacebergException or IOException or UnauthorizedAccessException)
        {
            // Completion must never throw at the user; no catalog simply means no suggestions.
            return [];
        }
        var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
        var results = new List<CompletionResult>();
        foreach (var table in tables)
        {
            var text = pattern.IsMatch(table.Name) ? table.Name
                : pattern.IsMatch(table.Identifier.ToString()) ? table.Identifier.ToString()
                : null;
            if (text is not null)
                results.Add(new CompletionResult(text, table.Identifier.ToString(), CompletionResultType.ParameterValue, table.Location));
        }
        return results;
    }

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

    private static CatalogContext? FindCatalog(IDictionary fakeBoundParameters)
    {
        var currentDirectory = SessionCurrentDirectory() ?? Directory.GetCurrentDirectory();
        var bound = fakeBoundParameters?.Contains("Catalog") == true ? fakeBoundParameters["Catalog"] : null;
        return (bound is PSObject wrapped ? wrapped.BaseObject : bound) switch
        {
            Catalog catalog when catalog.ConfigPath is not null => CatalogLocator.FromPath(catalog.ConfigPath, currentDirectory),
            Catalog catalog => CatalogLocator.FromPath(catalog.Location, currentDirectory),
            string path => CatalogLocator.FromPath(path, currentDirectory),
            _ => CatalogLocator.Find(currentDirectory),
        };
    }
}
