using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Live;

public static class LiveExtensions
{
    public static WebApplicationBuilder AddLive(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<WebSocketsOptions>(WebSocketsOptions.Section);
        services.AddJsonTypes(LiveJsonContext.Default);
        services.AddSingleton<LiveSockets>();
        services.AddSingleton<Handshake>();
        services.AddObservableMetrics<LiveMetrics>();
        services.AddSingleton<StockFeed>();
        services.AddSingleton<StockBus>();
        services.AddSingleton<IStockPublisher, StockPublisher>();
        return builder;
    }

    /// <summary>The WebSocket handshake, only on the /ws paths: it would cost every other request an allocation.</summary>
    public static WebApplication UseLive(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(LiveEndpoints.EchoPath, StringComparison.Ordinal),
            ws => ws.UseWebSockets());
        return app;
    }
}
