using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Residual sums, channel concatenation and per-channel scaling. Lengths are not multiples of the vector width,
// and long enough that the element-wise loops are split across the worker pool.
public class MergeTests
{
    private const int Length = 40_000 + 5;

    [Fact]
    public void Add_IsTheElementwiseSum_IntoAFreshBufferOrOverEitherInput()
    {
        var (a, b) = (Data.Uniform(Length, 1), Data.Uniform(Length, 2));
        var expected = a.Zip(b, (u, v) => u + v).ToArray();   // one float rounding, as the kernel
        var y = Data.Garbage(Length);
        Merge.Add(a, b, y);
        Assert.Equal(expected, y);
        var overA = (float[])a.Clone();
        Merge.Add(overA, b, overA);
        Assert.Equal(expected, overA);
        var overB = (float[])b.Clone();
        Merge.Add(a, overB, overB);
        Assert.Equal(expected, overB);
    }

    [Fact]
    public void Copy_WritesTheSourceAndNothingPastIt()
    {
        var src = Data.Uniform(Length, 1);
        var dst = Data.Garbage(Length + 3);
        var past = dst[Length..];
        Merge.Copy(src, dst);
        Assert.Equal(src, dst[..Length]);
        Assert.Equal(past, dst[Length..]);
        Assert.Throws<ArgumentException>(() => Merge.Copy(src, new float[Length - 1]));
    }

    [Fact]
    public void Accumulate_AddsTheSourceOntoTheDestination()
    {
        var (src, dst) = (Data.Uniform(Length, 1), Data.Uniform(Length, 2));
        var expected = dst.Zip(src, (d, s) => d + s).ToArray();
        Merge.Accumulate(src, dst);
        Assert.Equal(expected, dst);
    }

    [Fact]
    public void ConcatOfThreeInputs_PlacesEachSampleBlockAtItsOffset_AndBackwardSlicesItBack()
    {
        // Inputs of 2, 3 and 1 channels of 5 positions, batch 3: y (3, 30) = [x0 | x1 | x2] per sample.
        const int n = 3, hw = 5;
        int[] channels = [2, 3, 1];
        var parts = channels.Select(ch => ch * hw).ToArray();
        var total = parts.Sum();
        var offsets = parts.Select((_, i) => parts.Take(i).Sum()).ToArray();
        var xs = parts.Select((p, i) => Data.Uniform(n * p, i + 1)).ToArray();

        var y = Data.Garbage(n * total);
        for (var i = 0; i < xs.Length; i++) Merge.ConcatForward(xs[i], y, n, parts[i], total, offsets[i]);
        for (var s = 0; s < n; s++)
            for (var i = 0; i < xs.Length; i++)
                for (var j = 0; j < parts[i]; j++) Assert.Equal(xs[i][s * parts[i] + j], y[s * total + offsets[i] + j]);

        // Round trip: the slices of y are the inputs again.
        for (var i = 0; i < xs.Length; i++)
        {
            var dx = Data.Garbage(n * parts[i]);
            Merge.ConcatBackward(y, dx, n, parts[i], total, offsets[i]);
            Assert.Equal(xs[i], dx);
        }
    }

    [Fact]
    public void Concat_RejectsASliceThatDoesNotFit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Merge.ConcatForward(new float[4], new float[10], 2, 2, 5, 4));
    }

    [Theory]
    [InlineData(3, 4, 13)]
    [InlineData(2, 5, 1)]
    public void ScaleForward_MultipliesEachChannelPlaneByItsScale_InPlaceToo(int n, int c, int hw)
    {
        var (x, s) = (Data.Uniform(n * c * hw, 1), Data.Uniform(n * c, 2));
        var y = Data.Garbage(x.Length);
        Merge.ScaleForward(x, s, y, n, c, hw);
        Assert.Equal(x.Select((v, i) => v * s[i / hw]), y);
        Merge.ScaleForward(x, s, x, n, c, hw);
        Assert.Equal(y, x);
    }

    [Theory]
    [InlineData(3, 4, 13)]
    [InlineData(2, 5, 1)]
    public void ScaleBackward_MatchesFiniteDifferencesForXAndS_AndWritesDxOverDy(int n, int c, int hw)
    {
        var (x, s, r) = (Data.Uniform(n * c * hw, 1), Data.Uniform(n * c, 2), Data.Uniform(n * c * hw, 3));
        var (dx, ds) = (Data.Garbage(x.Length), Data.Garbage(s.Length));
        Merge.ScaleBackward(x, s, r, dx, ds, n, c, hw);
        double[] Scaled(double[] xv, double[] sv) => xv.Select((v, i) => v * sv[i / hw]).ToArray();
        var (xd, sd, rd) = (Data.ToDouble(x), Data.ToDouble(s), Data.ToDouble(r));
        Data.AssertClose(Reference.FiniteDifferences(xd, v => Scaled(v, sd), rd, eps: 1e-4), dx, rel: 1e-5, abs: 1e-6, what: "dx");
        Data.AssertClose(Reference.FiniteDifferences(sd, v => Scaled(xd, v), rd, eps: 1e-4), ds, rel: 1e-5, abs: 1e-6, what: "ds");

        var dsOnly = Data.Garbage(s.Length);
        Merge.ScaleBackward(x, s, r, [], dsOnly, n, c, hw);   // dx skipped
        Assert.Equal(ds, dsOnly);
        Merge.ScaleBackward([], s, r, r, [], n, c, hw);       // ds skipped (x unused), dx over dy
        Assert.Equal(dx, r);
    }
}
