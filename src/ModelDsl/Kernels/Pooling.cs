using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

// Dimension legend: N batch, C channels, H×W input plane, KH×KW window, SH×SW stride,
// PadTop/PadLeft leading padding, OH×OW output plane. Every (n, c) plane is pooled on its own (large
// batches split the planes across threads); a window is clipped to the cells inside [0, H)×[0, W),
// so padding is never read.

/// <summary>Max pooling, forward and backward. Padded cells never win.</summary>
public static unsafe class MaxPool2D
{
    /// <summary>y (N, C, OH, OW) = window maxima of x; argmax (N, C, OH, OW) saves the winner's index within its input plane (H·W) for backward.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(x.Length, y.Length, n, argmax.Length);
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
            PoolShape.RunPlanes<T, ForwardPlanes<T>>(new PoolBuffers(px, py, pa), n);
    }

    /// <summary>dx (N, C, H, W) (overwritten) receives each dy at its window's argmax.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(dx.Length, dy.Length, n, argmax.Length);
        fixed (float* pdx = dx, pdy = dy)
        fixed (int* pa = argmax)
            PoolShape.RunPlanes<T, BackwardPlanes<T>>(new PoolBuffers(pdx, pdy, pa), n);
    }

    private readonly struct ForwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // x (planes, H, W) → y (planes, OH, OW), argmax (planes, OH, OW) as indices into (H, W).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var xp = b.Input + (long)plane * T.H * T.W;
            var yp = b.Output + (long)plane * T.OH * T.OW;
            var ap = b.Argmax + (long)plane * T.OH * T.OW;
            if (T.KH == 2 && T.KW == 2 && T.SH == 2 && T.SW == 2 && T.PadTop == 0 && T.PadLeft == 0
                && 2 * T.OH <= T.H && 2 * T.OW <= T.W)
            {
                Run2x2(xp, yp, ap);
                return;
            }
            for (var oh = 0; oh < T.OH; oh++)
            {
                var (h0, h1) = PoolShape.Rows<T>(oh);
                for (var ow = 0; ow < T.OW; ow++)
                {
                    var (w0, w1) = PoolShape.Columns<T>(ow);
                    // A window with no cell inside the plane (excluded by the shape rules) gives 0 and argmax −1.
                    var best = 0f;
                    var arg = -1;
                    for (var ih = h0; ih < h1; ih++)
                        for (var iw = w0; iw < w1; iw++)
                            if (arg < 0 || Beats(xp[ih * T.W + iw], best))
                            {
                                best = xp[ih * T.W + iw];
                                arg = ih * T.W + iw;
                            }
                    yp[oh * T.OW + ow] = best;
                    ap[oh * T.OW + ow] = arg;
                }
            }
        }

        // The common 2×2, stride 2, unpadded window: same visiting order as the general loop, unrolled.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Run2x2(float* xp, float* yp, int* ap)
        {
            for (var oh = 0; oh < T.OH; oh++)
            {
                var top = 2 * oh * T.W;   // index of the window's top-left cell in (H, W)
                var ow = 0;
                if (Avx2.IsSupported)
                {
                    for (; ow + 8 <= T.OW; ow += 8, top += 16) Run2x2Eight(xp, top, yp + oh * T.OW + ow, ap + oh * T.OW + ow, four: false);
                    if (ow + 4 <= T.OW)
                    {
                        Run2x2Eight(xp, top, yp + oh * T.OW + ow, ap + oh * T.OW + ow, four: true);
                        ow += 4;
                        top += 8;
                    }
                }
                for (; ow < T.OW; ow++, top += 2)
                {
                    var best = xp[top];
                    var arg = top;
                    if (Beats(xp[top + 1], best)) { best = xp[top + 1]; arg = top + 1; }
                    if (Beats(xp[top + T.W], best)) { best = xp[top + T.W]; arg = top + T.W; }
                    if (Beats(xp[top + T.W + 1], best)) { best = xp[top + T.W + 1]; arg = top + T.W + 1; }
                    yp[oh * T.OW + ow] = best;
                    ap[oh * T.OW + ow] = arg;
                }
            }
        }

        // Eight windows side by side (input columns top…top + 15 of two rows), compared in the scalar
        // order: top-left, top-right, bottom-left, bottom-right. Even and odd columns are gathered per
        // 128-bit lane, so the results come out in column order 0 1 4 5 2 3 6 7 until the final permute.
        // With four, only columns top…top + 7 are read (the second half repeats the first) and the first
        // four windows are stored.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Run2x2Eight(float* xp, int top, float* y, int* arg, bool four)
        {
            var up0 = Avx.LoadVector256(xp + top);
            var down0 = Avx.LoadVector256(xp + top + T.W);
            var up1 = four ? up0 : Avx.LoadVector256(xp + top + 8);
            var down1 = four ? down0 : Avx.LoadVector256(xp + top + T.W + 8);
            var best = Avx.Shuffle(up0, up1, 0b10_00_10_00);    // top-left cells
            var index = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14) + Vector256.Create(top);
            var winner = index;
            Take(Avx.Shuffle(up0, up1, 0b11_01_11_01), index + Vector256<int>.One, ref best, ref winner);
            Take(Avx.Shuffle(down0, down1, 0b10_00_10_00), index + Vector256.Create(T.W), ref best, ref winner);
            Take(Avx.Shuffle(down0, down1, 0b11_01_11_01), index + Vector256.Create(T.W + 1), ref best, ref winner);
            var values = Avx2.Permute4x64(best.AsDouble(), 0b11_01_10_00).AsSingle();
            var indices = Avx2.Permute4x64(winner.AsInt64(), 0b11_01_10_00).AsInt32();
            if (four)
            {
                Sse.Store(y, values.GetLower());
                Sse2.Store(arg, indices.GetLower());
                return;
            }
            Avx.Store(y, values);
            Avx.Store(arg, indices);
        }

        // Lane-wise Beats: v replaces best where it is larger, or NaN over a number.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector256<float> v, Vector256<int> at, ref Vector256<float> best, ref Vector256<int> winner)
        {
            var nanOverNumber = Vector256.AndNot(~Vector256.Equals(v, v), ~Vector256.Equals(best, best));
            var beats = Vector256.GreaterThan(v, best) | nanOverNumber;
            best = Vector256.ConditionalSelect(beats, v, best);
            winner = Vector256.ConditionalSelect(beats.AsInt32(), at, winner);
        }

        // v replaces the running maximum: larger, or the first NaN (NaN then stays, as in PyTorch).
        private static bool Beats(float v, float best) => v > best || (float.IsNaN(v) && !float.IsNaN(best));
    }

    private readonly struct BackwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // dy (planes, OH, OW) and argmax → dx (planes, H, W), cleared first (windows overlap when S < F).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var dxp = b.Input + (long)plane * T.H * T.W;
            var dyp = b.Output + (long)plane * T.OH * T.OW;
            var ap = b.Argmax + (long)plane * T.OH * T.OW;
            KernelMath.ClearShort(dxp, T.H * T.W);
            for (var i = 0; i < T.OH * T.OW; i++)
                if ((uint)ap[i] < (uint)(T.H * T.W)) dxp[ap[i]] += dyp[i];
        }
    }
}

