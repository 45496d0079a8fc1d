namespace ModelDsl.Tests;

public class RngTests
{
    [Fact]
    public void SameSeed_GivesSameSequence_AndDifferentSeedsDiffer()
    {
        var a = new Rng(7);
        var b = new Rng(7);
        var c = new Rng(8);
        var differs = false;
        for (var i = 0; i < 100; i++)
        {
            var va = a.NextUInt();
            Assert.Equal(va, b.NextUInt());
            differs |= va != c.NextUInt();
        }
        Assert.True(differs);
    }

    [Fact]
    public void NextFloat_IsUniformInUnitInterval()
    {
        var rng = new Rng(1);
        const int count = 200_000;
        var buckets = new int[10];
        double sum = 0;
        for (var i = 0; i < count; i++)
        {
            var f = rng.NextFloat();
            Assert.InRange(f, 0f, 0.99999994f);
            buckets[(int)(f * 10)]++;
            sum += f;
        }
        Assert.InRange(sum / count, 0.497, 0.503);
        foreach (var bucket in buckets) Assert.InRange(bucket, count / 10 * 0.97, count / 10 * 1.03);
    }

    [Fact]
    public void NextInt_StaysInRange_AndHitsEveryValue()
    {
        var rng = new Rng(3);
        var seen = new bool[7];
        for (var i = 0; i < 1000; i++) seen[rng.NextInt(7)] = true;
        Assert.All(seen, Assert.True);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void Shuffle_IsAPermutation()
    {
        var rng = new Rng(5);
        var values = Enumerable.Range(0, 100).ToArray();
        rng.Shuffle(values.AsSpan());
        Assert.NotEqual(Enumerable.Range(0, 100), values);
        Assert.Equal(Enumerable.Range(0, 100), values.Order());
    }

    [Fact]
    public void State_IsTheFourWords_AndFromStateContinuesTheSequence()
    {
        var rng = new Rng(11);
        for (var i = 0; i < 17; i++) rng.NextUInt();
        var state = rng.State;
        var resumed = Rng.FromState(state);

        // xoshiro128** written out from the four 32-bit words, low word first (Blackman & Vigna's reference).
        var s = new[] { (uint)state, (uint)(state >> 32), (uint)(state >> 64), (uint)(state >> 96) };
        for (var i = 0; i < 50; i++)
        {
            var expected = uint.RotateLeft(s[1] * 5, 7) * 9;
            var t = s[1] << 9;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = uint.RotateLeft(s[3], 11);
            Assert.Equal(expected, rng.NextUInt());
            Assert.Equal(expected, resumed.NextUInt());
        }
        Assert.Equal(rng.State, resumed.State);
        Assert.Contains("zero", Assert.Throws<ArgumentException>(() => Rng.FromState(UInt128.Zero)).Message);
    }
}
