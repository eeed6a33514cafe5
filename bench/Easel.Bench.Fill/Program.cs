using BenchmarkDotNet.Running;
using Easel.Bench.Fill;

// quality: the harness (scores and contact sheets); time: a quick wall-clock check of the engine's case;
// bench: the BenchmarkDotNet suite (arguments after "bench" go to BenchmarkDotNet, e.g. --filter '*').
var command = args.Length > 0 ? args[0] : "quality";
string? Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (command)
{
    case "quality":
        return QualityCommand.Run(Option("--images"), Option("--out", "fill-quality")!, int.Parse(Option("--size", "512")!, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Option("--seeds", "2")!, System.Globalization.CultureInfo.InvariantCulture), Option("--kinds"), args.Contains("--fills"),
            [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1])]);
    case "time":
        try
        {
            return TimeCommand.Run(int.Parse(Option("--size", "1024")!, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(Option("--runs", "5")!, System.Globalization.CultureInfo.InvariantCulture), Option("--what", "easel")!,
                [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1])],
                Option("--image", "landscape")!, double.Parse(Option("--side", "0.5")!, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (ArgumentException e) when (e.ParamName is "image" or "side")
        {
            // A mistyped --image or --side: say which, without a stack trace.
            Console.Error.WriteLine($"time: {e.Message}");
            return 2;
        }
    case "probe":
        return ProbeCommand.Run(Option("--kind", "thin")!, int.Parse(Option("--size", "512")!, System.Globalization.CultureInfo.InvariantCulture));
    case "micro":
        return MicroCommand.Run();
    case "bench":
        BenchmarkSwitcher.FromAssembly(typeof(FillBenchmarks).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: quality [--images DIR] [--out DIR] [--size N] [--seeds K] [--kinds thin,medium,thick,outpaint] [--fills] [--set Option=Value ...] | time [--size N] [--runs K] [--what easel|baseline|remix-subtle|remix-strong] [--image landscape|gradient|...] [--side F] [--set Option=Value ...] | bench [BenchmarkDotNet args] | probe [--kind thin|medium|thick|outpaint] [--size N] | micro");
        return 2;
}
