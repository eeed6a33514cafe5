using System.Net;
using System.Net.Http.Headers;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Studio;

/// <summary>The studio's files: served at "/", compressed, under a strict Content-Security-Policy, revalidated on each load.</summary>
public sealed class StudioPageTests
{
    [Fact]
    public async Task The_studio_is_served_at_the_root_under_a_strict_content_security_policy()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_api_is_not_touched_by_the_studio()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }
}
