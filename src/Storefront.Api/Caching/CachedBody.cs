using System.Buffers;
using System.ComponentModel;
using Microsoft.Extensions.Caching.Hybrid;

namespace Storefront.Api.Caching;

/// <summary>
/// A cached response body: the JSON bytes to send. Marked immutable so HybridCache hands out the instance it keeps
/// locally instead of deserialising a copy on every hit. <paramref name="Produced"/> is this process's computation
/// number (0 when read from Redis): a caller that saw a lower number before asking knows the value was computed while
/// it waited (MISS), not found (HIT). HybridCache itself does not say which.
/// </summary>
[ImmutableObject(true)]
internal sealed record CachedBody(byte[] Json, long Produced);

/// <summary>Stores the body's bytes as they are: they are already the JSON to send.</summary>
internal sealed class CachedBodySerializer : IHybridCacheSerializer<CachedBody>
{
    public CachedBody Deserialize(ReadOnlySequence<byte> source) => new(source.ToArray(), Produced: 0);

    public void Serialize(CachedBody value, IBufferWriter<byte> target) => target.Write(value.Json);
}
