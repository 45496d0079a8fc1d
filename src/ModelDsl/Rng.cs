namespace ModelDsl;

/// <summary>
/// A small, fast, deterministic random number generator (xoshiro128**, seeded by SplitMix64), so that
/// a seed gives the same initialization, shuffles and dropout masks on every machine and .NET version.
/// A value type: copy it to fork a stream, pass it by <c>ref</c> to advance it.
/// </summary>
public struct Rng
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        var x = seed;
        _s0 = (uint)SplitMix(ref x);
        _s1 = (uint)SplitMix(ref x);
        _s2 = (uint)SplitMix(ref x);
        _s3 = (uint)SplitMix(ref x);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>
    /// The generator's whole state, 128 bits: <see cref="FromState"/> of it continues the sequence exactly
    /// where this generator is (for checkpoints of a training run). Never zero.
    /// </summary>
    public readonly UInt128 State => new(((ulong)_s3 << 32) | _s2, ((ulong)_s1 << 32) | _s0);

    /// <summary>A generator in the state <paramref name="state"/>, taken from <see cref="State"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="state"/> is zero, a state xoshiro never reaches.</exception>
    public static Rng FromState(UInt128 state)
    {
        if (state == UInt128.Zero)
            throw new ArgumentException("A random state of zero is not one a generator can be in (xoshiro128** never reaches it).", nameof(state));
        var low = (ulong)state;
        var high = (ulong)(state >> 64);
        var rng = default(Rng);
        rng._s0 = (uint)low;
        rng._s1 = (uint)(low >> 32);
        rng._s2 = (uint)high;
        rng._s3 = (uint)(high >> 32);
        return rng;
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 11);
        return result;
    }

    private static uint RotateLeft(uint x, int k) => (x << k) | (x >> (32 - k));

    /// <summary>A float uniform in [0, 1), with 24 random bits.</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    /// <summary>A float uniform in [−a, a).</summary>
    public float NextSymmetric(float a) => (2f * NextFloat() - 1f) * a;

    /// <summary>An integer uniform in [0, n), without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The bound must be positive.");
        var m = (ulong)NextUInt() * (uint)n;
        var low = (uint)m;
        if (low < (uint)n)
        {
            var threshold = (uint)-n % (uint)n;
            while (low < threshold)
            {
                m = (ulong)NextUInt() * (uint)n;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
