using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Layer shapes for the kernel tests. Bottom/right padding is whatever OH/OW imply.

/// <summary>The dimensions of an <see cref="IConv2DShape"/> as values, for the references.</summary>
public readonly record struct ConvDims(int C, int H, int W, int K, int KH, int KW, int SH, int SW, int PadTop, int PadLeft, int OH, int OW)
{
    public static ConvDims Of<T>() where T : struct, IConv2DShape =>
        new(T.C, T.H, T.W, T.K, T.KH, T.KW, T.SH, T.SW, T.PadTop, T.PadLeft, T.OH, T.OW);
    public int InputSize => C * H * W;
    public int OutputSize => K * OH * OW;
    public int WeightSize => K * C * KH * KW;
}

/// <summary>The dimensions of an <see cref="IPool2DShape"/> as values, for the references.</summary>
public readonly record struct PoolDims(int C, int H, int W, int KH, int KW, int SH, int SW, int PadTop, int PadLeft, int OH, int OW)
{
    public static PoolDims Of<T>() where T : struct, IPool2DShape =>
        new(T.C, T.H, T.W, T.KH, T.KW, T.SH, T.SW, T.PadTop, T.PadLeft, T.OH, T.OW);
    public int InputSize => C * H * W;
    public int OutputSize => C * OH * OW;
}

// 3×3 on 5×5, one channel, one filter, no padding.
public struct ConvTiny : IConv2DShape
{
    public static int C => 1; public static int H => 5; public static int W => 5; public static int K => 1;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 3; public static int OW => 3;
}

// Non-square input and kernel, strides 2×3, padding top 1 / bottom 1, left 2 / right 0.
public struct ConvStridedNonSquare : IConv2DShape
{
    public static int C => 3; public static int H => 7; public static int W => 9; public static int K => 5;
    public static int KH => 3; public static int KW => 2; public static int SH => 2; public static int SW => 3;
    public static int PadTop => 1; public static int PadLeft => 2; public static int OH => 4; public static int OW => 4;
}

// Asymmetric padding: top 0 / bottom 2, left 1 / right 0.
public struct ConvAsymmetricPadding : IConv2DShape
{
    public static int C => 2; public static int H => 6; public static int W => 6; public static int K => 3;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 1; public static int OH => 6; public static int OW => 5;
}

// 5×5 "same" convolution (padding 2 on every side) on a 6×5 input: whole tap rows fall in padding.
public struct ConvSamePad2 : IConv2DShape
{
    public static int C => 2; public static int H => 6; public static int W => 5; public static int K => 3;
    public static int KH => 5; public static int KW => 5; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 2; public static int PadLeft => 2; public static int OH => 6; public static int OW => 5;
}

// Stride 3 with padding 1 on a 3×3 kernel.
public struct ConvStride3 : IConv2DShape
{
    public static int C => 2; public static int H => 11; public static int W => 10; public static int K => 4;
    public static int KH => 3; public static int KW => 3; public static int SH => 3; public static int SW => 3;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 4; public static int OW => 4;
}

// 1×1 convolution (col is the input itself).
public struct ConvPointwise : IConv2DShape
{
    public static int C => 6; public static int H => 5; public static int W => 7; public static int K => 4;
    public static int KH => 1; public static int KW => 1; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 5; public static int OW => 7;
}

// LeNet's second convolution: 20 → 50 channels, 12×12 → 8×8, 5×5 (threaded at batch 7).
public struct ConvLeNet2 : IConv2DShape
{
    public static int C => 20; public static int H => 12; public static int W => 12; public static int K => 50;
    public static int KH => 5; public static int KW => 5; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 0; public static int PadLeft => 0; public static int OH => 8; public static int OW => 8;
}

// K = 130 > MC and C·KH·KW = 360 > KC: exercises every GEMM blocking loop.
public struct ConvWide : IConv2DShape
{
    public static int C => 40; public static int H => 10; public static int W => 10; public static int K => 130;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 10; public static int OW => 10;
}

// 2×2, stride 2, no padding, non-square plane.
public struct Pool2x2 : IPool2DShape
{
    public static int C => 3; public static int H => 6; public static int W => 8; public static int KH => 2; public static int KW => 2;
    public static int SH => 2; public static int SW => 2; public static int PadTop => 0; public static int PadLeft => 0;
    public static int OH => 3; public static int OW => 4;
}

// Overlapping 3×3 windows, stride 2, padding 1 (bottom clipped by the plane).
public struct PoolOverlapping : IPool2DShape
{
    public static int C => 2; public static int H => 7; public static int W => 6; public static int KH => 3; public static int KW => 3;
    public static int SH => 2; public static int SW => 2; public static int PadTop => 1; public static int PadLeft => 1;
    public static int OH => 4; public static int OW => 3;
}

// 2×3 windows, strides 1×2, padding top 0 / left 1 / right 1.
public struct PoolAsymmetric : IPool2DShape
{
    public static int C => 2; public static int H => 5; public static int W => 7; public static int KH => 2; public static int KW => 3;
    public static int SH => 1; public static int SW => 2; public static int PadTop => 0; public static int PadLeft => 1;
    public static int OH => 4; public static int OW => 4;
}

// 2×2, stride 2, odd plane (last row and column unused) wide enough for eight windows side by side,
// then four, then one (OW = 13).
public struct Pool2x2Wide : IPool2DShape
{
    public static int C => 2; public static int H => 7; public static int W => 27; public static int KH => 2; public static int KW => 2;
    public static int SH => 2; public static int SW => 2; public static int PadTop => 0; public static int PadLeft => 0;
    public static int OH => 3; public static int OW => 13;
}

// LeNet's first pooling: 20 × 24×24 → 12×12.
public struct PoolLeNet1 : IPool2DShape
{
    public static int C => 20; public static int H => 24; public static int W => 24; public static int KH => 2; public static int KW => 2;
    public static int SH => 2; public static int SW => 2; public static int PadTop => 0; public static int PadLeft => 0;
    public static int OH => 12; public static int OW => 12;
}

public struct DenseTiny : IDenseShape { public static int In => 5; public static int Out => 3; }
public struct DenseOdd : IDenseShape { public static int In => 37; public static int Out => 19; }
public struct DenseLeNet : IDenseShape { public static int In => 800; public static int Out => 500; }

// A downsampling 3×3, stride 2, padding 1 (as ResNet's), on rows long enough that the strided gathers run
// eight columns at a time and end in a tail: 45 → 23 columns, 37 → 19 rows.
public struct ConvStride2Wide : IConv2DShape
{
    public static int C => 6; public static int H => 37; public static int W => 45; public static int K => 10;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 19; public static int OW => 23;
}
