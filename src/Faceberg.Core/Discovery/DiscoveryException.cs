namespace Faceberg.Core.Discovery;

/// <summary>A dataset's layout or card cannot be turned into configs and splits.</summary>
public class DiscoveryException : FacebergException
{
    public DiscoveryException(string errorId, FacebergErrorKind kind, string message, Exception? inner = null)
        : base(errorId, kind, message, inner)
    {
    }
}
