using System.Runtime.Intrinsics;
using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Conv2D.Forward with the ReLU applied as y is stored, against max(0, ·) of the double reference and,
// bit for bit, against the plain forward followed by Activations.ReLU: odd sizes and batch 1, filter
// counts and position counts that are not multiples of a tile (the edge-tile store), CF above the GEMM's
// 256-deep block (a ReLU applied to a partial sum changes the result), pointwise, grouped and depthwise
// shapes, small maps whose samples share one GEMM, forwards split into strips across threads, unit-stride
// shapes both through ConvShifted (output rows of any width, or a whole number of vectors, stored straight
// into y) and through the packed GEMM, and every micro-kernel vector width.
public class ConvReluTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { nameof(ConvReluOdd), 1 },
        { nameof(ConvReluOdd), 3 },
        { nameof(ConvReluPointwiseDeep), 1 },
        { nameof(ConvReluPointwiseDeep), 2 },
        { nameof(ConvSplitPadded), 1 },
        { nameof(ConvSplitDilatedStrided), 1 },
        { nameof(ConvSplitPointwise), 1 },
        { nameof(ConvSplitGroups), 1 },
        { nameof(ConvSplitSmallMap), 5 },
        { nameof(ConvTiny), 1 },
        { nameof(ConvStridedNonSquare), 3 },
        { nameof(ConvGroups3Dilated), 2 },
        { nameof(ConvDepthwiseStride2), 1 },
        { nameof(ConvDepthwiseDilated), 3 },
        { nameof(ConvDepthwiseLarge), 16 },
        { nameof(ShiftedAligned), 1 },
        { nameof(ShiftedAlignedSerial), 2 },
    };

    private interface ICheck { void Run<T>(int n) where T : struct, IConv2DShape; }

    private static void Dispatch(string shape, ICheck check, int n)
    {
        switch (shape)
        {
            case nameof(ConvReluOdd): check.Run<ConvReluOdd>(n); break;
            case nameof(ConvReluPointwiseDeep): check.Run<ConvReluPointwiseDeep>(n); break;
            case nameof(ConvSplitPadded): check.Run<ConvSplitPadded>(n); break;
            case nameof(ConvSplitDilatedStrided): check.Run<ConvSplitDilatedStrided>(n); break;
            case nameof(ConvSplitPointwise): check.Run<ConvSplitPointwise>(n); break;
            case nameof(ConvSplitGroups): check.Run<ConvSplitGroups>(n); break;
            case nameof(ConvSplitSmallMap): check.Run<ConvSplitSmallMap>(n); break;
            case nameof(ConvTiny): check.Run<ConvTiny>(n); break;
            case nameof(ConvStridedNonSquare): check.Run<ConvStridedNonSquare>(n); break;
            case nameof(ConvGroups3Dilated): check.Run<ConvGroups3Dilated>(n); break;
            case nameof(ConvDepthwiseStride2): check.Run<ConvDepthwiseStride2>(n); break;
            case nameof(ConvDepthwiseDilated): check.Run<ConvDepthwiseDilated>(n); break;
            case nameof(ConvDepthwiseLarge): check.Run<ConvDepthwiseLarge>(n); break;
            case nameof(ShiftedAligned): check.Run<ShiftedAligned>(n); break;
            case nameof(ShiftedAlignedSerial): check.Run<ShiftedAlignedSerial>(n); break;
            case nameof(ConvReluSpecialTiles): check.Run<ConvReluSpecialTiles>(n); break;
            case nameof(ConvReluSpecialEdge): check.Run<ConvReluSpecialEdge>(n); break;
            case nameof(ConvReluSpecialDepthwise): check.Run<ConvReluSpecialDepthwise>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardWithReLU_IsMaxZeroOfTheReference_AndBitForBitTheForwardThenReLU_AtEveryVectorWidth(string shape, int n) =>
        Dispatch(shape, new Check(withBias: true), n);

    [Theory]
    [InlineData(nameof(ConvReluOdd), 2)]
    [InlineData(nameof(ConvDepthwiseDilated), 2)]
    public void ForwardWithReLU_WithoutBias_IsMaxZeroOfThePlainCorrelation(string shape, int n) =>
        Dispatch(shape, new Check(withBias: false), n);

    [Theory]
    [InlineData(nameof(ConvReluSpecialTiles))]
    [InlineData(nameof(ConvReluSpecialEdge))]
    [InlineData(nameof(ConvReluSpecialDepthwise))]
    public void ForwardWithReLU_KeepsNaN_AndClampsInfinities(string shape) => Dispatch(shape, new SpecialValues(), 1);

    // One channel, 1×1 filters of weight 1 and no bias: y[k] = x exactly for every filter k.
    private sealed class SpecialValues : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            float[] values = [float.NaN, -2f, 3f, float.NegativeInfinity, float.PositiveInfinity, 0f, -1f, 1f, -0f];
            var d = GroupedDims.Of<T>();
            var x = Enumerable.Range(0, d.InputSize).Select(i => values[i % values.Length]).ToArray();
            var y = Data.Garbage(d.OutputSize);
            Conv2D.Forward<T>(x, Enumerable.Repeat(1f, d.K).ToArray(), [], y, 1, relu: true);
            for (var i = 0; i < y.Length; i++)
            {
                var v = x[i % d.InputSize];
                if (float.IsNaN(v)) Assert.True(float.IsNaN(y[i]), $"y[{i}] = {y[i]:R} from NaN");
                else Assert.True(BitConverter.SingleToInt32Bits(v > 0 ? v : 0f) == BitConverter.SingleToInt32Bits(y[i]), $"y[{i}] = {y[i]:R} from {v:R}");
            }
        }
    }

    private sealed class Check(bool withBias) : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 11);
            var w = Data.Uniform(d.ConvWeightSize, 12);
            var b = withBias ? Data.Uniform(d.K, 13) : [];

            (float[] Fused, float[] Unfused) RunAt(int width, bool packed)
            {
                Sgemm.ForceWidth(width);
                ConvShifted.Disabled = packed;
                try
                {
                    var fused = Data.Garbage(n * d.OutputSize);
                    Conv2D.Forward<T>(x, w, b, fused, n, relu: true);
                    var unfused = Data.Garbage(n * d.OutputSize);
                    Conv2D.Forward<T>(x, w, b, unfused, n);
                    Activations.ReLU(unfused, unfused);
                    return (fused, unfused);
                }
                finally
                {
                    Sgemm.ForceWidth(0);
                    ConvShifted.Disabled = false;
                }
            }

            var expected = GroupedReference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), withBias ? Data.ToDouble(b) : null)
                .Select(v => Math.Max(0, v)).ToArray();
            var zeros = expected.Count(v => v == 0);
            Assert.InRange(zeros, expected.Length / 10, expected.Length * 9 / 10);   // the ReLU clamps some values, not all
            foreach (var width in new[] { 0, 16, 8, 4 })
            {
                if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
                foreach (var packed in new[] { false, true })
                {
                    var (fused, unfused) = RunAt(width, packed);
                    var what = $"width {width}{(packed ? ", packed GEMM" : "")}";
                    Data.AssertClose(expected, fused, what: "y at " + what);
                    AssertSameBits(unfused, fused, what);
                }
            }
        }
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: y[{i}] = {actual[i]:R}, the forward then ReLU gives {expected[i]:R}");
    }
}

