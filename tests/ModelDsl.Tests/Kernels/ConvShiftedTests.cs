using System.Runtime.Intrinsics;
using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Convolutions that run over a zero-padded copy of the input (ConvShifted: the forward, the unit-stride
// input gradient and the weight gradient's im2col rows; strided forwards over the input's phases),
// against the double reference and against the packed implicit GEMM: asymmetric padding, a rectangular
// kernel, dilation, groups, strides 2 and 3 (down and across apart), odd input widths (phases of
// unequal width), filter and channel
// counts that are not multiples of the 8-row tile, more than one depth block (CF > 256), strips of
// output rows, more than one NC block of positions, parts that split the filters, batch 1 and more,
// every vector width, output rows a whole number of vectors wide (tiles stored straight into y, a
// strip ending in half a tile), and a first layer (one channel, no padding) whose input gradient stays
// with col2im. The forward must give the implicit GEMM's bits (the same sums in the same order); dx is
// summed in another order than col2im, so only close.
public class ConvShiftedTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { nameof(ShiftedRectangular), 1 },
        { nameof(ShiftedRectangular), 3 },
        { nameof(ShiftedDilatedGroups), 2 },
        { nameof(ShiftedSerialWide), 1 },
        { nameof(ShiftedSerialWide), 2 },
        { nameof(ShiftedFirstLayer), 5 },
        { nameof(ShiftedManyFilters), 1 },
        { nameof(ShiftedAligned), 1 },
        { nameof(ShiftedAligned), 2 },
        { nameof(ShiftedAlignedSerial), 3 },
        { nameof(ShiftedOddVectors16), 2 },
        { nameof(ShiftedOddVectors8), 2 },
        { nameof(ShiftedOddVectors4), 2 },
        { nameof(StridedAligned), 2 },
        { nameof(StridedOddWidth), 3 },
        { nameof(StridedOddWidth), 1 },
        { nameof(ConvSplitDilatedStrided), 2 },   // stride 2, dilation 2: every tap of a row in one phase
        { nameof(StridedMixedGroups), 3 },
        { nameof(StridedStem), 1 },
        { nameof(StridedTall), 2 },
    };

    private interface ICheck { void Run<T>(int n) where T : struct, IConv2DShape; }

    private static void Dispatch(string shape, ICheck check, int n)
    {
        switch (shape)
        {
            case nameof(ShiftedRectangular): check.Run<ShiftedRectangular>(n); break;
            case nameof(ShiftedDilatedGroups): check.Run<ShiftedDilatedGroups>(n); break;
            case nameof(ShiftedSerialWide): check.Run<ShiftedSerialWide>(n); break;
            case nameof(ShiftedFirstLayer): check.Run<ShiftedFirstLayer>(n); break;
            case nameof(ShiftedManyFilters): check.Run<ShiftedManyFilters>(n); break;
            case nameof(ShiftedAligned): check.Run<ShiftedAligned>(n); break;
            case nameof(ShiftedAlignedSerial): check.Run<ShiftedAlignedSerial>(n); break;
            case nameof(ShiftedOddVectors16): check.Run<ShiftedOddVectors16>(n); break;
            case nameof(ShiftedOddVectors8): check.Run<ShiftedOddVectors8>(n); break;
            case nameof(ShiftedOddVectors4): check.Run<ShiftedOddVectors4>(n); break;
            case nameof(StridedAligned): check.Run<StridedAligned>(n); break;
            case nameof(StridedOddWidth): check.Run<StridedOddWidth>(n); break;
            case nameof(ConvSplitDilatedStrided): check.Run<ConvSplitDilatedStrided>(n); break;
            case nameof(StridedMixedGroups): check.Run<StridedMixedGroups>(n); break;
            case nameof(StridedStem): check.Run<StridedStem>(n); break;
            case nameof(StridedTall): check.Run<StridedTall>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShiftedForwardAndInputGradient_MatchTheReference_ThePackedGemm_AndEveryVectorWidth(string shape, int n) =>
        Dispatch(shape, new Check(), n);

    [Fact]
    public void OnlyShapesWithFewDiscardedColumns_TakeThePaddedCopy()
    {
        Assert.True(ConvShifted.Applies<ConvSplitPadded>());            // 3×3, 21 wide: 2 discarded columns of 23
        Assert.False(ConvShifted.Applies<ConvSplitSmallMap>());         // 4×4 map: 2 of 6 discarded
        Assert.True(ConvShifted.Applies<ConvSplitDilatedStrided>());    // stride 2, dilation 2, 15 wide: 2 phase columns of 17
        Assert.False(ConvShifted.Applies<StridedSmallMap>());           // stride 2 onto 4×4: 1 of 5 discarded
        Assert.False(ConvShifted.Applies<StridedEightByEight>());       // stride 2 onto 8×8: 96 computed for 64
        Assert.False(ConvShifted.Applies<ConvSplitPointwise>());        // 1×1 reads x itself
        Assert.False(ConvShifted.Applies<ConvLeNet2>());                // 5×5 on 12×12: 4 of 12 discarded
    }

    [Fact]
    public void TheInputGradient_TakesThePaddedCopy_OnlyWhereItDoesLittleMoreWorkThanTheForward()
    {
        Assert.True(ConvShifted.AppliesToInputGradient<ShiftedRectangular>());
        Assert.True(ConvShifted.AppliesToInputGradient<ShiftedDilatedGroups>());
        Assert.True(ConvShifted.AppliesToInputGradient<ShiftedSerialWide>());
        Assert.True(ConvShifted.AppliesToInputGradient<ConvSplitPadded>());
        // Unpadded 5×5: dy padded by 4 on every side, 32·28 positions against the forward's 24·24.
        Assert.False(ConvShifted.AppliesToInputGradient<ShiftedFirstLayer>());
        Assert.False(ConvShifted.AppliesToInputGradient<ConvLeNet2>());
    }

    private sealed class Check : ICheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            Assert.True(ConvShifted.Applies<T>(), "the shape must take the padded-copy path");
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 11);
            var w = Data.Uniform(d.ConvWeightSize, 12);
            var b = Data.Uniform(d.K, 13);
            var dy = Data.Uniform(n * d.OutputSize, 14);

            (float[] Y, float[] Dx, float[] Dw) RunAt(int width, bool packed)
            {
                Sgemm.ForceWidth(width);
                ConvShifted.Disabled = packed;
                try
                {
                    var y = Data.Garbage(dy.Length);
                    var dx = Data.Garbage(x.Length);
                    Conv2D.Forward<T>(x, w, b, y, n);
                    var dw = new float[w.Length];
                    Conv2D.Backward<T>(x, w, dy, dx, dw, new float[d.K], n);
                    return (y, dx, dw);
                }
                finally
                {
                    Sgemm.ForceWidth(0);
                    ConvShifted.Disabled = false;
                }
            }

            var shifted = RunAt(0, packed: false);
            double[] xd = Data.ToDouble(x), wd = Data.ToDouble(w);
            Data.AssertClose(GroupedReference.Conv(d, n, xd, wd, Data.ToDouble(b)), shifted.Y, what: "y");
            var (ex, ew, _) = GroupedReference.ConvBackward(d, n, xd, wd, Data.ToDouble(dy));
            Data.AssertClose(ex, shifted.Dx, 1e-4, 1e-5, what: "dx");
            Data.AssertClose(ew, shifted.Dw, 1e-4, 1e-5, what: "dw");

            var gemm = RunAt(0, packed: true);
            Assert.Equal(gemm.Y, shifted.Y);
            Data.AssertClose(Data.ToDouble(gemm.Dx), shifted.Dx, 1e-4, 1e-5, what: "dx against col2im");

            foreach (var width in new[] { 16, 8, 4 })
            {
                if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
                var other = RunAt(width, packed: false);
                Assert.Equal(shifted.Y, other.Y);
                Assert.Equal(shifted.Dx, other.Dx);
            }
        }
    }
}

