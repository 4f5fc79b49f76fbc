using Faceberg.Cmdlets.Tests.Hosting;

namespace Faceberg.Cmdlets.Tests;

/// <summary>Project folders the cmdlet tests start from.</summary>
internal static class ProjectFixtures
{
    public const string Config = """
        # test catalog
        catalog:
          name: test_catalog
          location: .faceberg/
        datasets:
          - name: movie_reviews
            repo: demo/movie-reviews
            configs: [default]
          - name: iris
            repo: demo/iris
            revision: main
        """;

    /// <summary>Writes faceberg.yml and returns its path.</summary>
    public static string WriteConfig(this TempProject project, string content = Config) => project.Write("faceberg.yml", content);

    /// <summary>Registers tables without Iceberg metadata, by hand: a catalog.json entry and a table folder
    /// (catalog.json's format is the documented flat dictionary), for tests of listing and naming alone.</summary>
    public static void AddTables(this TempProject project, params string[] identifiers)
    {
        var entries = identifiers.Select(id =>
        {
            var (ns, name) = (id.Split('.')[0], id.Split('.')[1]);
            Directory.CreateDirectory(project.PathOf(".faceberg", "metadata", ns, name));
            return $"  \"{id}\": \"metadata/{ns}/{name}\"";
        });
        project.Write(".faceberg/catalog.json", "{\n" + string.Join(",\n", entries) + "\n}\n");
    }
}
