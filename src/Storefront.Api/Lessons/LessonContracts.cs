using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

public sealed record MessageResponse(string Message);

public sealed record SlowResponse(string Msg);

public sealed record MultiResponse(string Msg, long ElapsedMs);

/// <summary>
/// /weather's entry for a source that failed, in the place its body would have had: the answer stays an array
/// (one entry per source, in configured order), and the failure is marked where it happened.
/// </summary>
public sealed record FailedSource(
    string Source, string Status, double Ms,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Detail);

public sealed record MultiFetchResponse(RawJson? DataA, RawJson? DataB, bool Complete, MultiFetchSources Sources);

public sealed record MultiFetchSources(SourceReport DataA, SourceReport DataB);
