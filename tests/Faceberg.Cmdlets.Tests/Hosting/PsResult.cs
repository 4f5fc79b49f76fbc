using System.Management.Automation;
using System.Text;
using Xunit.Sdk;

namespace Faceberg.Cmdlets.Tests.Hosting;

/// <summary>Everything one script run produced, stream by stream.</summary>
public sealed class PsResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<WarningRecord> Warnings { get; init; }
    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }
    public required IReadOnlyList<InformationRecord> Information { get; init; }

    /// <summary>The error that stopped the script, if one did.</summary>
    public ErrorRecord? TerminatingError { get; init; }

    public required bool HadErrors { get; init; }

    /// <summary>Fails the test, showing every error, unless the script ran without any.</summary>
    public PsResult AssertSuccess()
    {
        if (TerminatingError is null && Errors.Count == 0 && !HadErrors)
            return this;
        var message = new StringBuilder("The script reported errors:");
        foreach (var error in AllErrors)
            message.AppendLine().Append("  [").Append(error.FullyQualifiedErrorId).Append("] ").Append(error.Exception?.Message ?? error.ToString());
        throw new XunitException(message.ToString());
    }

    /// <summary>Non-terminating errors followed by the terminating one.</summary>
    public IEnumerable<ErrorRecord> AllErrors => TerminatingError is null ? Errors : Errors.Append(TerminatingError);

    /// <summary>Output objects whose PowerShell type names include <paramref name="typeName"/>.</summary>
    public IReadOnlyList<PSObject> Objects(string typeName) =>
        Output.Where(o => o is not null && o.TypeNames.Contains(typeName)).ToList();

    /// <summary>The only error (terminating or not); fails the test otherwise.</summary>
    public ErrorRecord SingleError()
    {
        var all = AllErrors.ToList();
        if (all.Count != 1)
            throw new XunitException($"Expected exactly one error, got {all.Count}: {string.Join("; ", all.Select(e => e.FullyQualifiedErrorId))}");
        return all[0];
    }
}

public static class PSObjectExtensions
{
    /// <summary>A property value of an output object, converted the way PowerShell would.</summary>
    public static T? Prop<T>(this PSObject obj, string name)
    {
        var property = obj.Properties[name] ?? throw new XunitException($"Object of type {obj.TypeNames.FirstOrDefault()} has no property '{name}'.");
        return property.Value is null ? default : LanguagePrimitives.ConvertTo<T>(property.Value);
    }
}
