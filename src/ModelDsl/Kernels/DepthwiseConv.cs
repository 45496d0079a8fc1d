using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Depthwise convolution (G = C = K): channel c has its own kernel w[c] (KH, KW) applied to plane c.
// Dimension legend as in Conv2D, plus HP×WP, the padded plane that covers every tap:
//   HP = (OH − 1)·SH + (KH − 1)·DH + 1,  WP = (OW − 1)·SW + (KW − 1)·DW + 1,
//   xp[r, q] = x[r − PadTop, q − PadLeft], zero outside x.
// With every plane copied into xp there are no bounds checks left:
//   forward   y[oh, ow] = b + Σ_{i, j} w[i, j] · xp[oh·SH + i·DH, ow·SW + j·DW]   (taps in order i, j)
//   backward  dxp[oh·SH + i·DH, ow·SW + j·DW] += w[i, j] · dy[oh, ow], dx = the x window of dxp
//             dw[i, j] += Σ_{oh, ow} dy[oh, ow] · xp[oh·SH + i·DH, ow·SW + j·DW]
// With unit stride (and no more padding than the kernel reaches) dx is itself a depthwise correlation:
//   dx[ih, iw] = Σ_{i, j} w[KH − 1 − i, KW − 1 − j] · dy[ih − PT' + i·DH, iw − PL' + j·DW],
//   PT' = (KH − 1)·DH − PadTop, PL' = (KW − 1)·DW − PadLeft,
// the forward of Flipped<T> with the kernels reversed, which keeps its sums in registers.
// Forward splits the N·C planes across parts; backward splits the channels, each part running the
// samples of its channels in order, so dw needs no partial sums and never depends on thread timing.

/// <summary>The direct, vectorized path of <see cref="Conv2D"/> for depthwise shapes.</summary>
internal static unsafe class DepthwiseConv
{
    // Below this many multiply-adds a depthwise convolution runs on the calling thread only.
    private const long ParallelThreshold = 1L << 20;

    /// <summary>True when every group holds one input and one output channel.</summary>
    public static bool Applies<T>() where T : struct, IConv2DShape => T.G == T.C && T.G == T.K;

    /// <summary>y (N, C, OH, OW) = x (N, C, H, W) ⋆ w (C, KH, KW) + b (C, or null), stored as max(0, ·) when <paramref name="relu"/>.</summary>
    public static void Forward<T>(float* x, float* w, float* b, float* y, int n, bool relu = false) where T : struct, IConv2DShape
    {
        var job = new ForwardJob<T> { X = x, W = w, B = b, Y = y, Planes = n * T.C, Parts = Parts<T>(n, n * T.C), Relu = relu };
        WorkerPool.Run(ref job, job.Parts);
    }

    /// <summary>dx (N, C, H, W) overwritten (skipped when null), dw (C, KH, KW) += (skipped when null).</summary>
    public static void Backward<T>(float* x, float* w, float* dy, float* dx, float* dw, int n) where T : struct, IConv2DShape
    {
        if (dx != null && T.SH == 1 && T.SW == 1 && T.PadTop <= (T.KH - 1) * T.DH && T.PadLeft <= (T.KW - 1) * T.DW)
        {
            // flipped is w (C, KH, KW) with each kernel reversed in both directions.
            var flipped = WorkerPool.ThreadScratch.PackedWeights(T.C * Taps<T>());
            for (var c = 0; c < T.C; c++)
                for (var t = 0; t < Taps<T>(); t++) flipped[c * Taps<T>() + t] = w[c * Taps<T>() + Taps<T>() - 1 - t];
            Forward<Flipped<T>>(dy, flipped, null, dx, n);
            dx = null;
        }
        if (dx == null && dw == null) return;
        var job = new BackwardJob<T> { X = x, W = w, DY = dy, DX = dx, DW = dw, N = n, Parts = Parts<T>(n, T.C) };
        WorkerPool.Run(ref job, job.Parts);
    }

    private static int HP<T>() where T : struct, IConv2DShape => (T.OH - 1) * T.SH + (T.KH - 1) * T.DH + 1;
    private static int WP<T>() where T : struct, IConv2DShape => (T.OW - 1) * T.SW + (T.KW - 1) * T.DW + 1;
    private static int Taps<T>() where T : struct, IConv2DShape => T.KH * T.KW;
    private static int PlaneIn<T>() where T : struct, IConv2DShape => T.H * T.W;
    private static int PlaneOut<T>() where T : struct, IConv2DShape => T.OH * T.OW;

