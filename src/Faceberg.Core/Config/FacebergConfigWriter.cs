using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Faceberg.Core.Config;

/// <summary>Edits faceberg.yml as text so the user's comments, ordering and formatting survive.</summary>
public static partial class FacebergConfigWriter
{
    /// <summary>Appends <paramref name="dataset"/> to the <c>datasets:</c> list of the file at
    /// <paramref name="path"/> and returns the reloaded config. The file must be valid before and
    /// is validated again before it is replaced.</summary>
    public static FacebergConfig AddDataset(string path, DatasetConfig dataset)
    {
        var full = Path.GetFullPath(path);
        var updated = AddDataset(File.ReadAllText(full), full, dataset);
        AtomicFile.WriteAllText(full, updated);
        return FacebergConfigLoader.Load(full);
    }

    /// <summary>The text of a faceberg.yml (named <paramref name="fileName"/> in errors) with <paramref name="dataset"/> appended
    /// to its <c>datasets:</c> list; the text must be valid before and is validated again.</summary>
    public static string AddDataset(string text, string fileName, DatasetConfig dataset)
    {
        ArgumentNullException.ThrowIfNull(text);
        var full = fileName;
        var config = FacebergConfigLoader.Parse(text, fileName);
        if (!TableIdentifier.IsValidPart(dataset.Name))
            throw new FacebergException("InvalidDatasetName", FacebergErrorKind.InvalidArgument,
                $"'{dataset.Name}' is not a valid dataset name: use letters, digits, '_' and '-', starting with a letter or '_'.");
        if (!RepoIds.IsValid(dataset.Repo))
            throw new FacebergException("InvalidRepoId", FacebergErrorKind.InvalidArgument,
                $"'{dataset.Repo}' is not a valid dataset repo id; expected 'org/name'.");
        if (config.Datasets.Any(d => d.Name == dataset.Name))
            throw new FacebergException("DatasetAlreadyExists", FacebergErrorKind.AlreadyExists,
                $"Dataset '{dataset.Name}' is already in '{full}'.");

        var updated = Insert(text, dataset);
        FacebergConfigLoader.Parse(updated, full);
        return updated;
    }

    internal static string Insert(string text, DatasetConfig dataset)
    {
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = SplitLines(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var datasetsKey = root.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "datasets");

        if (datasetsKey is null)
        {
            var body = text.Length == 0 || text.EndsWith('\n') ? text : text + newline;
            return body + "datasets:" + newline + Entry(dataset, "  - ", "    ", newline);
        }

        var value = root.Children[datasetsKey];
        if (value is YamlSequenceNode { Style: SequenceStyle.Block } sequence && sequence.Children.Count > 0)
        {
            var first = sequence.Children[0];
            var firstLine = lines[(int)first.Start.Line - 1];
            var dashIndent = firstLine.IndexOf('-');
            var keyIndent = (int)first.Start.Column - 1;
            var lastLine = LastContentLine(sequence.Children[^1]);
            var entry = Entry(dataset, new string(' ', dashIndent) + "-" + new string(' ', keyIndent - dashIndent - 1), new string(' ', keyIndent), newline);
            return InsertAfterLine(lines, lastLine, entry, newline, text.EndsWith('\n'));
        }

        var isEmptyFlow = value is YamlSequenceNode { Style: SequenceStyle.Flow } flow && flow.Children.Count == 0;
        var isNull = value is YamlScalarNode scalar && (scalar.Value is null or "" or "~" or "null");
        if (!isEmptyFlow && !isNull)
            throw new FacebergException("ConfigNotEditable", FacebergErrorKind.NotSupported,
                "'datasets' is written in flow style ([...]); rewrite it as a block list ('- name: ...') to add datasets automatically.");

        // Drop an empty "[]" or "~" after "datasets:" and put the list on the following lines.
        var keyLine = (int)datasetsKey.Start.Line - 1;
        if (value.Start.Line == datasetsKey.Start.Line && (isEmptyFlow || value.End.Index > value.Start.Index))
        {
            var line = lines[keyLine];
            var start = (int)value.Start.Column - 1;
            // A collection node's End mark is its start event's; find the closing bracket instead.
            var end = isEmptyFlow ? line.IndexOf(']', start) + 1 : (int)value.End.Column - 1;
            if (end <= start)
                throw new FacebergException("ConfigNotEditable", FacebergErrorKind.NotSupported,
                    "'datasets: [' is not closed on its line; rewrite it as a block list to add datasets automatically.");
            lines[keyLine] = (line[..start].TrimEnd() + " " + line[end..].TrimStart()).TrimEnd();
        }
        var indent = new string(' ', (int)datasetsKey.Start.Column - 1);
        return InsertAfterLine(lines, keyLine + 1, Entry(dataset, indent + "  - ", indent + "    ", newline), newline, text.EndsWith('\n'));
    }

    private static string Entry(DatasetConfig dataset, string firstPrefix, string prefix, string newline)
    {
        var builder = new StringBuilder();
        builder.Append(firstPrefix).Append("name: ").Append(Scalar(dataset.Name)).Append(newline);
        builder.Append(prefix).Append("repo: ").Append(Scalar(dataset.Repo)).Append(newline);
        if (dataset.Configs.Count > 0)
            builder.Append(prefix).Append("configs: [").Append(string.Join(", ", dataset.Configs.Select(Scalar))).Append(']').Append(newline);
        if (dataset.Revision is not null)
            builder.Append(prefix).Append("revision: ").Append(Scalar(dataset.Revision)).Append(newline);
        return builder.ToString();
    }

    /// <summary>A plain scalar when it cannot be misread (as a number, bool, null or syntax),
    /// otherwise single-quoted.</summary>
    private static string Scalar(string value) =>
        PlainSafe().IsMatch(value) && !ReservedPlain().IsMatch(value) ? value : "'" + value.Replace("'", "''") + "'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex("^(?i:y|n|yes|no|true|false|on|off|null)$")]
    private static partial Regex ReservedPlain();

    private static int LastContentLine(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.SelectMany(p => new[] { LastContentLine(p.Key), LastContentLine(p.Value) }).DefaultIfEmpty((int)node.Start.Line).Max(),
        YamlSequenceNode { Style: SequenceStyle.Block } seq => seq.Children.Select(LastContentLine).DefaultIfEmpty((int)node.Start.Line).Max(),
        // Scalars and flow collections end where their End mark is; an End at column 1 means the
        // token ended at the previous line break.
        _ => node.End.Column == 1 && node.End.Line > node.Start.Line ? (int)node.End.Line - 1 : (int)node.End.Line,
    };

    private static List<string> SplitLines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();

    /// <summary>Inserts <paramref name="block"/> after 1-based line <paramref name="lineNumber"/>.</summary>
    private static string InsertAfterLine(List<string> lines, int lineNumber, string block, string newline, bool endedWithNewline)
    {
        var content = endedWithNewline ? lines.Take(lines.Count - 1).ToList() : lines;
        var before = string.Join(newline, content.Take(lineNumber));
        var after = content.Skip(lineNumber).ToList();
        var result = before + newline + block;
        if (after.Count > 0)
            result += string.Join(newline, after) + (endedWithNewline ? newline : "");
        return result;
    }
}
