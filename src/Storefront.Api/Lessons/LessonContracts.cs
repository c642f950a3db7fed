using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

public sealed record MessageResponse(string Message);

public sealed record SlowResponse(string Msg);

public sealed record MultiResponse(string Msg, long ElapsedMs);

/// <summary>One body per source in configured order (null where it failed), and how each fared, by source name.</summary>
public sealed record WeatherResponse(RawJson?[] Weather, bool Complete, Dictionary<string, SourceReport> Sources);

public sealed record MultiFetchResponse(RawJson? DataA, RawJson? DataB, bool Complete, MultiFetchSources Sources);

public sealed record MultiFetchSources(SourceReport DataA, SourceReport DataB);
