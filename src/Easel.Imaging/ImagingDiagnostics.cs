using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Easel.Imaging;

/// <summary>
/// Where libvips' own warnings go. libvips is one per process, so its log is too: the host sets the logger once at
/// start. Until then (tests, benchmarks) warnings are dropped rather than written to stderr.
/// </summary>
public static class ImagingDiagnostics
{
    private static ILogger logger = NullLogger.Instance;

    /// <summary>Sends libvips' warnings and errors to <paramref name="factory"/>'s "Easel.Imaging.Libvips" category.</summary>
    public static void UseLogger(ILoggerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        logger = factory.CreateLogger("Easel.Imaging.Libvips");
        Codecs.Vips.LibvipsRuntime.EnsureInitialized();
    }

    internal static ILogger Logger => logger;
}