/// <summary>Average pooling, forward and backward. Padded cells count as zeros (divisor KH·KW).</summary>
public static unsafe class AvgPool2D
{
    /// <summary>y (N, C, OH, OW) = window means of x.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(x.Length, y.Length, n);
        fixed (float* px = x, py = y)
            PoolShape.RunPlanes<T, ForwardPlanes<T>>(new PoolBuffers(px, py, null), n);
    }

    /// <summary>dx (N, C, H, W) (overwritten) = each dy spread evenly over its window.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, Span<float> dx, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(dx.Length, dy.Length, n);
        fixed (float* pdx = dx, pdy = dy)
            PoolShape.RunPlanes<T, BackwardPlanes<T>>(new PoolBuffers(pdx, pdy, null), n);
    }

    private readonly struct ForwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // x (planes, H, W) → y (planes, OH, OW).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var xp = b.Input + (long)plane * T.H * T.W;
            var yp = b.Output + (long)plane * T.OH * T.OW;
            var scale = 1f / (T.KH * T.KW);
            for (var oh = 0; oh < T.OH; oh++)
            {
                var (h0, h1) = PoolShape.Rows<T>(oh);
                for (var ow = 0; ow < T.OW; ow++)
                {
                    var (w0, w1) = PoolShape.Columns<T>(ow);
                    var sum = 0f;
                    for (var ih = h0; ih < h1; ih++)
                        for (var iw = w0; iw < w1; iw++) sum += xp[ih * T.W + iw];
                    yp[oh * T.OW + ow] = sum * scale;
                }
            }
        }
    }

    private readonly struct BackwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // dy (planes, OH, OW) → dx (planes, H, W), cleared first.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var dxp = b.Input + (long)plane * T.H * T.W;
            var dyp = b.Output + (long)plane * T.OH * T.OW;
            var scale = 1f / (T.KH * T.KW);
            KernelMath.ClearShort(dxp, T.H * T.W);
            for (var oh = 0; oh < T.OH; oh++)
            {
                var (h0, h1) = PoolShape.Rows<T>(oh);
                for (var ow = 0; ow < T.OW; ow++)
                {
                    var (w0, w1) = PoolShape.Columns<T>(ow);
                    var g = dyp[oh * T.OW + ow] * scale;
                    for (var ih = h0; ih < h1; ih++)
                        for (var iw = w0; iw < w1; iw++) dxp[ih * T.W + iw] += g;
                }
            }
        }
    }
}

