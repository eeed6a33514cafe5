using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;
using Easel.Core.Blobs;
using Easel.Storage.Blobs;
using Easel.Testing;

namespace Easel.Storage.Tests.Blobs;

/// <summary>The bucket store against a real S3-speaking server (s3rver on loopback, signatures checked).</summary>
[Collection(S3rverProcess.Collection)]
public sealed class S3BlobStoreTests(S3rverProcess s3) : IDisposable
{
    private readonly List<IDisposable> _clients = [];

    [Fact]
    public async Task A_saved_blob_reads_back_byte_for_byte_under_an_easel_key_with_its_content_type_and_cache_header()
    {
        var (store, client, bucket) = NewStore();
        var content = Bytes(100_000, seed: 1);

        var key = await store.SaveAsync(content, "png", CancellationToken.None);

        Assert.True(BlobKeys.IsValid(key), key);
        Assert.EndsWith(".png", key, StringComparison.Ordinal);
        Assert.Equal(content, await store.ReadAsync(key, CancellationToken.None));
        var head = await client.GetObjectMetadataAsync(bucket, key);
        Assert.Equal("image/png", head.Headers.ContentType);
        Assert.Equal(BlobKeys.CacheControl, head.Headers.CacheControl);
        Assert.Equal(content.Length, head.Headers.ContentLength);
        Assert.Equal([key], s3.ObjectKeys(bucket));
    }

