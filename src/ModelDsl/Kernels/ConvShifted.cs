using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// A unit-stride convolution as a GEMM whose B operand is read straight from a zero-padded copy of the
// input, with no panel packing. With the input padded to Hp × Wp and the output computed over the
// padded width (OH rows of Wp positions, of which the last Wp − OW in each row are discarded), output
// position q = oh·Wp + ow under tap (c, i, j) reads
//   xp[c, oh + i·DH, ow + j·DW] = xp_flat[c·plane + i·DH·Wp + j·DW + q],
// so row (c, i, j) of the im2col matrix is the padded input itself, shifted by a constant offset: the
// micro-kernel loads two vectors at xp + offset[p] + q instead of a packed panel. Packing the im2col
// panels costs about as much as the multiply-adds when there are few filters (64 filters: 64 FMAs per
// packed value); here the only copies are the padded input (one write per input value, not KH·KW)
// and the output's compaction from the padded width. The price is the discarded columns, so the
// kernel is used where they are few (Wp − OW at most a sixth of OW). Conv2D's weight gradient reads
// its im2col rows from the same padded copies (PadPlanes), through Sgemm's row offsets.
//
// The same kernel computes a unit-stride convolution's input gradient: Conv2D runs the forward of
// Flipped<T>, the correlation of dy, padded by (KH − 1)·DH − PadTop rows on top (and so on), with the
// filters flipped and their input and output channels swapped (PackFlipped).
//
// Sums run over the depth in the order the blocking fixes (KC-deep blocks, each summed in order in
// registers, added to C in order), as in Sgemm, so a result depends on neither the vector width nor
// the split into parts; with the bias added in the first block's store, the forward gives the same
// bits as the packed implicit GEMM.

/// <summary>Unit-stride convolutions (forward and input gradient) over a zero-padded copy of the input, and that copy.</summary>
internal static unsafe class ConvShifted
{
    [ThreadStatic] private static bool t_disabled;

    /// <summary>Sends convolutions started on this thread to the packed implicit GEMM instead (tests compare the two).</summary>
    internal static bool Disabled { get => t_disabled; set => t_disabled = value; }

    // Zeros after the last padded plane: the last tile's columns past the output and the taps' shift.
    private const int Slack = 2 * 2 * 16;

    /// <summary>
    /// Whether the forward of <typeparamref name="T"/> runs here: unit stride, a kernel wider than 1×1,
    /// padding no wider than the kernel's reach (so the input gradient's padding is not negative), and
    /// few discarded columns.
    /// </summary>
    public static bool Applies<T>() where T : struct, IConv2DShape => Fits<T>() && (long)(T.KW - 1) * T.DW * 6 <= T.OW;

    /// <summary>
    /// Whether the input gradient of <typeparamref name="T"/> runs here: as for the forward, the
    /// multiply-adds it does (H·(W + reach) positions, each over every tap, padding included) at most
    /// 8/7 of the forward's (OH·OW positions). Without padding they are far more: a 5×5 kernel on a
    /// 12×12 map does 3 times the forward's work, mostly over the zeros around dy.
    /// </summary>
    public static bool AppliesToInputGradient<T>() where T : struct, IConv2DShape =>
        Fits<T>() && 7L * T.H * (T.W + (T.KW - 1) * T.DW) <= 8L * T.OH * T.OW;

    // Unit stride, a kernel wider than 1×1, and padding within the kernel's reach on every side.
    private static bool Fits<T>() where T : struct, IConv2DShape
    {
        if (t_disabled || T.SH != 1 || T.SW != 1 || T.KH * T.KW == 1) return false;
        var reachH = (T.KH - 1) * T.DH;
        var reachW = (T.KW - 1) * T.DW;
        var padBottom = T.OH - 1 + reachH - T.PadTop - (T.H - 1);
        var padRight = T.OW - 1 + reachW - T.PadLeft - (T.W - 1);
        return T.PadTop <= reachH && T.PadLeft <= reachW && padBottom >= 0 && padRight >= 0 && padBottom <= reachH && padRight <= reachW;
    }

