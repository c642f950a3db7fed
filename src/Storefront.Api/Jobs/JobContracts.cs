namespace Storefront.Api.Jobs;

public sealed record LogQueuedResponse(string Status, string JobId);

/// <summary>A job, as the user who queued it sees it.</summary>
public sealed record JobResponse(
    string Id, string Kind, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>A job nobody owns (/log), as anyone who has its id sees it: whether it ran, nothing of what it holds.</summary>
public sealed record JobStatusResponse(string Id, string Status);
