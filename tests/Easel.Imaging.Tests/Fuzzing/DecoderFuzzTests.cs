using Easel.Imaging.Fuzzing;
using Easel.Imaging.Tests.Codecs.Jpeg;

namespace Easel.Imaging.Tests.Fuzzing;

// Thousands of seeded mutations of the conformance corpus: every outcome is a decoded image or an
// ImageDecodeException, and no single decode may run long (a hang fails the test instead of stalling CI).
// Longer runs: dotnet run -c Release --project bench/Easel.Bench.Imaging -- fuzz --seconds 600
public sealed class DecoderFuzzTests
{
    private const int Cases = 40_000;
    private static readonly TimeSpan PerCaseLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TotalBudget = TimeSpan.FromSeconds(40);

    [JpegToolsFact]
    public void Mutated_files_of_every_decoded_format_only_ever_end_in_image_decode_exceptions()
    {
        var corpus = FuzzCorpus.Build(withTools: true);
        var random = new Random(20251121);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = 0;
        for (; run < Cases && watch.Elapsed < TotalBudget; run++)
        {
            var seedIndex = random.Next(corpus.Count);
            var input = Mutator.Mutate(corpus[seedIndex], random);
            // Decoding happens on a pool thread so a hang shows up as a timeout here rather than a stalled test run.
            var decode = Task.Run(() => Record.Exception(() => ImageCodec.Decode(input, maxPixels: 1 << 20)));
            if (!decode.Wait(PerCaseLimit))
            {
                Assert.Fail($"case {run} (seed file {seedIndex}) did not finish within {PerCaseLimit}: {Convert.ToBase64String(input)}");
            }

            var outcome = decode.Result switch
            {
                null => "decoded",
                ImageDecodeException e => e.GetType().Name,
                var other => null,
            };
            if (outcome is null)
            {
                failures.Add($"case {run} (seed file {seedIndex}): {decode.Result}\n{Convert.ToBase64String(input)}");
                continue;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} inputs escaped as other exceptions; first:\n{failures.FirstOrDefault()}");
        // Both kinds of outcome must occur, or the mutations are too weak (all decode) or too blunt (all refused early).
        Assert.True(outcomes.GetValueOrDefault("decoded") > run / 50, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ImageDecodeException)) > run / 10, string.Join(", ", outcomes));
        Assert.True(run >= 5000, $"only {run} cases ran within {TotalBudget}");
    }
}