    /// <summary>y (N, K, OH, OW) = x ⋆ w + b for a shape where <see cref="Applies{T}"/> holds, then max(0, ·) when
    /// <paramref name="relu"/> (as y is copied out of the padded width); packedW holds w_g (KG, CF) of every
    /// group packed by Sgemm.PackAll, <paramref name="groupStride"/> floats apart.</summary>
    public static void Forward<T>(float* x, float* packedW, int groupStride, float* b, float* y, int n, bool parallel, bool relu = false) where T : struct, IConv2DShape
    {
        var plan = new Plan(
            groups: T.G, channels: T.C / T.G, h: T.H, w: T.W, filters: T.K / T.G, kh: T.KH, kw: T.KW, dh: T.DH, dw: T.DW,
            padTop: T.PadTop, padLeft: T.PadLeft, oh: T.OH, ow: T.OW);
        Run(plan, x, packedW, groupStride, b, y, n, parallel, relu);
    }

    /// <summary>
    /// Packs, as Sgemm.PackAll lays out an (M, K) matrix, the filters flipped with their channels swapped:
    /// row c, depth (k, t) of a group is w_g[k, c, taps − 1 − t] (w_g is (kg, cg, taps)), read in place.
    /// Large filters are packed by depth blocks across the threads, as PackAll does.
    /// </summary>
    internal static void PackFlipped(float* wg, int cg, int kg, int taps, float* dst)
    {
        var job = new PackFlippedJob { Wg = wg, Cg = cg, Kg = kg, Taps = taps, Dst = dst };
        WorkerPool.Run(ref job, (kg * taps + Sgemm.KC - 1) / Sgemm.KC, parallel: (long)cg * kg * taps >= 1L << 18);
    }

    private struct PackFlippedJob : IParallelJob
    {
        public float* Wg, Dst;
        public int Cg, Kg, Taps;

        public readonly void Reserve(Scratch scratch) { }

