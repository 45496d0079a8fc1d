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
// A strided forward (strides SH, SW) runs the same way over the input split into its SH·SW phases:
// phase (a, b) of channel c holds x[c, SH·r + a, SW·s + b] at row r, column s (offset by the padding,
// in whole phase rows and columns, zeros outside x). Tap (i, j) of output (oh, ow) reads input row
// SH·oh + u with u = i·DH − PadTop = SH·di + a (0 ≤ a < SH), which is row oh + di of phase a: again a
// constant offset from q per im2col row, so the kernel, the packed filters and the order of the sums
// are the unit-stride ones. Each input value is copied once, against KH·KW times by im2col packing,
// whose cost dominated a stride-2 3×3 convolution with 128 filters (a third of its time).
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
    /// Whether the forward of <typeparamref name="T"/> runs here: a kernel wider than 1×1, padding no wider
    /// than the kernel's reach (so the input gradient's padding is not negative), and few discarded
    /// columns; any stride (the input split into its phases).
    /// </summary>
    public static bool Applies<T>() where T : struct, IConv2DShape =>
        Fits<T>() ? (long)(T.KW - 1) * T.DW * 6 <= T.OW : FitsStrided<T>() && FewStridedDiscards<T>();

    // A strided convolution's map is small (ResNet's downsampling onto 8×8): at most a fifth more positions
    // computed than output, counting the discarded columns and a sample's last tile of 32, else the
    // implicit GEMM's samples side by side waste less.
    private static bool FewStridedDiscards<T>() where T : struct, IConv2DShape
    {
        var output = (long)T.OH * T.OW;
        var computed = T.OW % 16 == 0 ? output : ((long)T.OH * PlanOf<T>().Wp + 31) / 32 * 32;
        return computed * 5 <= output * 6;
    }

    /// <summary>
    /// Whether the input gradient of <typeparamref name="T"/> runs here: as for the forward, the
    /// multiply-adds it does (H·(W + reach) positions, each over every tap, padding included) at most
    /// 8/7 of the forward's (OH·OW positions). Without padding they are far more: a 5×5 kernel on a
    /// 12×12 map does 3 times the forward's work, mostly over the zeros around dy.
    /// </summary>
    public static bool AppliesToInputGradient<T>() where T : struct, IConv2DShape =>
        Fits<T>() && 7L * T.H * (T.W + (T.KW - 1) * T.DW) <= 8L * T.OH * T.OW;

    // Strided (a unit-stride shape is Fits'), a kernel wider than 1×1, and padding before the input within the
    // kernel's reach: every tap's phase row and column offset di, dj ≥ −⌈Pad/S⌉. The zeros after the input
    // are read from the phases' padding whatever their width.
    private static bool FitsStrided<T>() where T : struct, IConv2DShape =>
        !t_disabled && (T.SH != 1 || T.SW != 1) && T.KH * T.KW != 1
        && T.PadTop <= (T.KH - 1) * T.DH && T.PadLeft <= (T.KW - 1) * T.DW;

    private static Plan PlanOf<T>() where T : struct, IConv2DShape => new(
        groups: T.G, channels: T.C / T.G, h: T.H, w: T.W, filters: T.K / T.G, kh: T.KH, kw: T.KW, sh: T.SH, sw: T.SW, dh: T.DH, dw: T.DW,
        padTop: T.PadTop, padLeft: T.PadLeft, oh: T.OH, ow: T.OW);

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
    public static void Forward<T>(float* x, float* packedW, int groupStride, float* b, float* y, int n, bool parallel, bool relu = false) where T : struct, IConv2DShape =>
        Run(PlanOf<T>(), x, packedW, groupStride, b, y, n, parallel, relu);

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
        // Parts: (sample, strip of output rows, block of filters), a few per thread when the work is split.
        // Strips keep one padded copy within a few hundred KiB. A small batch is split into strips of rows,
        // and the filters too when those parts are still few (blocks of whole MC-row panels). But every strip
        // streams the whole packed filters (9 MiB for 512×512 3×3), so where that leaves strips under 8
        // tiles of positions (a batch of 1 on 28×28 or 14×14) the filters are split first, each part
        // streaming its block only, and the rows only when those blocks run out.
        var rowBytes = (long)plan.Channels * plan.Phases * plan.Wp * sizeof(float);
        var strips = (int)Math.Min(plan.OH, (rowBytes * (plan.OH + plan.ReachH) + (512 << 10) - 1) / (512 << 10));
        var filterBlocks = 1;
        if (parallel)
        {
            var wanted = 4 * WorkerPool.Degree;
            var byRows = Math.Clamp((wanted + n - 1) / n, strips, plan.OH);
            if ((long)(plan.OH + byRows - 1) / byRows * plan.Wp >= 8 * 32)
            {
                strips = byRows;
                if (n * strips < 2 * wanted)
                    filterBlocks = Math.Clamp((2 * wanted + n * strips - 1) / (n * strips), 1, (plan.Filters + Sgemm.MC - 1) / Sgemm.MC);
            }
            else
            {
                filterBlocks = Math.Clamp((wanted + n * strips - 1) / (n * strips), 1, Math.Max(1, plan.Filters / (4 * Sgemm.MR)));
                if (n * strips * filterBlocks < wanted) strips = Math.Clamp((wanted + n * filterBlocks - 1) / (n * filterBlocks), strips, plan.OH);
            }
        }
        var rowsPerStrip = (plan.OH + strips - 1) / strips;
        strips = (plan.OH + rowsPerStrip - 1) / rowsPerStrip;
        var filtersPerBlock = ((plan.Filters + filterBlocks - 1) / filterBlocks + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR;
        filterBlocks = (plan.Filters + filtersPerBlock - 1) / filtersPerBlock;
        var planeRows = rowsPerStrip + plan.ReachH + 1;   // +1: the last tile's columns run into the next row
        var depth = plan.Channels * plan.KH * plan.KW;
        var offsets = WorkerPool.ThreadScratch.Offsets(depth);
        PhaseOffsets(offsets, plan.Channels, plan.KH, plan.KW, plan.SH, plan.SW, plan.DH, plan.DW, plan.PadTop, plan.PadLeft, planeRows * plan.Wp, plan.Wp);
        var job = new Job
        {
            Plan = plan, X = x, PackedW = packedW, GroupStride = groupStride, B = b, Y = y, Offsets = offsets,
            Strips = strips, RowsPerStrip = rowsPerStrip, PlaneRows = planeRows, Relu = relu,
            FilterBlocks = filterBlocks, FiltersPerBlock = filtersPerBlock, Width = Sgemm.WidthFor(rowsPerStrip * plan.Wp),
        };
        if (filterBlocks > 1 && plan.Groups == 1 && n * strips * job.PaddedSize * sizeof(float) <= 1 << 20)
        {
            // The filter blocks of a strip share one padded copy, made first rather than by each of them
            // (where the copies stay in cache until read: larger ones are made by each part, just before use).
            job.Shared = WorkerPool.ThreadScratch.Shared(checked((int)(n * strips * job.PaddedSize)));
            var pad = new PadJob { Job = job };
            WorkerPool.Run(ref pad, n * strips, parallel);
        }
        WorkerPool.Run(ref job, n * strips * filterBlocks, parallel);
    }

    /// <summary>One correlation per group: Channels (per group) × H × W in, Filters (per group) × OH × OW out.</summary>
    private readonly struct Plan(int groups, int channels, int h, int w, int filters, int kh, int kw, int sh, int sw, int dh, int dw,
        int padTop, int padLeft, int oh, int ow)
    {
        public readonly int Groups = groups, Channels = channels, H = h, W = w, Filters = filters;
        public readonly int KH = kh, KW = kw, SH = sh, SW = sw, DH = dh, DW = dw, PadTop = padTop, PadLeft = padLeft, OH = oh, OW = ow;
        /// <summary>Planes per channel in the padded copy: the input's SH·SW phases (one at unit stride).</summary>
        public int Phases => SH * SW;
        /// <summary>Padded width: OW output columns and the taps' reach in phase columns.</summary>
        public int Wp => OW + PhaseReach(KW, DW, PadLeft, SW);
        /// <summary>Phase rows past an output row that its taps read.</summary>
        public int ReachH => PhaseReach(KH, DH, PadTop, SH);
        public int Depth => Channels * KH * KW;
        public long InputSample => (long)Groups * Channels * H * W;
        public long OutputSample => (long)Groups * Filters * OH * OW;
    }

    // The padded copies of every (sample, strip), into Job.Shared.
    private struct PadJob : IParallelJob
    {
        public Job Job;

        public readonly void Reserve(Scratch scratch) { }

        public readonly void Run(int part, Scratch scratch)
        {
            var (s, oh0, rows) = Job.Strip(part);
            Job.Pad(Job.X + s * Job.Plan.InputSample, Job.Shared + part * Job.PaddedSize, oh0, rows);
        }
    }

    private struct Job : IParallelJob
    {
        public Plan Plan;
        public float* X, PackedW, B, Y;
        public float* Shared;   // the strips' padded copies, made before the parts run (one group only), or null
        public int* Offsets;
        public int GroupStride, Strips, RowsPerStrip, PlaneRows, FilterBlocks, FiltersPerBlock, Width;
        public bool Relu;

        // Floats of one part's scratch: the padded strip of every channel of a group, the slack, and (unaligned) C
        // for one NC-wide block of padded-width positions.
        // C starts on a cache line (its rows are NC floats), so its vectors never straddle two.
        public readonly long PaddedSize => ((long)Plan.Channels * Plan.Phases * PlaneRows * Plan.Wp + Slack + Plan.Wp + 15) / 16 * 16;
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
            var (s, oh0, rows) = Strip(part);
            var buffer = (float*)(((nint)scratch.Col(checked((int)PartSize)) + 63) & ~(nint)63);
            var padded = Shared != null ? Shared + part * PaddedSize : buffer;
            var c = buffer + PaddedSize;   // unaligned: (Filters, NC), C over one block of padded-width positions
            var nr = 2 * TOps.Width;
            var depth = Plan.Depth;
            var aligned = Aligned;
            var positions = rows * (aligned ? Plan.OW : Plan.Wp);   // of the strip: output, or padded-width
            var ldc = aligned ? Plan.OH * Plan.OW : Sgemm.NC;
            var tile = stackalloc float[Sgemm.MR * 2 * Vector512<float>.Count];
            for (var g = 0; g < Plan.Groups; g++)
            {
                if (Shared == null) Pad(X + s * Plan.InputSample + (long)g * Plan.Channels * Plan.H * Plan.W, padded, oh0, rows);
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
                                        if (clamp) Tile<TV, TOps, On>(kc, pa, rowsB, cp, ldc, add, tileBias);
                                        else Tile<TV, TOps, Off>(kc, pa, rowsB, cp, ldc, add, tileBias);
                                        continue;
                                    }
                                    Tile<TV, TOps, Off>(kc, pa, rowsB, tile, nr, false, null);
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

        // One micro-kernel call, compiled apart from Run's loops so that its pointers and the second vector's
        // offset stay in registers (inlined into Run, the offset was reloaded from the stack at every step).
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Tile<TV, TOps, TRelu>(int kc, float* a, ShiftedRows rows, float* c, int ldc, bool accumulate, float* bias)
            where TV : struct where TOps : struct, IVectorOps<TV> where TRelu : struct, IFlag =>
            Sgemm.MicroKernel<TV, TOps, ShiftedRows, TRelu>(kc, a, rows, c, ldc, accumulate, bias);

        // The B rows of the tile at the strip's output position q (of rows OW wide, OW a multiple of the
        // vector width): each vector at its own row of the padded copy.
        private readonly ShiftedRows AlignedTile(float* padded, int q, int width, int* off)
        {
            var first = q / Plan.OW * Plan.Wp + q % Plan.OW;
            var next = (q + width) / Plan.OW * Plan.Wp + (q + width) % Plan.OW;
            return new ShiftedRows(padded + first, off, next - first);
        }

        // Part (sample s, strip) of the (sample, strip) parts: its first output row and row count.
        public readonly (int Sample, int FirstRow, int Rows) Strip(int part)
        {
            var oh0 = part % Strips * RowsPerStrip;
            return (part / Strips, oh0, Math.Min(RowsPerStrip, Plan.OH - oh0));
        }

        // The strip's padded input, and zeros over the slack after it.
        public readonly void Pad(float* x, float* padded, int oh0, int rows)
        {
            if (Plan.Phases == 1) PadPlanes(x, Plan.Channels, Plan.H, Plan.W, Plan.PadTop, Plan.PadLeft, Plan.Wp, oh0, PlaneRows, rows + Plan.ReachH, padded);
            else PadPhases(x, oh0, rows + Plan.ReachH, padded);
            new Span<float>(padded + (long)Plan.Channels * Plan.Phases * PlaneRows * Plan.Wp, Slack + Plan.Wp).Clear();
        }

        // The strip's phases: plane (c, a, b) row r, column s holds x[c, SH·(oh0 + r − ⌈PadTop/SH⌉) + a,
        // SW·(s − ⌈PadLeft/SW⌉) + b], zeros outside x and from row usedRows on.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void PadPhases(float* x, int oh0, int usedRows, float* padded)
        {
            int sh = Plan.SH, sw = Plan.SW, wp = Plan.Wp, h = Plan.H, w = Plan.W;
            var top = (Plan.PadTop + sh - 1) / sh;
            var left = (Plan.PadLeft + sw - 1) / sw;
            var plane = (long)PlaneRows * wp;
            for (var ch = 0; ch < Plan.Channels; ch++)
                for (var a = 0; a < sh; a++)
                {
                    if (sw == 2)
                    {
                        // Both column phases from one pass over each input row.
                        var even = padded + (ch * Plan.Phases + a * 2) * plane;
                        var odd = even + plane;
                        var evens = Math.Min((w + 1) / 2, wp - left);
                        var odds = Math.Min(w / 2, wp - left);
                        for (var r = 0; r < PlaneRows; r++, even += wp, odd += wp)
                        {
                            var ih = sh * (oh0 + r - top) + a;
                            if (r >= usedRows || (uint)ih >= (uint)h)
                            {
                                new Span<float>(even, wp).Clear();
                                new Span<float>(odd, wp).Clear();
                                continue;
                            }
                            KernelMath.ClearShort(even, left);
                            KernelMath.ClearShort(odd, left);
                            KernelMath.Deinterleave(x + ((long)ch * h + ih) * w, even + left, evens, odd + left, odds, w);
                            KernelMath.ClearShort(even + left + evens, wp - left - evens);
                            KernelMath.ClearShort(odd + left + odds, wp - left - odds);
                        }
                        continue;
                    }
                    for (var b = 0; b < sw; b++)
                    {
                        var dst = padded + (ch * Plan.Phases + a * sw + b) * plane;
                        // Phase columns [left, left + count) hold input columns b, b + SW, …
                        var count = Math.Clamp((w - b + sw - 1) / sw, 0, wp - left);
                        for (var r = 0; r < PlaneRows; r++, dst += wp)
                        {
                            var ih = sh * (oh0 + r - top) + a;
                            if (r >= usedRows || (uint)ih >= (uint)h)
                            {
                                new Span<float>(dst, wp).Clear();
                                continue;
                            }
                            KernelMath.ClearShort(dst, left);
                            KernelMath.GatherStrided(x + ((long)ch * h + ih) * w + b, dst + left, count, sw, w - b);
                            KernelMath.ClearShort(dst + left + count, wp - left - count);
                        }
                    }
                }
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
    public static void RowOffsets(int* offsets, int channels, int kh, int kw, int dh, int dw, int plane, int wp) =>
        PhaseOffsets(offsets, channels, kh, kw, 1, 1, dh, dw, 0, 0, plane, wp);

    /// <summary>
    /// Where im2col row (c, i, j) starts in a padded copy of the input's phases (SH·SW planes of
    /// <paramref name="plane"/> floats, <paramref name="wp"/> wide, per channel): with i·DH − padTop =
    /// SH·di + a and j·DW − padLeft = SW·dj + b, plane (c, a, b), row di + ⌈padTop/SH⌉, column dj + ⌈padLeft/SW⌉.
    /// At unit stride (one plane per channel) this is c·plane + i·DH·Wp + j·DW.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PhaseOffsets(int* offsets, int channels, int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int plane, int wp)
    {
        var top = (padTop + sh - 1) / sh;
        var left = (padLeft + sw - 1) / sw;
        for (var c = 0; c < channels; c++)
            for (var i = 0; i < kh; i++)
                for (var j = 0; j < kw; j++)
                {
                    var (di, a) = FloorDivRem(i * dh - padTop, sh);
                    var (dj, b) = FloorDivRem(j * dw - padLeft, sw);
                    offsets[(c * kh + i) * kw + j] = ((c * sh + a) * sw + b) * plane + (di + top) * wp + dj + left;
                }
    }

    // The phase rows (or columns) past an output's first that its taps read: from −⌈pad/S⌉ to ⌊((k − 1)·D − pad)/S⌋.
    private static int PhaseReach(int k, int d, int pad, int stride) => FloorDivRem((k - 1) * d - pad, stride).Quotient + (pad + stride - 1) / stride;

    // (q, r) with value = q·divisor + r and 0 ≤ r < divisor.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Quotient, int Remainder) FloorDivRem(int value, int divisor)
    {
        var q = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
        return (q, value - q * divisor);
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
