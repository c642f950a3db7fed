using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Storefront.Mix;

/// <summary>
/// The mix, in every 20 requests: 9 catalog reads, 5 product pages (the upstream fan-out), 3 catalog writes (bearer),
/// 2 job submissions (POST /log), 1 login (a PBKDF2 hash: tens of ms of CPU each). Logins all come from this one client address through the proxy, so the
/// cluster must allow that many (scripts/faults raises RateLimits__LoginPermits).
/// </summary>
internal sealed class MixUser(string username, string password, string token)
{
    private const string Password = "a long faults passphrase";

    /// <summary>
    /// Registers a user of its own, or logs in as STOREFRONT_MIX_USERNAME / STOREFRONT_MIX_PASSWORD when set: catalog
    /// writes need the catalog role, which only an operator grants (scripts/faults does, with scripts/cluster users).
    /// </summary>
    public static async Task<MixUser> CreateAsync(HttpClient client)
    {
        var username = Environment.GetEnvironmentVariable("STOREFRONT_MIX_USERNAME");
        var password = Environment.GetEnvironmentVariable("STOREFRONT_MIX_PASSWORD") ?? Password;
        if (string.IsNullOrEmpty(username))
        {
            username = $"faults_{Guid.NewGuid():N}"[..30];
            var register = await client.PostAsync("/register", Json(new { username, email = $"{username}@example.com", password }));
            if (!register.IsSuccessStatusCode) throw new InvalidOperationException($"register answered {(int)register.StatusCode}");
        }
        using var login = await client.PostAsync("/token", Login(username, password));
        if (!login.IsSuccessStatusCode) throw new InvalidOperationException($"login answered {(int)login.StatusCode}");
        using var doc = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        return new MixUser(username, password, doc.RootElement.GetProperty("access_token").GetString()!);
    }

    /// <summary>What request <paramref name="index"/> is, for counting failures by kind.</summary>
    public static string Kind(int index) => (index % 20) switch
    {
        < 8 or 19 => "GET /items",
        < 13 => "GET /product",
        < 16 => "POST /items",
        < 18 => "POST /log",
        _ => "POST /token",
    };

    public HttpRequestMessage Request(int index)
    {
        var id = 1 + index % 20;
        switch (index % 20)
        {
            case 0 or 1 or 2 or 3 or 4 or 5 or 6 or 7 or 19:
                return new HttpRequestMessage(HttpMethod.Get, $"/items/{id}");
            case 8 or 9 or 10 or 11 or 12:
                return new HttpRequestMessage(HttpMethod.Get, $"/product/{id}");
            case 13 or 14 or 15:
                var write = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = Json(new { name = $"Faults {index}", price = 1.5 }) };
                write.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return write;
            case 16 or 17:
                return new HttpRequestMessage(HttpMethod.Post, "/log") { Content = Json(new { message = "faults", n = index }) };
            default:
                return new HttpRequestMessage(HttpMethod.Post, "/token") { Content = Login(username, password) };
        }
    }

    public static string? JobId(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("job_id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Polls every accepted job until it succeeded or the wait ran out; a job not succeeded by then counts as lost.</summary>
    public static async Task<(int Succeeded, int Unfinished)> AwaitJobsAsync(HttpClient client, string[] ids, TimeSpan wait)
    {
        var left = new HashSet<string>(ids);
        var deadline = DateTime.UtcNow + wait;
        var unfinished = 0;
        while (left.Count > 0 && DateTime.UtcNow < deadline)
        {
            unfinished = 0;
            foreach (var id in left.ToArray())
            {
                var status = await StatusAsync(client, id);
                if (status == "succeeded") left.Remove(id);
                else if (status is "queued" or "running" or "failed" or null) unfinished++;
            }
            if (left.Count > 0) await Task.Delay(TimeSpan.FromSeconds(1));
        }
        return (ids.Length - left.Count, unfinished);
    }

    private static async Task<string?> StatusAsync(HttpClient client, string id)
    {
        try
        {
            using var response = await client.GetAsync($"/jobs/{id}");
            if (!response.IsSuccessStatusCode) return null;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return doc.RootElement.GetProperty("status").GetString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static FormUrlEncodedContent Login(string username, string password) =>
        new([new("username", username), new("password", password)]);
}
