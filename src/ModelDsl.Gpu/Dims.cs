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
