using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;

namespace Faceberg.Cmdlets;

/// <summary>Name filtering shared by the table cmdlets: a pattern matches a table's bare name or its
/// "namespace.table" identifier, case-insensitively, with PowerShell wildcards.</summary>
public static class TableFilter
{
    /// <summary>The tables matching any of <paramref name="patterns"/> (all when null), and the
    /// literal (wildcard-free) names that matched nothing, which callers report as not found.</summary>
    public static IReadOnlyList<FacebergTableInfo> Select(IReadOnlyList<FacebergTableInfo> tables, string[]? patterns, out IReadOnlyList<string> unmatched)
    {
        if (patterns is null || patterns.Length == 0)
        {
            unmatched = [];
            return tables;
        }
        var missing = new List<string>();
        var selected = new HashSet<TableIdentifier>();
        foreach (var pattern in patterns)
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
            var hits = tables.Where(t => wildcard.IsMatch(t.Name) || wildcard.IsMatch(t.Identifier.ToString())).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                missing.Add(pattern);
            selected.UnionWith(hits.Select(t => t.Identifier));
        }
        unmatched = missing;
        return tables.Where(t => selected.Contains(t.Identifier)).ToList();
    }
}
