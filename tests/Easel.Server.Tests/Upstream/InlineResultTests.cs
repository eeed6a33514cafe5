using Easel.Core.Outbound;
using Easel.Engines.Upstream;
using Easel.Imaging;
using Easel.Storage.Blobs;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// Results carried in an upstream's answer (base64 text, a data: URL as text, bytes already read) are re-hosted as
/// fetched ones are: the byte limit before a byte is decoded, the image checked, all kept or none.
/// </summary>
public sealed class InlineResultTests : IDisposable
{
    private const int Limit = 64 * 1024;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
    private readonly GuardedHttpClient _outbound;
    private readonly ResultRehosting _rehosting;

    public InlineResultTests()
    {
        var limits = new OutboundOptions { MaxImageBytes = Limit };
        _outbound = new GuardedHttpClient(new AddressPolicy(limits), limits);
        _rehosting = new ResultRehosting(_outbound, new FileBlobStore(_directory), limits);
    }

    public void Dispose()
    {
        _outbound.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private int StoredFiles => Directory.Exists(_directory) ? Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).Count() : 0;

    [Fact]
    public async Task Base64_a_data_url_and_bytes_are_stored_as_the_images_they_carry()
    {
        var pngs = Enumerable.Range(0, 3).Select(n => TestImages.PatternPng(8 + n, 8)).ToArray();

        var keys = await _rehosting.RehostAsync(
            [UpstreamImage.OfBase64(Convert.ToBase64String(pngs[0])), UpstreamImage.OfDataUrl("data:image/png;base64," + Convert.ToBase64String(pngs[1])),
             UpstreamImage.OfBytes(pngs[2])], CancellationToken.None);

        Assert.Equal(3, keys.Count);
        for (var n = 0; n < 3; n++)
        {
            var stored = File.ReadAllBytes(Path.Combine(_directory, keys[n]));
            Assert.Equal((8 + n, 8), (ImageCodec.Identify(stored).Width, ImageCodec.Identify(stored).Height));
        }
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("data-url")]
    [InlineData("bytes")]
    public async Task Each_form_over_the_limit_is_refused_before_it_is_decoded_and_nothing_is_kept(string form)
    {
        // Not base64 at all: decoding would say "malformed"; the length check must speak first.
        var tooLong = new string('!', (Limit / 3 * 4) + 64);
        var image = form switch
        {
            "base64" => UpstreamImage.OfBase64(tooLong),
            "data-url" => UpstreamImage.OfDataUrl("data:image/png;base64," + tooLong),
            _ => UpstreamImage.OfBytes(new byte[Limit + 1]),
        };

        var error = await Assert.ThrowsAsync<UpstreamResultException>(() =>
            _rehosting.RehostAsync([UpstreamImage.OfBytes(TestImages.PatternPng(8, 8)), image], CancellationToken.None));

        Assert.Contains($"result 1 of the upstream is over the limit of {Limit} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, StoredFiles);
    }

    [Fact]
    public async Task Malformed_base64_a_data_url_not_in_base64_and_bytes_that_are_no_image_are_refused()
    {
        var malformed = await Assert.ThrowsAsync<UpstreamResultException>(() => _rehosting.RehostAsync([UpstreamImage.OfBase64("!!!!")], CancellationToken.None));
        var notBase64 = await Assert.ThrowsAsync<UpstreamResultException>(() => _rehosting.RehostAsync([UpstreamImage.OfDataUrl("data:image/png,AAAA")], CancellationToken.None));
        var notImage = await Assert.ThrowsAsync<UpstreamResultException>(() =>
            _rehosting.RehostAsync([UpstreamImage.OfBytes("<html>not an image</html>"u8.ToArray())], CancellationToken.None));

        Assert.Contains("base64 that is malformed", malformed.Message, StringComparison.Ordinal);
        Assert.Contains("a data: URL that is not base64", notBase64.Message, StringComparison.Ordinal);
        Assert.Contains("not an image Easel reads", notImage.Message, StringComparison.Ordinal);
        Assert.Equal(0, StoredFiles);
    }
}
