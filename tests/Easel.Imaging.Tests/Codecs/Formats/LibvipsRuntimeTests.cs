using Easel.Imaging.Codecs.Vips;
using Microsoft.Extensions.Logging;
using NetVips;

namespace Easel.Imaging.Tests.Codecs.Formats;

// What Easel sets up in libvips before the first image: the loader allow-list, no operation cache, the log handler.
public sealed class LibvipsRuntimeTests
{
    [Fact]
    public void Only_the_loaders_of_the_accepted_formats_are_open()
    {
        LibvipsRuntime.EnsureInitialized();
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>"u8.ToArray();
        var csv = "1,2,3\n4,5,6\n"u8.ToArray();
        var matrix = "2 2\n1 2\n3 4\n"u8.ToArray();

        foreach (var blocked in new[] { svg, csv, matrix })
        {
            Assert.Throws<VipsException>(() =>
            {
                using var image = Image.NewFromBuffer(blocked);
                _ = image.Width;
            });
        }

        // The GIF loader is libnsgif's (VipsForeignLoadNsgif): unblocking "...Gif" would have left GIF refused.
        Assert.Contains("VipsForeignLoadNsgif", LibvipsRuntime.AllowedLoaders);
        byte[] gif = [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B];
        Assert.Equal((1, 1), (ImageCodec.Decode(gif).Width, ImageCodec.Decode(gif).Height));
    }

    [Fact]
    public void The_operation_cache_is_off()
    {
        LibvipsRuntime.EnsureInitialized();

        Assert.Equal(0, Cache.Max);
        Assert.Equal(0UL, Cache.MaxMem);
    }

    [Fact]
    public void Libvips_warnings_reach_the_log()
    {
        using var factory = new CapturingLoggerFactory();
        ImagingDiagnostics.UseLogger(factory);
        var png = FormatSamples.Png(FormatSamples.Translucent(64, 64));

        // A PNG cut short: libpng warns (then fails); at failOn=none the warnings are all there is.
        _ = VipsDecoder.Decode(png.AsSpan(0, png.Length / 2), ImageFormat.Png, ImageLimits.MaxPixels, Enums.FailOn.None);

        Assert.Contains(factory.Messages, m => m.Category == "Easel.Imaging.Libvips" && m.Level >= LogLevel.Warning);
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Text)> messages = new();

        public IReadOnlyCollection<(string Category, LogLevel Level, string Text)> Messages => messages;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, messages);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<(string, LogLevel, string)> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => sink.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
