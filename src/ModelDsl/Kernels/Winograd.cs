using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

// A 3×3, unit-stride, 'same' convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016,
// "Fast Algorithms for Convolutional Neural Networks"): each 2×2 block of outputs of filter k is
//   Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// where d_c is the 4×4 input patch over the block (padding included) and g_kc the 3×3 filter, so the
// 36 multiply-adds per block and channel become 16, in 16 GEMMs (one per element ξ of the 4×4
// transform): M_ξ (K, tiles) = U_ξ (K, C) · V_ξ (C, tiles). The transforms are additions and halvings,
// so the result differs from the direct sum by rounding only (the tests hold it to the double reference
// with the same tolerance as the direct paths).
//
// Work is split by chunks of whole rows of 2×2 tiles (across samples on small maps): a chunk's
// transformed input V (16 × C × tiles) and products M (16 × K × tiles) stay within about 1 MiB, each
// product a run of Sgemm's micro-kernel over V's rows read in place. Sums over the channels run in
// KC-deep blocks in order, so a result depends neither on the chunking nor on the vector width.
//
// The filters are transformed at every call (the weights may have changed), straight into the
// micro-kernel's packed layout: 16·K·C values against 9·K·C, which is why small maps at batch 1 (under
// 512 output positions a call, where that pass would cost more than the multiply-adds it saves) and
// more than 256 filters or channels (the transformed filters no longer fit the cache beside a chunk,
// and every chunk streams them: VGG-16's 512→512 on 28×28 at batch 1 took 17.5 ms against 13.7
// directly) stay with the direct paths, as do rows of fewer than 4 tiles (maps narrower than 8, whose
// transforms would run one tile at a time).
internal static unsafe class Winograd
{
    [ThreadStatic] private static bool t_disabled;

    /// <summary>Sends convolutions started on this thread to the direct paths instead (tests compare the two).</summary>
    internal static bool Disabled { get => t_disabled; set => t_disabled = value; }

    private const int Tiles = 16;   // elements ξ of a transformed 4×4 patch

    /// <summary>Whether the forward of <typeparamref name="T"/> on <paramref name="n"/> samples runs here.</summary>
    public static bool Applies<T>(int n) where T : struct, IConv2DShape =>
        !t_disabled && T.KH == 3 && T.KW == 3 && T.SH == 1 && T.SW == 1 && T.DH == 1 && T.DW == 1 && T.G == 1
        && T.PadTop == 1 && T.PadLeft == 1 && T.OH == T.H && T.OW == T.W && T.OH % 2 == 0 && T.OW % 2 == 0
        && T.C >= 16 && T.K >= 16 && T.C <= 256 && T.K <= 256 && T.OW >= 8 && (long)n * T.OH * T.OW >= 512;

