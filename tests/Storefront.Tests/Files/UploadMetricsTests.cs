using Storefront.Tests.Diagnostics;
using Storefront.Tests.Live;

namespace Storefront.Tests.Files;

/// <summary>/metrics of a service process of its own, so the upload counters are exactly this test's uploads.</summary>
public sealed class UploadMetricsTests : IAsyncLifetime
{
    private LiveService _service = null!;

    public async ValueTask InitializeAsync() => _service = await LiveService.StartAsync(new Dictionary<string, string> { ["Uploads__MaxBytes"] = "10000" });

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Metrics_count_uploads_by_outcome_and_the_bytes_stored()
    {
        using var client = _service.Process.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await TestAccounts.RegisterAndLoginAsync(client));

        await Uploads.UploadAsync(client, Uploads.Binary(1234));
        await Uploads.UploadAsync(client, Uploads.Text(66));
        using (var tooLarge = await Uploads.SendAsync(client, Uploads.Binary(20_000)))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        // Sent whole and fast without a length, where the body's own limit trips first: the same refusal.
        var chunked = PartialUpload.Chunked(Uploads.Body(Uploads.FilePart("filename=\"big.bin\""), Uploads.Binary(1_000_000)), last: true);
        Assert.Equal(413, (await RawHttp.SendAsync(client.BaseAddress!, Uploads.Head(client, "Transfer-Encoding: chunked"), chunked)).Status);
        using (var notMultipart = await client.PostJsonTextAsync("/upload", "{}"))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notMultipart.StatusCode);

        var metrics = await _service.ScrapeAsync();
        var uploads = metrics.Named("storefront_uploads_total");
        Assert.Equal("counter", uploads.Type);
        Assert.Equal(2, uploads.Value("storefront_uploads_total", ("outcome", "stored")));
        Assert.Equal(2, uploads.Value("storefront_uploads_total", ("outcome", "too_large")));
        Assert.Equal(1, uploads.Value("storefront_uploads_total", ("outcome", "type_refused")));
        Assert.Equal(1234 + 66, metrics.Sum("storefront_uploads_stored_bytes_total", "storefront_uploads_stored_bytes_total"));
        Assert.Equal(0, metrics.Named("storefront_uploads_active").Value("storefront_uploads_active"));
    }
}
