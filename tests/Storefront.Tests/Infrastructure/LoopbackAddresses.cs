using System.Net.Sockets;

namespace Storefront.Tests.Infrastructure;

/// <summary>Connections from a loopback address of the test's choosing (127.0.0.x), for limits counted per client address.</summary>
internal static class LoopbackAddresses
{
    /// <summary>A handler whose connections come from <paramref name="address"/>.</summary>
    public static SocketsHttpHandler Handler(string address) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
