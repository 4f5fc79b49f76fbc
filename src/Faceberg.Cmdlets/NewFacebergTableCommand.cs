using System.Management.Automation;
using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Config;
using Faceberg.Core.Datasets;

namespace Faceberg.Cmdlets;

/// <summary>New-FacebergTable: creates the tables of the datasets in faceberg.yml (all, or the named
/// datasets or tables), or adds a dataset with -Repo and creates its tables.</summary>
[Cmdlet(VerbsCommon.New, "FacebergTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ConfigSet)]
[OutputType(typeof(Table))]
public sealed class NewFacebergTableCommand : FacebergCmdlet
{
    /// <summary>Most Parquet footers read from the Hub at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = DatasetTables.DefaultThrottleLimit;

    private DatasetTables? _tables;

    /// <summary>The dataset service over this invocation's Hub client.</summary>
    private DatasetTables Tables => _tables ??= new DatasetTables(Session.Hub);

    protected override void BeginProcessing() => Session.MinConcurrency = ThrottleLimit;

    private T Run<T>(Func<IProgress<DatasetProgress>, CancellationToken, Task<T>> work) =>
        Session.Run<DatasetProgress, T>(ProgressActivity, ProgressUpdate.From, work);

    private const string ConfigSet = "Config";
    private const string RepoSet = "Repo";

    /// <summary>The literal -Name values no dataset or table matched, known once every dataset was planned.</summary>
    private Func<IReadOnlyList<string>>? _unmatched;

    /// <summary>Dataset names from faceberg.yml, or table names ("iris_default", "default.iris_*"); wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = ConfigSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>A Faceberg.Catalog object (e.g. from New-FacebergCatalog), a folder or faceberg.yml path, or an hf:// URI; default: the nearest catalog.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [CatalogTransformation]
    public CatalogArgument? Catalog { get; set; }

    /// <summary>A Hub dataset repo ("org/name") to add to faceberg.yml and create tables for.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RepoSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.RepoCompleter))]
    public string Repo { get; set; } = "";

    /// <summary>With -Repo: the configs to expose (default: all).</summary>
    [Parameter(ParameterSetName = RepoSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Config { get; set; }

    /// <summary>With -Repo: the branch, tag or commit to follow (default: main).</summary>
    [Parameter(ParameterSetName = RepoSet)]
    [ValidateNotNullOrEmpty]
    public string? Revision { get; set; }

    /// <summary>With -Repo: the dataset's name in faceberg.yml (default: derived from the repo name).</summary>
    [Parameter(ParameterSetName = RepoSet)]
    [ValidateNotNullOrEmpty]
    public string? DatasetName { get; set; }

    private const string ProgressActivity = "Creating Faceberg tables";

    protected override void ProcessRecord()
    {
        CatalogContext context;
        IReadOnlyList<(DatasetConfig Dataset, Func<TableIdentifier, bool> Wanted)> datasets;
        ConfigFileSnapshot? before = null;
        try
        {
            context = ResolveCatalog(Catalog);
            // A missing catalog fails here, before any Hub request or faceberg.yml edit.
            Session.Await(context.OpenCatalog(Session.Hub).ListTablesAsync(cancellationToken: Session.Cancellation));
            if (ParameterSetName == RepoSet)
            {
                before = ConfigFileSnapshot.Take(context.ConfigPath);
                var dataset = AddDataset(ref context);
                datasets = [(dataset, _ => true)];
            }
            else
            {
                datasets = SelectDatasets(context);
            }
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            WriteFailure(Catalog, e);
            return;
        }

        var created = false;
        try
        {
            foreach (var (dataset, wanted) in datasets)
                created |= CreateTables(context, dataset, wanted);
        }
        finally
        {
            // -Repo adds the dataset to faceberg.yml only together with its tables: a failed create leaves the file as it
            // was, also when the failure ends the command (a terminating error, Ctrl+C).
            if (!created && _hubConfigChange is not null)
                UndoHubConfigChange(context);
            if (!created && before is not null)
                RestoreConfig(before);
        }
    }

    private void UndoHubConfigChange(CatalogContext context)
    {
        try
        {
            if (!Session.Run(ct => HubConfigFile.UndoAsync(Session.Hub, context.Location.RepoId!, _hubConfigChange!, $"Faceberg: remove dataset {Repo} (no table created)", ct)))
                WriteWarning($"No table was created, and the faceberg.yml of '{context.Location}' was changed by someone else since '{Repo}' was added to it; it still lists '{Repo}'.");
        }
        catch (Exception e) when (Failures.IsExpected(e))
        {
            WriteFailure(Catalog, e);
        }
    }

    private void RestoreConfig(ConfigFileSnapshot before)
    {
        try
        {
            before.Restore();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteFailure(Catalog, new FacebergException("ConfigRestoreFailed", FacebergErrorKind.Unavailable,
                $"No table was created, and faceberg.yml could not be put back as it was ({e.Message}): remove dataset '{Repo}' from '{before.Path}' by hand.", e));
        }
    }

    /// <summary>The faceberg.yml change -Repo committed to a catalog on the Hub, undone when no table is created.</summary>
    private HubConfigChange? _hubConfigChange;

    /// <summary>-Repo: appends the dataset to faceberg.yml (unless -WhatIf) and returns it. A catalog on the Hub has its
    /// faceberg.yml in its repo, changed by a Hub commit.</summary>
    private DatasetConfig AddDataset(ref CatalogContext context)
    {
        if (!context.Location.IsLocal)
            return AddDatasetOnHub(ref context);
        var configPath = context.ConfigPath ?? throw new FacebergException("ConfigFileNotFound", FacebergErrorKind.NotFound,
            $"Catalog '{context.Name}' has no faceberg.yml to add '{Repo}' to; create the catalog from a faceberg.yml with New-FacebergCatalog.");
        var dataset = new DatasetConfig
        {
            Name = DatasetName ?? TableNaming.DatasetNameFromRepo(Repo),
            Repo = Repo,
            Configs = Config ?? [],
            Revision = Revision,
        };
        if (ShouldProcess(configPath, $"Add dataset '{dataset.Name}' ({dataset.Repo}) to faceberg.yml"))
        {
            var config = FacebergConfigWriter.AddDataset(configPath, dataset);
            context = new CatalogContext(context.Name, context.Location, config, context.ConfigPath);
            return config.Datasets.Single(d => d.Name == dataset.Name);
        }
        return dataset;
    }

    private DatasetConfig AddDatasetOnHub(ref CatalogContext context)
    {
        var repo = context.Location.RepoId!;
        var dataset = new DatasetConfig
        {
            Name = DatasetName ?? TableNaming.DatasetNameFromRepo(Repo),
            Repo = Repo,
            Configs = Config ?? [],
            Revision = Revision,
        };
        if (!ShouldProcess($"{context.Location}/{CatalogFiles.ConfigPath}", $"Add dataset '{dataset.Name}' ({dataset.Repo}) to faceberg.yml in one Hub commit"))
            return dataset;
        var name = context.Name;
        var change = Session.Run(ct => HubConfigFile.AddDatasetAsync(Session.Hub, repo, name, dataset, ct));
        _hubConfigChange = change;
        context = new CatalogContext(context.Name, context.Location, change.Config) { Hub = context.Hub };
        return change.Config.Datasets.Single(d => d.Name == dataset.Name);
    }

    /// <summary>
    /// The datasets -Name selects: a pattern matching a dataset's name takes all its tables; any other
    /// pattern is matched against table names once the dataset's configs are known. A name without
    /// wildcards that selects nothing is an error.
    /// </summary>
    private List<(DatasetConfig, Func<TableIdentifier, bool>)> SelectDatasets(CatalogContext context)
    {
        var config = Session.Await(context.LoadConfigAsync(Session.Cancellation)) ?? throw new FacebergException("ConfigFileNotFound", FacebergErrorKind.NotFound,
            $"Catalog '{context.Name}' has no faceberg.yml listing datasets; add one with New-FacebergTable -Repo <org/name>.");
        if (Name is null)
            return config.Datasets.Select(d => (d, (Func<TableIdentifier, bool>)(_ => true))).ToList();

        var patterns = Name.Select(n => (Text: n, Pattern: WildcardPattern.Get(n, WildcardOptions.IgnoreCase))).ToList();
        var selected = new List<(DatasetConfig, Func<TableIdentifier, bool>)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dataset in config.Datasets)
        {
            var byName = patterns.Where(p => p.Pattern.IsMatch(dataset.Name)).ToList();
            if (byName.Count > 0)
            {
                used.UnionWith(byName.Select(p => p.Text));
                selected.Add((dataset, _ => true));
                continue;
            }
            // Table names are <dataset>_<config>: only a pattern that could name one of this dataset's tables.
            var forTables = patterns.Where(p => WildcardPattern.ContainsWildcardCharacters(p.Text)
                || StripNamespace(p.Text).StartsWith(dataset.Name + "_", StringComparison.OrdinalIgnoreCase)).ToList();
            if (forTables.Count == 0)
                continue;
            selected.Add((dataset, id =>
            {
                var hits = forTables.Where(p => p.Pattern.IsMatch(id.Name) || p.Pattern.IsMatch(id.ToString())).ToList();
                used.UnionWith(hits.Select(p => p.Text));
                return hits.Count > 0;
            }));
        }
        _unmatched = () => patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p.Text) && !used.Contains(p.Text)).Select(p => p.Text).ToList();
        return selected;
    }

    private static string StripNamespace(string name) =>
        name.StartsWith(TableIdentifier.DefaultNamespace + ".", StringComparison.OrdinalIgnoreCase) ? name[(TableIdentifier.DefaultNamespace.Length + 1)..] : name;

    /// <returns>Whether at least one table was created.</returns>
    private bool CreateTables(CatalogContext context, DatasetConfig dataset, Func<TableIdentifier, bool> wanted)
    {
        DatasetPlan plan;
        try
        {
            plan = Run((progress, ct) =>
            {
                progress.Report(new DatasetProgress(dataset.Name, null, 0, 0, $"Resolving {dataset.Repo}@{dataset.Revision ?? DatasetSource.DefaultRef}"));
                return Tables.PlanAsync(dataset, ct);
            });
        }
        catch (FacebergException e)
        {
            WriteFailure(dataset.Name, e);
            return false;
        }

        var planned = plan.Tables.Where(t => wanted(t.Identifier)).ToList();
        WriteVerbose($"Planned from {plan.Repo}@{plan.DataRevision}: " + string.Join(", ", planned.Select(t => $"{t.Identifier} ({t.Files.Count} file(s))")) + ".");
        var approved = planned
            .Where(t => ShouldProcess(t.Identifier.ToString(),
                $"Create table from {plan.Repo}@{Short(plan.DataRevision)} (config '{t.Config}', {t.Files.Count} files)"))
            .ToList();
        if (approved.Count == 0)
            return false;

        var throttle = ThrottleLimit;
        var results = Run((progress, ct) => Tables.CreateAsync(context, plan with { Tables = approved },
            new DatasetTableOptions { ThrottleLimit = throttle, Progress = progress }, ct));
        var catalogObject = OutputObjects.ToCatalog(context, Session.Await(context.OpenCatalog(Session.Hub).ListTablesAsync(cancellationToken: Session.Cancellation)).Count);
        var created = false;
        foreach (var result in results)
        {
            if (result.Status == DatasetTableStatus.Created && result.Table is not null)
            {
                created = true;
                WriteVerbose($"Created {result.Table.Identifier} from {plan.Repo}@{plan.DataRevision}: {result.Table.FileCount} file(s), snapshot {result.Table.SnapshotId}.");
                WriteObject(OutputObjects.ToTable(result.Table, catalogObject));
            }
            else if (result.Status == DatasetTableStatus.Adopted && result.Table is not null)
            {
                created = true;
                WriteVerbose($"Registered {result.Table.Identifier} again: its folder kept it (Remove-FacebergTable without -Purge), with its history, "
                    + $"at revision {result.Table.Revision} (snapshot {result.Table.SnapshotId}); Sync-FacebergTable brings it to the head of {plan.Repo}.");
                WriteObject(OutputObjects.ToTable(result.Table, catalogObject));
            }
            else if (result.Error is not null)
                WriteFailure(result.Identifier?.ToString() ?? dataset.Name, result.Error);
        }
        return created;
    }

    protected override void EndProcessing()
    {
        foreach (var name in _unmatched?.Invoke() ?? [])
            WriteFailure(name, new FacebergException("DatasetNotFound", FacebergErrorKind.NotFound,
                $"'{name}' names no dataset in faceberg.yml and no table of one."));
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