    private static int Parts<T>(int n, int units) where T : struct, IConv2DShape =>
        (long)n * T.C * PlaneOut<T>() * Taps<T>() >= ParallelThreshold ? Math.Min(units, WorkerPool.Degree) : 1;

    // Rows [PadTop, RowEnd) and columns [PadLeft, ColumnEnd) of xp hold x; the rest is zero.
    private static int RowEnd<T>() where T : struct, IConv2DShape => Math.Min(HP<T>(), T.PadTop + T.H);
    private static int ColumnEnd<T>() where T : struct, IConv2DShape => Math.Min(WP<T>(), T.PadLeft + T.W);

    /// <summary>Copies plane x (H, W) into the x window of xp (HP, WP), whose border is already zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pad<T>(float* x, float* xp) where T : struct, IConv2DShape
    {
        var width = ColumnEnd<T>() - T.PadLeft;
        for (var r = T.PadTop; r < RowEnd<T>(); r++)
            KernelMath.CopyShort(x + (r - T.PadTop) * T.W, xp + r * WP<T>() + T.PadLeft, width);
    }

    /// <summary>dx (H, W) = the x window of dxp (HP, WP); cells no tap reaches get zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Crop<T>(float* dxp, float* dx) where T : struct, IConv2DShape
    {
        var width = Math.Max(0, ColumnEnd<T>() - T.PadLeft);
        for (var ih = 0; ih < T.H; ih++)
        {
            var row = dx + ih * T.W;   // one row of dx, (W)
            var r = ih + T.PadTop;
            var copied = r < HP<T>() ? width : 0;
            if (copied > 0) KernelMath.CopyShort(dxp + r * WP<T>() + T.PadLeft, row, copied);
            KernelMath.ClearShort(row + copied, T.W - copied);
        }
    }

    private struct ForwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, B, Y;   // x (N, C, H, W), w (C, KH, KW), b (C) or null, y (N, C, OH, OW)
        public int Planes, Parts;
        public bool Relu;   // y = max(0, ·)

