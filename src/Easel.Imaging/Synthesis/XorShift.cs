namespace Easel.Imaging.Synthesis;

// A tiny seeded generator: PatchMatch draws millions of offsets, and System.Random's virtual calls and
// range checks would show in the profile. Reproducible from the seed, which is all variants need.
internal struct XorShift
{
    private uint _state;

    public XorShift(int seed)
    {
        _state = ValueNoise.Mix((uint)seed ^ 0x6A09_E667u);
        if (_state == 0)
        {
            _state = 0x9E37_79B9u;
        }
    }

    public uint Next()
    {
        var x = _state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _state = x;
        return x;
    }

    // Uniform in [0, n) by the multiply-shift method (bias below 2^-32 * n, far beneath anything visible).
    public int Below(int n) => (int)(((ulong)Next() * (uint)n) >> 32);

    // Uniform in [-r, r].
    public int Offset(int r) => Below((2 * r) + 1) - r;
}
