using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using Easel.Core.Blobs;
using Easel.Core.Outbound;
using Easel.Engines.Upstream;
using Easel.Imaging;
using Easel.Storage.Blobs;

/// <summary>
/// The figure "result re-hosting into the bucket vs into files, same run": an upstream's four result images (PNG,
/// served by a loopback HTTP server in this process) re-hosted by Easel's own <see cref="ResultRehosting"/> (fetched
/// through the guarded client, header checked, stored) into the file store and into an S3 bucket, alternately, task by
/// task, so both see the same machine load. Prints each store's time per 4-image task and the ratio of the medians.
/// </summary>
internal static class RehostCommand
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue("s3-endpoint", out var endpoint) || !options.TryGetValue("bucket", out var bucket))
        {
            Console.Error.WriteLine("usage: Easel.Bench.Service rehost --s3-endpoint URL --bucket NAME [--access-key K --secret-key S] [--runs 200] [--warmup 20] [--side 1024]");
            return 2;
        }
        var runs = Int(options, "runs", 200);
        var warmup = Int(options, "warmup", 20);
        var side = Int(options, "side", 1024);

        // Four distinct results of an upstream, as PNG files of a photo-like content.
        var results = Enumerable.Range(0, 4).Select(seed => ImageCodec.EncodePng(Photo(side, side, seed))).ToArray();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var upstream = builder.Build();
        upstream.MapGet("/result/{n:int}", (int n) => Results.Bytes(results[n], "image/png"));
        await upstream.StartAsync();
        var upstreamUrl = upstream.Urls.First();
        var urls = Enumerable.Range(0, 4).Select(n => new Uri($"{upstreamUrl}/result/{n}")).ToList();

        var limits = new OutboundOptions { AllowPrivateNetworks = true };
        using var outbound = new GuardedHttpClient(new AddressPolicy(limits), limits);
        var directory = Directory.CreateTempSubdirectory("easel-rehost-bench-");
        var s3Options = new S3BlobOptions
        {
            Endpoint = new Uri(endpoint),
            Region = options.GetValueOrDefault("region", "us-east-1"),
            Bucket = bucket,
            AccessKey = options.GetValueOrDefault("access-key", "S3RVER"),
            SecretKey = options.GetValueOrDefault("secret-key", "S3RVER"),
            ForcePathStyle = true,
        };
        using var client = S3Clients.Create(s3Options);
        var bucketStore = new S3BlobStore(client, s3Options);
        await bucketStore.CheckBucketAsync(CancellationToken.None);
        var stores = new (string Name, IBlobStore Store, List<double> Times)[]
        {
            ("files", new FileBlobStore(directory.FullName), []),
            ("bucket", bucketStore, []),
        };
        try
        {
            for (var i = 0; i < warmup + runs; i++)
            {
                // Alternate which store goes first, so neither always follows the other's garbage or cache state.
                foreach (var (_, store, times) in i % 2 == 0 ? stores : stores.Reverse())
                {
                    var rehosting = new ResultRehosting(outbound, store, limits);
                    var started = Stopwatch.GetTimestamp();
                    var keys = await rehosting.RehostAsync(urls, CancellationToken.None);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (keys.Count != 4)
                    {
                        throw new InvalidOperationException("re-hosting stored " + keys.Count + " images");
                    }
                    if (i >= warmup)
                    {
                        times.Add(elapsed);
                    }
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"re-hosting 4 PNG results of {side}x{side} ({results.Sum(r => r.Length) / 4 / 1024} KiB each on average) from a loopback upstream; {runs} tasks per store after {warmup} warm-up, alternating"));
        foreach (var (name, _, times) in stores)
        {
            Console.WriteLine(string.Create(inv,
                $"{name,-7} per 4-image task: p50 {Stats.Percentile(times, 0.5):0.00} ms, p95 {Stats.Percentile(times, 0.95):0.00} ms, mean {times.Average():0.00} ms, min {times.Min():0.00} ms"));
        }
        var ratio = Stats.Percentile(stores[1].Times, 0.5) / Stats.Percentile(stores[0].Times, 0.5);
        Console.WriteLine(string.Create(inv, $"ratio bucket/files (p50): {ratio:0.00}x"));
        return 0;
    }

    private static int Int(IReadOnlyDictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static RgbaImage Photo(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        var random = new Random(seed);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var light = 0.5 + (0.5 * Math.Sin((x + (seed * 17)) / 40.0) * Math.Cos(y / 55.0));
                row[x * 4] = (byte)Math.Clamp((light * 180) + random.Next(-8, 9), 0, 255);
                row[(x * 4) + 1] = (byte)Math.Clamp((light * 120) + (y / 8) + random.Next(-8, 9), 0, 255);
                row[(x * 4) + 2] = (byte)Math.Clamp(90 + random.Next(-8, 9), 0, 255);
                row[(x * 4) + 3] = 255;
            }
        }
        return image;
    }
}