// 29 channels of 13×11, 3×3 "same": CF = 261, one full 256-deep block and a 5-deep one; 13 filters
// (one full 8-row tile and an edge one) and 143 positions (edge tiles in every width).
public struct ConvReluOdd : IConv2DShape
{
    public static int C => 29; public static int H => 13; public static int W => 11; public static int K => 13;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 13; public static int OW => 11;
}

// 1×1 over 300 channels (CF = 300: two depth blocks of x itself), 10 filters on 7×9.
public struct ConvReluPointwiseDeep : IConv2DShape
{
    public static int C => 300; public static int H => 7; public static int W => 9; public static int K => 10;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 7; public static int OW => 9;
}

// 1×1 from one channel: 8 filters on 4×8 (whole tiles at every width), 3 filters on 3×3 (edge tiles
// only), and one filter on 4×8 (the depthwise path's 8-wide vectors).
public struct ConvReluSpecialTiles : IConv2DShape
{
    public static int C => 1; public static int H => 4; public static int W => 8; public static int K => 8;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 4; public static int OW => 8;
}

public struct ConvReluSpecialEdge : IConv2DShape
{
    public static int C => 1; public static int H => 3; public static int W => 3; public static int K => 3;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 3; public static int OW => 3;
}

public struct ConvReluSpecialDepthwise : IConv2DShape
{
    public static int C => 1; public static int H => 4; public static int W => 8; public static int K => 1;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 4; public static int OW => 8;
}
