using Storefront.Api.Compute;

namespace Storefront.Api.Inference;

/// <summary>/qr's runner: QRCoder on dedicated threads of its own.</summary>
public sealed class QrRunner(IOptions<InferenceOptions> options) : IDisposable
{
    private readonly CpuPoolOptions _pool = options.Value.Qr;

    public CpuWorkRunner<QrRequest, byte[]> Runner { get; } = new("qr",
        options.Value.Qr.EffectiveThreads, options.Value.Qr.QueueCapacity, options.Value.Qr.MaxBatch, QrCodes.Render);

    public Task<byte[]> RenderAsync(QrRequest request, CancellationToken cancellationToken) =>
        Runner.RunAsync(request, TimeSpan.FromMilliseconds(_pool.DeadlineMs), cancellationToken);

    public void Dispose() => Runner.Dispose();
}
