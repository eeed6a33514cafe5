namespace Easel.Imaging.Tests.Codecs.Formats;

// libvips keeps one error buffer for the whole process, so its text can describe another thread's file. Easel's
// messages are its own (format and stage), so a client never reads about somebody else's upload.
public sealed class ConcurrentFailureTests
{
    [FormatToolsFact]
    public void Concurrent_bad_decodes_each_get_the_message_of_their_own_file()
    {
        var corpus = DamageCorpus.Make().Where(d => d.Name.Contains("cut", StringComparison.Ordinal)).ToArray();
        var expected = corpus.ToDictionary(d => d.Name, d => Assert.ThrowsAny<ImageDecodeException>(() => ImageCodec.Decode(d.Data)).Message);
        Assert.True(expected.Values.Distinct().Count() >= 5, "the corpus should give different messages");

        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var damaged = corpus[i % corpus.Length];
            var message = Assert.ThrowsAny<ImageDecodeException>(() => ImageCodec.Decode(damaged.Data)).Message;
            if (message != expected[damaged.Name])
            {
                mismatches.Add($"{damaged.Name}: {message}");
            }
        });

        Assert.Empty(mismatches);
    }
}
