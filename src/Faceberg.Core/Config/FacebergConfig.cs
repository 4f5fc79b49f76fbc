
namespace Faceberg.Core.Config;

/// <summary>The contents of a faceberg.yml.</summary>
public sealed class FacebergConfig
{
    public const string DefaultFileName = "faceberg.yml";

    public required CatalogConfig Catalog { get; init; }
    public IReadOnlyList<DatasetConfig> Datasets { get; init; } = [];

    /// <summary>The file it was read from (absolute), or the name given to Parse.</summary>
    public string? SourceFile { get; init; }
}

public sealed class CatalogConfig
{
    public const string DefaultLocation = ".faceberg/";

    public required string Name { get; init; }

    /// <summary>The location resolved against the config file's folder.</summary>
    public required CatalogLocation Location { get; init; }

    /// <summary>The Hub dataset repo ("org/name") the catalog is published to: <c>catalog.repo</c>, or the
    /// repo of an <c>hf://datasets/…</c> location. Null for a purely local catalog.</summary>
    public string? Repo { get; init; }
}

/// <summary>One entry of <c>datasets:</c>: a Hub dataset repo to expose as tables.</summary>
public sealed class DatasetConfig
{
    public required string Name { get; init; }

    /// <summary>The dataset repo id, "org/name".</summary>
    public required string Repo { get; init; }

    /// <summary>The configs to expose; empty means every config the dataset declares.</summary>
    public IReadOnlyList<string> Configs { get; init; } = [];

    /// <summary>Branch, tag or commit sha to pin; null means the default branch.</summary>
    public string? Revision { get; init; }

    /// <summary>1-based line of the entry in its file (0 when not read from a file).</summary>
    public int Line { get; init; }
}
