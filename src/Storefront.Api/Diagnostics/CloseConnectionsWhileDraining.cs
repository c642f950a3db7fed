namespace Storefront.Api.Diagnostics;

/// <summary>
/// While draining, each HTTP/1.1 response says <c>Connection: close</c>. A balancer without active health checks
/// (nginx) keeps connections to the instance alive and would see them cut when it stops; this way they are closed one
/// by one, each after a complete answer, while the instance still serves. HTTP/2 has no such header (Kestrel's GOAWAY
/// on stop does that job there). A WebSocket handshake during the drain is refused (Live), never upgraded.
/// </summary>
internal sealed class CloseConnectionsWhileDraining(RequestDelegate next, ShutdownDrain drain)
{
    public Task InvokeAsync(HttpContext context)
    {
        // At the start of the response, not now: the exception handler clears the headers of a failed request.
        if (drain.IsDraining && HttpProtocol.IsHttp11(context.Request.Protocol))
            context.Response.OnStarting(AskToClose, context.Response);
        return next(context);
    }

    private static Task AskToClose(object response)
    {
        ((HttpResponse)response).Headers.Connection = "close";
        return Task.CompletedTask;
    }
}
