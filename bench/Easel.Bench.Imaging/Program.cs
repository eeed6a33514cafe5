using System.Diagnostics;
using BenchmarkDotNet.Running;
using Easel.Bench.Imaging;
using Easel.Imaging;

// Commands:
//   photo W H OUT.ppm                 a deterministic photo-like PPM (gradients, noise, edges)
//   time decode FILE [N]              median wall time of N in-process decodes after warm-up (ms)
//   time encode-png FILE [N]          PNG encode at level 6 of the decoded FILE
//   time resize FILE W H [N]          Lanczos-3 resize of the decoded FILE (PPM/PNG/JPEG)
//   time encode-jpeg|encode-webp FILE [N]   JPEG q90 / WebP q90 encode of the decoded FILE
//   memory FILE                       peak resident memory of one decode in this process, against the pixels' size
//   fuzz [--seconds S] [--seed N] [--max-pixels P] [DIR]   mutate a corpus until the time is up
//   (anything else)                   BenchmarkDotNet switcher
return args.FirstOrDefault() switch
{
    "photo" => Commands.Photo(args),
    "time" => Commands.Time(args),
    "memory" => Commands.Memory(args),
    "fuzz" => Fuzzer.Run(args[1..]),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Commands).Assembly).Run(args);
    return 0;
}
