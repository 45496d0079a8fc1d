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
}
