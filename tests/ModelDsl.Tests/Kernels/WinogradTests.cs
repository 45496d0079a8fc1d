using System.Runtime.Intrinsics;
using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// 3×3 'same' convolutions by Winograd's F(2×2, 3×3) (Winograd.cs), forward and input gradient, against
// the double reference and the direct path: bias, a fused ReLU, a folded batch norm (filters scaled), filter counts that are not
// multiples of the 8-row tile, chunks of tile rows that span samples and end in a partial panel, tile
// rows that are not a whole number of vectors, every vector width (the same bits), and the shapes and
// batches that must stay with the direct paths.
public class WinogradTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { nameof(WinogradSmallMap), 9 },
        { nameof(WinogradSmallMap), 32 },
        { nameof(WinogradOddTiles), 3 },
        { nameof(WinogradWide), 1 },
        { nameof(WinogradDeep), 2 },
    };

    private interface ICheck { void Run<T>(int n) where T : struct, IConv2DShape; }

    private static void Dispatch(string shape, ICheck check, int n)
    {
        switch (shape)
        {
            case nameof(WinogradSmallMap): check.Run<WinogradSmallMap>(n); break;
            case nameof(WinogradOddTiles): check.Run<WinogradOddTiles>(n); break;
            case nameof(WinogradWide): check.Run<WinogradWide>(n); break;
            case nameof(WinogradDeep): check.Run<WinogradDeep>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_MatchesTheReference_TheDirectPath_AndEveryVectorWidth(string shape, int n) => Dispatch(shape, new Check(), n);

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputGradient_MatchesTheReference_TheDirectPath_AndEveryVectorWidth(string shape, int n) => Dispatch(shape, new GradientCheck(), n);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardNormalized_MatchesTheNormAppliedAfterTheConvolution(string shape, int n) => Dispatch(shape, new NormalizedCheck(), n);

    [Fact]
    public void OnlySameThreeByThreeConvolutions_OnEnoughPositions_TakeIt()
    {
        Assert.True(Winograd.Applies<WinogradSmallMap>(9));         // 8×8, 576 positions
        Assert.False(Winograd.Applies<WinogradSmallMap>(7));        // 448 positions: transforming the filters costs more than it saves
        Assert.False(Winograd.Applies<ShiftedAligned>(4));          // 17 rows: not whole 2×2 tiles
        Assert.False(Winograd.Applies<StridedAligned>(4));          // stride 2
        Assert.False(Winograd.Applies<ConvSplitDilatedStrided>(4)); // dilation
        Assert.False(Winograd.Applies<WinogradTooManyFilters>(4));  // 264 filters
        Assert.False(Winograd.Applies<WinogradTinyMap>(64));        // 4×4: two tiles a row
    }

    private sealed class Check : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            Assert.True(Winograd.Applies<T>(n), "the shape must take the Winograd path");
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 21);
            var w = Data.Uniform(d.ConvWeightSize, 22);
            var b = Data.Uniform(d.K, 23);
            float[] RunAt(int width, bool direct, bool relu)
            {
                Sgemm.ForceWidth(width);
                Winograd.Disabled = direct;
                try
                {
                    var y = Data.Garbage(n * d.OutputSize);
                    Conv2D.Forward<T>(x, w, b, y, n, relu);
                    return y;
                }
                finally
                {
                    Sgemm.ForceWidth(0);
                    Winograd.Disabled = false;
                }
            }

            var y = RunAt(0, direct: false, relu: false);
            var expected = GroupedReference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(b));
            Data.AssertClose(expected, y, what: "y");
            Data.AssertClose(Data.ToDouble(RunAt(0, direct: true, relu: false)), y, what: "y against the direct path");
            var relu = RunAt(0, direct: false, relu: true);
            for (var i = 0; i < y.Length; i++) Assert.Equal(MathF.Max(y[i], 0f), relu[i]);
            foreach (var width in new[] { 16, 8, 4 })
            {
                if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
                Assert.Equal(y, RunAt(width, direct: false, relu: false));
            }
        }
    }

    // dx of the same shapes: the rotated filters' correlation with dy by Winograd; dw stays direct (checked too).
    private sealed class GradientCheck : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 41);
            var w = Data.Uniform(d.ConvWeightSize, 42);
            var dy = Data.Uniform(n * d.OutputSize, 43);
            (float[] Dx, float[] Dw) RunAt(int width, bool direct)
            {
                Sgemm.ForceWidth(width);
                Winograd.Disabled = direct;
                try
                {
                    var dx = Data.Garbage(x.Length);
                    var dw = new float[w.Length];
                    Conv2D.Backward<T>(x, w, dy, dx, dw, new float[d.K], n);
                    return (dx, dw);
                }
                finally
                {
                    Sgemm.ForceWidth(0);
                    Winograd.Disabled = false;
                }
            }

            var (dx, dw) = RunAt(0, direct: false);
            var (ex, ew, _) = GroupedReference.ConvBackward(d, n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(dy));
            Data.AssertClose(ex, dx, what: "dx");
            Data.AssertClose(ew, dw, 1e-4, 1e-5, what: "dw");
            Data.AssertClose(Data.ToDouble(RunAt(0, direct: true).Dx), dx, what: "dx against the direct path");
            foreach (var width in new[] { 16, 8, 4 })
            {
                if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
                Assert.Equal(dx, RunAt(width, direct: false).Dx);
            }
        }
    }

    private sealed class NormalizedCheck : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 31);
            var w = Data.Uniform(d.ConvWeightSize, 32);
            var b = Data.Uniform(d.K, 33);
            var gamma = Data.Uniform(d.K, 34);
            var beta = Data.Uniform(d.K, 35);
            var mean = Data.Uniform(d.K, 36);
            var variance = Data.Uniform(d.K, 37).Select(v => 0.5f + MathF.Abs(v)).ToArray();
            var norm = new BatchNormParameters(gamma, beta, mean, variance, 1e-5f);
            var y = Data.Garbage(n * d.OutputSize);
            Conv2D.ForwardNormalized<T>(x, w, b, norm, y, n, relu: true);
            var conv = GroupedReference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(b));
            var positions = d.OutputSize / d.K;
            var expected = new double[conv.Length];
            for (var i = 0; i < conv.Length; i++)
            {
                var k = i / positions % d.K;
                var v = (conv[i] - mean[k]) / Math.Sqrt(variance[k] + 1e-5) * gamma[k] + beta[k];
                expected[i] = Math.Max(v, 0);
            }
            Data.AssertClose(expected, y, what: "normalized y");
        }
    }
}

