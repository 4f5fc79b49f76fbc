namespace Faceberg.Core.Iceberg.Table;

/// <summary>A commit lost to other writers more often than the retry budget allows, or its precondition no longer holds.</summary>
public sealed class CommitConflictException : FacebergException
{
    public CommitConflictException(string message, Exception? inner = null)
        : base("CommitConflict", FacebergErrorKind.Conflict, message, inner) { }
}