// 3×5 kernel, padding top 2 / bottom 0, left 1 / right 3; 20 channels (CF = 300: two depth blocks),
// 13 filters (a partial tile); large enough to be split into strips of rows.
public struct ShiftedRectangular : IConv2DShape
{
    public static int C => 20; public static int H => 19; public static int W => 37; public static int K => 13;
    public static int KH => 3; public static int KW => 5; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 2; public static int PadLeft => 1; public static int OH => 19; public static int OW => 37;
}

// Dilation 2 (reach 4), padding 2 on every side, two groups of 12 channels and 20 filters.
public struct ShiftedDilatedGroups : IConv2DShape
{
    public static int C => 24; public static int H => 30; public static int W => 29; public static int K => 40;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 2; public static int PadLeft => 2; public static int OH => 30; public static int OW => 29;
    public static int DH => 2; public static int DW => 2;
    public static int G => 2;
}

// Small enough to run on the calling thread in one strip: 30 rows of 32 padded positions (960, two NC
// blocks of positions), 3 channels, 5 filters, no padding below and right.
public struct ShiftedSerialWide : IConv2DShape
{
    public static int C => 3; public static int H => 31; public static int W => 31; public static int K => 5;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 30; public static int OW => 30;
}

// The course LeNet's first layer: one channel, 5×5 without padding on 28×28 (the padded copy is x
// itself, 4 of 28 columns discarded), 20 filters; its weight gradient takes dot products (25 im2col rows).
public struct ShiftedFirstLayer : IConv2DShape
{
    public static int C => 1; public static int H => 28; public static int W => 28; public static int K => 20;
    public static int KH => 5; public static int KW => 5; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 24; public static int OW => 24;
}