    /// <summary>
    /// y (N, K, H, W) = x ⋆ (w scaled by filter: w[k]·scale[k] when <paramref name="scale"/> is given) + bias
    /// (when given), then max(0, ·) when <paramref name="relu"/>, for a shape where <see cref="Applies{T}"/> holds.
    /// With <paramref name="flipped"/>, w is the weights (C, K, 3, 3) of the convolution whose input gradient
    /// this is (<see cref="Flipped{T}"/>): filter k, channel c of this one is w[c, k] rotated by 180°.
    /// </summary>
    public static void Forward<T>(float* x, float* w, float* scale, float* bias, float* y, int n, bool relu, bool parallel, bool flipped = false)
        where T : struct, IConv2DShape
    {
        var c = T.C;
        var k = T.K;
        var rowsK = (k + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR;
        var scratch = WorkerPool.ThreadScratch;
        var packed = scratch.PackedWeights(Tiles * rowsK * c);
        var transform = new FilterJob { W = w, Scale = scale, Packed = packed, C = c, K = k, RowsK = rowsK, Flipped = flipped };
        WorkerPool.Run(ref transform, (k + Sgemm.MR - 1) / Sgemm.MR, parallel);

        var width = Sgemm.WidthFor(256);
        var tileRows = T.H / 2;
        var tileColumns = T.W / 2;
        var nr = 2 * width;
        // Rows of tiles per chunk: V and M within about 1 MiB (2 MiB at most), and the chunk's tiles a whole
        // number of NR-wide panels where a nearby count allows (the columns past the last tile are computed
        // for nothing: rows of 28 tiles waste 4 of every 32 columns unless 8 rows go together).
        var target = Math.Max(1, (1 << 20) / (sizeof(float) * Tiles * (c + rowsK)) / tileColumns);
        var rows = 1;
        var bestWaste = double.MaxValue;
        var most = Math.Min(2 * target, n * tileRows);
        for (var r = Math.Min(target, most); r >= 1; r--)
            if (Waste(r) < bestWaste - 1e-9) (rows, bestWaste) = (r, Waste(r));
        for (var r = target + 1; r <= most && bestWaste > 0; r++)
            if (Waste(r) < bestWaste - 1e-9) (rows, bestWaste) = (r, Waste(r));
        double Waste(int r) => (double)(RoundUp(r * tileColumns, nr) - r * tileColumns) / (r * tileColumns);
        var job = new Job
        {
            X = x, Packed = packed, Bias = bias, Y = y, C = c, K = k, RowsK = rowsK, H = T.H, W = T.W,
            ChunkRows = rows, AllRows = n * tileRows, Width = width, Relu = relu,
        };
        WorkerPool.Run(ref job, (job.AllRows + rows - 1) / rows, parallel);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // U_ξ = G g Gᵀ (times the filter's scale) for the filters of an MR-row panel, written where Sgemm.PackAll
    // would put U_ξ (K, C): depth block pc's panels at pc·K↑MR, panel ir at ir·kc, depth p's MR rows together.
    // A panel of eight filters below K is transformed eight at a time (each tap gathered across them, the
    // same operations lane by lane), others one filter at a time; rows past K are zeros.
    private struct FilterJob : IParallelJob
    {
        public float* W, Scale, Packed;
        public int C, K, RowsK;
        public bool Flipped;

        public readonly void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int part, Scratch scratch)
        {
            var r0 = part * Sgemm.MR;
            var packedSize = (long)RowsK * C;
            var whole = Avx2.IsSupported && r0 + Sgemm.MR <= K;
            // Filter r0 + i, channel ch, tap j: w[r0 + i, ch, j], or w[ch, r0 + i, 8 − j] for the rotated filters.
            var index = Flipped ? Vector256.Create(0, 9, 18, 27, 36, 45, 54, 63) : Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (C * 9);
            var scales = whole && Scale != null ? Vector256.Load(Scale + r0) : Vector256.Create(1f);
            for (var ch = 0; ch < C; ch++)
            {
                var pc = ch / Sgemm.KC * Sgemm.KC;
                var kc = Math.Min(Sgemm.KC, C - pc);
                var at = Packed + (long)pc * RowsK + (long)r0 * kc + (ch - pc) * Sgemm.MR;   // the panel's eight values for ch
                if (whole)
                {
                    TransformFilter<Vector256<float>, V256, PanelTaps>(new PanelTaps(Filter(r0, ch), Flipped, index, scales), at, packedSize);
                    continue;
                }
                for (var i = 0; i < Sgemm.MR; i++)
                {
                    var row = r0 + i;
                    if (row < K)
                        TransformFilter<float, Scalar, FilterTaps>(new FilterTaps(Filter(row, ch), Flipped, Scale == null ? 1 : Scale[row]), at + i, packedSize);
                    else
                        for (var xi = 0; xi < Tiles; xi++) at[i + xi * packedSize] = 0;
                }
            }
        }

        // The taps of filter `row`, channel ch: w[row, ch] (or w[ch, row], read backwards, when rotated).
        private readonly float* Filter(int row, int ch) => Flipped ? W + ((long)ch * K + row) * 9 : W + ((long)row * C + ch) * 9;
    }

    // The nine (scaled) taps of one filter and channel, or of a panel's eight filters as one vector each.
    private interface ITaps<TV> where TV : struct
    {
        TV Tap(int j);
    }

    private readonly struct FilterTaps(float* g, bool rotated, float scale) : ITaps<float>
    {
        public float Tap(int j) => g[rotated ? 8 - j : j] * scale;
    }

    private readonly struct PanelTaps(float* g, bool rotated, Vector256<int> index, Vector256<float> scale) : ITaps<Vector256<float>>
    {
        public Vector256<float> Tap(int j) => Avx2.GatherVector256(g + (rotated ? 8 - j : j), index, 4) * scale;
    }

    // u_ξ = (G g Gᵀ)_ξ stored at at + ξ·stride (ξ = 4i + j, row-major), G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]:
    // the rows of G g are g's first row, ½(sum of the rows), ½(first − second + third), g's last row, and each
    // row of G g is carried along its columns the same way.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformFilter<TV, TOps, TTaps>(in TTaps taps, float* at, long stride)
        where TV : struct where TOps : struct, IVectorOps<TV> where TTaps : struct, ITaps<TV>
    {
        TV g0 = taps.Tap(0), g1 = taps.Tap(1), g2 = taps.Tap(2), g3 = taps.Tap(3), g4 = taps.Tap(4), g5 = taps.Tap(5);
        TV g6 = taps.Tap(6), g7 = taps.Tap(7), g8 = taps.Tap(8);
        var half = TOps.Broadcast(0.5f);
        FilterRow<TV, TOps>(g0, g1, g2, half, at, stride);
        FilterRow<TV, TOps>(TOps.Multiply(half, TOps.Add(TOps.Add(g0, g3), g6)), TOps.Multiply(half, TOps.Add(TOps.Add(g1, g4), g7)),
            TOps.Multiply(half, TOps.Add(TOps.Add(g2, g5), g8)), half, at + 4 * stride, stride);
        FilterRow<TV, TOps>(TOps.Multiply(half, TOps.Add(TOps.Subtract(g0, g3), g6)), TOps.Multiply(half, TOps.Add(TOps.Subtract(g1, g4), g7)),
            TOps.Multiply(half, TOps.Add(TOps.Subtract(g2, g5), g8)), half, at + 8 * stride, stride);
        FilterRow<TV, TOps>(g6, g7, g8, half, at + 12 * stride, stride);
    }

    // One row (h0, h1, h2) of G g times Gᵀ: h0, ½(h0 + h1 + h2), ½(h0 − h1 + h2), h2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterRow<TV, TOps>(TV h0, TV h1, TV h2, TV half, float* at, long stride)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        TOps.Store(h0, at);
        TOps.Store(TOps.Multiply(half, TOps.Add(TOps.Add(h0, h1), h2)), at + stride);
        TOps.Store(TOps.Multiply(half, TOps.Add(TOps.Subtract(h0, h1), h2)), at + 2 * stride);
        TOps.Store(h2, at + 3 * stride);
    }

