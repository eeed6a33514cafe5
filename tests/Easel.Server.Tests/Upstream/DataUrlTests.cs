namespace Easel.Server.Tests.Upstream;

/// <summary>Inline results (data: URLs) are held to the fetched results' byte limit before a byte is decoded.</summary>
public sealed class DataUrlTests
{
    [Fact]
    public void A_data_url_over_the_limit_is_refused_before_decoding()
    {
        // Not base64 at all: decoding would say "malformed"; the length check must speak first.
        var url = new Uri("data:image/png;base64," + new string('!', 4000));

        var error = Assert.Throws<Easel.Engines.Upstream.UpstreamResultException>(() => Easel.Engines.Upstream.DataUrl.Decode(url, 0, 1000));

        Assert.Contains("over the limit of 1000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_url_within_the_limit_gives_its_bytes_and_malformed_base64_is_refused()
    {
        var bytes = Easel.Engines.Upstream.DataUrl.Decode(new Uri("data:application/octet-stream;base64," + Convert.ToBase64String([1, 2, 3, 4])), 0, 1000);

        Assert.Equal([1, 2, 3, 4], bytes);
        Assert.Throws<Easel.Engines.Upstream.UpstreamResultException>(() => Easel.Engines.Upstream.DataUrl.Decode(new Uri("data:image/png;base64,!!!!"), 0, 1000));
        Assert.Throws<Easel.Engines.Upstream.UpstreamResultException>(() => Easel.Engines.Upstream.DataUrl.Decode(new Uri("data:image/png,AAAA"), 0, 1000));
    }
}
