using System.Text;
using Faceberg.LocalHub.Store;

namespace Faceberg.TestData;

/// <summary>
/// Builds a repo commit by commit: stage files and deletions, then <see cref="Commit"/>.
/// </summary>
/// <example><code>
/// var repo = new HubDatasetBuilder(store, "org/name")
///     .Parquet("data/train-00000-of-00001.parquet", rows: 10).Commit("first");
/// </code></example>
public sealed class HubDatasetBuilder
{
    private readonly LocalHubStore _store;
    private readonly Dictionary<string, byte[]> _added = new(StringComparer.Ordinal);
    private readonly List<string> _deleted = [];
    private readonly List<string> _commits = [];
    private long _nextId;

    /// <summary>Creates the repo unless it exists.</summary>
    public HubDatasetBuilder(LocalHubStore store, string repoId, bool isPrivate = false)
    {
        _store = store;
        RepoId = repoId;
        if (!store.RepoExists(repoId)) store.CreateRepo(repoId, isPrivate);
    }

    public string RepoId { get; }

    public LocalHubStore Store => _store;

    /// <summary>Shas of the commits made through this builder, oldest first.</summary>
    public IReadOnlyList<string> Commits => _commits;

    public HubDatasetBuilder File(string path, byte[] content)
    {
        _added[path] = content;
        return this;
    }

    public HubDatasetBuilder Text(string path, string content) => File(path, Encoding.UTF8.GetBytes(content));

    /// <summary>Stages a <see cref="SampleParquet"/> file; row ids continue across files of this builder.</summary>
    public HubDatasetBuilder Parquet(string path, int rows, int? rowGroupSize = null)
    {
        var content = SampleParquet.Write(rows, _nextId, rowGroupSize);
        _nextId += rows;
        return File(path, content);
    }

    /// <summary>Stages README.md with YAML front matter (without the --- fences) and a body.</summary>
    public HubDatasetBuilder Readme(string? yaml, string body = "# Dataset\n") =>
        Text("README.md", yaml is null ? body : $"---\n{yaml.TrimEnd('\n')}\n---\n{body}");

    public HubDatasetBuilder Delete(string path)
    {
        _deleted.Add(path);
        return this;
    }

    /// <summary>Commits what is staged to <paramref name="branch"/> (created as an orphan when missing).</summary>
    public HubDatasetBuilder Commit(string message, string branch = LocalHubStore.DefaultBranch)
    {
        _commits.Add(_store.Commit(RepoId, new Dictionary<string, byte[]>(_added), _deleted.ToList(), message, branch));
        _added.Clear();
        _deleted.Clear();
        return this;
    }

    public HubDatasetBuilder Tag(string tag, string revision = LocalHubStore.DefaultBranch)
    {
        _store.CreateTag(RepoId, tag, revision);
        return this;
    }

    public HubDatasetBuilder Branch(string branch, string startingPoint = LocalHubStore.DefaultBranch)
    {
        _store.CreateBranch(RepoId, branch, startingPoint);
        return this;
    }

    public string Head(string revision = LocalHubStore.DefaultBranch) => _store.ResolveRevision(RepoId, revision);
}