    private struct Job : IParallelJob
    {
        public float* X, Packed, Bias, Y;
        public int C, K, RowsK, H, W, ChunkRows, AllRows, Width;
        public bool Relu;

        private readonly int TileColumns => W / 2;
        // Columns of V and M: the chunk's tiles rounded up to whole NR-wide panels.
        private readonly int Ld => RoundUp(ChunkRows * TileColumns, 2 * Width);
        // Per part: V (16, C, Ld), M (16, K↑MR, Ld), then four input rows split into even and odd columns
        // (each TW + 1 long, padded) and four output rows (two rows, even and odd columns).
        private readonly long RowSize => TileColumns + 1 + 16;
        private readonly long PartSize => (long)Tiles * (C + RowsK) * Ld + 12 * RowSize + 64;

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
            var buffer = (float*)(((nint)scratch.Col(checked((int)PartSize)) + 63) & ~(nint)63);
            var ld = Ld;
            var v = buffer;                                  // V_ξ (C, ld) at ξ·C·ld
            var m = v + (long)Tiles * C * ld;                // M_ξ (K↑MR, ld) at ξ·K↑MR·ld
            var rowsBuffer = m + (long)Tiles * RowsK * ld;
            var first = part * ChunkRows;
            var last = Math.Min(AllRows, first + ChunkRows);
            var tileRows = H / 2;
            var tc = TileColumns;
            var used = (last - first) * tc;