// 8×8 maps (four tiles a row), 16 channels, 24 filters: chunks of tile rows across samples.
public struct WinogradSmallMap : IConv2DShape
{
    public static int C => 16; public static int H => 8; public static int W => 8; public static int K => 24;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 8; public static int OW => 8;
}

// 10 × 26 (13 tiles a row: a vector and a tail at every width), 20 channels, 20 filters (a partial tile).
public struct WinogradOddTiles : IConv2DShape
{
    public static int C => 20; public static int H => 10; public static int W => 26; public static int K => 20;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 10; public static int OW => 26;
}

// One sample of 40 × 70 (35 tiles a row), 17 channels, 33 filters: several chunks of one sample.
public struct WinogradWide : IConv2DShape
{
    public static int C => 17; public static int H => 40; public static int W => 70; public static int K => 33;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 40; public static int OW => 70;
}

// 256 channels and filters (the limit) on 16 × 16.
public struct WinogradDeep : IConv2DShape
{
    public static int C => 256; public static int H => 16; public static int W => 16; public static int K => 256;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 16; public static int OW => 16;
}

public struct WinogradTooManyFilters : IConv2DShape
{
    public static int C => 16; public static int H => 16; public static int W => 16; public static int K => 264;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 16; public static int OW => 16;
}

public struct WinogradTinyMap : IConv2DShape
{
    public static int C => 16; public static int H => 4; public static int W => 4; public static int K => 16;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 4; public static int OW => 4;
}