        public readonly void Reserve(Scratch scratch) => scratch.Col(HP<T>() * WP<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var xp = scratch.Col(HP<T>() * WP<T>());   // xp is (HP, WP)
            new Span<float>(xp, HP<T>() * WP<T>()).Clear();
            for (var plane = part * Planes / Parts; plane < (part + 1) * Planes / Parts; plane++)
            {
                var c = plane % T.C;
                Pad<T>(X + (long)plane * PlaneIn<T>(), xp);
                var w = W + c * Taps<T>();
                var bias = B == null ? 0 : B[c];
                var y = Y + (long)plane * PlaneOut<T>();
                if (Relu) ForwardPlane<T, On>(xp, w, bias, y);
                else ForwardPlane<T, Off>(xp, w, bias, y);
            }
        }
    }

    /// <summary>y (OH, OW) = bias + Σ over taps of w (KH, KW) times the shifted xp (HP, WP), then max(0, ·) when <typeparamref name="TRelu"/> is on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane<T, TRelu>(float* xp, float* w, float bias, float* y) where T : struct, IConv2DShape where TRelu : struct, IFlag
    {
        for (var oh = 0; oh < T.OH; oh++)
        {
            var top = xp + oh * T.SH * WP<T>();   // xp row of tap row 0
            var row = y + oh * T.OW;              // one row of y, (OW)
            var ow = 0;
            if (T.SW == 1)
            {
                for (; ow <= T.OW - 32; ow += 32) Block<T, Four, TRelu>(top + ow, w, bias, row + ow);
                for (; ow <= T.OW - 8; ow += 8) Block<T, One, TRelu>(top + ow, w, bias, row + ow);
            }
            for (; ow < T.OW; ow++)
            {
                var acc = bias;
                for (var i = 0; i < T.KH; i++)
                    for (var j = 0; j < T.KW; j++)
                        acc = MathF.FusedMultiplyAdd(w[i * T.KW + j], top[i * T.DH * WP<T>() + ow * T.SW + j * T.DW], acc);
                row[ow] = TRelu.Value ? Sgemm.Relu(acc) : acc;
            }
        }
    }

    private interface IBlockWidth { static abstract bool Wide { get; } }
    private readonly struct One : IBlockWidth { public static bool Wide => false; }
    private readonly struct Four : IBlockWidth { public static bool Wide => true; }

    /// <summary>8 (or 32, four independent accumulators) unit-stride outputs y[0..) from xp at p, taps in order i, j;
    /// stored as max(0, ·) when <typeparamref name="TRelu"/> is on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T, TWidth, TRelu>(float* p, float* w, float bias, float* y)
        where T : struct, IConv2DShape where TWidth : struct, IBlockWidth where TRelu : struct, IFlag
    {
        var a0 = Vector256.Create(bias);
        var a1 = a0;
        var a2 = a0;
        var a3 = a0;
        for (var i = 0; i < T.KH; i++)
        {
            var q = p + i * T.DH * WP<T>();
            for (var j = 0; j < T.KW; j++, q += T.DW)
            {
                var wv = Vector256.Create(w[i * T.KW + j]);
                a0 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(q), a0);
                if (!TWidth.Wide) continue;
                a1 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(q + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(q + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(q + 24), a3);
            }
        }
        if (TRelu.Value) a0 = Vector256.Max(a0, Vector256<float>.Zero);
        a0.Store(y);
        if (!TWidth.Wide) return;
        if (TRelu.Value)
        {
            a1 = Vector256.Max(a1, Vector256<float>.Zero);
            a2 = Vector256.Max(a2, Vector256<float>.Zero);
            a3 = Vector256.Max(a3, Vector256<float>.Zero);
        }
        a1.Store(y + 8);
        a2.Store(y + 16);
        a3.Store(y + 24);
    }

    private struct BackwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, DY, DX, DW;   // x (N, C, H, W), w (C, KH, KW), dy (N, C, OH, OW), dx (N, C, H, W) or null, dw (C, KH, KW) or null
        public int N, Parts;

        public readonly void Reserve(Scratch scratch) => scratch.Col(2 * HP<T>() * WP<T>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var xp = scratch.Col(2 * HP<T>() * WP<T>());   // xp is (HP, WP)
            var dxp = xp + HP<T>() * WP<T>();               // dxp is (HP, WP)
            new Span<float>(xp, HP<T>() * WP<T>()).Clear();
            for (var c = part * T.C / Parts; c < (part + 1) * T.C / Parts; c++)
                for (var s = 0; s < N; s++)
                {
                    var plane = (long)s * T.C + c;
                    var dy = DY + plane * PlaneOut<T>();
                    if (DW != null)
                    {
                        Pad<T>(X + plane * PlaneIn<T>(), xp);
                        WeightPlane<T>(xp, dy, DW + c * Taps<T>());
                    }
                    if (DX == null) continue;
                    new Span<float>(dxp, HP<T>() * WP<T>()).Clear();
                    InputPlane<T>(dxp, W + c * Taps<T>(), dy);
                    Crop<T>(dxp, DX + plane * PlaneIn<T>());
                }
        }
    }

    /// <summary>dw (KH, KW) += Σ dy (OH, OW) ⊙ the xp (HP, WP) window of each tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightPlane<T>(float* xp, float* dy, float* dw) where T : struct, IConv2DShape
    {
        for (var i = 0; i < T.KH; i++)
            for (var j = 0; j < T.KW; j++)
            {
                var sum = 0f;
                for (var oh = 0; oh < T.OH; oh++)
                {
                    var q = xp + (oh * T.SH + i * T.DH) * WP<T>() + j * T.DW;   // xp under output row oh
                    var g = dy + oh * T.OW;                                      // one row of dy, (OW)
                    if (T.SW == 1) sum += KernelMath.DotShort(g, q, T.OW);
                    else for (var ow = 0; ow < T.OW; ow++) sum = MathF.FusedMultiplyAdd(g[ow], q[ow * T.SW], sum);
                }
                dw[i * T.KW + j] += sum;
            }
    }

    /// <summary>dxp (HP, WP) += every dy (OH, OW) value times w (KH, KW), at the cells its taps read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputPlane<T>(float* dxp, float* w, float* dy) where T : struct, IConv2DShape
    {
        for (var oh = 0; oh < T.OH; oh++)
        {
            var g = dy + oh * T.OW;   // one row of dy, (OW)
            for (var i = 0; i < T.KH; i++)
                for (var j = 0; j < T.KW; j++)
                {
                    var q = dxp + (oh * T.SH + i * T.DH) * WP<T>() + j * T.DW;   // dxp under output row oh
                    var wv = w[i * T.KW + j];
                    if (T.SW == 1) KernelMath.AxpyShort(q, g, wv, T.OW);
                    else for (var ow = 0; ow < T.OW; ow++) q[ow * T.SW] = MathF.FusedMultiplyAdd(wv, g[ow], q[ow * T.SW]);
                }
        }
    }
}
