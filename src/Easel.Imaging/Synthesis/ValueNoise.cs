namespace Easel.Imaging.Synthesis;

// Seeded lattice value noise in [-1, 1] over image coordinates: band-limited to about one cycle per
// `cell` pixels, and a pure function of (position, seed), so a seed reproduces its variant bit for bit.
// Lattice values for the covered area are hashed once up front; sampling is then arithmetic only.
internal sealed class ValueNoise
{
    private readonly float[] _lattice;
    private readonly float _inverseCell;
    private readonly int _originX;
    private readonly int _originY;
    private readonly int _columns;

    public ValueNoise(uint seed, float cell, int left, int top, int width, int height)
    {
        _inverseCell = 1f / cell;
        _originX = (int)MathF.Floor(left * _inverseCell);
        _originY = (int)MathF.Floor(top * _inverseCell);
        _columns = (int)MathF.Floor((left + width - 1) * _inverseCell) - _originX + 2;
        var rows = (int)MathF.Floor((top + height - 1) * _inverseCell) - _originY + 2;
        _lattice = new float[_columns * rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < _columns; c++)
            {
                var hash = Mix(seed ^ Mix((uint)(_originX + c) ^ Mix((uint)(_originY + r) + 0x9E3779B9u)));
                _lattice[(r * _columns) + c] = ((hash >> 8) * (2f / (1 << 24))) - 1f;
            }
        }
    }

    public float Sample(int x, int y)
    {
        var fx = x * _inverseCell;
        var fy = y * _inverseCell;
        var x0 = (int)MathF.Floor(fx);
        var y0 = (int)MathF.Floor(fy);
        var tx = Fade(fx - x0);
        var ty = Fade(fy - y0);
        var i = ((y0 - _originY) * _columns) + (x0 - _originX);
        var top = Lerp(_lattice[i], _lattice[i + 1], tx);
        var bottom = Lerp(_lattice[i + _columns], _lattice[i + _columns + 1], tx);
        return Lerp(top, bottom, ty);
    }

    public static uint Mix(uint value)
    {
        value ^= value >> 16;
        value *= 0x7FEB352Du;
        value ^= value >> 15;
        value *= 0x846CA68Bu;
        value ^= value >> 16;
        return value;
    }

    private static float Fade(float t) => t * t * (3 - (2 * t));

    private static float Lerp(float a, float b, float t) => a + ((b - a) * t);
}
