using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of -Repo/-Repository: the repos faceberg.yml names (its datasets' repos and the
/// catalog's own repo).</summary>
public sealed class RepoCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var context = CompletionSource.FindCatalog(fakeBoundParameters);
            if (context is null)
                return [];
            var repos = new List<(string, string)>();
            if (context.Repository is { Length: > 0 } own)
                repos.Add((own, "the catalog's repo"));
            foreach (var dataset in context.LoadConfigAsync().GetAwaiter().GetResult()?.Datasets ?? [])
                repos.Add((dataset.Repo, $"dataset {dataset.Name}"));
            return CompletionSource.Matching(wordToComplete, repos.DistinctBy(r => r.Item1, StringComparer.OrdinalIgnoreCase));
        }
        catch (Exception)
        {
            // Completion must never throw at the user: no catalog simply means no suggestions.
            return [];
        }
    }
}