        // Part = depth block pc: its MR-row panels of every row, at pc·(cg↑MR).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            const int mr = Sgemm.MR;
            var depth = Kg * Taps;
            var rows = (Cg + mr - 1) / mr * mr;
            var pc = part * Sgemm.KC;
            var kc = Math.Min(Sgemm.KC, depth - pc);
            var block = Dst + (long)pc * rows;
            for (var ir = 0; ir < rows; ir += mr)
            {
                var panel = block + (long)ir * kc;   // (kc, MR): depth p's MR rows together
                var height = Math.Min(mr, Cg - ir);
                for (var p = 0; p < kc; p++)
                {
                    var k = (pc + p) / Taps;
                    var t = pc + p - k * Taps;
                    var src = Wg + ((long)k * Cg + ir) * Taps + Taps - 1 - t;   // w_g[k, ir, taps − 1 − t]; channels taps apart
                    var d = panel + p * mr;
                    for (var i = 0; i < height; i++) d[i] = src[(long)i * Taps];
                    for (var i = height; i < mr; i++) d[i] = 0;
                }
            }
        }
    }

    private static void Run(in Plan plan, float* x, float* packedW, int groupStride, float* b, float* y, int n, bool parallel, bool relu)
    {
        // Parts: (sample, strip of output rows), a few per thread when the work is split; strips also
        // keep one padded copy within a few hundred KiB.
        var strips = 1;
        if (parallel) strips = Math.Clamp((4 * WorkerPool.Degree + n - 1) / n, 1, plan.OH);
        var rowBytes = (long)plan.Channels * plan.Wp * sizeof(float);
        strips = Math.Max(strips, (int)Math.Min(plan.OH, (rowBytes * (plan.OH + plan.ReachH) + (512 << 10) - 1) / (512 << 10)));
        var rowsPerStrip = (plan.OH + strips - 1) / strips;
        strips = (plan.OH + rowsPerStrip - 1) / rowsPerStrip;
        // Few parts (a batch of 1 on a small map: 7 strips of 2 rows at 14×14) leave a thread idle while
        // the other finishes its last one: split the filters too, into blocks of whole MC-row panels.
        var filterBlocks = 1;
        if (parallel && n * strips < 8 * WorkerPool.Degree)
            filterBlocks = Math.Clamp((8 * WorkerPool.Degree + n * strips - 1) / (n * strips), 1, (plan.Filters + Sgemm.MC - 1) / Sgemm.MC);
        var filtersPerBlock = ((plan.Filters + filterBlocks - 1) / filterBlocks + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR;
        filterBlocks = (plan.Filters + filtersPerBlock - 1) / filtersPerBlock;
        var planeRows = rowsPerStrip + plan.ReachH + 1;   // +1: the last tile's columns run into the next row
        var depth = plan.Channels * plan.KH * plan.KW;
        var offsets = WorkerPool.ThreadScratch.Offsets(depth);
        RowOffsets(offsets, plan.Channels, plan.KH, plan.KW, plan.DH, plan.DW, planeRows * plan.Wp, plan.Wp);
        var job = new Job
        {
            Plan = plan, X = x, PackedW = packedW, GroupStride = groupStride, B = b, Y = y, Offsets = offsets,
            Strips = strips, RowsPerStrip = rowsPerStrip, PlaneRows = planeRows, Relu = relu,
            FilterBlocks = filterBlocks, FiltersPerBlock = filtersPerBlock, Width = Sgemm.WidthFor(rowsPerStrip * plan.Wp),
        };
        WorkerPool.Run(ref job, n * strips * filterBlocks, parallel);
    }

    /// <summary>One correlation per group: Channels (per group) × H × W in, Filters (per group) × OH × OW out.</summary>
    private readonly struct Plan(int groups, int channels, int h, int w, int filters, int kh, int kw, int dh, int dw, int padTop, int padLeft, int oh, int ow)
    {
        public readonly int Groups = groups, Channels = channels, H = h, W = w, Filters = filters;
        public readonly int KH = kh, KW = kw, DH = dh, DW = dw, PadTop = padTop, PadLeft = padLeft, OH = oh, OW = ow;
        /// <summary>Padded width: OW output columns and the taps' reach.</summary>
        public int Wp => OW + (KW - 1) * DW;
        public int ReachH => (KH - 1) * DH;
        public int Depth => Channels * KH * KW;
        public long InputSample => (long)Groups * Channels * H * W;
        public long OutputSample => (long)Groups * Filters * OH * OW;
    }

    private struct Job : IParallelJob
    {
        public Plan Plan;
        public float* X, PackedW, B, Y;
        public int* Offsets;
        public int GroupStride, Strips, RowsPerStrip, PlaneRows, FilterBlocks, FiltersPerBlock, Width;
        public bool Relu;

        // Floats of one part's scratch: the padded strip of every channel of a group, the slack, and (unaligned) C
        // for one NC-wide block of padded-width positions.
        // C starts on a cache line (its rows are NC floats), so its vectors never straddle two.
        private readonly long PaddedSize => ((long)Plan.Channels * PlaneRows * Plan.Wp + Slack + Plan.Wp + 15) / 16 * 16;
        private readonly long PartSize => PaddedSize + (Aligned ? 0 : (long)Plan.Filters * Sgemm.NC) + 16;

        // Output rows a whole number of vectors wide: each vector of a tile lies in one output row, so the
        // tiles cover the output positions only (no discarded columns) and are stored straight into y, the
        // tile's second vector read where its row's padded copy puts it; no C buffer.
        private readonly bool Aligned => Plan.OW % Width == 0;

        public readonly void Reserve(Scratch scratch) => scratch.Col(checked((int)PartSize));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            switch (Width)
            {
                case 16: Run<Vector512<float>, V512>(part, scratch); break;
                case 8: Run<Vector256<float>, V256>(part, scratch); break;
                default: Run<Vector128<float>, V128>(part, scratch); break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Run<TV, TOps>(int part, Scratch scratch) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            // Part = (sample, strip of output rows, block of filters [f0, f1)).
            var f0 = part % FilterBlocks * FiltersPerBlock;
            var f1 = Math.Min(Plan.Filters, f0 + FiltersPerBlock);
            part /= FilterBlocks;
            var s = part / Strips;
            var oh0 = part % Strips * RowsPerStrip;
            var rows = Math.Min(RowsPerStrip, Plan.OH - oh0);
            var buffer = (float*)(((nint)scratch.Col(checked((int)PartSize)) + 63) & ~(nint)63);
            var padded = buffer;
            var c = buffer + PaddedSize;   // unaligned: (Filters, NC), C over one block of padded-width positions
            var nr = 2 * TOps.Width;
            var depth = Plan.Depth;
            var aligned = Aligned;
            var positions = rows * (aligned ? Plan.OW : Plan.Wp);   // of the strip: output, or padded-width
            var ldc = aligned ? Plan.OH * Plan.OW : Sgemm.NC;
            var tile = stackalloc float[Sgemm.MR * 2 * Vector512<float>.Count];
            for (var g = 0; g < Plan.Groups; g++)
            {
                Pad(X + s * Plan.InputSample + (long)g * Plan.Channels * Plan.H * Plan.W, padded, oh0, rows);
                var a = PackedW + (long)g * GroupStride;
                var bias = B == null ? null : B + (long)g * Plan.Filters;
                var yg = Y + s * Plan.OutputSample + (long)g * Plan.Filters * Plan.OH * Plan.OW;
                for (var jc = 0; jc < positions; jc += Sgemm.NC)
                {
                    var nc = Math.Min(Sgemm.NC, positions - jc);
                    for (var pc = 0; pc < depth; pc += Sgemm.KC)
                    {
                        var kc = Math.Min(Sgemm.KC, depth - pc);
                        var add = pc > 0;
                        var clamp = aligned && Relu && pc + kc == depth;   // the last depth block stores whole sums into y
                        var blockA = a + (long)pc * ((Plan.Filters + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR);   // Sgemm.PackAll's layout
                        var off = Offsets + pc;
                        // As in Sgemm: an MC-row block of A stays in L2 while each tile of B (kc rows of
                        // 2 vectors, a few KiB of the padded input) stays in L1 for the block's MR-row tiles.
                        for (var ic = f0; ic < f1; ic += Sgemm.MC)
                        {
                            var mc = Math.Min(Sgemm.MC, f1 - ic);
                            for (var jr = 0; jr < nc; jr += nr)
                            {
                                var nw = Math.Min(nr, nc - jr);
                                var rowsB = aligned ? AlignedTile(padded, jc + jr, TOps.Width, off) : new ShiftedRows(padded + jc + jr, off, TOps.Width);
                                var c0 = aligned ? yg + (long)oh0 * Plan.OW + jc + jr : c + jr;
                                for (var ir = ic; ir < ic + mc; ir += Sgemm.MR)
                                {
                                    var mh = Math.Min(Sgemm.MR, ic + mc - ir);
                                    var pa = blockA + ir * kc;
                                    var tileBias = add || bias == null ? null : bias + ir;
                                    var cp = c0 + (long)ir * ldc;
                                    if (mh == Sgemm.MR && (nw == nr || !aligned))
                                    {
                                        if (clamp) Sgemm.MicroKernel<TV, TOps, ShiftedRows, On>(kc, pa, rowsB, cp, ldc, add, tileBias);
                                        else Sgemm.MicroKernel<TV, TOps, ShiftedRows, Off>(kc, pa, rowsB, cp, ldc, add, tileBias);
                                        continue;
                                    }
                                    Sgemm.MicroKernel<TV, TOps, ShiftedRows, Off>(kc, pa, rowsB, tile, nr, false, null);
                                    var cols = aligned ? nw : nr;   // the padded-width C has room for whole tiles
                                    if (clamp) Sgemm.StoreEdge<On>(tile, nr, cp, ldc, mh, cols, add, tileBias);
                                    else Sgemm.StoreEdge<Off>(tile, nr, cp, ldc, mh, cols, add, tileBias);
                                }
                            }
                        }
                    }
                    if (!aligned) Compact(c, yg, oh0, jc, nc, f0, f1);
                }
            }
        }

        // The B rows of the tile at the strip's output position q (of rows OW wide, OW a multiple of the
        // vector width): each vector at its own row of the padded copy.
        private readonly ShiftedRows AlignedTile(float* padded, int q, int width, int* off)
        {
            var first = q / Plan.OW * Plan.Wp + q % Plan.OW;
            var next = (q + width) / Plan.OW * Plan.Wp + (q + width) % Plan.OW;
            return new ShiftedRows(padded + first, off, next - first);
        }

        // The strip's padded input, and zeros over the slack after it.
        private readonly void Pad(float* x, float* padded, int oh0, int rows)
        {
            PadPlanes(x, Plan.Channels, Plan.H, Plan.W, Plan.PadTop, Plan.PadLeft, Plan.Wp, oh0, PlaneRows, rows + Plan.ReachH, padded);
            new Span<float>(padded + (long)Plan.Channels * PlaneRows * Plan.Wp, Slack + Plan.Wp).Clear();
        }

        // y[k, oh0 + q / Wp, q % Wp] = c[k, q − jc] (or its max with 0) for filters [f0, f1) and the strip's
        // positions q in [jc, jc + nc) that are output columns (q % Wp < OW).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Compact(float* c, float* y, int oh0, int jc, int nc, int f0, int f1)
        {
            var wp = Plan.Wp;
            for (var k = f0; k < f1; k++)
            {
                var src = c + (long)k * Sgemm.NC;
                var yk = y + (long)k * Plan.OH * Plan.OW;
                for (var q = jc; q < jc + nc;)
                {
                    var r = q / wp;
                    var ow = q - r * wp;
                    var len = Math.Min(jc + nc - q, wp - ow);
                    var valid = Math.Min(len, Plan.OW - ow);
                    if (valid > 0)
                    {
                        if (Relu) ReluRun(src + (q - jc), yk + (long)(oh0 + r) * Plan.OW + ow, valid);
                        else KernelMath.CopyShort(src + (q - jc), yk + (long)(oh0 + r) * Plan.OW + ow, valid);
                    }
                    q += len;
                }
            }
        }
    }

    /// <summary>
    /// offsets[(c·KH + i)·KW + j] = c·plane + i·DH·Wp + j·DW for c &lt; channels: where im2col row (c, i, j)
    /// starts in padded copies of planes of <paramref name="plane"/> floats, <paramref name="wp"/> wide.
    /// </summary>
    public static void RowOffsets(int* offsets, int channels, int kh, int kw, int dh, int dw, int plane, int wp)
    {
        for (var c = 0; c < channels; c++)
            for (var i = 0; i < kh; i++)
                for (var j = 0; j < kw; j++)
                    offsets[(c * kh + i) * kw + j] = c * plane + i * dh * wp + j * dw;
    }

    /// <summary>
    /// For each of <paramref name="channels"/> planes x (h, w): planeRows rows of wp floats at dst, row r
    /// holding input row firstRow + r − padTop with padLeft zeros before it and zeros after; rows outside
    /// x, and rows from usedRows on, are zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PadPlanes(float* x, int channels, int h, int w, int padTop, int padLeft, int wp, int firstRow, int planeRows, int usedRows, float* dst)
    {
        for (var ch = 0; ch < channels; ch++)
        {
            var plane = dst + (long)ch * planeRows * wp;
            var xc = x + (long)ch * h * w;
            for (var r = 0; r < planeRows; r++)
            {
                var row = plane + (long)r * wp;
                var ih = firstRow + r - padTop;
                if (r >= usedRows || (uint)ih >= (uint)h)
                {
                    new Span<float>(row, wp).Clear();
                    continue;
                }
                KernelMath.ClearShort(row, padLeft);
                KernelMath.CopyShort(xc + (long)ih * w, row + padLeft, w);
                KernelMath.ClearShort(row + padLeft + w, wp - padLeft - w);
            }
        }
    }

    // d[i] = max(0, s[i]) for i < n, lane by lane as Activations.ReLU (IEEE maximum: −0 becomes +0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReluRun(float* s, float* d, int n)
    {
        var i = 0;
        for (; i <= n - 8; i += 8) Vector256.Max(Vector256.Load(s + i), Vector256<float>.Zero).Store(d + i);
        for (; i < n; i++) d[i] = Sgemm.Relu(s[i]);
    }

    // Row p of a B tile: the padded input at the im2col row's offset; the second vector `second` floats on.
    private readonly struct ShiftedRows(float* x, int* offset, int second) : IBRows
    {
        public float* Row(int p) => x + offset[p];
        public int Second => second;
    }
}
