namespace Faceberg.Core.Discovery;

/// <summary>Where a dataset's configs came from.</summary>
public enum LayoutKind
{
    /// <summary>The README card's <c>configs:</c>.</summary>
    Card,
    /// <summary>One top-level folder per config, each with its own split layout (Faceberg's rule; see docs/discovery.md).</summary>
    ConfigFolders,
    /// <summary>datasets' default split inference over the whole repository: one config, <c>default</c>.</summary>
    Inferred,
    /// <summary>The Hub's auto-converted Parquet on <c>refs/convert/parquet</c>.</summary>
    ParquetConversion,
}

/// <summary>One split of a config and its Parquet files.</summary>
/// <param name="IsPartial">The Hub converted only the beginning of this split (<c>partial-&lt;split&gt;</c> folder).</param>
public sealed record DiscoveredSplit(string Name, IReadOnlyList<RepoFile> Files, bool IsPartial = false);

/// <summary>One config of a dataset: a future table.</summary>
public sealed record DiscoveredConfig(string Name, IReadOnlyList<DiscoveredSplit> Splits, bool IsDefault = false)
{
    /// <summary>Every file of every split (a file listed under two splits appears twice).</summary>
    public IEnumerable<(string Split, RepoFile File)> Files =>
        Splits.SelectMany(s => s.Files.Select(f => (s.Name, f)));
}

/// <summary>
/// The configs and splits of a dataset at one revision. When <see cref="NeedsParquetConversion"/> is
/// true the repository's data is not Parquet, <see cref="Configs"/> is empty, and the caller resolves
/// the listing of <c>refs/convert/parquet</c> with <see cref="DatasetLayoutResolver.ResolveParquetConversion"/>.
/// </summary>
/// <param name="Format">The data format datasets infers for the repository's files (e.g. <c>parquet</c>, <c>csv</c>).</param>
public sealed record DatasetLayout(LayoutKind Kind, IReadOnlyList<DiscoveredConfig> Configs, string Format = DataFormats.Parquet)
{
    public bool NeedsParquetConversion => Format != DataFormats.Parquet;

    /// <summary>
    /// The configs named in <paramref name="requested"/> (all of them when it is empty), in layout order.
    /// </summary>
    /// <exception cref="DiscoveryException">A requested config does not exist; the message lists those that do.</exception>
    public DatasetLayout Select(IReadOnlyCollection<string>? requested, string repo)
    {
        if (requested is null || requested.Count == 0)
            return this;
        var missing = requested.Where(r => Configs.All(c => c.Name != r)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var available = Configs.Count == 0 ? "none" : string.Join(", ", Configs.Select(c => $"'{c.Name}'"));
            var noun = missing.Count == 1 ? "config" : "configs";
            throw new DiscoveryException("DiscoveryConfigNotFound", FacebergErrorKind.NotFound,
                $"Dataset '{repo}' has no {noun} {string.Join(", ", missing.Select(m => $"'{m}'"))}. Available configs: {available}.");
        }
        return this with { Configs = Configs.Where(c => requested.Contains(c.Name)).ToList() };
    }
}