    [Fact]
    public async Task Each_save_gets_a_new_unguessable_key()
    {
        var (store, _, bucket) = NewStore();
        var keys = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add(await store.SaveAsync(Bytes(10, seed: 2), "jpg", CancellationToken.None));
        }
        Assert.Equal(5, keys.Count);
        Assert.Equal(keys.Order(StringComparer.Ordinal), s3.ObjectKeys(bucket));
    }

    [Fact]
    public async Task A_stream_reads_the_whole_object_and_after_a_seek_only_the_rest_by_a_ranged_request()
    {
        var (store, _, _) = NewStore();
        var content = Bytes(300_000, seed: 3);
        var key = await store.SaveAsync(content, "webp", CancellationToken.None);

        await using (var whole = await store.OpenReadAsync(key, CancellationToken.None))
        {
            Assert.NotNull(whole);
            Assert.True(whole.CanSeek);
            Assert.Equal(content.Length, whole.Length);
            using var copy = new MemoryStream();
            await whole.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }

        await using var ranged = (await store.OpenReadAsync(key, CancellationToken.None))!;
        var first = new byte[10];
        await ranged.ReadExactlyAsync(first);
        Assert.Equal(content[..10], first);
        ranged.Seek(250_000, SeekOrigin.Begin);
        var tail = new byte[50_000];
        await ranged.ReadExactlyAsync(tail);
        Assert.Equal(content[250_000..], tail);
        Assert.Equal(0, await ranged.ReadAsync(new byte[1]));
        // And back again: a seek before the position opens the object from there.
        ranged.Position = 5;
        var again = new byte[5];
        await ranged.ReadExactlyAsync(again);
        Assert.Equal(content[5..10], again);
    }

    [Fact]
    public async Task A_deleted_blob_is_gone_and_deleting_a_missing_one_is_no_error()
    {
        var (store, _, bucket) = NewStore();
        var key = await store.SaveAsync(Bytes(1000, seed: 4), "gif", CancellationToken.None);

        await store.DeleteAsync(key, CancellationToken.None);
        await store.DeleteAsync(key, CancellationToken.None);

        Assert.Null(await store.ReadAsync(key, CancellationToken.None));
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
        Assert.Empty(s3.ObjectKeys(bucket));
    }

    [Fact]
    public async Task A_key_that_was_never_saved_reads_as_missing()
    {
        var (store, _, _) = NewStore();
        var key = BlobKeys.New("png");

        Assert.Null(await store.ReadAsync(key, CancellationToken.None));
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
    }

    [Theory]
    [InlineData("ab/ab0123456789abcdef0123456789abcd.exe", true)]
    [InlineData("cd/ab0123456789abcdef0123456789abcd.png", true)]
    [InlineData("AB/AB0123456789ABCDEF0123456789ABCD.png", true)]
    [InlineData("backups/easel.db", true)]
    [InlineData("../../etc/passwd", false)]
    [InlineData("ab/ab0123456789abcdef0123456789abcd.png/../../other", false)]
    [InlineData("", false)]
    public async Task A_key_not_of_easels_shape_names_no_object_and_deletes_nothing(string key, bool existsInBucket)
    {
        var (store, client, bucket) = NewStore();
        // An object under that very name is in the bucket (put there by someone else): Easel must not reach it.
        if (existsInBucket)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "not Easel's", UseChunkEncoding = false });
        }

        Assert.Null(await store.ReadAsync(key, CancellationToken.None));
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
        await store.DeleteAsync(key, CancellationToken.None);
        Assert.Equal(existsInBucket ? [key] : [], s3.ObjectKeys(bucket));
    }

    [Fact]
    public async Task An_unsupported_extension_is_refused_before_any_write()
    {
        var (store, _, bucket) = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(Bytes(10, seed: 5), "exe", CancellationToken.None));
        Assert.Empty(s3.ObjectKeys(bucket));
    }

    [Fact]
    public async Task A_bucket_that_refuses_writes_fails_the_save_with_its_answer_and_holds_nothing()
    {
        var (store, _, _) = NewStore(S3rverProcess.RefusingBucket);

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.SaveAsync(Bytes(5000, seed: 6), "png", CancellationToken.None));

        Assert.Contains("403 AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.Contains(S3rverProcess.RefusingBucket, error.Message, StringComparison.Ordinal);
        Assert.Empty(s3.ObjectKeys(S3rverProcess.RefusingBucket));
        // The bucket itself is there and readable: the start-up check passes, only writes fail.
        await store.CheckBucketAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_start_up_check_names_a_missing_bucket()
    {
        var (store, _, _) = NewStore("no-such-bucket");
        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.CheckBucketAsync(CancellationToken.None));
        Assert.Contains("'no-such-bucket'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_check_names_refused_credentials()
    {
        var options = Options(s3.NewBucket());
        // s3rver knows one key pair and checks a request's key id (it does not recompute SigV4 signatures).
        options.AccessKey = "NOT-A-KEY";
        var store = new S3BlobStore(Track(S3Clients.Create(options)), options);
        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.CheckBucketAsync(CancellationToken.None));
        Assert.Contains("refused these credentials (403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_check_and_a_save_name_an_unreachable_endpoint()
    {
        var options = Options("any");
        options.Endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var store = new S3BlobStore(Track(S3Clients.Create(options)), options);

        var check = await Assert.ThrowsAsync<BlobStoreException>(() => store.CheckBucketAsync(CancellationToken.None));
        Assert.Contains("could not be reached", check.Message, StringComparison.Ordinal);
        var save = await Assert.ThrowsAsync<BlobStoreException>(() => store.SaveAsync(Bytes(10, seed: 7), "png", CancellationToken.None));
        Assert.Contains("could not be reached", save.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_presigned_url_serves_the_object_without_credentials_for_the_configured_lifetime()
    {
        var (store, _, _) = NewStore();
        var content = Bytes(20_000, seed: 8);
        var key = await store.SaveAsync(content, "jpg", CancellationToken.None);

        var url = store.PresignedUrlOf(key);

        Assert.Equal("http", url.Scheme);
        // 15 minutes from the signing; the SDK counts from its own clock a moment later and rounds up to the second.
        var expires = int.Parse(System.Text.RegularExpressions.Regex.Match(url.Query, "X-Amz-Expires=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, 890, 901);
        Assert.Contains("X-Amz-Credential=S3RVER%2F", url.Query, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", url.Query, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var answer = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("image/jpeg", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BlobKeys.CacheControl, answer.Headers.CacheControl?.ToString());
        Assert.Equal(content, await answer.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void The_options_name_what_is_missing_or_wrong()
    {
        Assert.Contains("Bucket is empty", new BlobOptions { Provider = "s3" }.Problem(), StringComparison.Ordinal);
        Assert.Contains("must be 'files' or 's3'", new BlobOptions { Provider = "nfs" }.Problem(), StringComparison.Ordinal);
        Assert.Null(new BlobOptions().Problem());
        Assert.Contains("go together", new S3BlobOptions { Bucket = "b", AccessKey = "a" }.Problem(), StringComparison.Ordinal);
        Assert.Contains("http:// or https://", new S3BlobOptions { Bucket = "b", Endpoint = new Uri("ftp://x/") }.Problem(), StringComparison.Ordinal);
        Assert.Contains("PresignedUrlLifetime", new S3BlobOptions { Bucket = "b", PresignedUrlLifetime = TimeSpan.FromDays(8) }.Problem(), StringComparison.Ordinal);
        Assert.Null(new S3BlobOptions { Bucket = "b" }.Problem());
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private (S3BlobStore Store, IAmazonS3 Client, string Bucket) NewStore(string? bucket = null)
    {
        var options = Options(bucket ?? s3.NewBucket());
        var client = Track(S3Clients.Create(options));
        return (new S3BlobStore(client, options), client, options.Bucket!);
    }

    private S3BlobOptions Options(string bucket) => new()
    {
        Endpoint = s3.Endpoint,
        Region = S3rverProcess.Region,
        Bucket = bucket,
        AccessKey = S3rverProcess.AccessKey,
        SecretKey = S3rverProcess.SecretKey,
        ForcePathStyle = true,
    };

    private T Track<T>(T client) where T : IDisposable
    {
        _clients.Add(client);
        return client;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
