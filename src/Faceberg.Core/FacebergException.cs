namespace Faceberg.Core;
public enum FacebergErrorKind { InvalidArgument, NotFound, AlreadyExists, Conflict, Authentication, InvalidData, Unavailable, NotSupported, PermissionDenied }
public class FacebergException : Exception {
    public FacebergException(string errorId, FacebergErrorKind kind, string message, Exception? inner = null) : base(message, inner) { ErrorId = errorId; Kind = kind; }
    public string ErrorId { get; }
    public FacebergErrorKind Kind { get; }
}
