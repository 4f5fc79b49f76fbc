using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Faceberg.Core.Data;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of -Property: the columns of the table -Name names, in schema order.</summary>
public sealed class ColumnCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            if (CompletionSource.LoadTable(fakeBoundParameters) is not { } table)
                return [];
            var columns = table.Schema.Fields.Select(f => (f.Name, $"{f.Name} ({f.Type})")).ToList();
            if (table.Schema.Fields.All(f => f.Name != TableScan.SplitColumn))
                columns.Add((TableScan.SplitColumn, $"{TableScan.SplitColumn} (the row's split)"));
            return CompletionSource.Matching(wordToComplete, columns);
        }
        catch (Exception)
        {
            // Completion must never throw at the user: an unreadable table offers nothing.
            return [];
        }
    }
}
