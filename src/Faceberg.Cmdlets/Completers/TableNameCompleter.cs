using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of table names from the catalog given by -Catalog (a path or a
/// Faceberg.Catalog object) or, without it, the nearest catalog above the current folder.</summary>
public sealed class TableNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var context = CompletionSource.FindCatalog(fakeBoundParameters);
            if (context is null)
                return [];
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            var results = new List<CompletionResult>();
            foreach (var table in context.ListTablesAsync().GetAwaiter().GetResult())
            {
                var text = pattern.IsMatch(table.Name) ? table.Name
                    : pattern.IsMatch(table.Identifier.ToString()) ? table.Identifier.ToString()
                    : null;
                if (text is not null)
                    results.Add(new CompletionResult(text, table.Identifier.ToString(), CompletionResultType.ParameterValue, table.Location));
            }
            return results;
        }
        catch (Exception)
        {
            // Completion must never throw at the user; no catalog simply means no suggestions.
            return [];
        }
    }
}
