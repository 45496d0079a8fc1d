using System.Runtime.CompilerServices;
namespace ModelDsl.Kernels;

// Dimension legend: N batch, C input channels, H×W input, K filters, KH×KW kernel, SH×SW stride,
// PadTop/PadLeft leading zeros, OH×OW output, P = OH·OW output positions, CF = C·KH·KW.
// Each sample is lowered to a GEMM: its im2col matrix col (CF, P) holds in row (c, i, j) the input
// value under kernel tap (i, j) of channel c for every output position, so
//   forward   y_n (K, P)  = w (K, CF) · col_n (CF, P) + b
//   backward  dw (K, CF) += dy_n (K, P) · col_nᵀ,   dcol (CF, P) = wᵀ · dy_n,  dx_n = col2im(dcol).
// The batch is split into fixed contiguous ranges, one per part; weight gradients of part 0 go
// straight into dw, those of the other parts into partial buffers added in part order afterwards,
// so the result does not depend on thread timing.

/// <summary>2-D convolution (cross-correlation, as PyTorch), forward and backward.</summary>
public static unsafe class Conv2D
{
    // Below this many multiply-adds a convolution runs on the calling thread only.
    private const long ParallelThreshold = 1L << 21;

    /// <summary>y (N, K, OH, OW) = x (N, C, H, W) ⋆ w (K, C, KH, KW) + b (K); b empty when the layer has no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(x.Length, (long)n * InputSize<T>(), nameof(x));
        KernelMath.Require(w.Length, (long)T.K * ColRows<T>(), nameof(w));
        KernelMath.RequireOptional(b.Length, T.K, nameof(b));
        KernelMath.Require(y.Length, (long)n * T.K * Positions<T>(), nameof(y));
        if (n == 0) return;
        fixed (float* px = x, pw = w, pb = b, py = y)
        {
            // packedW is w (K, CF) packed once for every sample's GEMM.
            var packedW = WorkerPool.ThreadScratch.PackedWeights(Sgemm.PackedASize(T.K, ColRows<T>()));
            Sgemm.PackAll(false, T.K, ColRows<T>(), pw, ColRows<T>(), packedW);
            var job = new ForwardJob<T> { X = px, W = packedW, B = pb, Y = py, Parts = Parts<T>(n), N = n };
            WorkerPool.Run(ref job, job.Parts);
        }
    }

    /// <summary>From dy (N, K, OH, OW): dx = ∂/∂x (overwritten; skipped when empty), dw += ∂/∂w, db += ∂/∂b (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(x.Length, (long)n * InputSize<T>(), nameof(x));
        KernelMath.Require(w.Length, (long)T.K * ColRows<T>(), nameof(w));
        KernelMath.Require(dy.Length, (long)n * T.K * Positions<T>(), nameof(dy));
        KernelMath.RequireOptional(dx.Length, (long)n * InputSize<T>(), nameof(dx));
        KernelMath.Require(dw.Length, (long)T.K * ColRows<T>(), nameof(dw));
        KernelMath.RequireOptional(db.Length, T.K, nameof(db));
        if (n == 0) return;
        var parts = Parts<T>(n);
        var wSize = T.K * ColRows<T>();
        fixed (float* px = x, pw = w, pdy = dy, pdx = dx, pdw = dw, pdb = db)
        {
            // partials is (parts − 1, K, CF): the weight gradients of parts 1, 2, ….
            var partials = WorkerPool.ThreadScratch.Partials((parts - 1) * wSize);
            // packedWt is wᵀ (CF, K) packed once for every sample's dcol GEMM.
            float* packedWt = null;
            if (pdx != null)
            {
                packedWt = WorkerPool.ThreadScratch.PackedWeights(Sgemm.PackedASize(ColRows<T>(), T.K));
                Sgemm.PackAll(true, ColRows<T>(), T.K, pw, ColRows<T>(), packedWt);
            }
            var job = new BackwardJob<T> { X = px, Wt = packedWt, DY = pdy, DX = pdx, DW = pdw, Partials = partials, Parts = parts, N = n };
            WorkerPool.Run(ref job, parts);
            for (var p = 1; p < parts; p++) KernelMath.Add(pdw, partials + (long)(p - 1) * wSize, wSize);
            if (pdb != null) BiasBackward<T>(pdy, pdb, n);
        }
    }

    private static int InputSize<T>() where T : struct, IConv2DShape => T.C * T.H * T.W;
    private static int Positions<T>() where T : struct, IConv2DShape => T.OH * T.OW;
    private static int ColRows<T>() where T : struct, IConv2DShape => T.C * T.KH * T.KW;

    // A 1×1 kernel with unit stride and no padding reads x itself as its col matrix.
    private static bool IsPointwise<T>() where T : struct, IConv2DShape =>
        T.KH == 1 && T.KW == 1 && T.SH == 1 && T.SW == 1 && T.PadTop == 0 && T.PadLeft == 0 && T.OH == T.H && T.OW == T.W;

    private static int Parts<T>(int n) where T : struct, IConv2DShape =>
        (long)n * T.K * ColRows<T>() * Positions<T>() >= ParallelThreshold ? Math.Min(n, WorkerPool.Degree) : 1;

    // Samples [first, end) of part `part` out of `parts` over a batch of n.
    private static (int First, int End) Range(int part, int parts, int n) => (part * n / parts, (part + 1) * n / parts);

    private struct ForwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, B, Y;   // x (N, C, H, W), w (K, CF) packed by Sgemm.PackAll, b (K) or null, y (N, K, P)
        public int N, Parts;

        public readonly void Reserve(Scratch scratch) => scratch.Col(ColRows<T>() * Positions<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var (first, end) = Range(part, Parts, N);
            var col = scratch.Col(ColRows<T>() * Positions<T>());   // col is (CF, P)
            for (var s = first; s < end; s++)
            {
                var xs = X + (long)s * InputSize<T>();
                var ys = Y + (long)s * T.K * Positions<T>();        // y_s is (K, P)
                if (IsPointwise<T>()) col = xs;
                else Im2Col<T>(xs, col);
                if (B != null) KernelMath.FillRows(ys, B, T.K, Positions<T>());
                Sgemm.Multiply(false, false, T.K, Positions<T>(), ColRows<T>(), null, ColRows<T>(), col, Positions<T>(),
                    ys, Positions<T>(), accumulate: B != null, packedA: W);
            }
        }
    }

    private struct BackwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, Wt, DY, DX, DW, Partials;   // wᵀ (CF, K) packed by Sgemm.PackAll; dx (N, C, H, W) or null; dw (K, CF); partials (Parts − 1, K, CF)
        public int N, Parts;

        public readonly void Reserve(Scratch scratch) => scratch.Col(2 * ColRows<T>() * Positions<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var (first, end) = Range(part, Parts, N);
            var cp = ColRows<T>() * Positions<T>();
            var col = scratch.Col(2 * cp);   // col is (CF, P)
            var dcol = col + cp;             // dcol is (CF, P)
            var dw = part == 0 ? DW : Partials + (long)(part - 1) * T.K * ColRows<T>();
            for (var s = first; s < end; s++)
            {
                var xs = X + (long)s * InputSize<T>();
                var dys = DY + (long)s * T.K * Positions<T>();   // dy_s is (K, P)
                if (IsPointwise<T>()) col = xs;
                else Im2Col<T>(xs, col);
                Sgemm.Multiply(false, true, T.K, ColRows<T>(), Positions<T>(), dys, Positions<T>(), col, Positions<T>(),
                    dw, ColRows<T>(), accumulate: part == 0 || s > first);
                if (DX == null) continue;
                var dxs = DX + (long)s * InputSize<T>();
                // dcol (CF, P) = wᵀ · dy_s; a pointwise kernel's dcol is dx_s itself.
                var target = IsPointwise<T>() ? dxs : dcol;
                Sgemm.Multiply(true, false, ColRows<T>(), Positions<T>(), T.K, null, T.K, dys, Positions<T>(),
                    target, Positions<T>(), accumulate: false, packedA: Wt);
                if (!IsPointwise<T>()) Col2Im<T>(dcol, dxs);
            }
        }
    }

    // db[k] += Σ_n Σ_p dy[n, k, p], samples in order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BiasBackward<T>(float* dy, float* db, int n) where T : struct, IConv2DShape
    {
        for (var s = 0; s < n; s++)
            for (var k = 0; k < T.K; k++)
                db[k] += KernelMath.Sum(dy + ((long)s * T.K + k) * Positions<T>(), Positions<T>());
    }

    // Output columns ow whose input column ow·SW + j − PadLeft lies in [0, W): [lo, hi).
    private static (int Lo, int Hi) ValidColumns<T>(int j) where T : struct, IConv2DShape
    {
        var lead = T.PadLeft - j;   // input column of ow = 0 is −lead
        var lo = lead <= 0 ? 0 : (lead + T.SW - 1) / T.SW;
        var last = T.W - 1 + lead;  // ow·SW ≤ last
        var hi = last < 0 ? 0 : Math.Min(T.OW, last / T.SW + 1);
        return (Math.Min(lo, hi), hi);
    }

    /// <summary>col (CF, P) of one sample x (C, H, W); taps over padding read zero.</summary>
    internal static void Im2Col<T>(float* x, float* col) where T : struct, IConv2DShape => WalkTaps<T, Gather>(x, col);

    /// <summary>dx (C, H, W) = Σ of each dcol (CF, P) entry at the input cell its tap read (overwrites dx).</summary>
    internal static void Col2Im<T>(float* dcol, float* dx) where T : struct, IConv2DShape
    {
        new Span<float>(dx, InputSize<T>()).Clear();
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
        for (var c = 0; c < T.C; c++)
            for (var i = 0; i < T.KH; i++)
                for (var j = 0; j < T.KW; j++)
                {
                    var row = col + (long)((c * T.KH + i) * T.KW + j) * Positions<T>();   // one row of col, (OH, OW)
                    var (lo, hi) = ValidColumns<T>(j);
                    for (var oh = 0; oh < T.OH; oh++, row += T.OW)
                    {
                        var ih = oh * T.SH + i - T.PadTop;
                        if ((uint)ih >= (uint)T.H || lo == hi) TRow.Padding(row, T.OW);
                        else TRow.Row(x + (c * T.H + ih) * T.W - T.PadLeft + j, row, lo, hi, T.SW, T.OW);   // x[ow·SW] is x[c, ih, ow·SW + j − PadLeft]
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
