using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// The long-buffer helpers split across the worker pool: a model's gradients cleared before a step and
// checked for ±∞ and NaN after it.
public class KernelMathTests
{
    private const int Length = 100_000 + 3;

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(50_000)]
    [InlineData(Length - 1)]
    public void AllFinite_FindsOneNonFiniteValueAnywhere(int at)
    {
        var x = Data.Uniform(Length, 1);
        Assert.True(KernelMath.AllFinite(x));
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            x[at] = bad;
            Assert.False(KernelMath.AllFinite(x), $"{bad} at {at}");
        }
        x[at] = float.MaxValue;
        Assert.True(KernelMath.AllFinite(x));
    }

    [Fact]
    public void Clear_ZerosTheSpanAndNothingAroundIt()
    {
        var x = Data.Uniform(Length, 1);
        var before = (float[])x.Clone();
        KernelMath.Clear(x.AsSpan(5, Length - 9));
        for (var i = 0; i < Length; i++)
            Assert.Equal(i >= 5 && i < Length - 4 ? 0f : before[i], x[i]);
    }

    [Fact]
    public unsafe void GatherStrided_TakesEveryStrideThValue_AtEveryLength()
    {
        var x = Data.Uniform(200, 3);
        foreach (var stride in new[] { 2, 3 })
            for (var count = 0; count <= 40; count++)
            {
                foreach (var readable in new[] { Math.Max(0, (count - 1) * stride + 1), count * stride + 16 })
                {
                    var d = Data.Garbage(count + 1);
                    fixed (float* px = x, pd = d) KernelMath.GatherStrided(px + 1, pd, count, stride, readable);
                    for (var t = 0; t < count; t++) Assert.Equal(x[1 + t * stride], d[t]);
                    Assert.True(float.IsNaN(d[count]), $"stride {stride}, {count} values: wrote past the run");
                }
            }
    }
}
