using System.Net;
using System.Net.Sockets;

namespace Faceberg.LocalHub.Server;

/// <summary>An HttpListener on 127.0.0.1 that hands every request to a handler on the thread pool.</summary>
internal sealed class HttpEndpoint : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _acceptLoop;

    private HttpEndpoint(HttpListener listener, int port, Func<HttpListenerContext, Task> handler)
    {
        _listener = listener;
        _handler = handler;
        Port = port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <param name="port">0 picks a free port.</param>
    public static HttpEndpoint Start(int port, Func<HttpListenerContext, Task> handler)
    {
        // HttpListener cannot bind port 0, so ask the OS for a free port and retry if another
        // process takes it between the probe and the bind.
        for (var attempt = 0; ; attempt++)
        {
            var candidate = port != 0 ? port : FreePort();
            var listener = new HttpListener { IgnoreWriteExceptions = true };
            listener.Prefixes.Add($"http://127.0.0.1:{candidate}/");
            try
            {
                listener.Start();
                return new HttpEndpoint(listener, candidate, handler);
            }
            catch (HttpListenerException) when (port == 0 && attempt < 20)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
        finally { probe.Stop(); }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }
            _ = Task.Run(() => _handler(context));
        }
    }

    public void Dispose()
    {
        // The managed HttpListener (Linux, macOS) can throw "Address already in use" while unregistering
        // its prefix when another listener has just bound a port; the listener is closed either way, so
        // stopping a hub must not fail because of it.
        try
        {
            if (_listener.IsListening) _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException) { }
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
