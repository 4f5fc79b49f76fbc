using System.Management.Automation;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;

namespace Faceberg.Cmdlets.Plumbing;

/// <summary>
/// The catalog a -Catalog argument names, as bound by <see cref="CatalogTransformationAttribute"/>: a
/// Faceberg.Catalog object, or a location — a catalog folder or faceberg.yml path (already resolved
/// against the session's folder) or an hf://datasets/org/name URI. <see cref="Table"/> is the
/// Faceberg.Table the argument came from, when it was one.
/// </summary>
public sealed class CatalogArgument
{
    private CatalogArgument(Catalog? catalog, string? location, Table? table)
    {
        Catalog = catalog;
        Location = location;
        Table = table;
    }

    public Catalog? Catalog { get; }

    /// <summary>A full local path or an hf:// URI; null when <see cref="Catalog"/> is set.</summary>
    public string? Location { get; }

    public Table? Table { get; }

    public static CatalogArgument Of(Catalog catalog, Table? table = null) => new(catalog, null, table);

    /// <summary>A location: hf:// URIs are checked now, so a malformed one fails at binding.</summary>
    public static CatalogArgument At(string location, string currentDirectory)
    {
        if (CatalogLocation.IsHub(location))
            CatalogLocation.Parse(location, currentDirectory);
        return new(null, location, null);
    }

    /// <summary>The catalog's context (its config loaded, nothing else read yet).</summary>
    public CatalogContext Resolve(string currentDirectory)
    {
        if (Catalog is { } value)
        {
            if (value.ConfigPath is not null)
                return CatalogContext.FromConfig(FacebergConfigLoader.Load(value.ConfigPath), value.ConfigPath, value.Location, currentDirectory);
            return CatalogLocation.IsHub(value.Location)
                ? CatalogLocator.FromPath(value.Location, currentDirectory)
                : CatalogContext.FromDirectory(value.Location);
        }
        return CatalogLocator.FromPath(Location!, currentDirectory);
    }

    public override string ToString() => Catalog?.Location ?? Location ?? "";
}

/// <summary>
/// Binds -Catalog: accepts a Faceberg.Catalog object, a Faceberg.Table (its catalog), a FileSystemInfo, a
/// path to a catalog folder or faceberg.yml (relative to the session's folder), or an hf:// URI.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class CatalogTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        var currentDirectory = engineIntrinsics.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        try
        {
            return value switch
            {
                null => null,
                CatalogArgument argument => argument,
                Catalog catalog => CatalogArgument.Of(catalog),
                Table { Catalog: { } catalog } table => CatalogArgument.Of(catalog, table),
                Table table => throw new ArgumentTransformationMetadataException(
                    $"Table '{table.Identifier}' carries no catalog; give -Catalog as a path or a Faceberg.Catalog object."),
                FileSystemInfo item => CatalogArgument.At(item.FullName, currentDirectory),
                string { Length: 0 } => throw new ArgumentTransformationMetadataException("-Catalog cannot be an empty string."),
                string text when CatalogLocation.IsHub(text) => CatalogArgument.At(text, currentDirectory),
                string path => CatalogArgument.At(engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path), currentDirectory),
                _ => throw new ArgumentTransformationMetadataException(
                    $"-Catalog accepts a Faceberg.Catalog or Faceberg.Table object, a folder or faceberg.yml path, or an hf://datasets/org/name URI, not {value.GetType().Name}."),
            };
        }
        catch (FacebergException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
        catch (Exception e) when (e is ItemNotFoundException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentTransformationMetadataException($"-Catalog '{value}' is not a usable path: {e.Message}", e);
        }
    }
}
