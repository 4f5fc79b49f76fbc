using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of -Split: the splits the table -Name names holds now.</summary>
public sealed class SplitCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            if (CompletionSource.LoadTable(fakeBoundParameters) is not { } table)
                return [];
            var splits = TableSplits.ListAsync(table).GetAwaiter().GetResult();
            return CompletionSource.Matching(wordToComplete, splits.Select(s => (s, $"split {s}")));
        }
        catch (Exception)
        {
            // Completion must never throw at the user: an unreadable table offers nothing.
            return [];
        }
    }
}