// Batch 1 on a 14×14 map with 200 filters: strips of rows would be under 8 tiles, so the parts split
// the filters first (five blocks of 40), then the rows (two strips), each strip's padded copy made once
// for its five blocks.
public struct ShiftedManyFilters : IConv2DShape
{
    public static int C => 16; public static int H => 14; public static int W => 14; public static int K => 200;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 14; public static int OW => 14;
}

// Rows of 48 (3 vectors of 16, 6 of 8): tiles over the output positions only, stored into y and dx;
// 40 channels (two depth blocks), 13 filters (a partial tile); strips of 3 rows (144 positions: the
// last tile of each strip is half a tile).
public struct ShiftedAligned : IConv2DShape
{
    public static int C => 40; public static int H => 17; public static int W => 48; public static int K => 13;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 17; public static int OW => 48;
}

// Rows of 32, small enough for one strip on the calling thread: 1,024 output positions (two NC blocks).
public struct ShiftedAlignedSerial : IConv2DShape
{
    public static int C => 2; public static int H => 32; public static int W => 32; public static int K => 5;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 32; public static int OW => 32;
}

// On the calling thread in one strip of an odd number of vectors at one vector width each (rows of 16,
// 8 and 4 floats, 5 or 7 rows), so at that width the strip's last tile is half a tile whatever the core
// count; the 3×1 kernels discard no columns, so rows of 8 and 4 take the padded copy too.
public struct ShiftedOddVectors16 : IConv2DShape
{
    public static int C => 3; public static int H => 5; public static int W => 16; public static int K => 9;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 5; public static int OW => 16;
}

public struct ShiftedOddVectors8 : IConv2DShape
{
    public static int C => 3; public static int H => 7; public static int W => 8; public static int K => 9;
    public static int KH => 3; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 0; public static int OH => 7; public static int OW => 8;
}

public struct ShiftedOddVectors4 : IConv2DShape
{
    public static int C => 3; public static int H => 5; public static int W => 4; public static int K => 9;
    public static int KH => 3; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 0; public static int OH => 5; public static int OW => 4;
}

// Stride 2 as ResNet's downsampling 3×3 (padding 1) onto rows of 16: tiles stored straight into y; 32
// channels (CF = 288: two depth blocks), 13 filters.
public struct StridedAligned : IConv2DShape
{
    public static int C => 32; public static int H => 32; public static int W => 32; public static int K => 13;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 16; public static int OW => 16;
}

// Stride 2 on a 29×29 map: the even phases are 15 columns wide, the odd ones 14; output rows of 15
// over phase rows of 16.
public struct StridedOddWidth : IConv2DShape
{
    public static int C => 9; public static int H => 29; public static int W => 29; public static int K => 17;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 15; public static int OW => 15;
}

// Strides 2 down and 3 across, a 5×3 kernel, padding 2 above and 1 on the left, two groups of 3
// channels and 5 filters: six phases per channel, of 14 and 13 columns.
public struct StridedMixedGroups : IConv2DShape
{
    public static int C => 6; public static int H => 40; public static int W => 41; public static int K => 10;
    public static int KH => 5; public static int KW => 3; public static int SH => 2; public static int SW => 3;
    public static int PadTop => 2; public static int PadLeft => 1; public static int OH => 20; public static int OW => 14;
    public static int G => 2;
}

// Stride 3 down only: three row phases per channel, each row copied whole.
public struct StridedTall : IConv2DShape
{
    public static int C => 5; public static int H => 30; public static int W => 20; public static int K => 11;
    public static int KH => 3; public static int KW => 3; public static int SH => 3; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 10; public static int OW => 20;
}

// A 7×7 stem with stride 2 and padding 3 (ResNet-50's, on 64×64): three channels, phase rows 3 apart.
public struct StridedStem : IConv2DShape
{
    public static int C => 3; public static int H => 64; public static int W => 64; public static int K => 16;
    public static int KH => 7; public static int KW => 7; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 3; public static int PadLeft => 3; public static int OH => 32; public static int OW => 32;
}

// Stride 2 onto a 4×4 map: one discarded column in five is too many.
public struct StridedSmallMap : IConv2DShape
{
    public static int C => 8; public static int H => 8; public static int W => 8; public static int K => 8;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 4; public static int OW => 4;
}

// Stride 2 onto 8×8 (ResNet's third downsampling at CIFAR size): 8 rows of 9 phase columns are 72
// positions, three tiles of 32 for 64 outputs.
public struct StridedEightByEight : IConv2DShape
{
    public static int C => 16; public static int H => 16; public static int W => 16; public static int K => 16;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 8; public static int OW => 8;
}
