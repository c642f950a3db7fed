namespace Storefront.Api.Files;

/// <summary>At startup, before requests: what a crashed or killed writer left half-written is removed.</summary>
internal sealed class AbandonedUploadsSweep(IFileStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.RemoveAbandonedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
