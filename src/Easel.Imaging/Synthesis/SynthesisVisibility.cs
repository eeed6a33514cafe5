using System.Runtime.CompilerServices;

// The quality harness switches single terms of the synthesis off (SynthesisOptions) to measure what each brings.
[assembly: InternalsVisibleTo("Easel.Bench.Fill")]
