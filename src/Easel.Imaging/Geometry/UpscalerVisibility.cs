using System.Runtime.CompilerServices;

// The upscale bench tunes the upscaler's options (UpscaleOptions) on photos it then holds out.
[assembly: InternalsVisibleTo("Easel.Bench.Upscale")]
