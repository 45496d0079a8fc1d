using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
namespace ModelDsl.Kernels;

// Dimension legend: N batch, C input channels, H×W input, K filters, KH×KW kernel, SH×SW stride,
// DH×DW dilation, PadTop/PadLeft leading zeros, OH×OW output, P = OH·OW output positions, G groups,
// CG = C/G and KG = K/G channels per group, CF = CG·KH·KW (w is (K, CF)).
// Each sample and group g is lowered to a GEMM: its im2col matrix col (CF, P) holds in row (c, i, j)
// the input value under kernel tap (i, j) of channel g·CG + c for every output position, so
//   forward   y_g (KG, P)  = w_g (KG, CF) · col_g (CF, P) + b
//   backward  dw_gᵀ (CF, KG) += col_g · dy_gᵀ,   dcol (CF, P) = w_gᵀ · dy_g,  dx_g = col2im(dcol).
// The forward never stores col: the GEMM gathers its panels straight from x (ImplicitColumns), and
// the bias is added in the GEMM's tile store, as is a following ReLU (in the last depth block's
// store, once the sums are whole), so y is written once. The backward's weight-gradient GEMM puts
// the im2col columns of several samples side by side (a depth block's worth) and reads dyᵀ straight
// from dy.
// Unit-stride shapes with few discarded columns run over a zero-padded copy of the input instead
// (ConvShifted: the forward, dx where it costs no more than col2im, and dw's im2col rows read in
// place through Sgemm's row offsets). Small maps (at most 128 positions) put many samples' positions
// side by side in one forward GEMM (PaddedColumns or ImplicitColumns over several samples) and one
// dcol GEMM, so the packed weights are streamed once per part, not once per sample.
// Depthwise convolutions (CG = KG = 1) skip the GEMM: see DepthwiseConv.
// Work is split into parts fixed by the shape, the batch and the core count, never by timing:
// forward, one part per (sample, strip of output positions); backward, sample ranges (each with its
// own dwᵀ, added in part order afterwards) or, below the core count, input-channel ranges (each
// writing its own rows of dwᵀ and its own channels of dx). Every output value is summed by one part
// in an order fixed by the blocking, so the forward and dx do not depend on the split at all.

