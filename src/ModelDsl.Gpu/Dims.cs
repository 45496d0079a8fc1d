namespace ModelDsl.Gpu;

// The static shapes the kernels are specialized on. Each is passed as ILGPU's SpecializedValue<T>: a
// GPU backend compiles one copy of a kernel per distinct value, with every field folded to a constant
// (loop bounds, index arithmetic), and caches it with the kernel. Dimension legend: N batch,
// C channels, H×W height×width, K filters, F kernel (KH×KW), S stride, P padding (PadTop, PadLeft),
// D dilation, G groups.

/// <summary>A convolution: x (N, C, H, W), w (K, C/G, KH, KW), b (K) when <see cref="Bias"/> is 1 → y (N, K, OH, OW).</summary>
internal readonly record struct ConvDims(
    int C, int H, int W, int K, int KH, int KW, int SH, int SW, int PadTop, int PadLeft, int OH, int OW, int DH, int DW, int G, int Bias)
{
    public int CG => C / G;
    public int KG => K / G;
}

/// <summary>A pooling window: x (N, C, H, W) → y (N, C, OH, OW).</summary>
internal readonly record struct PoolDims(int C, int H, int W, int KH, int KW, int SH, int SW, int PadTop, int PadLeft, int OH, int OW);

/// <summary>A dense layer: x (N, In), w (Out, In), b (Out) when <see cref="Bias"/> is 1 → y (N, Out).</summary>
internal readonly record struct DenseDims(int In, int Out, int Bias);

/// <summary>Per-channel work on x (N, C, HW): batch norm (with eps, momentum, and gamma/beta when <see cref="Affine"/> is 1), global pooling, channel scaling.</summary>
internal readonly record struct ChannelDims(int C, int HW, int Affine, float Eps, float Momentum);

/// <summary>
/// A normalization over sets of values: each sample splits into <see cref="Groups"/> contiguous sets of <see cref="Length"/>
/// values (layer norm: 1 set of C·HW; group norm: G sets of (C/G)·HW; instance norm: C sets of HW). gamma/beta (when
/// <see cref="Affine"/> is 1) are per element of the set (<see cref="PerElement"/> is 1, layer norm) or per channel.
/// </summary>
internal readonly record struct SetDims(int Groups, int Length, int C, int HW, int PerElement, int Affine, float Eps)
{
    /// <summary>The gamma/beta index of value i of x (N, C, HW).</summary>
    public int ParameterOf(int i) => PerElement != 0 ? i % Length : i / HW % C;
}

/// <summary>
/// Local response normalization over x (N, C, HW): each channel's window is the <see cref="Before"/> channels before it
/// and the <see cref="After"/> after it (⌊n/2⌋ and ⌊(n − 1)/2⌋ for a window of n), scale = k + α/n·Σ window x²,
/// y = x·scale^(−β); <see cref="ThreeQuarters"/> is 1 for β = 3/4, computed with square roots as the CPU kernel does.
/// <see cref="Coefficient"/> is backward's 2·α·β/n.
/// </summary>
internal readonly record struct LrnDims(int C, int HW, int Before, int After, float AlphaOverSize, float Beta, float K, float Coefficient, int ThreeQuarters);
