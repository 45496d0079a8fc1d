using System.Runtime.Intrinsics;
using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Convolutions large enough to be split across threads, against the double reference: the forward's
// strips of output positions (batch 1 and 3, position counts that are not multiples of a tile), the
// backward's input-channel ranges (batch 1, uneven ranges) and sample ranges (batch 3), pointwise,
// strided, dilated and grouped shapes, filter counts that are not multiples of the 8-row tile, and
// every micro-kernel vector width (16, 8 and 4 floats), which must agree bit for bit.
public class ConvSplitTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { nameof(ConvSplitPadded), 1 },
        { nameof(ConvSplitPadded), 3 },
        { nameof(ConvSplitDilatedStrided), 1 },
        { nameof(ConvSplitPointwise), 1 },
        { nameof(ConvSplitPointwise), 3 },
        { nameof(ConvSplitGroups), 1 },
        { nameof(ConvSplitSmallMap), 5 },
    };

    private interface ICheck { void Run<T>(int n) where T : struct, IConv2DShape; }

    private static void Dispatch(string shape, ICheck check, int n)
    {
        switch (shape)
        {
            case nameof(ConvSplitPadded): check.Run<ConvSplitPadded>(n); break;
            case nameof(ConvSplitDilatedStrided): check.Run<ConvSplitDilatedStrided>(n); break;
            case nameof(ConvSplitPointwise): check.Run<ConvSplitPointwise>(n); break;
            case nameof(ConvSplitGroups): check.Run<ConvSplitGroups>(n); break;
            case nameof(ConvSplitSmallMap): check.Run<ConvSplitSmallMap>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SplitForwardAndBackward_MatchTheDoubleReference_AtEveryVectorWidth_BitForBit(string shape, int n) =>
        Dispatch(shape, new Check(), n);

    [Fact]
    public void ForceWidth_RejectsAWidthWithoutAMicroKernel()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.ForceWidth(12));
        Assert.Contains("4, 8 or 16", error.Message);
    }

    private sealed class Check : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            Assert.True((long)n * d.ConvWeightSize * d.OH * d.OW >= 1L << 21, "the shape must be large enough to be split");
            var x = Data.Uniform(n * d.InputSize, 1);
            var w = Data.Uniform(d.ConvWeightSize, 2);
            var b = Data.Uniform(d.K, 3);
            var dy = Data.Uniform(n * d.OutputSize, 4);
            var dw0 = Data.Uniform(d.ConvWeightSize, 5);

            (float[] Y, float[] Dx, float[] Dw, float[] Db) RunAt(int width)
            {
                Sgemm.ForceWidth(width);
                try
                {
                    var y = Data.Garbage(dy.Length);
                    var dx = Data.Garbage(x.Length);
                    var dw = (float[])dw0.Clone();
                    var db = new float[d.K];
                    Conv2D.Forward<T>(x, w, b, y, n);
                    Conv2D.Backward<T>(x, w, dy, dx, dw, db, n);
                    return (y, dx, dw, db);
                }
                finally { Sgemm.ForceWidth(0); }
            }

            var widest = RunAt(0);
            double[] xd = Data.ToDouble(x), wd = Data.ToDouble(w);
            Data.AssertClose(GroupedReference.Conv(d, n, xd, wd, Data.ToDouble(b)), widest.Y, what: "y");
            var (ex, ew, eb) = GroupedReference.ConvBackward(d, n, xd, wd, Data.ToDouble(dy));
            Data.AssertClose(ex, widest.Dx, 1e-4, 1e-5, what: "dx");
            Data.AssertClose(ew.Select((v, i) => v + dw0[i]).ToArray(), widest.Dw, 1e-4, 1e-5, what: "dw");
            Data.AssertClose(eb, widest.Db, 1e-4, 1e-5, what: "db");

            foreach (var width in new[] { 16, 8, 4 })
            {
                if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
                var other = RunAt(width);
                Assert.Equal(widest.Y, other.Y);
                Assert.Equal(widest.Dx, other.Dx);
                Assert.Equal(widest.Dw, other.Dw);
                Assert.Equal(widest.Db, other.Db);
            }
        }
    }
}

// 3×3, padding 1, 21×21 (441 positions: no multiple of a tile), 20 filters, 32 channels (two
// channel ranges of 16 in the backward at batch 1).
public struct ConvSplitPadded : IConv2DShape
{
    public static int C => 32; public static int H => 21; public static int W => 21; public static int K => 20;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 21; public static int OW => 21;
}

// Stride 2, dilation 2, padding top 2 / bottom 1, left 1 / right 1; 40 channels (channel ranges of 24
// and 16), 240 positions.
public struct ConvSplitDilatedStrided : IConv2DShape
{
    public static int C => 40; public static int H => 33; public static int W => 31; public static int K => 32;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 2; public static int PadLeft => 1; public static int OH => 16; public static int OW => 15;
    public static int DH => 2; public static int DW => 2;
}

// 1×1, unit stride: the GEMM reads x itself; 529 positions, 72 filters.
public struct ConvSplitPointwise : IConv2DShape
{
    public static int C => 64; public static int H => 23; public static int W => 23; public static int K => 72;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 23; public static int OW => 23;
}

// Two groups of 16 channels and 20 filters, 3×3 on 24×24 with padding 1.
public struct ConvSplitGroups : IConv2DShape
{
    public static int C => 32; public static int H => 24; public static int W => 24; public static int K => 40;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 24; public static int OW => 24;
    public static int G => 2;
}

// A 4×4 map (16 positions: the 8-float kernel's width), 96 → 64 channels, so the weight gradient's
// depth runs across 16 samples at once.
public struct ConvSplitSmallMap : IConv2DShape
{
    public static int C => 96; public static int H => 4; public static int W => 4; public static int K => 64;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 4; public static int OW => 4;
}
