namespace Storefront.Api.Http;

/// <summary>Skip/limit paging, for every list endpoint (bind with <c>[AsParameters]</c>).</summary>
public sealed record PageQuery(int Skip = 0, int Limit = 10) : IValidatable
{
    public const int MaxLimit = 100;

    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(Skip >= 0, "skip", "Must be 0 or more.")
        .Check(Limit is >= 1 and <= MaxLimit, "limit", $"Must be between 1 and {MaxLimit}.")
        .ToDictionary();
}
