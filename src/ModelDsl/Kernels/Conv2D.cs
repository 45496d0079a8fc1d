using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
namespace ModelDsl.Kernels;

// Dimension legend: N batch, C input channels, H×W input, K filters, KH×KW kernel, SH×SW stride,
// DH×DW dilation, PadTop/PadLeft leading zeros, OH×OW output, P = OH·OW output positions, G groups,
// CG = C/G and KG = K/G channels per group, CF = CG·KH·KW (w is (K, CF)).
// Each sample and group g is lowered to a GEMM: its im2col matrix col (CF, P) holds in row (c, i, j)
// the input value under kernel tap (i, j) of channel g·CG + c for every output position, so
//   forward   y_g (KG, P)  = w_g (KG, CF) · col_g (CF, P) + b
//   backward  dw_g (KG, CF) += dy_g (KG, P) · col_gᵀ,   dcol (CF, P) = w_gᵀ · dy_g,  dx_g = col2im(dcol).
// Depthwise convolutions (CG = KG = 1) skip the GEMM: see DepthwiseConv.
// The batch is split into fixed contiguous ranges, one per part; weight gradients of part 0 go
// straight into dw, those of the other parts into partial buffers added in part order afterwards,
// so the result does not depend on thread timing.

/// <summary>2-D convolution (cross-correlation, as PyTorch), with dilation and groups, forward and backward.</summary>
public static unsafe class Conv2D
{
    // Below this many multiply-adds a convolution runs on the calling thread only.
    private const long ParallelThreshold = 1L << 21;

