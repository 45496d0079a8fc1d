namespace ModelDsl.Kernels;

// The generator emits one struct per layer implementing one of these, with the layer's shape as
// constants. Kernels are generic over the struct, so the JIT compiles a copy per layer with every
// dimension folded to a constant. Dimension legend: N batch, C channels, H×W height×width,
// K filters, F kernel (KH×KW), S stride (SH×SW), P padding (PadTop, PadLeft; bottom/right follow
// from the output size).

/// <summary>The static shape of a 2-D convolution: x (N, C, H, W), w (K, C, KH, KW) → y (N, K, OH, OW).</summary>
public interface IConv2DShape
{
    /// <summary>Input channels.</summary>
    static abstract int C { get; }
    /// <summary>Input height.</summary>
    static abstract int H { get; }
    /// <summary>Input width.</summary>
    static abstract int W { get; }
    /// <summary>Filters (output channels).</summary>
    static abstract int K { get; }
    /// <summary>Kernel height.</summary>
    static abstract int KH { get; }
    /// <summary>Kernel width.</summary>
    static abstract int KW { get; }
    /// <summary>Vertical stride.</summary>
    static abstract int SH { get; }
    /// <summary>Horizontal stride.</summary>
    static abstract int SW { get; }
    /// <summary>Zero rows above the input.</summary>
    static abstract int PadTop { get; }
    /// <summary>Zero columns left of the input.</summary>
    static abstract int PadLeft { get; }
    /// <summary>Output height.</summary>
    static abstract int OH { get; }
    /// <summary>Output width.</summary>
    static abstract int OW { get; }
    /// <summary>Vertical dilation: taps DH rows apart (1 = dense).</summary>
    static virtual int DH => 1;
    /// <summary>Horizontal dilation: taps DW columns apart (1 = dense).</summary>
    static virtual int DW => 1;
    /// <summary>Groups G: input and output channels split into G groups convolved separately; w is (K, C/G, KH, KW). G = C = K is depthwise.</summary>
    static virtual int G => 1;
}

/// <summary>
/// The static shape of a 2-D transposed convolution (PyTorch's ConvTranspose2d): x (N, C, H, W),
/// w (C, K/G, KH, KW) → y (N, K, OH, OW) with OH = (H − 1)·SH − PadTop − PadBottom + DH·(KH − 1) + OutputPadding + 1.
/// Each input pixel scatters its kernel into the output at (ih·SH − PadTop + i·DH, iw·SW − PadLeft + j·DW).
/// </summary>
public interface IConvTranspose2DShape
{
    /// <summary>Input channels.</summary>
    static abstract int C { get; }
    /// <summary>Input height.</summary>
    static abstract int H { get; }
    /// <summary>Input width.</summary>
    static abstract int W { get; }
    /// <summary>Output channels.</summary>
    static abstract int K { get; }
    /// <summary>Kernel height.</summary>
    static abstract int KH { get; }
    /// <summary>Kernel width.</summary>
    static abstract int KW { get; }
    /// <summary>Vertical stride.</summary>
    static abstract int SH { get; }
    /// <summary>Horizontal stride.</summary>
    static abstract int SW { get; }
    /// <summary>Rows cropped from the top of the full output.</summary>
    static abstract int PadTop { get; }
    /// <summary>Columns cropped from the left of the full output.</summary>
    static abstract int PadLeft { get; }
    /// <summary>Output height.</summary>
    static abstract int OH { get; }
    /// <summary>Output width.</summary>
    static abstract int OW { get; }
    /// <summary>Vertical dilation.</summary>
    static virtual int DH => 1;
    /// <summary>Horizontal dilation.</summary>
    static virtual int DW => 1;
    /// <summary>Groups.</summary>
    static virtual int G => 1;
}

/// <summary>The static shape of a 2-D pooling: x (N, C, H, W) → y (N, C, OH, OW), windows KH×KW.</summary>
public interface IPool2DShape
{
    /// <summary>Channels.</summary>
    static abstract int C { get; }
    /// <summary>Input height.</summary>
    static abstract int H { get; }
    /// <summary>Input width.</summary>
    static abstract int W { get; }
    /// <summary>Window height.</summary>
    static abstract int KH { get; }
    /// <summary>Window width.</summary>
    static abstract int KW { get; }
    /// <summary>Vertical stride.</summary>
    static abstract int SH { get; }
    /// <summary>Horizontal stride.</summary>
    static abstract int SW { get; }
    /// <summary>Padding rows above the input.</summary>
    static abstract int PadTop { get; }
    /// <summary>Padding columns left of the input.</summary>
    static abstract int PadLeft { get; }
    /// <summary>Output height.</summary>
    static abstract int OH { get; }
    /// <summary>Output width.</summary>
    static abstract int OW { get; }
}

/// <summary>The static shape of a dense layer: x (N, In), w (Out, In) → y (N, Out).</summary>
public interface IDenseShape
{
    /// <summary>Input features.</summary>
    static abstract int In { get; }
    /// <summary>Output features.</summary>
    static abstract int Out { get; }
}

/// <summary>
/// The convolution whose forward is the unit-stride convolution <typeparamref name="T"/>'s input gradient:
/// dy (N, K, OH, OW) in, dx (N, C, H, W) out, the filters flipped with their input and output channels swapped
/// (ConvShifted.PackFlipped lays them out; a depthwise filter only flips), dy padded by the kernel's reach
/// less <typeparamref name="T"/>'s padding on each side.
/// </summary>
internal readonly struct Flipped<T> : IConv2DShape where T : struct, IConv2DShape
{
    public static int C => T.K;
    public static int H => T.OH;
    public static int W => T.OW;
    public static int K => T.C;
    public static int KH => T.KH;
    public static int KW => T.KW;
    public static int SH => 1;
    public static int SW => 1;
    public static int PadTop => (T.KH - 1) * T.DH - T.PadTop;
    public static int PadLeft => (T.KW - 1) * T.DW - T.PadLeft;
    public static int OH => T.H;
    public static int OW => T.W;
    public static int DH => T.DH;
    public static int DW => T.DW;
    public static int G => T.G;

    /// <summary>Padding within the kernel's reach on the top and left (so the flipped padding is not negative).</summary>
    public static bool Fits => PadTop >= 0 && PadLeft >= 0;
}
