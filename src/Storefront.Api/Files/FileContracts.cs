namespace Storefront.Api.Files;

/// <summary>
/// A stored file. <c>filename</c> is the server's name for it; <c>original_filename</c> the client's, sanitised
/// (offered again as the download's name).
/// </summary>
public sealed record FileResponse(
    string Id, string Filename, string OriginalFilename, long Size, string Sha256, string ContentType, DateTimeOffset CreatedAt);

public sealed record FileListResponse(IReadOnlyList<FileResponse> Items, int Total, int Skip, int Limit);

internal static class FileMapping
{
    public static FileResponse ToResponse(this StoredFile file) => new(
        file.Id, file.StoredName, file.OriginalName, file.Size, file.Sha256, file.ContentType,
        DateTimeOffset.FromUnixTimeMilliseconds(file.CreatedAtMs));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FileResponse))]
[JsonSerializable(typeof(FileListResponse))]
internal sealed partial class FilesJsonContext : JsonSerializerContext;
