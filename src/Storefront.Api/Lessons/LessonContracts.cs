using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

public sealed record MessageResponse(string Message);

public sealed record SlowResponse(string Msg);

public sealed record MultiResponse(string Msg, long ElapsedMs);

public sealed record MultiFetchResponse(RawJson? DataA, RawJson? DataB);