    /// <summary>y (N, K, OH, OW) = x (N, C, H, W) ⋆ w (K, C/G, KH, KW) + b (K); b empty when the layer has no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireForward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), b.Length, T.K, y.Length, OutputSize<T>());
        fixed (float* px = x, pw = w, pb = b, py = y)
            ForwardCore<T>(px, pw, pb, py, n);
    }

    /// <summary>From dy (N, K, OH, OW): dx = ∂/∂x (overwritten; skipped when empty), dw += ∂/∂w, db += ∂/∂b (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireBackward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), dy.Length, OutputSize<T>(),
            dx.Length, dw.Length, db.Length, T.K);
        fixed (float* px = x, pw = w, pdy = dy, pdx = dx, pdw = dw, pdb = db)
        {
            BackwardCore<T>(px, pw, pdy, pdx, pdw, n);
            if (pdb != null) KernelMath.ChannelSums(pdy, pdb, n, T.K, Positions<T>());
        }
    }

    /// <summary>y (N, K, P) = x ⋆ w + b (b may be null); buffers already checked.</summary>
    internal static void ForwardCore<T>(float* x, float* w, float* b, float* y, int n) where T : struct, IConv2DShape
    {
        if (n == 0) return;
        if (DepthwiseConv.Applies<T>())
        {
            DepthwiseConv.Forward<T>(x, w, b, y, n);
            return;
        }
        // packedW is w_g (KG, CF) of every group, each packed once for every sample's GEMM.
        var packedW = WorkerPool.ThreadScratch.PackedWeights(T.G * PackedGroup<T>());
        for (var g = 0; g < T.G; g++)
            Sgemm.PackAll(false, KG<T>(), ColRows<T>(), w + (long)g * KG<T>() * ColRows<T>(), ColRows<T>(), packedW + (long)g * PackedGroup<T>());
        var job = new ForwardJob<T> { X = x, W = packedW, B = b, Y = y, Parts = Parts<T>(n), N = n };
        WorkerPool.Run(ref job, job.Parts);
    }

    /// <summary>dx (N, C, H, W) = ∂/∂x (overwritten; skipped when null), dw += ∂/∂w (skipped when null); buffers already checked.</summary>
    internal static void BackwardCore<T>(float* x, float* w, float* dy, float* dx, float* dw, int n) where T : struct, IConv2DShape
    {
        if (n == 0 || (dx == null && dw == null)) return;
        if (DepthwiseConv.Applies<T>())
        {
            DepthwiseConv.Backward<T>(x, w, dy, dx, dw, n);
            return;
        }
        var parts = Parts<T>(n);
        // partials is (parts − 1, K, CF): the weight gradients of parts 1, 2, ….
        var partials = dw == null ? null : WorkerPool.ThreadScratch.Partials((parts - 1) * WeightSize<T>());
        // packedWt is w_gᵀ (CF, KG) of every group, each packed once for every sample's dcol GEMM.
        float* packedWt = null;
        if (dx != null)
        {
            packedWt = WorkerPool.ThreadScratch.PackedWeights(T.G * PackedGroup<T>());
            for (var g = 0; g < T.G; g++)
                Sgemm.PackAll(true, ColRows<T>(), KG<T>(), w + (long)g * KG<T>() * ColRows<T>(), ColRows<T>(), packedWt + (long)g * PackedGroup<T>());
        }
        var job = new BackwardJob<T> { X = x, Wt = packedWt, DY = dy, DX = dx, DW = dw, Partials = partials, Parts = parts, N = n };
        WorkerPool.Run(ref job, parts);
        if (dw != null)
            for (var p = 1; p < parts; p++) KernelMath.Add(dw, partials + (long)(p - 1) * WeightSize<T>(), WeightSize<T>());
    }

    private static int InputSize<T>() where T : struct, IConv2DShape => T.C * T.H * T.W;
    private static int OutputSize<T>() where T : struct, IConv2DShape => T.K * Positions<T>();
    private static int Positions<T>() where T : struct, IConv2DShape => T.OH * T.OW;
    private static int CG<T>() where T : struct, IConv2DShape => T.C / T.G;
    private static int KG<T>() where T : struct, IConv2DShape => T.K / T.G;
    private static int ColRows<T>() where T : struct, IConv2DShape => CG<T>() * T.KH * T.KW;
    private static int WeightSize<T>() where T : struct, IConv2DShape => T.K * ColRows<T>();
    private static int ColSize<T>() where T : struct, IConv2DShape => ColRows<T>() * Positions<T>();

    // Floats of one group's packed weights (w_g or w_gᵀ; both round KG or CF up to MR).
    private static int PackedGroup<T>() where T : struct, IConv2DShape =>
        Math.Max(Sgemm.PackedASize(KG<T>(), ColRows<T>()), Sgemm.PackedASize(ColRows<T>(), KG<T>()));

    // A 1×1 kernel with unit stride and no padding reads x itself as its col matrix.
    private static bool IsPointwise<T>() where T : struct, IConv2DShape =>
        T.KH == 1 && T.KW == 1 && T.SH == 1 && T.SW == 1 && T.PadTop == 0 && T.PadLeft == 0 && T.OH == T.H && T.OW == T.W;

    private static int Parts<T>(int n) where T : struct, IConv2DShape =>
        (long)n * WeightSize<T>() * Positions<T>() >= ParallelThreshold ? Math.Min(n, WorkerPool.Degree) : 1;

    // Samples [first, end) of part `part` out of `parts` over a batch of n.
    private static (int First, int End) Range(int part, int parts, int n) => (part * n / parts, (part + 1) * n / parts);

    // Group g's first channel of a sample x (C, H, W).
    private static float* GroupInput<T>(float* xs, int g) where T : struct, IConv2DShape => xs + (long)g * CG<T>() * T.H * T.W;

    private struct ForwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, B, Y;   // x (N, C, H, W), w_g (KG, CF) packed by Sgemm.PackAll per group, b (K) or null, y (N, K, P)
        public int N, Parts;

        public readonly void Reserve(Scratch scratch) => scratch.Col(ColSize<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var (first, end) = Range(part, Parts, N);
            var buffer = scratch.Col(ColSize<T>());   // col_g is (CF, P)
            for (var s = first; s < end; s++)
            {
                var xs = X + (long)s * InputSize<T>();
                var ys = Y + (long)s * OutputSize<T>();   // y_s is (K, P)
                if (B != null) KernelMath.FillRows(ys, B, T.K, Positions<T>());
                for (var g = 0; g < T.G; g++)
                {
                    var col = IsPointwise<T>() ? GroupInput<T>(xs, g) : buffer;
                    if (!IsPointwise<T>()) Im2Col<T>(GroupInput<T>(xs, g), col);
                    var yg = ys + (long)g * KG<T>() * Positions<T>();   // y_g is (KG, P)
                    Sgemm.Multiply(false, false, KG<T>(), Positions<T>(), ColRows<T>(), null, ColRows<T>(), col, Positions<T>(),
                        yg, Positions<T>(), accumulate: B != null, packedA: W + (long)g * PackedGroup<T>());
                }
            }
        }
    }

    private struct BackwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        // wᵀ_g (CF, KG) packed per group (null without dx); dx (N, C, H, W) or null; dw (K, CF) or null; partials (Parts − 1, K, CF)
        public float* X, Wt, DY, DX, DW, Partials;
        public int N, Parts;

        public readonly void Reserve(Scratch scratch) => scratch.Col(2 * ColSize<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var (first, end) = Range(part, Parts, N);
            var buffer = scratch.Col(2 * ColSize<T>());   // col_g is (CF, P)
            var dcol = buffer + ColSize<T>();             // dcol is (CF, P)
            var dw = DW == null ? null : part == 0 ? DW : Partials + (long)(part - 1) * WeightSize<T>();
            for (var s = first; s < end; s++)
                for (var g = 0; g < T.G; g++)
                {
                    var xg = GroupInput<T>(X + (long)s * InputSize<T>(), g);
                    var dyg = DY + (long)s * OutputSize<T>() + (long)g * KG<T>() * Positions<T>();   // dy_g is (KG, P)
                    if (dw != null)
                    {
                        var col = IsPointwise<T>() ? xg : buffer;
                        if (!IsPointwise<T>()) Im2Col<T>(xg, col);
                        var dwg = dw + (long)g * KG<T>() * ColRows<T>();   // dw_g is (KG, CF)
                        if (KG<T>() < Sgemm.MR)
                            NarrowTimesTransposed(KG<T>(), ColRows<T>(), Positions<T>(), dyg, col, dwg, accumulate: part == 0 || s > first);
                        else
                            Sgemm.Multiply(false, true, KG<T>(), ColRows<T>(), Positions<T>(), dyg, Positions<T>(), col, Positions<T>(),
                                dwg, ColRows<T>(), accumulate: part == 0 || s > first);
                    }
                    if (DX == null) continue;
                    var dxg = GroupInput<T>(DX + (long)s * InputSize<T>(), g);
                    // dcol (CF, P) = w_gᵀ · dy_g; a pointwise kernel's dcol is dx_g itself.
                    var target = IsPointwise<T>() ? dxg : dcol;
                    Sgemm.Multiply(true, false, ColRows<T>(), Positions<T>(), KG<T>(), null, KG<T>(), dyg, Positions<T>(),
                        target, Positions<T>(), accumulate: false, packedA: Wt + (long)g * PackedGroup<T>());
                    if (!IsPointwise<T>()) Col2Im<T>(dcol, dxg);
                }
        }
    }

    /// <summary>
    /// c (M, R) = a (M, P) · bᵀ for b (R, P), or c += it when <paramref name="accumulate"/>: dot products
    /// along P, four rows of a per pass over a row of b. For the few filters per group of a grouped
    /// convolution, where the GEMM's MR-row tiles would mostly hold padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTimesTransposed(int m, int r, int p, float* a, float* b, float* c, bool accumulate)
    {
        var sums = stackalloc float[4];
        for (var row = 0; row < r; row++)
        {
            var bRow = b + (long)row * p;   // one row of b, (P)
            for (var k = 0; k < m; k += 4)
            {
                var rows = Math.Min(4, m - k);
                KernelMath.Dots4(a + (long)k * p, p, bRow, rows, sums);
                for (var t = 0; t < rows; t++)
                {
                    var target = c + (long)(k + t) * r + row;
                    *target = accumulate ? *target + sums[t] : sums[t];
                }
            }
        }
    }

    // Output columns ow whose input column ow·SW + j·DW − PadLeft lies in [0, W): [lo, hi).
    internal static (int Lo, int Hi) ValidColumns<T>(int j) where T : struct, IConv2DShape
    {
        var lead = T.PadLeft - j * T.DW;   // input column of ow = 0 is −lead
        var lo = lead <= 0 ? 0 : (lead + T.SW - 1) / T.SW;
        var last = T.W - 1 + lead;  // ow·SW ≤ last
        var hi = last < 0 ? 0 : Math.Min(T.OW, last / T.SW + 1);
        return (Math.Min(lo, hi), hi);
    }

    /// <summary>col (CF, P) of one group's channels x (CG, H, W); taps over padding read zero.</summary>
    internal static void Im2Col<T>(float* x, float* col) where T : struct, IConv2DShape => WalkTaps<T, Gather>(x, col);

    /// <summary>dx (CG, H, W) = Σ of each dcol (CF, P) entry at the input cell its tap read (overwrites dx).</summary>
    internal static void Col2Im<T>(float* dcol, float* dx) where T : struct, IConv2DShape
    {
        new Span<float>(dx, CG<T>() * T.H * T.W).Clear();
        WalkTaps<T, Scatter>(dx, dcol);
    }

    /// <summary>
    /// Visits every (tap, output row) of the im2col matrix: row (c, i, j) of col, output row oh. When
    /// input row ih is inside the plane, <typeparamref name="TRow"/> gets the input row shifted so that
    /// element ow·SW pairs with col element ow, and the valid columns [lo, hi); otherwise it is told the
    /// row lies in padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WalkTaps<T, TRow>(float* x, float* col) where T : struct, IConv2DShape where TRow : struct, IColumnRow
    {
        for (var c = 0; c < CG<T>(); c++)
            for (var i = 0; i < T.KH; i++)
                for (var j = 0; j < T.KW; j++)
                {
                    var row = col + (long)((c * T.KH + i) * T.KW + j) * Positions<T>();   // one row of col, (OH, OW)
                    var (lo, hi) = ValidColumns<T>(j);
                    for (var oh = 0; oh < T.OH; oh++, row += T.OW)
                    {
                        var ih = oh * T.SH + i * T.DH - T.PadTop;
                        if ((uint)ih >= (uint)T.H || lo == hi) TRow.Padding(row, T.OW);
                        else TRow.Row(x + (c * T.H + ih) * T.W - T.PadLeft + j * T.DW, row, lo, hi, T.SW, T.OW);   // x[ow·SW] is x[c, ih, ow·SW + j·DW − PadLeft]
                    }
                }
    }

    private interface IColumnRow
    {
        static abstract void Padding(float* colRow, int width);
        static abstract void Row(float* x, float* colRow, int lo, int hi, int stride, int width);
    }

    // im2col: col row = the input values, zeros over padding.
    private readonly struct Gather : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Padding(float* colRow, int width) => KernelMath.ClearShort(colRow, width);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(float* x, float* colRow, int lo, int hi, int stride, int width)
        {
            for (var ow = 0; ow < lo; ow++) colRow[ow] = 0;
            if (stride == 1) KernelMath.CopyShort(x + lo, colRow + lo, hi - lo);
            else for (var ow = lo; ow < hi; ow++) colRow[ow] = x[ow * stride];
            for (var ow = hi; ow < width; ow++) colRow[ow] = 0;
        }
    }

    // col2im: the input gradient gathers each col entry; entries over padding are dropped.
    private readonly struct Scatter : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Padding(float* colRow, int width) { }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(float* dx, float* colRow, int lo, int hi, int stride, int width)
        {
            if (stride == 1) KernelMath.AddShort(dx + lo, colRow + lo, hi - lo);
            else for (var ow = lo; ow < hi; ow++) dx[ow * stride] += colRow[ow];
        }
    }
}