            // V: every channel of every tile row of the chunk; columns past the chunk's tiles are zeros.
            for (var ch = 0; ch < C; ch++)
            {
                for (var r = first; r < last; r++)
                {
                    var s = r / tileRows;
                    InputRow(X + ((long)s * C + ch) * H * W, r - s * tileRows, v + (long)ch * ld + (r - first) * tc, (long)C * ld, rowsBuffer);
                }
                for (var xi = 0; xi < Tiles; xi++) new Span<float>(v + ((long)xi * C + ch) * ld + used, ld - used).Clear();
            }

            // M_ξ = U_ξ · V_ξ: each B tile (kc rows of two vectors of V_ξ) in L1 for the K↑MR/MR tiles of U_ξ.
            var nr = 2 * TOps.Width;
            var packedSize = (long)RowsK * C;
            for (var xi = 0; xi < Tiles; xi++)
            {
                var u = Packed + xi * packedSize;
                var vx = v + (long)xi * C * ld;
                var mx = m + (long)xi * RowsK * ld;
                for (var pc = 0; pc < C; pc += Sgemm.KC)
                {
                    var kc = Math.Min(Sgemm.KC, C - pc);
                    var blockU = u + (long)pc * RowsK;
                    for (var jr = 0; jr < ld; jr += nr)
                    {
                        var rows = new StridedRows(vx + (long)pc * ld + jr, ld, TOps.Width);
                        for (var ir = 0; ir < RowsK; ir += Sgemm.MR)
                            Tile<TV, TOps>(kc, blockU + (long)ir * kc, rows, mx + (long)ir * ld + jr, ld, pc > 0);
                    }
                }
            }

            // y from M: every filter of every tile row of the chunk.
            for (var f = 0; f < K; f++)
            {
                var b = Bias == null ? 0f : Bias[f];
                for (var r = first; r < last; r++)
                {
                    var s = r / tileRows;
                    OutputRow(m + (long)f * ld + (r - first) * tc, (long)RowsK * ld, b,
                        Y + ((long)s * K + f) * H * W + (long)(r - s * tileRows) * 2 * W, rowsBuffer);
                }
            }
        }

        // One micro-kernel call, compiled apart from Run's loops so that its pointers stay in registers.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Tile<TV, TOps>(int kc, float* a, StridedRows rows, float* c, int ldc, bool accumulate)
            where TV : struct where TOps : struct, IVectorOps<TV> =>
            Sgemm.MicroKernel<TV, TOps, StridedRows, Off>(kc, a, rows, c, ldc, accumulate, null);

