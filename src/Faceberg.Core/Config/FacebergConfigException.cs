namespace Faceberg.Core.Config;

/// <summary>faceberg.yml is invalid. The message starts with <c>file:line:column:</c> so editors and
/// people can jump to the spot.</summary>
public sealed class FacebergConfigException : FacebergException
{
    public FacebergConfigException(string file, int line, int column, string problem, Exception? inner = null)
        : base("InvalidConfig", FacebergErrorKind.InvalidData, $"{file}:{line}:{column}: {problem}", inner)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }
}
