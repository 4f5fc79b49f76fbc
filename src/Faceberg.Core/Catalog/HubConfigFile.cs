using System.Text;
using Faceberg.Core.Config;
using Faceberg.Core.Hub;

namespace Faceberg.Core.Catalog;

/// <summary>A change to the faceberg.yml of a catalog on the Hub: what it was, what it became, and the config it now holds.</summary>
public sealed record HubConfigChange(string? Before, string After, FacebergConfig Config);

/// <summary>
/// Changes the faceberg.yml of a catalog that lives on the Hub, as the catalog's own changes are made: read at the
/// <c>main</c> head, changed, and committed with that head as <c>parentCommit</c>; when another commit moved the branch
/// first, the file is read again and the change re-applied (re-checking, say, that the dataset is still not listed).
/// </summary>
public static class HubConfigFile
{
    private const string Branch = "main";
    private const int ChangeAttempts = 5;

    /// <summary>Appends <paramref name="dataset"/> to the repo's faceberg.yml (a new one naming <paramref name="catalogName"/> when it has none).</summary>
    public static async Task<HubConfigChange> AddDatasetAsync(HubClient hub, string repo, string catalogName, DatasetConfig dataset, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(dataset);
        var change = await ChangeAsync(hub, repo, current =>
        {
            var text = current ?? $"catalog:\n  name: {catalogName}\n";
            return FacebergConfigWriter.AddDataset(text, FileName(repo), dataset);
        }, $"Faceberg: add dataset {dataset.Name} ({dataset.Repo})", ct).ConfigureAwait(false);
        return change!;
    }

    /// <summary>Puts back the faceberg.yml <paramref name="added"/> replaced, unless another writer changed the file since; returns whether it did.</summary>
    public static async Task<bool> UndoAsync(HubClient hub, string repo, HubConfigChange added, string summary, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(added);
        var undone = await ChangeAsync(hub, repo, current => current == added.After ? added.Before ?? $"catalog:\n  name: {added.Config.Catalog.Name}\n" : null,
            summary, ct).ConfigureAwait(false);
        return undone is not null;
    }

    /// <summary>Commits <paramref name="change"/> of the file's text (null when absent); a null result leaves the file alone.</summary>
    private static async Task<HubConfigChange?> ChangeAsync(HubClient hub, string repo, Func<string?, string?> change, string summary, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await HubCatalog.HeadAsync(hub, repo, ct).ConfigureAwait(false);
            string? current;
            try
            {
                current = Encoding.UTF8.GetString(await hub.DownloadFileAsync(repo, head, CatalogFiles.ConfigPath, ct).ConfigureAwait(false));
            }
            catch (EntryNotFoundException)
            {
                current = null;
            }
            var next = change(current);
            if (next is null)
                return null;
            var config = FacebergConfigLoader.Parse(next, FileName(repo));
            try
            {
                await hub.CreateCommitAsync(repo, Branch, [CommitOperation.Add(CatalogFiles.ConfigPath, Encoding.UTF8.GetBytes(next))], summary,
                    parentCommit: head, ct: ct).ConfigureAwait(false);
                return new HubConfigChange(current, next, config);
            }
            catch (HubCommitConflictException ex)
            {
                if (attempt >= ChangeAttempts)
                    throw new CatalogConflictException($"{CatalogLocation.HubPrefix}{repo}/{CatalogFiles.ConfigPath}",
                        $"The faceberg.yml of '{CatalogLocation.HubPrefix}{repo}' kept changing under this change ({ChangeAttempts} attempts); run the command again.", ex);
                await Task.Delay(Random.Shared.Next(10, 50 * attempt), ct).ConfigureAwait(false);
            }
        }
    }

    private static string FileName(string repo) => $"{CatalogLocation.HubPrefix}{repo}/{CatalogFiles.ConfigPath}";
}
