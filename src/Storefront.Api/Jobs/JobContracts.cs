namespace Storefront.Api.Jobs;

public sealed record LogQueuedResponse(string Status, string JobId);

public sealed record JobResponse(
    string Id, string Kind, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);
