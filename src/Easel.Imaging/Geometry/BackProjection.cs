namespace Easel.Imaging.Geometry;

// Iterative back-projection (Irani and Peleg 1991) over a Lanczos-3 start: the estimate is downscaled with the
// assumed degradation, compared with the source, and the error is upscaled and added, so that the result, scaled
// back down, reproduces the source. Lanczos alone does not (its 2x result, downscaled, is a blurred source); the
// rounds restore the contrast of fine detail that plain interpolation loses. The range clamp then removes the
// overshoot that sharpening leaves beside strong edges.
internal static class BackProjection
{
    // One plane (w x h) to twice its size; values are premultiplied light, any range.
    public static float[] Upscale(float[] source, int w, int h, UpscaleOptions options, CancellationToken cancellationToken)
    {
        var start = TwoToOneTaps.Even(ResampleFilter.Lanczos3);
        var back = TwoToOneTaps.Even(options.BackProjection);
        var model = options.BoxModel ? TwoToOneTaps.BoxDown() : TwoToOneTaps.Down(options.Model);
        var estimate = new float[4L * w * h];
        var scratch = new float[2L * w * h];
        PlaneScaler.Up(source, w, h, estimate, scratch, start, 1, accumulate: false, cancellationToken);
        var clamp = RangeClamp.Build(source, w, h, options, cancellationToken);
        if (options.Iterations > 0)
        {
            var error = new float[(long)w * h];
            for (var round = 0; round < options.Iterations; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (options.ClampEachRound)
                {
                    clamp?.Apply(estimate, cancellationToken);
                }

                PlaneScaler.Down(estimate, w, h, error, scratch, model, cancellationToken);
                for (var i = 0; i < error.Length; i++)
                {
                    error[i] = source[i] - error[i];
                }

                PlaneScaler.Up(error, w, h, estimate, scratch, back, options.Step, accumulate: true, cancellationToken);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        clamp?.Apply(estimate, cancellationToken);
        return estimate;
    }
}