/// <summary>2-D convolution (cross-correlation, as PyTorch), with dilation and groups, forward and backward.</summary>
public static unsafe class Conv2D
{
    // Below this many multiply-adds a convolution runs on the calling thread only.
    private const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// y (N, K, OH, OW) = x (N, C, H, W) ⋆ w (K, C/G, KH, KW) + b (K); b empty when the layer has no bias.
    /// With <paramref name="relu"/>, y = max(0, x ⋆ w + b): bit for bit this forward followed by
    /// <see cref="Activations.ReLU"/> (NaN aside), applied as y is stored where the kernel can, so that y
    /// is not read again.
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n, bool relu = false)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireForward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), b.Length, T.K, y.Length, OutputSize<T>());
        fixed (float* px = x, pw = w, pb = b, py = y)
            ForwardCore<T>(px, pw, pb, py, n, relu);
    }

    /// <summary>
    /// y = BN(x ⋆ w + b), then max(0, ·) when <paramref name="relu"/>, with the batch norm <paramref name="norm"/> in
    /// inference mode (its running statistics): the norm is folded into the filters as they are packed,
    /// w′[k] = w[k]·s[k] and b′[k] = (b[k] − mean[k])·s[k] + beta[k] with s = gamma/√(var + eps), so y is written
    /// once and no pass over it normalizes. Equal to <see cref="Forward{T}"/> followed by
    /// BatchNorm.ForwardInference up to rounding (s multiplies each tap's weight rather than each sum).
    /// The statistics are read at each call.
    /// </summary>
    public static void ForwardNormalized<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, in BatchNormParameters norm,
        Span<float> y, int n, bool relu = false)
        where T : struct, IConv2DShape
    {
        KernelMath.RequireForward(n, x.Length, InputSize<T>(), w.Length, WeightSize<T>(), b.Length, T.K, y.Length, OutputSize<T>());
        norm.Check(T.K, nameof(norm));
        if (n == 0) return;
        var depthwise = DepthwiseConv.Applies<T>();
        // terms: (mean, scale, shift) per filter, then the scales and the folded biases apart, then (depthwise) the scaled filters.
        var terms = WorkerPool.ThreadScratch.Partials(5 * T.K + (depthwise ? WeightSize<T>() : 0));
        norm.Terms(T.K, terms);
        var scale = terms + 3 * T.K;
        var bias = scale + T.K;
        for (var k = 0; k < T.K; k++)
        {
            scale[k] = terms[3 * k + 1];
            bias[k] = (float)(((b.IsEmpty ? 0.0 : b[k]) - terms[3 * k]) * terms[3 * k + 1] + terms[3 * k + 2]);
        }
        fixed (float* px = x, pw = w, py = y)
        {
            if (depthwise)
            {
                var scaled = bias + T.K;   // (K, 1, KH, KW)
                var taps = T.KH * T.KW;
                for (var k = 0; k < T.K; k++)
                    for (var t = 0; t < taps; t++) scaled[k * taps + t] = pw[k * taps + t] * scale[k];
                DepthwiseConv.Forward<T>(px, scaled, bias, py, n, relu);
                return;
            }
            ForwardFilters<T>(px, pw, scale, bias, py, n, relu);
        }
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

    /// <summary>y (N, K, P) = x ⋆ w + b (b may be null), then max(0, ·) when <paramref name="relu"/>; buffers already checked.</summary>
    internal static void ForwardCore<T>(float* x, float* w, float* b, float* y, int n, bool relu = false) where T : struct, IConv2DShape
    {
        if (n == 0) return;
        if (DepthwiseConv.Applies<T>())
        {
            DepthwiseConv.Forward<T>(x, w, b, y, n, relu);
            return;
        }
        ForwardFilters<T>(x, w, null, b, y, n, relu);
    }

    // The forward of a dense (not depthwise) convolution with the filters w[k] scaled by scale[k] when scale is
    // given: by Winograd where it applies, else with w_g (KG, CF) of every group packed once (scaled as it is
    // packed) for every sample's GEMM.
    private static void ForwardFilters<T>(float* x, float* w, float* scale, float* b, float* y, int n, bool relu) where T : struct, IConv2DShape
    {
        if (Winograd.Applies<T>(n))
        {
            Winograd.Forward<T>(x, w, scale, b, y, n, relu, IsLarge<T>(n));
            return;
        }
        var packedW = WorkerPool.ThreadScratch.PackedWeights(T.G * PackedGroup<T>());
        for (var g = 0; g < T.G; g++)
            Sgemm.PackAll(false, KG<T>(), ColRows<T>(), w + (long)g * KG<T>() * ColRows<T>(), ColRows<T>(), packedW + (long)g * PackedGroup<T>(),
                rowScale: scale == null ? null : scale + g * KG<T>());
        ForwardPacked<T>(x, packedW, b, y, n, relu);
    }

    // The forward from weights already packed (PackedGroup floats per group, as Sgemm.PackAll lays out w_g).
    private static void ForwardPacked<T>(float* x, float* packedW, float* b, float* y, int n, bool relu) where T : struct, IConv2DShape
    {
        if (ConvShifted.Applies<T>())
        {
            ConvShifted.Forward<T>(x, packedW, PackedGroup<T>(), b, y, n, IsLarge<T>(n), relu);
            return;
        }
        var width = Sgemm.WidthFor(Positions<T>());
        if (BatchesSamples<T>(n))
        {
            // Small maps: one GEMM over the positions of many samples side by side (columns (s, p)),
            // so the packed weights are streamed once per part rather than once per sample.
            var columns = n * Positions<T>();
            width = Sgemm.WidthFor(columns);
            var nr = 2 * width;
            var parts = IsLarge<T>(n) ? 2 * WorkerPool.Degree : 1;
            var partWidth = Math.Max(4 * nr, (columns + parts - 1) / parts + nr - 1) / nr * nr;
            var batched = new BatchedForwardJob<T> { X = x, W = packedW, B = b, Y = y, N = n, PartWidth = partWidth, VectorWidth = width, Relu = relu };
            WorkerPool.Run(ref batched, (columns + partWidth - 1) / partWidth, parallel: IsLarge<T>(n));
            return;
        }
        var (strips, stripWidth) = ColumnStrips<T>(n, 2 * width);
        var job = new ForwardJob<T> { X = x, W = packedW, B = b, Y = y, Strips = strips, StripWidth = stripWidth, VectorWidth = width, Relu = relu };
        WorkerPool.Run(ref job, n * strips, parallel: IsLarge<T>(n));
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
        if (dx != null && Winograd.Applies<T>(n))
        {
            // A 3×3 'same' convolution's dx is the 3×3 'same' correlation of dy with the rotated filters,
            // channels swapped: by Winograd as the forward is. The weight gradient first.
            BackwardCore<T>(x, w, dy, null, dw, n);
            Winograd.Forward<Flipped<T>>(dy, w, null, null, dx, n, relu: false, IsLarge<T>(n), flipped: true);
            return;
        }
        var shifted = ConvShifted.AppliesToInputGradient<T>();
        if (dx != null && (shifted || FlippedInputGradient<T>(n)))
        {
            // dx as the forward of the flipped convolution over dy, with no col2im: over a padded copy of dy, or
            // on small maps with many samples per GEMM. The weight gradient first.
            BackwardCore<T>(x, w, dy, null, dw, n);
            var packed = WorkerPool.ThreadScratch.PackedWeights(T.G * PackedGroup<Flipped<T>>());
            for (var g = 0; g < T.G; g++)
                ConvShifted.PackFlipped(w + (long)g * KG<T>() * ColRows<T>(), CG<T>(), KG<T>(), T.KH * T.KW, packed + (long)g * PackedGroup<Flipped<T>>());
            if (shifted) ConvShifted.Forward<Flipped<T>>(dy, packed, PackedGroup<Flipped<T>>(), null, dx, n, IsLarge<T>(n));
            else ForwardPacked<Flipped<T>>(dy, packed, null, dx, n, relu: false);
            return;
        }
        var (parts, channelsPerPart) = BackwardParts<T>(n);
        var scratch = WorkerPool.ThreadScratch;
        // dwT is (buffers, G, CF, KG): ∂/∂w transposed, one buffer per sample range, or one whose rows
        // the channel ranges share.
        var buffers = channelsPerPart < CG<T>() ? 1 : parts;
        var dwT = dw == null ? null : scratch.Partials(buffers * WeightSize<T>());
        // packedWt is w_gᵀ (CF, KG) of every group, each packed once for every sample's dcol GEMM.
        float* packedWt = null;
        if (dx != null)
        {
            packedWt = scratch.PackedWeights(T.G * PackedGroup<T>());
            for (var g = 0; g < T.G; g++)
                Sgemm.PackAll(true, ColRows<T>(), KG<T>(), w + (long)g * KG<T>() * ColRows<T>(), ColRows<T>(), packedWt + (long)g * PackedGroup<T>());
        }
        // The weight gradient over a padded copy of x: im2col row (c, i, j) of a part's channels starts at
        // offset (c − c0)·plane + i·DH·Wp + j·DW of the part's copy.
        // Otherwise, where the padded copies apply, from copies of several samples side by side: sample t,
        // position (oh, ow) at depth offset t·(part's channels)·Hp·Wp + oh·Wp + ow.
        int* rowOffsets = null, depthOffsets = null;
        if (dw != null && ShiftedWeightGradient<T>())
        {
            rowOffsets = scratch.Offsets(channelsPerPart * T.KH * T.KW);
            ConvShifted.RowOffsets(rowOffsets, channelsPerPart, T.KH, T.KW, T.DH, T.DW, PaddedColumns<T>.Plane, PaddedColumns<T>.Wp);
        }
        else if (dw != null && PaddedWeightGradient<T>())
        {
            int wp = PaddedColumns<T>.Wp, plane = PaddedColumns<T>.Plane, rowCount = channelsPerPart * T.KH * T.KW;
            rowOffsets = scratch.Offsets(rowCount + SamplesPerDwProduct<T>() * Positions<T>());
            depthOffsets = rowOffsets + rowCount;
            ConvShifted.RowOffsets(rowOffsets, channelsPerPart, T.KH, T.KW, T.DH, T.DW, plane, wp);
            for (var t = 0; t < SamplesPerDwProduct<T>(); t++)
                for (var oh = 0; oh < T.OH; oh++)
                    for (var ow = 0; ow < T.OW; ow++)
                        depthOffsets[t * Positions<T>() + oh * T.OW + ow] = t * channelsPerPart * plane + oh * wp + ow;
        }
        var job = new BackwardJob<T>
        {
            X = x, Wt = packedWt, DY = dy, DX = dx, DwT = dwT, Parts = parts, N = n, ChannelsPerPart = channelsPerPart,
            DcolWidth = Sgemm.WidthFor(SamplesPerDx<T>() * Positions<T>()), DwWidth = Sgemm.WidthFor(KG<T>()),
            RowOffsets = rowOffsets, DepthOffsets = depthOffsets,
        };
        WorkerPool.Run(ref job, parts, parallel: IsLarge<T>(n));
        if (dw != null) AddTransposed<T>(dw, dwT, buffers);
    }

    // dw[g, k, cf] += Σ_b dwT[b, g, cf, k], buffers in order, split across threads by ranges of cf (each
    // value is summed the same way whatever the split).
    private static void AddTransposed<T>(float* dw, float* dwT, int buffers) where T : struct, IConv2DShape
    {
        var kernel = new AddTransposedKernel<T>(dw, dwT, buffers);
        ParallelRanges.Run(kernel, (ColRows<T>() + 7) / 8, (buffers + 2L) * WeightSize<T>());
    }

    private readonly struct AddTransposedKernel<T>(float* dw, float* dwT, int buffers) : IRangeKernel where T : struct, IConv2DShape
    {
        public void Reserve(Scratch scratch) { }

        // Columns [8·begin, 8·end) of every group's dw_g: 8×8 blocks transposed in registers, the rest one by one.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            int kg = KG<T>(), cf = ColRows<T>();
            int ca = 8 * begin, cb = Math.Min(cf, 8 * end);
            var block = stackalloc float[64];
            var k8 = Avx.IsSupported ? kg / 8 * 8 : 0;
            var c8 = Avx.IsSupported ? Math.Min(cb, cf / 8 * 8) : ca;
            for (var g = 0; g < T.G; g++)
            {
                var dwg = dw + (long)g * kg * cf;        // (KG, CF)
                var tg = dwT + (long)g * cf * kg;        // (CF, KG) per buffer
                for (var c0 = ca; c0 < c8; c0 += 8)
                    for (var k0 = 0; k0 < k8; k0 += 8)
                    {
                        // Rows k0…k0+7 of dw_g, columns c0…c0+7, plus each buffer's block transposed.
                        var s0 = Vector256.Load(dwg + (long)k0 * cf + c0); var s1 = Vector256.Load(dwg + (long)(k0 + 1) * cf + c0);
                        var s2 = Vector256.Load(dwg + (long)(k0 + 2) * cf + c0); var s3 = Vector256.Load(dwg + (long)(k0 + 3) * cf + c0);
                        var s4 = Vector256.Load(dwg + (long)(k0 + 4) * cf + c0); var s5 = Vector256.Load(dwg + (long)(k0 + 5) * cf + c0);
                        var s6 = Vector256.Load(dwg + (long)(k0 + 6) * cf + c0); var s7 = Vector256.Load(dwg + (long)(k0 + 7) * cf + c0);
                        for (var b = 0; b < buffers; b++)
                        {
                            Sgemm.Transpose8x8(tg + (long)b * WeightSize<T>() + (long)c0 * kg + k0, kg, block, 8);
                            s0 += Vector256.Load(block); s1 += Vector256.Load(block + 8); s2 += Vector256.Load(block + 16); s3 += Vector256.Load(block + 24);
                            s4 += Vector256.Load(block + 32); s5 += Vector256.Load(block + 40); s6 += Vector256.Load(block + 48); s7 += Vector256.Load(block + 56);
                        }
                        s0.Store(dwg + (long)k0 * cf + c0); s1.Store(dwg + (long)(k0 + 1) * cf + c0);
                        s2.Store(dwg + (long)(k0 + 2) * cf + c0); s3.Store(dwg + (long)(k0 + 3) * cf + c0);
                        s4.Store(dwg + (long)(k0 + 4) * cf + c0); s5.Store(dwg + (long)(k0 + 5) * cf + c0);
                        s6.Store(dwg + (long)(k0 + 6) * cf + c0); s7.Store(dwg + (long)(k0 + 7) * cf + c0);
                    }
                for (var k = 0; k < kg; k++)
                {
                    var row = dwg + (long)k * cf;
                    for (var c = k < k8 ? c8 : ca; c < cb; c++)
                    {
                        var sum = row[c];
                        for (var b = 0; b < buffers; b++) sum += tg[(long)b * WeightSize<T>() + (long)c * kg + k];
                        row[c] = sum;
                    }
                }
            }
        }
    }

    // Whether dx is computed as the flipped convolution's batched forward (small maps, unit stride, padding within
    // the kernel's reach), where that does no more multiply-adds than the forward: H·W output positions of dx
    // against OH·OW ('same' padding); a valid 5×5 on 12×12 would do more than twice as many.
    private static bool FlippedInputGradient<T>(int n) where T : struct, IConv2DShape =>
        !ConvShifted.Disabled && T.SH == 1 && T.SW == 1 && !IsPointwise<T>() && !DepthwiseConv.Applies<T>()
        && Flipped<T>.Fits && PaddedColumns<Flipped<T>>.Applies && BatchesSamples<Flipped<T>>(n)
        && (long)T.H * T.W <= (long)T.OH * T.OW;

    // The backward's split: one part per sample range (channels per part = CG) when the batch fills the
    // threads, else one part per range of input channels (whole multiples of 8 channels, so each range's
    // rows of the packed wᵀ start on a tile) over the whole batch. Neither depends on thread timing.
    private static (int Parts, int ChannelsPerPart) BackwardParts<T>(int n) where T : struct, IConv2DShape
    {
        if (!IsLarge<T>(n)) return (1, CG<T>());
        if (n >= WorkerPool.Degree || T.G != 1) return (Math.Min(n, WorkerPool.Degree), CG<T>());
        var chunks = Math.Min(WorkerPool.Degree, CG<T>() / (2 * Sgemm.MR));
        if (chunks <= 1) return (1, CG<T>());
        var perPart = (CG<T>() + chunks - 1) / chunks;
        perPart = (perPart + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR;
        return ((CG<T>() + perPart - 1) / perPart, perPart);
    }

    // Samples per weight-gradient GEMM: enough for a full depth block (their im2col columns side by side),
    // one when the GEMM reads x itself (pointwise) or the dot-product path runs (few filters per group).
    private static int SamplesPerDwProduct<T>() where T : struct, IConv2DShape =>
        IsPointwise<T>() || DwByDots<T>() ? 1 : Math.Max(1, Sgemm.KC / Positions<T>());

    // The weight gradient as dot products along the positions (NarrowTimesTransposed) rather than a GEMM:
    // few filters per group, or few im2col rows (a first layer's 1·5·5), where the GEMM's 8-row by 32-column
    // tiles would be mostly padding.
    private static bool DwByDots<T>() where T : struct, IConv2DShape => KG<T>() < Sgemm.MR || ColRows<T>() < 4 * Sgemm.MR;

    // The weight gradient reads its im2col rows in place from a padded copy of x (ConvShifted's layout:
    // planes of OH + reach rows of Wp = OW + reach floats), with dy spread to the padded width (zeros in
    // the discarded columns), where the forward does at unit stride: dwᵀ (rows, KG) += col (rows, OH·Wp) · dyᵀ.
    private static bool ShiftedWeightGradient<T>() where T : struct, IConv2DShape =>
        T.SH == 1 && T.SW == 1 && ConvShifted.Applies<T>() && !DwByDots<T>();

    // Elsewhere the weight gradient's im2col rows are still read in place, from padded copies of the
    // samples of one product (PaddedColumns' layout), where the shape allows those copies.
    private static bool PaddedWeightGradient<T>() where T : struct, IConv2DShape =>
        !ConvShifted.Disabled && PaddedColumns<T>.Applies && !DwByDots<T>() && !ShiftedWeightGradient<T>();

    // Samples per input-gradient GEMM: on small maps the dcol columns of several samples side by side (as
    // the batched forward), within about 4 MiB of dcol; pointwise kernels write dx directly, one sample each.
    private static int SamplesPerDx<T>() where T : struct, IConv2DShape =>
        IsPointwise<T>() || 4 * Positions<T>() > Sgemm.NC ? 1 : Math.Clamp((1 << 20) / (ColRows<T>() * Positions<T>()), 1, Sgemm.NC / Positions<T>());

    private static int InputSize<T>() where T : struct, IConv2DShape => T.C * T.H * T.W;
    private static int OutputSize<T>() where T : struct, IConv2DShape => T.K * Positions<T>();
    private static int Positions<T>() where T : struct, IConv2DShape => T.OH * T.OW;
    private static int CG<T>() where T : struct, IConv2DShape => T.C / T.G;
    private static int KG<T>() where T : struct, IConv2DShape => T.K / T.G;
    private static int ColRows<T>() where T : struct, IConv2DShape => CG<T>() * T.KH * T.KW;
    private static int WeightSize<T>() where T : struct, IConv2DShape => T.K * ColRows<T>();

    // Floats of one group's packed weights (w_g or w_gᵀ; both round KG or CF up to MR).
    private static int PackedGroup<T>() where T : struct, IConv2DShape =>
        Math.Max(Sgemm.PackedASize(KG<T>(), ColRows<T>()), Sgemm.PackedASize(ColRows<T>(), KG<T>()));

    // A 1×1 kernel with unit stride and no padding reads x itself as its col matrix.
    private static bool IsPointwise<T>() where T : struct, IConv2DShape =>
        T.KH == 1 && T.KW == 1 && T.SH == 1 && T.SW == 1 && T.PadTop == 0 && T.PadLeft == 0 && T.OH == T.H && T.OW == T.W;

    private static bool IsLarge<T>(int n) where T : struct, IConv2DShape => (long)n * WeightSize<T>() * Positions<T>() >= ParallelThreshold;

    private static int Parts<T>(int n) where T : struct, IConv2DShape => IsLarge<T>(n) ? Math.Min(n, WorkerPool.Degree) : 1;

    // Parts per dispatch the forward aims for: a few per thread, so a part held up by another
    // process on a shared core leaves the rest to the others.
    private const int PartsPerThread = 4;

    // The forward splits each sample's output positions into strips of whole NR-column panels when the
    // batch alone gives too few parts: (strips per sample, positions per strip).
    private static (int Strips, int Width) ColumnStrips<T>(int n, int nr) where T : struct, IConv2DShape
    {
        var panels = (Positions<T>() + nr - 1) / nr;
        var strips = !IsLarge<T>(n) ? 1 : Math.Clamp((PartsPerThread * WorkerPool.Degree + n - 1) / n, 1, panels);
        var panelsPerStrip = (panels + strips - 1) / strips;
        return ((panels + panelsPerStrip - 1) / panelsPerStrip, panelsPerStrip * nr);
    }

    // Samples [first, end) of part `part` out of `parts` over a batch of n.
    private static (int First, int End) Range(int part, int parts, int n) => (part * n / parts, (part + 1) * n / parts);

    // Group g's first channel of a sample x (C, H, W).
    private static float* GroupInput<T>(float* xs, int g) where T : struct, IConv2DShape => xs + (long)g * CG<T>() * T.H * T.W;

    // Whether the forward takes several samples' positions into one GEMM: maps of at most a quarter of a
    // packed block's columns, and more than one sample.
    private static bool BatchesSamples<T>(int n) where T : struct, IConv2DShape => n > 1 && 4 * Positions<T>() <= Sgemm.NC;

    private struct BatchedForwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, B, Y;   // as ForwardJob
        public int N, PartWidth, VectorWidth;
        public bool Relu;   // as ForwardJob

        // Samples a part's columns can touch: whole samples of its width, and one more at each end.
        private readonly int SamplesPerPart => PartWidth / Positions<T>() + 2;

        private readonly long BufferSize => (long)KG<T>() * PartWidth + (PaddedColumns<T>.Applies ? (long)SamplesPerPart * PaddedColumns<T>.SampleSize + 16 : 0);

        public readonly void Reserve(Scratch scratch) => scratch.Col(checked((int)BufferSize));

        // Part = columns [first, first + width) of (sample, position): y_g[s, :, p] for those columns, through
        // a (KG, width) product in scratch, copied out sample by sample.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var first = part * PartWidth;
            var width = Math.Min(PartWidth, N * Positions<T>() - first);
            var buffer = scratch.Col(checked((int)BufferSize));
            var c = buffer;   // (KG, width)
            var s0 = first / Positions<T>();
            var padded = buffer + (long)KG<T>() * PartWidth;
            if (PaddedColumns<T>.Applies)
                for (var s = s0; s * Positions<T>() < first + width; s++)
                    ConvShifted.PadPlanes(X + (long)s * InputSize<T>(), T.C, T.H, T.W, T.PadTop, T.PadLeft, PaddedColumns<T>.Wp, 0,
                        PaddedColumns<T>.Hp, int.MaxValue, padded + (long)(s - s0) * PaddedColumns<T>.SampleSize);
            for (var g = 0; g < T.G; g++)
            {
                var bias = B == null ? null : B + (long)g * KG<T>();
                if (PaddedColumns<T>.Applies)
                    Sgemm.MultiplySerial(VectorWidth, KG<T>(), width, ColRows<T>(), null, 0, W + (long)g * PackedGroup<T>(), KG<T>(), 0,
                        new PaddedColumns<T>(padded + (long)g * CG<T>() * PaddedColumns<T>.Plane, first - s0 * Positions<T>()), c, width,
                        accumulate: false, rowBias: bias, scratch, relu: Relu);
                else
                    Sgemm.MultiplySerial(VectorWidth, KG<T>(), width, ColRows<T>(), null, 0, W + (long)g * PackedGroup<T>(), KG<T>(), 0,
                        new ImplicitColumns<T>(GroupInput<T>(X, g), first), c, width, accumulate: false, rowBias: bias, scratch, relu: Relu);
                for (var j = first; j < first + width;)
                {
                    var s = j / Positions<T>();
                    var p = j - s * Positions<T>();
                    var run = Math.Min(first + width - j, Positions<T>() - p);
                    var ys = Y + (long)s * OutputSize<T>() + (long)g * KG<T>() * Positions<T>() + p;
                    for (var k = 0; k < KG<T>(); k++) KernelMath.CopyShort(c + (long)k * width + (j - first), ys + (long)k * Positions<T>(), run);
                    j += run;
                }
            }
        }
    }

    /// <summary>
    /// The im2col matrix of a unit-stride convolution on small maps, packed from zero-padded copies of
    /// consecutive samples (each C planes of Hp × Wp, SampleSize apart; x points at group g's first
    /// plane of the first sample): row (c, i, j), column s·P + oh·OW + ow is
    /// xp[s, c, oh + i·DH, ow + j·DW]. Every run is one output row, OW floats, with no bounds to check.
    /// </summary>
    private readonly struct PaddedColumns<T>(float* x, int firstColumn) : IPanelSource where T : struct, IConv2DShape
    {
        /// <summary>Unit stride, not pointwise, padding within the kernel's reach on every side.</summary>
        public static bool Applies =>
            T.SH == 1 && T.SW == 1 && !IsPointwise<T>() && Hp - (T.H + T.PadTop) >= 0 && Wp - (T.W + T.PadLeft) >= 0
            && T.PadTop <= (T.KH - 1) * T.DH && T.PadLeft <= (T.KW - 1) * T.DW;
        public static int Hp => T.OH + (T.KH - 1) * T.DH;
        public static int Wp => T.OW + (T.KW - 1) * T.DW;
        public static int Plane => Hp * Wp;
        public static int SampleSize => T.C * Plane;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pack(int p0, int kc, int j0, int nc, int nr, float* dst)
        {
            // The padded sizes in locals: read through the static properties inside the loop they stayed
            // calls (LeNet's conv 2 forward ran at 50 GFLOP/s instead of 85).
            int wp = Wp, plane = Plane, sampleSize = SampleSize, dh = T.DH, dw = T.DW;
            var nextSample = sampleSize - T.OH * wp;
            var start = firstColumn + j0;
            var startSample = start / Positions<T>();
            var startPosition = start - startSample * Positions<T>();
            var startRow = startPosition / T.OW;
            var startColumn = startPosition - startRow * T.OW;
            // Rows of 4 or 8 (ResNet's 4×4 and 8×8 stages): the columns start and end on whole rows (every
            // count here is a multiple of OW, which divides the panel width), so each run is one row,
            // copied as one vector.
            var wholeRows = T.OW is 4 or 8 && nr % T.OW == 0 && startColumn == 0 && nc % T.OW == 0;
            for (var r = 0; r < kc; r++)
            {
                var (c, i, j) = Tap<T>(p0 + r);
                var src = x + (long)startSample * sampleSize + (long)c * plane + (startRow + i * dh) * wp + j * dw;   // at (oh, 0)
                var d = dst + r * nr;
                var lane = 0;
                var oh = startRow;
                var ow = startColumn;
                if (wholeRows)
                {
                    for (var left = nc; left > 0; left -= T.OW)
                    {
                        if (T.OW == 4) Vector128.Store(Vector128.Load(src), d + lane);
                        else Vector256.Store(Vector256.Load(src), d + lane);
                        lane += T.OW;
                        src += wp;
                        if (++oh == T.OH) { oh = 0; src += nextSample; }
                        if (lane == nr) { lane = 0; d += nr * kc; }
                    }
                    if (lane != 0) ClearRun(d + lane, nr - lane);
                    continue;
                }
                for (var left = nc; left > 0;)
                {
                    var len = Math.Min(Math.Min(left, T.OW - ow), nr - lane);
                    CopyRun(src + ow, d + lane, len);
                    left -= len;
                    lane += len;
                    ow += len;
                    if (ow == T.OW) { ow = 0; oh++; src += wp; }
                    if (oh == T.OH) { oh = 0; src += nextSample; }
                    if (lane == nr) { lane = 0; d += nr * kc; }
                }
                if (lane != 0) ClearRun(d + lane, nr - lane);
            }
        }
    }

    private struct ForwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        public float* X, W, B, Y;   // x (N, C, H, W), w_g (KG, CF) packed by Sgemm.PackAll per group, b (K) or null, y (N, K, P)
        public int Strips, StripWidth, VectorWidth;
        public bool Relu;   // y = max(0, ·), in the GEMM's last tile store

        public readonly void Reserve(Scratch scratch) { }

        // Part = (sample, strip of output positions): y_g[:, strip] = [max(0, ·)](w_g · col_g[:, strip] + b_g),
        // with the GEMM packing col_g's panels straight from x (no im2col matrix).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var s = part / Strips;
            var first = part % Strips * StripWidth;
            var width = Math.Min(StripWidth, Positions<T>() - first);
            var xs = X + (long)s * InputSize<T>();
            var ys = Y + (long)s * OutputSize<T>();   // y_s is (K, P)
            for (var g = 0; g < T.G; g++)
            {
                var yg = ys + (long)g * KG<T>() * Positions<T>() + first;   // y_g is (KG, P)
                Sgemm.MultiplySerial(VectorWidth, KG<T>(), width, ColRows<T>(), null, 0, W + (long)g * PackedGroup<T>(), KG<T>(), 0,
                    new ImplicitColumns<T>(GroupInput<T>(xs, g), first), yg, Positions<T>(), accumulate: false,
                    rowBias: B == null ? null : B + (long)g * KG<T>(), scratch, relu: Relu);
            }
        }
    }

    /// <summary>
    /// The im2col matrix col (CF, P) of one group's channels x (CG, H, W), from column
    /// <paramref name="firstColumn"/> on, packed into GEMM panels straight from x: row (c, i, j), column
    /// (oh, ow) is x[c, oh·SH + i·DH − PadTop, ow·SW + j·DW − PadLeft], zero over padding. Columns past
    /// the last position continue with the next sample's (x's samples InputSize apart): column s·P + p.
    /// </summary>
    private readonly struct ImplicitColumns<T>(float* x, int firstColumn) : IPanelSource where T : struct, IConv2DShape
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pack(int p0, int kc, int j0, int nc, int nr, float* dst)
        {
            var start = firstColumn + j0;
            var startSample = start / Positions<T>();
            start -= startSample * Positions<T>();
            var xs = x + (long)startSample * InputSize<T>();
            if (IsPointwise<T>())
            {
                // col is x itself: row c is channel c's plane.
                for (var r = 0; r < kc; r++)
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var cols = Math.Min(nr, nc - jr);
                        var d = dst + jr * kc + r * nr;
                        var p = start + jr;
                        if (p + cols <= Positions<T>())
                        {
                            DenseSource.PanelRow(xs + (long)(p0 + r) * Positions<T>() + p, d, cols, nr);
                            continue;
                        }
                        for (var t = 0; t < nr; t++)
                        {
                            var s = (p + t) / Positions<T>();
                            d[t] = t < cols ? xs[(long)s * InputSize<T>() + (long)(p0 + r) * Positions<T>() + p + t - s * Positions<T>()] : 0;
                        }
                    }
                return;
            }
            var startRow = start / T.OW;
            var startColumn = start - startRow * T.OW;
            for (var r = 0; r < kc; r++)
            {
                var (c, i, j) = Tap<T>(p0 + r);
                var (lo, hi) = ValidColumns<T>(j);
                // x[ow·SW] is x[c, ih, ow·SW + j·DW − PadLeft] once shifted to input row ih.
                var xc = xs + (long)c * T.H * T.W - T.PadLeft + j * T.DW;
                var d = dst + r * nr;   // row r of the current panel
                var lane = 0;
                var oh = startRow;
                var ow = startColumn;
                for (var left = nc; left > 0;)
                {
                    // A run: one output row, one panel.
                    var len = Math.Min(Math.Min(left, T.OW - ow), nr - lane);
                    var ih = oh * T.SH + i * T.DH - T.PadTop;
                    if ((uint)ih >= (uint)T.H) ClearRun(d + lane, len);
                    else GatherRun(xc + (long)ih * T.W, d + lane, ow, len, lo, hi, T.W + T.PadLeft - j * T.DW);
                    left -= len;
                    lane += len;
                    ow += len;
                    if (ow == T.OW) { ow = 0; oh++; }
                    if (oh == T.OH) { oh = 0; xc += InputSize<T>(); }
                    if (lane == nr) { lane = 0; d += nr * kc; }
                }
                if (lane != 0) ClearRun(d + lane, nr - lane);
            }
        }

        // d[t] = x[(ow + t)·SW] for output columns ow + t in [lo, hi), else 0, t < len; x[0 … readable) is the input row.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GatherRun(float* x, float* d, int ow, int len, int lo, int hi, int readable)
        {
            if (T.SW == 1 && ow >= lo && ow + len <= hi)
            {
                CopyRun(x + ow, d, len);
                return;
            }
            var a = Math.Clamp(lo - ow, 0, len);
            var b = Math.Max(a, Math.Clamp(hi - ow, 0, len));
            ClearRun(d, a);
            if (T.SW == 1) CopyRun(x + ow + a, d + a, b - a);
            else KernelMath.GatherStrided(x + (long)(ow + a) * T.SW, d + a, b - a, T.SW, readable - (ow + a) * T.SW);
            ClearRun(d + b, len - b);
        }
    }

    /// <summary>d[0..n) = s[0..n) for the short runs of a panel: whole vectors, the last one overlapping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* s, float* d, int n)
    {
        if (n >= 8)
        {
            var i = 0;
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
            if (i < n) Vector256.Store(Vector256.Load(s + n - 8), d + n - 8);
            return;
        }
        if (n >= 4)
        {
            Vector128.Store(Vector128.Load(s), d);
            Vector128.Store(Vector128.Load(s + n - 4), d + n - 4);
            return;
        }
        for (var i = 0; i < n; i++) d[i] = s[i];
    }

    /// <summary>d[0..n) = 0 for the short runs of a panel: whole vectors, the last one overlapping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearRun(float* d, int n)
    {
        if (n >= 8)
        {
            var i = 0;
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256<float>.Zero, d + i);
            if (i < n) Vector256.Store(Vector256<float>.Zero, d + n - 8);
            return;
        }
        for (var i = 0; i < n; i++) d[i] = 0;
    }

    private struct BackwardJob<T> : IParallelJob where T : struct, IConv2DShape
    {
        // wᵀ_g (CF, KG) packed per group (null without dx); dx (N, C, H, W) or null; dwT (parts or 1, G, CF, KG) or null
        public float* X, Wt, DY, DX, DwT;
        public int* RowOffsets;   // the padded copy's im2col rows when the weight gradient reads them in place, else null
        public int* DepthOffsets; // with RowOffsets: the positions of several samples' padded copies (null: one copy, over the padded width)
        public int N, Parts, ChannelsPerPart, DcolWidth, DwWidth;

        // col (rows, S·P) for the weight gradient, then dcol (rows, P).
        private readonly long BufferSize => RowOffsets != null
            ? Math.Max(DepthOffsets != null ? SamplesPaddedSize : PaddedSize, (long)ChannelsPerPart * T.KH * T.KW * SamplesPerDx<T>() * Positions<T>())
            : (long)ChannelsPerPart * T.KH * T.KW * (SamplesPerDwProduct<T>() + SamplesPerDx<T>()) * Positions<T>();

        // Padded copies of a product's samples, the part's channels of each.
        private readonly long SamplesPaddedSize => (long)SamplesPerDwProduct<T>() * ChannelsPerPart * PaddedColumns<T>.Plane;

        // The padded copy of a part's channels (and a row of slack: the last row's taps reach past the
        // plane), then dy_g spread to the padded width.
        private readonly long PaddedSize => (long)(ChannelsPerPart * PaddedColumns<T>.Plane + PaddedColumns<T>.Wp) + (long)KG<T>() * T.OH * PaddedColumns<T>.Wp;

        public readonly void Reserve(Scratch scratch) => scratch.Col(checked((int)BufferSize));

        // Part = samples [first, end) × input channels [c0, c1) of each group: dwT rows (c0·KH·KW …) of
        // the part's buffer, and dx for those samples and channels.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var byChannels = ChannelsPerPart < CG<T>();
            var (first, end) = byChannels ? (0, N) : Range(part, Parts, N);
            var c0 = byChannels ? part * ChannelsPerPart : 0;
            var c1 = Math.Min(CG<T>(), c0 + ChannelsPerPart);
            var r0 = c0 * T.KH * T.KW;                  // first row of col, dcol and wᵀ
            var rows = (c1 - c0) * T.KH * T.KW;
            var samples = SamplesPerDwProduct<T>();
            var buffer = scratch.Col(checked((int)BufferSize));
            var dcol = RowOffsets != null ? buffer : buffer + (long)rows * samples * Positions<T>();   // after the weight gradient's use of the buffer
            var dwT = DwT == null ? null : DwT + (byChannels ? 0 : (long)part * WeightSize<T>());
            for (var g = 0; g < T.G; g++)
            {
                var dyg = DY + (long)g * KG<T>() * Positions<T>();   // dy_g of sample 0, (KG, P)
                if (dwT != null)
                {
                    var dwTg = dwT + ((long)g * ColRows<T>() + r0) * KG<T>();   // rows [r0, r0 + rows) of dwᵀ_g (CF, KG)
                    if (DepthOffsets != null)
                    {
                        for (var s = first; s < end; s += samples)
                        {
                            var count = Math.Min(samples, end - s);
                            for (var t = 0; t < count; t++)
                                ConvShifted.PadPlanes(GroupInput<T>(X + (long)(s + t) * InputSize<T>(), g) + (long)c0 * T.H * T.W, c1 - c0, T.H, T.W,
                                    T.PadTop, T.PadLeft, PaddedColumns<T>.Wp, 0, PaddedColumns<T>.Hp, int.MaxValue,
                                    buffer + (long)t * ChannelsPerPart * PaddedColumns<T>.Plane);
                            // dwᵀ (rows, KG) (+)= col (rows, S·P) · dyᵀ (S·P, KG), col read from the copies
                            Sgemm.MultiplySerial(DwWidth, rows, KG<T>(), count * Positions<T>(), buffer, 0, null, 0, 0,
                                new TransposedOutputs<T>(dyg + (long)s * OutputSize<T>()), dwTg, KG<T>(), accumulate: s > first, rowBias: null, scratch,
                                new OffsetRows(RowOffsets, DepthOffsets));
                        }
                    }
                    else if (RowOffsets != null)
                    {
                        int wp = PaddedColumns<T>.Wp, depth = T.OH * wp;
                        var padded = buffer;
                        var spread = buffer + (long)(c1 - c0) * PaddedColumns<T>.Plane + wp;   // dy_g (KG, OH·Wp)
                        new Span<float>(padded + (long)(c1 - c0) * PaddedColumns<T>.Plane, wp).Clear();
                        for (var s = first; s < end; s++)
                        {
                            var xs = GroupInput<T>(X + (long)s * InputSize<T>(), g) + (long)c0 * T.H * T.W;
                            ConvShifted.PadPlanes(xs, c1 - c0, T.H, T.W, T.PadTop, T.PadLeft, wp, 0, T.OH + (T.KH - 1) * T.DH, int.MaxValue, padded);
                            ConvShifted.PadPlanes(dyg + (long)s * OutputSize<T>(), KG<T>(), T.OH, T.OW, 0, 0, wp, 0, T.OH, int.MaxValue, spread);
                            Sgemm.MultiplySerial(DwWidth, rows, KG<T>(), depth, padded, 0, null, 0, 0, new DenseSource(true, spread, depth),
                                dwTg, KG<T>(), accumulate: s > first, rowBias: null, scratch, new OffsetRows(RowOffsets));
                        }
                    }
                    else
                    {
                        for (var s = first; s < end; s += samples)
                        {
                            // col (rows, S·P): the im2col columns of S samples side by side (x itself when pointwise).
                            var count = Math.Min(samples, end - s);
                            var ld = count * Positions<T>();
                            var col = buffer;
                            if (IsPointwise<T>()) col = GroupInput<T>(X + (long)s * InputSize<T>(), g) + (long)c0 * Positions<T>();
                            else
                                for (var t = 0; t < count; t++)
                                    WalkTaps<T, Gather>(GroupInput<T>(X + (long)(s + t) * InputSize<T>(), g), buffer + (long)t * Positions<T>(), c0, c1, ld);
                            var dys = dyg + (long)s * OutputSize<T>();
                            if (DwByDots<T>())
                                NarrowTimesTransposed(KG<T>(), rows, Positions<T>(), dys, col, dwTg, accumulate: s > first);
                            else
                                // dwᵀ (rows, KG) (+)= col (rows, S·P) · dyᵀ (S·P, KG)
                                Sgemm.MultiplySerial(DwWidth, rows, KG<T>(), ld, col, ld, null, 0, 0, new TransposedOutputs<T>(dys),
                                    dwTg, KG<T>(), accumulate: s > first, rowBias: null, scratch);
                        }
                    }
                }
                if (DX == null) continue;
                var perProduct = SamplesPerDx<T>();
                for (var s = first; s < end; s += perProduct)
                {
                    var count = Math.Min(perProduct, end - s);
                    var ld = count * Positions<T>();
                    var dxg = GroupInput<T>(DX + (long)s * InputSize<T>(), g);
                    // dcol (rows, S·P) = w_gᵀ[rows] · dy_g of S samples side by side; a pointwise kernel's dcol is dx_g itself.
                    var target = IsPointwise<T>() ? dxg + (long)c0 * Positions<T>() : dcol;
                    Sgemm.MultiplySerial(DcolWidth, rows, ld, KG<T>(), null, 0, Wt + (long)g * PackedGroup<T>(), ColRows<T>(), r0,
                        new SampleColumns<T>(dyg + (long)s * OutputSize<T>()), target, ld, accumulate: false, rowBias: null, scratch);
                    if (IsPointwise<T>()) continue;
                    for (var t = 0; t < count; t++)
                        Col2Im<T>(dcol + (long)t * Positions<T>(), dxg + (long)t * InputSize<T>(), c0, c1, ld);
                }
            }
        }
    }

    /// <summary>
    /// dy_g (KG, S·P) of consecutive samples side by side (each sample's dy_g is (KG, P), OutputSize apart):
    /// row k, column s·P + p is dy[s, g·KG + k, p].
    /// </summary>
    private readonly struct SampleColumns<T>(float* dy) : IPanelSource where T : struct, IConv2DShape
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pack(int p0, int kc, int j0, int nc, int nr, float* dst)
        {
            // The sizes in locals, read once (as in PaddedColumns).
            int positions = Positions<T>(), sampleSize = OutputSize<T>();
            for (var jr = 0; jr < nc; jr += nr, dst += nr * kc)
            {
                var cols = Math.Min(nr, nc - jr);
                var s = (j0 + jr) / positions;
                var p = j0 + jr - s * positions;
                if (p + cols <= positions)
                {
                    var src = dy + (long)s * sampleSize + (long)p0 * positions + p;
                    for (var r = 0; r < kc; r++, src += positions) DenseSource.PanelRow(src, dst + r * nr, cols, nr);
                    continue;
                }
                // The panel runs across samples (maps of fewer positions than a panel's columns): row r is
                // runs of consecutive positions, one per sample, then zeros past the last column.
                for (var r = 0; r < kc; r++)
                {
                    var d = dst + r * nr;
                    var row = dy + (long)s * sampleSize + (long)(p0 + r) * positions;   // sample s's row p0 + r
                    for (int lane = 0, q = p; lane < cols; row += sampleSize, q = 0)
                    {
                        var len = Math.Min(positions - q, cols - lane);
                        CopyRun(row + q, d + lane, len);
                        lane += len;
                    }
                    if (cols < nr) ClearRun(d + cols, nr - cols);
                }
            }
        }
    }

    /// <summary>
    /// dyᵀ (S·P, KG) of S consecutive samples' dy_g (each (KG, P), OutputSize apart), packed for the
    /// weight-gradient GEMM: row s·P + p, column k is dy[s, g·KG + k, p].
    /// </summary>
    private readonly struct TransposedOutputs<T>(float* dy) : IPanelSource where T : struct, IConv2DShape
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pack(int p0, int kc, int j0, int nc, int nr, float* dst)
        {
            for (var jr = 0; jr < nc; jr += nr, dst += nr * kc)
            {
                var cols = Math.Min(nr, nc - jr);
                var full = Avx.IsSupported ? cols / 8 * 8 : 0;   // columns done by 8×8 transposes
                var s = p0 / Positions<T>();
                var p = p0 - s * Positions<T>();
                for (var q = 0; q < kc;)
                {
                    // Depths q… lie in sample s from position p on: dy_s[j0 + jr + j, p + t] for lane j, depth q + t.
                    var src = dy + (long)s * OutputSize<T>() + (long)(j0 + jr) * Positions<T>() + p;
                    var d = dst + q * nr;
                    var depths = Math.Min(kc - q, Positions<T>() - p);
                    var t = 0;
                    if (full > 0)
                        for (; t + 8 <= depths; t += 8)
                            for (var j = 0; j < full; j += 8) Sgemm.Transpose8x8(src + (long)j * Positions<T>() + t, Positions<T>(), d + t * nr + j, nr);
                    for (var u = 0; u < depths; u++)
                    {
                        var row = d + u * nr;
                        for (var j = u < t ? full : 0; j < cols; j++) row[j] = src[(long)j * Positions<T>() + u];
                        for (var j = cols; j < nr; j++) row[j] = 0;
                    }
                    q += depths;
                    p += depths;
                    if (p == Positions<T>()) { p = 0; s++; }
                }
            }
        }
    }

    /// <summary>
    /// cᵀ (R, M) = (a (M, P) · bᵀ)ᵀ for b (R, P), or cᵀ += it when <paramref name="accumulate"/>: dot products
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
                    var target = c + (long)row * m + k + t;
                    *target = accumulate ? *target + sums[t] : sums[t];
                }
            }
        }
    }

    // Im2col row (c, i, j) of a group: channel c, kernel tap (i, j).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int C, int I, int J) Tap<T>(int row) where T : struct, IConv2DShape
    {
        var c = row / (T.KH * T.KW);
        var tap = row - c * T.KH * T.KW;
        var i = tap / T.KW;
        return (c, i, tap - i * T.KW);
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

    /// <summary>dx (CG, H, W) of channels [c0, c1) = Σ of each dcol entry (rows of those channels, (rows, P), row stride ld) at
    /// the input cell its tap read (overwrites those channels of dx).</summary>
    internal static void Col2Im<T>(float* dcol, float* dx, int c0, int c1, int ld) where T : struct, IConv2DShape
    {
        new Span<float>(dx + (long)c0 * T.H * T.W, (c1 - c0) * T.H * T.W).Clear();
        WalkTaps<T, Scatter>(dx, dcol, c0, c1, ld);
    }

    /// <summary>
    /// Visits every (tap, output row) of the im2col matrix for channels [c0, c1): row (c − c0, i, j) of
    /// col (row stride ld), output row oh. When
    /// input row ih is inside the plane, <typeparamref name="TRow"/> gets the input row shifted so that
    /// element ow·SW pairs with col element ow, and the valid columns [lo, hi); otherwise it is told the
    /// row lies in padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WalkTaps<T, TRow>(float* x, float* col, int c0, int c1, int ld) where T : struct, IConv2DShape where TRow : struct, IColumnRow
    {
        var bounds = stackalloc int[2 * T.KW];
        for (var j = 0; j < T.KW; j++) (bounds[2 * j], bounds[2 * j + 1]) = ValidColumns<T>(j);
        for (var c = c0; c < c1; c++)
            for (var i = 0; i < T.KH; i++)
                for (var j = 0; j < T.KW; j++)
                {
                    var row = col + (long)(((c - c0) * T.KH + i) * T.KW + j) * ld;   // one row of col, (OH, OW)
                    int lo = bounds[2 * j], hi = bounds[2 * j + 1];
                    for (var oh = 0; oh < T.OH; oh++, row += T.OW)
                    {
                        var ih = oh * T.SH + i * T.DH - T.PadTop;
                        if ((uint)ih >= (uint)T.H || lo == hi) TRow.Padding(row, T.OW);
                        else TRow.Row(x + (c * T.H + ih) * T.W - T.PadLeft + j * T.DW, row, lo, hi, T.SW, T.OW, T.W + T.PadLeft - j * T.DW);   // x[ow·SW] is x[c, ih, ow·SW + j·DW − PadLeft]
                    }
                }
    }

    private interface IColumnRow
    {
        static abstract void Padding(float* colRow, int width);
        // x[0 … readable) is the rest of the input row.
        static abstract void Row(float* x, float* colRow, int lo, int hi, int stride, int width, int readable);
    }

    // im2col: col row = the input values, zeros over padding.
    private readonly struct Gather : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Padding(float* colRow, int width) => KernelMath.ClearShort(colRow, width);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(float* x, float* colRow, int lo, int hi, int stride, int width, int readable)
        {
            for (var ow = 0; ow < lo; ow++) colRow[ow] = 0;
            if (stride == 1) KernelMath.CopyShort(x + lo, colRow + lo, hi - lo);
            else KernelMath.GatherStrided(x + (long)lo * stride, colRow + lo, hi - lo, stride, readable - lo * stride);
            for (var ow = hi; ow < width; ow++) colRow[ow] = 0;
        }
    }

    // col2im: the input gradient gathers each col entry; entries over padding are dropped.
    private readonly struct Scatter : IColumnRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Padding(float* colRow, int width) { }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(float* dx, float* colRow, int lo, int hi, int stride, int width, int readable)
        {
            if (stride == 1) KernelMath.AddShort(dx + lo, colRow + lo, hi - lo);
            else for (var ow = lo; ow < hi; ow++) dx[ow * stride] += colRow[ow];
        }
    }
}
