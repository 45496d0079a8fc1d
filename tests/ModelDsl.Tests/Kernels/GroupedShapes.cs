using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Shapes with dilation, groups and transposition for the kernel tests. Bottom/right padding (or
// cropping) is whatever OH/OW imply.

/// <summary>The dimensions of an <see cref="IConv2DShape"/> or <see cref="IConvTranspose2DShape"/> as values, dilation and groups included.</summary>
public readonly record struct GroupedDims(int C, int H, int W, int K, int KH, int KW, int SH, int SW, int PadTop, int PadLeft,
    int OH, int OW, int DH, int DW, int G)
{
    public static GroupedDims Of<T>() where T : struct, IConv2DShape =>
        new(T.C, T.H, T.W, T.K, T.KH, T.KW, T.SH, T.SW, T.PadTop, T.PadLeft, T.OH, T.OW, T.DH, T.DW, T.G);
    public static GroupedDims OfTranspose<T>() where T : struct, IConvTranspose2DShape =>
        new(T.C, T.H, T.W, T.K, T.KH, T.KW, T.SH, T.SW, T.PadTop, T.PadLeft, T.OH, T.OW, T.DH, T.DW, T.G);
    public int InputSize => C * H * W;
    public int OutputSize => K * OH * OW;
    /// <summary>Conv2D's w (K, C/G, KH, KW).</summary>
    public int ConvWeightSize => K * (C / G) * KH * KW;
    /// <summary>ConvTranspose2D's w (C, K/G, KH, KW).</summary>
    public int TransposeWeightSize => C * (K / G) * KH * KW;
}

// Dilation 2, stride 2, padding top 2 / bottom 0, left 1 / right 1, H ≠ W.
public struct ConvDilatedStrided : IConv2DShape
{
    public static int C => 3; public static int H => 11; public static int W => 9; public static int K => 4;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 2; public static int PadLeft => 1; public static int OH => 5; public static int OW => 4;
    public static int DH => 2; public static int DW => 2;
}

// Two groups of 2 → 3 channels, "same" 3×3.
public struct ConvGroups2 : IConv2DShape
{
    public static int C => 4; public static int H => 7; public static int W => 6; public static int K => 6;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 7; public static int OW => 6;
    public static int G => 2;
}

// Three groups of 2 → 3 channels with dilation 2×3.
public struct ConvGroups3Dilated : IConv2DShape
{
    public static int C => 6; public static int H => 9; public static int W => 8; public static int K => 9;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 2; public static int PadLeft => 3; public static int OH => 9; public static int OW => 8;
    public static int DH => 2; public static int DW => 3; public static int G => 3;
}

// Depthwise, stride 2, padding 1 (right padding 0).
public struct ConvDepthwiseStride2 : IConv2DShape
{
    public static int C => 5; public static int H => 9; public static int W => 10; public static int K => 5;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 5; public static int OW => 5;
    public static int G => 5;
}

// Depthwise, dilation 2, "same"; 40 columns take the 32-wide and 8-wide vector blocks.
public struct ConvDepthwiseDilated : IConv2DShape
{
    public static int C => 4; public static int H => 6; public static int W => 43; public static int K => 4;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 2; public static int PadLeft => 2; public static int OH => 6; public static int OW => 43;
    public static int DH => 2; public static int DW => 2; public static int G => 4;
}

// Depth multiplier 2: groups of one input and two output channels (the GEMM path).
public struct ConvDepthMultiplier : IConv2DShape
{
    public static int C => 3; public static int H => 5; public static int W => 6; public static int K => 6;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 5; public static int OW => 6;
    public static int G => 3;
}

// Depthwise 3×3 "same" on 32 channels of 20×20 (threaded at batch 16).
public struct ConvDepthwiseLarge : IConv2DShape
{
    public static int C => 32; public static int H => 20; public static int W => 20; public static int K => 32;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 20; public static int OW => 20;
    public static int G => 32;
}

// ResNeXt-like grouped 3×3: 32 → 32 channels in 8 groups on 14×14 (threaded at batch 16).
public struct ConvGroupedLarge : IConv2DShape
{
    public static int C => 32; public static int H => 14; public static int W => 14; public static int K => 32;
    public static int KH => 3; public static int KW => 3; public static int SH => 1; public static int SW => 1;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 14; public static int OW => 14;
    public static int G => 8;
}

// The convolution whose adjoint is ConvTStride2: (4, 10, 8) → (3, 5, 4).
public struct ConvAdjointOfStride2 : IConv2DShape
{
    public static int C => 4; public static int H => 10; public static int W => 8; public static int K => 3;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 5; public static int OW => 4;
}

// The convolution whose adjoint is ConvTGroupsDilated: (6, 6, 10) → (4, 4, 5).
public struct ConvAdjointOfGroupsDilated : IConv2DShape
{
    public static int C => 6; public static int H => 6; public static int W => 10; public static int K => 4;
    public static int KH => 3; public static int KW => 2; public static int SH => 1; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 0; public static int OH => 4; public static int OW => 5;
    public static int DH => 2; public static int G => 2;
}

// Stride 2, padding 1, output padding 1: OH = (5 − 1)·2 − 2 + 2 + 1 + 1 = 10, OW = (4 − 1)·2 − 2 + 2 + 1 + 1 = 8.
public struct ConvTStride2 : IConvTranspose2DShape
{
    public static int C => 3; public static int H => 5; public static int W => 4; public static int K => 4;
    public static int KH => 3; public static int KW => 3; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 10; public static int OW => 8;
}

// Two groups, kernel 3×2, strides 1×2, dilation 2×1, crop top 1 / bottom 1 / left 0 / right 0:
// OH = 3 − 2 + 2·2 + 1 = 6, OW = 4·2 + 1 + 1 = 10.
public struct ConvTGroupsDilated : IConvTranspose2DShape
{
    public static int C => 4; public static int H => 4; public static int W => 5; public static int K => 6;
    public static int KH => 3; public static int KW => 2; public static int SH => 1; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 0; public static int OH => 6; public static int OW => 10;
    public static int DH => 2; public static int G => 2;
}

// Depthwise 4×4, stride 2, padding 1: 6×6 → 12×12.
public struct ConvTDepthwise : IConvTranspose2DShape
{
    public static int C => 4; public static int H => 6; public static int W => 6; public static int K => 4;
    public static int KH => 4; public static int KW => 4; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 12; public static int OW => 12;
    public static int G => 4;
}

// DCGAN-like 4×4, stride 2, padding 1: 32 × 8×8 → 16 × 16×16 (threaded at batch 8).
public struct ConvTLarge : IConvTranspose2DShape
{
    public static int C => 32; public static int H => 8; public static int W => 8; public static int K => 16;
    public static int KH => 4; public static int KW => 4; public static int SH => 2; public static int SW => 2;
    public static int PadTop => 1; public static int PadLeft => 1; public static int OH => 16; public static int OW => 16;
}
