using Storefront.Api.Lessons;
using Storefront.Upstreams;

namespace Storefront.Tests.Lessons;

/// <summary>
/// GET /multi-fetch as a client reads it: the service's <see cref="MultiFetchResponse"/>, with the bodies it passes
/// through typed as the simulator writes them.
/// </summary>
public sealed record MultiFetchAnswer(DataBody? DataA, DataBody? DataB, bool Complete, MultiFetchSourcesAnswer Sources);

/// <summary>The service's <see cref="MultiFetchSources"/>, each read as a <see cref="SourceAnswer"/>.</summary>
public sealed record MultiFetchSourcesAnswer(SourceAnswer DataA, SourceAnswer DataB);