/// <summary>The buffers of one pooling call: input-sized (x or dx), output-sized (y or dy), argmax (max pooling only).</summary>
internal readonly unsafe struct PoolBuffers(float* input, float* output, int* argmax)
{
    public float* Input => input;
    public float* Output => output;
    public int* Argmax => argmax;
}

/// <summary>A pooling kernel on one (n, c) plane.</summary>
internal interface IPlaneKernel
{
    /// <summary>Processes plane <paramref name="plane"/> of <paramref name="buffers"/>.</summary>
    static abstract void Run(PoolBuffers buffers, int plane);
}

/// <summary>Window bounds, argument checks and the plane-parallel launcher shared by the pooling kernels.</summary>
internal static class PoolShape
{
    // Below this many input cells a pooling runs on the calling thread only.
    private const long ParallelThreshold = 1L << 16;

    /// <summary>Runs <typeparamref name="TKernel"/> on planes 0…N·C−1, split into contiguous ranges across threads when large.</summary>
    public static void RunPlanes<T, TKernel>(PoolBuffers buffers, int n)
        where T : struct, IPool2DShape where TKernel : struct, IPlaneKernel
    {
        var planes = n * T.C;
        if (planes == 0) return;
        var parts = (long)planes * T.H * T.W >= ParallelThreshold ? Math.Min(planes, WorkerPool.Degree) : 1;
        var job = new PlanesJob<TKernel> { Buffers = buffers, Planes = planes, Parts = parts };
        WorkerPool.Run(ref job, parts);
    }

    private struct PlanesJob<TKernel> : IParallelJob where TKernel : struct, IPlaneKernel
    {
        public PoolBuffers Buffers;
        public int Planes, Parts;

        public readonly void Reserve(Scratch scratch) { }

        public readonly void Run(int part, Scratch scratch)
        {
            for (var plane = part * Planes / Parts; plane < (part + 1) * Planes / Parts; plane++) TKernel.Run(Buffers, plane);
        }
    }

    /// <summary>Input rows [h0, h1) of output row oh, clipped to the plane.</summary>
    public static (int H0, int H1) Rows<T>(int oh) where T : struct, IPool2DShape
    {
        var top = oh * T.SH - T.PadTop;
        return (Math.Max(top, 0), Math.Min(top + T.KH, T.H));
    }

    /// <summary>Input columns [w0, w1) of output column ow, clipped to the plane.</summary>
    public static (int W0, int W1) Columns<T>(int ow) where T : struct, IPool2DShape
    {
        var left = ow * T.SW - T.PadLeft;
        return (Math.Max(left, 0), Math.Min(left + T.KW, T.W));
    }

    /// <summary>Checks the batch size and that the input-sized, output-sized and (max pooling) argmax buffers are long enough.</summary>
    public static void Check<T>(int inputLength, int outputLength, int n, int argmaxLength = -1) where T : struct, IPool2DShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(inputLength, (long)n * T.C * T.H * T.W, "x");
        KernelMath.Require(outputLength, (long)n * T.C * T.OH * T.OW, "y");
        if (argmaxLength >= 0) KernelMath.Require(argmaxLength, (long)n * T.C * T.OH * T.OW, "argmax");
    }
}
