namespace Storefront.Tests.Deploy;

/// <summary>The name check itself: real settings pass, near misses do not.</summary>
[ServerFree]
public sealed class SettingNamesTests
{
    [Theory]
    [InlineData("Jobs__ShutdownGraceSeconds")]
    [InlineData("jobs__shutdowngraceseconds")]
    [InlineData("Upstreams__Weather__0")]
    [InlineData("Upstreams__MultiFetch__A")]
    [InlineData("Jwt__PreviousSigningKeys__1")]
    [InlineData("Proxy__TrustedProxies__0")]
    [InlineData("Products__Reco__TimeoutMs")]
    [InlineData("Inference__Predict__Threads")]
    [InlineData("Diagnostics__Blocking__WarnAboveMs")]
    [InlineData("Smtp__Security")]
    [InlineData("ConnectionStrings__Postgres")]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("DOTNET_gcServer")]
    public void Real_settings_are_recognised(string name) => Assert.True(SettingNames.IsReal(name), name);

    [Theory]
    [InlineData("Jobs__ShutdownGraceSecond")]
    [InlineData("Jobs")]
    [InlineData("Jobs__")]
    [InlineData("Upstreams__Weather__first")]
    [InlineData("Upstreams__Weather")]
    [InlineData("Upstreams__NeedsSimulator")]
    [InlineData("Inference__Predict")]
    [InlineData("Products__Reco__TimeoutMs__0")]
    [InlineData("Diagnostics__WarnAboveMs")]
    [InlineData("Jwt_SigningKey")]
    [InlineData("ConnectionStrings")]
    [InlineData("Nonexistent__Setting")]
    public void Made_up_or_misspelt_names_are_not(string name) => Assert.False(SettingNames.IsReal(name), name);
}
