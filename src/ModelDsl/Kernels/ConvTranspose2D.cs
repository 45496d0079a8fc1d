namespace ModelDsl.Kernels;

// Dimension legend: N batch, C input channels, H×W input, K output channels, KH×KW kernel, SH×SW
// stride, DH×DW dilation, PadTop/PadLeft cropped from the full output, OH×OW output, G groups.
// A transposed convolution is the adjoint (in x) of the convolution that maps (K, OH, OW) to
// (C, H, W) with the same weights, strides, padding, dilation and groups: Adjoint<T> is that
// convolution's shape. Its w is (C, K/G, KH, KW) exactly as Conv2D reads it, so
//   forward   y = Conv2D backward-data of dy := x                (dcol = w_gᵀ · x_g, col2im into y) + b
//   backward  dx = Conv2D forward of x := dy                     (im2col(dy), then GEMM)
//             dw += Conv2D weight gradient with x := dy, dy := x (x_g · im2col(dy_g)ᵀ),  db += Σ dy.

/// <summary>2-D transposed convolution ("deconvolution", PyTorch's ConvTranspose2d), forward and backward.</summary>
public static unsafe class ConvTranspose2D
{
    /// <summary>y (N, K, OH, OW) = the transposed convolution of x (N, C, H, W) with w (C, K/G, KH, KW), plus b (K); b empty when there is no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IConvTranspose2DShape
    {
        KernelMath.RequireForward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), b.Length, T.K, y.Length, OutputSize<T>());
        fixed (float* px = x, pw = w, pb = b, py = y)
        {
            Conv2D.BackwardCore<Adjoint<T>>(null, pw, px, py, null, n);
            if (pb != null) KernelMath.AddChannelValues(py, pb, n, T.K, T.OH * T.OW);
        }
    }

    /// <summary>From dy (N, K, OH, OW): dx overwritten (skipped when empty), dw += ∂/∂w, db += ∂/∂b (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IConvTranspose2DShape
    {
        KernelMath.RequireBackward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), dy.Length, OutputSize<T>(),
            dx.Length, dw.Length, db.Length, T.K);
        fixed (float* px = x, pw = w, pdy = dy, pdx = dx, pdw = dw, pdb = db)
        {
            if (pdx != null) Conv2D.ForwardCore<Adjoint<T>>(pdy, pw, null, pdx, n);
            Conv2D.BackwardCore<Adjoint<T>>(pdy, pw, px, null, pdw, n);
            if (pdb != null) KernelMath.ChannelSums(pdy, pdb, n, T.K, T.OH * T.OW);
        }
    }

    private static int InputSize<T>() where T : struct, IConvTranspose2DShape => T.C * T.H * T.W;
    private static int OutputSize<T>() where T : struct, IConvTranspose2DShape => T.K * T.OH * T.OW;
    private static int WeightSize<T>() where T : struct, IConvTranspose2DShape => T.C * (T.K / T.G) * T.KH * T.KW;

    /// <summary>The convolution whose adjoint T is: (K, OH, OW) → (C, H, W), w (C, K/G, KH, KW).</summary>
    private readonly struct Adjoint<T> : IConv2DShape where T : struct, IConvTranspose2DShape
    {
        public static int C => T.K;
        public static int H => T.OH;
        public static int W => T.OW;
        public static int K => T.C;
        public static int KH => T.KH;
        public static int KW => T.KW;
        public static int SH => T.SH;
        public static int SW => T.SW;
        public static int PadTop => T.PadTop;
        public static int PadLeft => T.PadLeft;
        public static int OH => T.H;
        public static int OW => T.W;
        public static int DH => T.DH;
        public static int DW => T.DW;
        public static int G => T.G;
    }
}
