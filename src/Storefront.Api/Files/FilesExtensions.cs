using Microsoft.AspNetCore.Http.Timeouts;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Files;

public static class FilesExtensions
{
    public static WebApplicationBuilder AddFiles(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<UploadsOptions>(UploadsOptions.Section);
        services.AddJsonTypes(FilesJsonContext.Default);
        services.AddSingleton<IFileStore, FolderFileStore>();
        services.AddSingleton<UploadReceiver>();
        services.AddObservableMetrics<FileMetrics>();
        services.AddHostedService<AbandonedUploadsSweep>();
        // An upload's own deadline, longer than the other endpoints': a 100 MB file from a slow client takes minutes.
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<UploadsOptions>>((o, uploads) =>
            o.AddPolicy(FileEndpoints.UploadDeadline, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(uploads.Value.TimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            }));
        return builder;
    }
}
