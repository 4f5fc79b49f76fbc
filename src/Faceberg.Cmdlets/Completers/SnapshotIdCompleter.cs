using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Faceberg.Cmdlets.Completers;

/// <summary>Tab completion of -SnapshotId: the snapshots of the table -Name names, newest first.</summary>
public sealed class SnapshotIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            if (CompletionSource.LoadTable(fakeBoundParameters) is not { } table)
                return [];
            var snapshots = table.Metadata.Snapshots
                .OrderByDescending(s => s.TimestampMs).ThenByDescending(s => s.SequenceNumber)
                .Select(s => (s.SnapshotId.ToString(CultureInfo.InvariantCulture),
                    $"{DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs):u} {s.Operation}{(s.SnapshotId == table.Metadata.CurrentSnapshotId ? " (current)" : "")}"));
            return CompletionSource.Matching(wordToComplete, snapshots);
        }
        catch (Exception)
        {
            // Completion must never throw at the user: an unreadable table offers nothing.
            return [];
        }
    }
}
