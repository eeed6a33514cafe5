using Microsoft.Extensions.Logging;
using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// libvips' process-wide settings, made once before the first image reaches it.
internal static partial class LibvipsRuntime
{
    // Only the loaders of the formats Easel accepts. Blocking the base class blocks every loader libvips has
    // (svg, csv, matrix, raw, vips files, and any that a future build adds); the subclasses are then let through by
    // name. GIF's loader is libnsgif's: "VipsForeignLoadGif" names nothing in this build and would leave GIF blocked.
    internal static readonly string[] AllowedLoaders =
    [
        "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif",
        "VipsForeignLoadHeif", "VipsForeignLoadTiff",
    ];

    private static readonly string[] LogDomains = ["VIPS", "GLib", "GLib-GObject", "GModule"];

    private static readonly Lazy<bool> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureInitialized() => _ = Initialized.Value;

    private static bool Initialize()
    {
        if (!ModuleInitializer.VipsInitialized)
        {
            throw new InvalidOperationException("libvips could not be loaded: " + ModuleInitializer.Exception?.Message, ModuleInitializer.Exception);
        }

        // The operation cache would keep recent operations and their pixels alive between tasks (and hand one
        // task's decoded image to another with the same bytes): every image here is used once.
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        Cache.MaxMem = 0;

        NetVips.NetVips.BlockUntrusted = true;
        Operation.Block("VipsForeignLoad", true);
        foreach (var loader in AllowedLoaders)
        {
            Operation.Block(loader, false);
        }

        // Without a handler GLib prints every warning to stderr (hundreds for one corrupt file). libvips logs under
        // "VIPS"; GObject's property checks (a mutated header's height beyond int, seen while fuzzing) under its own.
        foreach (var domain in LogDomains)
        {
            Log.SetLogHandler(domain, Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Critical | Enums.LogLevelFlags.Error
                | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info | Enums.LogLevelFlags.Debug, OnLog);
        }
        return true;
    }

    private static void OnLog(string domain, Enums.LogLevelFlags level, string message)
    {
        // libvips' text may describe another thread's image (its error buffer is global): it is for operators, never
        // for the client.
        if ((level & (Enums.LogLevelFlags.Critical | Enums.LogLevelFlags.Error)) != 0)
        {
            LogError(ImagingDiagnostics.Logger, domain, message);
        }
        else if ((level & Enums.LogLevelFlags.Warning) != 0)
        {
            LogWarning(ImagingDiagnostics.Logger, domain, message);
        }
        else
        {
            LogDebug(ImagingDiagnostics.Logger, domain, message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Domain}: {Text}")]
    private static partial void LogError(ILogger logger, string domain, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Domain}: {Text}")]
    private static partial void LogWarning(ILogger logger, string domain, string text);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Domain}: {Text}")]
    private static partial void LogDebug(ILogger logger, string domain, string text);
}