        // The transformed patches of tile row th of one channel plane x (H, W): V_ξ[t] at v + ξ·stride + t
        // for the row's TW tiles. Input rows 2th − 1 … 2th + 2 (zeros outside x), each split into e[j] =
        // x[2j] and o[j] = x[2j − 1] (e[TW] = o[0] = 0, the padding), so tile t's patch columns are
        // o[t], e[t], o[t + 1], e[t + 1].
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void InputRow(float* x, int th, float* v, long stride, float* rowsBuffer)
        {
            var tc = TileColumns;
            var rowSize = RowSize;
            for (var i = 0; i < 4; i++)
            {
                var e = rowsBuffer + 2 * i * rowSize;
                var o = e + rowSize;
                var ih = 2 * th - 1 + i;
                if ((uint)ih >= (uint)H)
                {
                    new Span<float>(e, tc + 1).Clear();
                    new Span<float>(o, tc + 1).Clear();
                    continue;
                }
                KernelMath.Deinterleave(x + (long)ih * W, e, tc, o + 1, tc, W);
                e[tc] = 0;
                o[0] = 0;
            }
            // The widest vectors that fit the row (the same operations in every lane, so the same values).
            var t = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; t + 16 <= tc; t += 16) InputTiles<Vector512<float>, V512>(rowsBuffer, t, v + t, stride);
            if (Vector256.IsHardwareAccelerated)
                for (; t + 8 <= tc; t += 8) InputTiles<Vector256<float>, V256>(rowsBuffer, t, v + t, stride);
            for (; t + 4 <= tc; t += 4) InputTiles<Vector128<float>, V128>(rowsBuffer, t, v + t, stride);
            for (; t < tc; t++) InputTiles<float, Scalar>(rowsBuffer, t, v + t, stride);
        }

        // Bᵀ d B for the patches of the tiles at t, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]: first along
        // each input row (u_i0 = d_i0 − d_i2, u_i1 = d_i1 + d_i2, u_i2 = d_i2 − d_i1, u_i3 = d_i1 − d_i3),
        // then down the columns the same way.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void InputTiles<TV, TOps>(float* rowsBuffer, int t, float* v, long stride)
            where TV : struct where TOps : struct, IVectorOps<TV>
        {
            var e = rowsBuffer + t;
            var rowSize = RowSize;
            RowPass<TV, TOps>(e, e + rowSize, out var u00, out var u01, out var u02, out var u03);
            RowPass<TV, TOps>(e + 2 * rowSize, e + 3 * rowSize, out var u10, out var u11, out var u12, out var u13);
            RowPass<TV, TOps>(e + 4 * rowSize, e + 5 * rowSize, out var u20, out var u21, out var u22, out var u23);
            RowPass<TV, TOps>(e + 6 * rowSize, e + 7 * rowSize, out var u30, out var u31, out var u32, out var u33);
            ColumnPass<TV, TOps>(u00, u10, u20, u30, v, 4 * stride);
            ColumnPass<TV, TOps>(u01, u11, u21, u31, v + stride, 4 * stride);
            ColumnPass<TV, TOps>(u02, u12, u22, u32, v + 2 * stride, 4 * stride);
            ColumnPass<TV, TOps>(u03, u13, u23, u33, v + 3 * stride, 4 * stride);
        }

        // d B along one input row, from its even (e) and odd (o) columns: (d0 − d2, d1 + d2, d2 − d1, d1 − d3)
        // with d = (o[t], e[t], o[t + 1], e[t + 1]).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RowPass<TV, TOps>(float* e, float* o, out TV u0, out TV u1, out TV u2, out TV u3)
            where TV : struct where TOps : struct, IVectorOps<TV>
        {
            TV d0 = TOps.Load(o), d1 = TOps.Load(e), d2 = TOps.Load(o + 1), d3 = TOps.Load(e + 1);
            u0 = TOps.Subtract(d0, d2);
            u1 = TOps.Add(d1, d2);
            u2 = TOps.Subtract(d2, d1);
            u3 = TOps.Subtract(d1, d3);
        }

        // Bᵀ down one column of d B, stored to V_ξ for ξ = column, column + 4, + 8, + 12 (rowStride = 4 ξ apart).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ColumnPass<TV, TOps>(TV a0, TV a1, TV a2, TV a3, float* v, long rowStride)
            where TV : struct where TOps : struct, IVectorOps<TV>
        {
            TOps.Store(TOps.Subtract(a0, a2), v);
            TOps.Store(TOps.Add(a1, a2), v + rowStride);
            TOps.Store(TOps.Subtract(a2, a1), v + 2 * rowStride);
            TOps.Store(TOps.Subtract(a1, a3), v + 3 * rowStride);
        }

        // y rows 2th and 2th + 1 of one filter from M_ξ[t] at m + ξ·stride + t: Aᵀ M A + b, Aᵀ = [1 1 1 0;
        // 0 1 −1 −1], even and odd output columns apart, then interleaved into y.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void OutputRow(float* m, long stride, float bias, float* y, float* rowsBuffer)
        {
            var tc = TileColumns;
            var rowSize = RowSize;
            var outputs = rowsBuffer + 8 * rowSize;   // even and odd columns of row 2th, then of row 2th + 1
            var t = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; t + 16 <= tc; t += 16) OutputTiles<Vector512<float>, V512>(m + t, stride, bias, outputs + t, rowSize);
            if (Vector256.IsHardwareAccelerated)
                for (; t + 8 <= tc; t += 8) OutputTiles<Vector256<float>, V256>(m + t, stride, bias, outputs + t, rowSize);
            for (; t + 4 <= tc; t += 4) OutputTiles<Vector128<float>, V128>(m + t, stride, bias, outputs + t, rowSize);
            for (; t < tc; t++) OutputTiles<float, Scalar>(m + t, stride, bias, outputs + t, rowSize);
            KernelMath.Interleave(outputs, outputs + rowSize, tc, y);
            KernelMath.Interleave(outputs + 2 * rowSize, outputs + 3 * rowSize, tc, y + W);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void OutputTiles<TV, TOps>(float* m, long stride, float bias, float* outputs, long rowSize)
            where TV : struct where TOps : struct, IVectorOps<TV>
        {
            // Aᵀ along each row i of M: (r_i0, r_i1) = (m_i0 + m_i1 + m_i2, m_i1 − m_i2 − m_i3); then down the columns.
            OutputRowPass<TV, TOps>(m, stride, out var r00, out var r01);
            OutputRowPass<TV, TOps>(m + 4 * stride, stride, out var r10, out var r11);
            OutputRowPass<TV, TOps>(m + 8 * stride, stride, out var r20, out var r21);
            OutputRowPass<TV, TOps>(m + 12 * stride, stride, out var r30, out var r31);
            var b = TOps.Broadcast(bias);
            Store<TV, TOps>(TOps.Add(TOps.Add(TOps.Add(r00, r10), r20), b), outputs);
            Store<TV, TOps>(TOps.Add(TOps.Add(TOps.Add(r01, r11), r21), b), outputs + rowSize);
            Store<TV, TOps>(TOps.Add(TOps.Subtract(TOps.Subtract(r10, r20), r30), b), outputs + 2 * rowSize);
            Store<TV, TOps>(TOps.Add(TOps.Subtract(TOps.Subtract(r11, r21), r31), b), outputs + 3 * rowSize);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void OutputRowPass<TV, TOps>(float* m, long stride, out TV r0, out TV r1)
            where TV : struct where TOps : struct, IVectorOps<TV>
        {
            TV m0 = TOps.Load(m), m1 = TOps.Load(m + stride), m2 = TOps.Load(m + 2 * stride), m3 = TOps.Load(m + 3 * stride);
            r0 = TOps.Add(TOps.Add(m0, m1), m2);
            r1 = TOps.Subtract(TOps.Subtract(m1, m2), m3);
        }

        // One vector of outputs, max(0, ·) first when the ReLU is fused.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store<TV, TOps>(TV value, float* p) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            if (Relu) value = TOps.Max(value, TOps.Broadcast(0));
            TOps.Store(value, p);
        }
    }

    // Rows of a row-major matrix: row p at b + p·ld, its second vector one vector on.
    private readonly struct StridedRows(float* b, int ld, int second) : IBRows
    {
        public float* Row(int p) => b + (long)p * ld;
        public int Second => second;
    }

    // One float as a vector of one lane, for the transforms' tails (the same operations in the same order).
    private readonly struct Scalar : IVectorOps<float>
    {
        public static int Width => 1;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, float* p) => *p = v;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float x) => x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float v) => v;
    }
}
