using System.Text;

namespace Faceberg.Core.Config;

/// <summary>How datasets and their configs map to table names.</summary>
public static class TableNaming
{
    /// <summary><c>default.&lt;dataset&gt;_&lt;config&gt;</c>; characters of the config name that are not
    /// allowed in an identifier become '_' (e.g. config "en-fr.v2" → "en-fr_v2").</summary>
    public static TableIdentifier TableName(string datasetName, string configName)
    {
        if (string.IsNullOrEmpty(configName))
            throw new FacebergException("InvalidConfigName", FacebergErrorKind.InvalidArgument, "A config name must not be empty.");
        return new TableIdentifier(TableIdentifier.DefaultNamespace, $"{datasetName}_{Sanitize(configName)}");
    }

    /// <summary>A dataset name derived from a repo id: the repo's name with characters that are
    /// not allowed in an identifier replaced by '_' ("demo/movie-reviews" → "movie_reviews").</summary>
    public static string DatasetNameFromRepo(string repoId)
    {
        var name = Sanitize(repoId[(repoId.LastIndexOf('/') + 1)..]).Replace('-', '_');
        return char.IsAsciiLetter(name[0]) || name[0] == '_' ? name : "_" + name;
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        return builder.ToString();
    }
}
