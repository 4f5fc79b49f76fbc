using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Faceberg.LocalHub.Server;

/// <summary>
/// Resets a request's TCP connection without any response, as a network failure would.
/// </summary>
/// <remarks>
/// HttpListener has no public way to do this: its Abort still sends a response. The managed
/// implementation (Linux, macOS) keeps the socket in HttpListenerContext._connection._socket, so it
/// is reached by reflection; where that shape is absent, a truncated response is the fallback, which
/// clients also see as a failed transfer.
/// </remarks>
internal static class ConnectionDropper
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    public static void Drop(HttpListenerContext context)
    {
        if (FindSocket(context) is { } socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone: dropped either way.
                return;
            }
        }
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentLength64 = 1024;
        try
        {
            response.OutputStream.Write(new byte[16]);
            response.OutputStream.Flush();
        }
        finally
        {
            response.Abort();
        }
    }

    private static Socket? FindSocket(HttpListenerContext context)
    {
        var connection = context.GetType().GetField("_connection", Private)?.GetValue(context);
        return connection?.GetType().GetField("_socket", Private)?.GetValue(connection) as Socket;
    }
}
