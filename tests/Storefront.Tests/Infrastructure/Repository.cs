namespace Storefront.Tests.Infrastructure;

internal static class Repository
{
    /// <summary>The checkout the tests run from (the folder holding Storefront.slnx), for tests that read the docs.</summary>
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Storefront.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Storefront.slnx not found above the test binaries.");
    }
}
