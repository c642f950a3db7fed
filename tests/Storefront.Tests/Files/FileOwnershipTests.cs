namespace Storefront.Tests.Files;

/// <summary>
/// A file is listed and deleted by its owner only: to anyone else it does not exist (404, not 403, so ids cannot be
/// probed). Downloads are public by id. Deleting removes the row and the bytes.
/// </summary>
public abstract class FileOwnershipTests(UploadsDatabase database)
{
    [Fact]
    public async Task Another_user_gets_404_deleting_a_file_that_stays_downloadable_and_sees_only_their_own_files()
    {
        await using var host = database.NewHost();
        using var owner = await host.CreateAuthenticatedClientAsync();
        using var other = await host.CreateAuthenticatedClientAsync();
        using var anonymous = host.CreateClient();
        var mine = await Uploads.UploadAsync(owner, Uploads.Text(300), "mine.txt");
        var theirs = await Uploads.UploadAsync(other, Uploads.Text(200), "theirs.txt");

        // Exactly the answer for an id that never existed.
        var unknown = await (await other.DeleteAsync($"/files/{new string('0', 32)}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var refused = await (await other.DeleteAsync($"/files/{mine.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(unknown.Detail, refused.Detail);
        await (await anonymous.DeleteAsync($"/files/{mine.Id}")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        using (var stillThere = await anonymous.GetAsync($"/files/{mine.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
            Assert.Equal(Uploads.Text(300), await stillThere.Content.ReadAsByteArrayAsync());
        }
        Assert.Contains(mine.Filename, Uploads.Entries(host));

        var otherList = await Uploads.ListAsync(other);
        Assert.Equal(1, otherList.Total);
        Assert.Equal(theirs.Id, Assert.Single(otherList.Items).Id);
        var ownerList = await Uploads.ListAsync(owner);
        Assert.Equal(1, ownerList.Total);
        Assert.Equal(mine.Id, Assert.Single(ownerList.Items).Id);
    }

    [Fact]
    public async Task The_owner_deletes_a_file_its_row_and_bytes_go_and_it_is_404_after()
    {
        await using var host = database.NewHost();
        using var owner = await host.CreateAuthenticatedClientAsync();
        var kept = await Uploads.UploadAsync(owner, Uploads.Text(100), "kept.txt");
        var doomed = await Uploads.UploadAsync(owner, Uploads.Binary(5000), "doomed.bin");

        using (var deleted = await owner.DeleteAsync($"/files/{doomed.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        }

        await (await owner.GetAsync($"/files/{doomed.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.DeleteAsync($"/files/{doomed.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal([kept.Filename], Uploads.Entries(host));
        var list = await Uploads.ListAsync(owner);
        Assert.Equal(1, list.Total);
        Assert.Equal(kept.Id, Assert.Single(list.Items).Id);
    }

    [Fact]
    public async Task A_malformed_id_is_404_for_download_and_delete()
    {
        await using var host = database.NewHost();
        using var owner = await host.CreateAuthenticatedClientAsync();
        await Uploads.UploadAsync(owner, Uploads.Text(10));

        // Upper case (ids are lower-case hex), one character too many, an encoded path.
        foreach (var id in new[] { "not-an-id", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef0", "..%2F..%2Fetc%2Fpasswd" })
        {
            await (await owner.GetAsync($"/files/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
            await (await owner.DeleteAsync($"/files/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        }
        Assert.Equal(1, await Uploads.TotalAsync(owner));
    }

    [Fact]
    public async Task The_listing_is_oldest_first_and_paged()
    {
        await using var host = database.NewHost();
        using var owner = await host.CreateAuthenticatedClientAsync();
        var uploaded = new List<string>();
        for (var i = 0; i < 5; i++) uploaded.Add((await Uploads.UploadAsync(owner, Uploads.Text(10 + i), $"f{i}.txt")).Id);

        var all = (await Uploads.ListAsync(owner)).Items.ToList();
        var created = all.Select(f => f.CreatedAt).ToList();
        Assert.Equal(created.Order(), created);
        Assert.Equal(uploaded.Order(StringComparer.Ordinal), all.Select(f => f.Id).Order(StringComparer.Ordinal));

        var page = await Uploads.ListAsync(owner, "?skip=1&limit=2");
        Assert.Equal(5, page.Total);
        Assert.Equal(1, page.Skip);
        Assert.Equal(2, page.Limit);
        Assert.Equal(all.Skip(1).Take(2).Select(f => f.Id), page.Items.Select(f => f.Id));
        await (await owner.GetAsync("/files?limit=0")).ShouldBeValidationProblemAsync("limit");
    }
}

[ServerFree]
public sealed class SqliteFileOwnershipTests(SqliteUploadsDatabase database)
    : FileOwnershipTests(database), IClassFixture<SqliteUploadsDatabase>;

public sealed class PostgresFileOwnershipTests(PostgresUploadsDatabase database)
    : FileOwnershipTests(database), IClassFixture<PostgresUploadsDatabase>;
