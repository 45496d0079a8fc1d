using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

// Single-precision GEMM, row-major: C (M, N) = op(A) (M, K) · op(B) (K, N) [+ C], where op(A) is A
// or Aᵀ and op(B) is B or Bᵀ. Blocked as in BLIS: a KC×NC block of op(B) and an MC×KC block of
// op(A) are packed into panels (NR columns, MR rows) so the micro-kernel reads both contiguously;
// the micro-kernel keeps an MR×NR tile of C in registers (8 rows × 2 vectors). op(B)'s panels come
// from an IPanelSource, so a convolution can gather them from its input without an im2col matrix.
// The k order of every sum is fixed by the blocking alone, so splitting C across threads never
// changes a bit of the result, nor does the vector width (16, 8 or 4 floats). Products of at most
// SmallRows rows skip the tiles (dot products or row updates; the dot products' order depends on
// the vector width, not on the split).

/// <summary>The packed, cache-blocked SGEMM behind Conv2D and Dense.</summary>
internal static unsafe class Sgemm
{
    /// <summary>Depth of a packed block (rows of op(B), columns of op(A)).</summary>
    public const int KC = 256;
    /// <summary>Rows of op(A) per packed block; a multiple of MR.</summary>
    public const int MC = 128;
    /// <summary>Columns of op(B) per packed block; a multiple of every micro-kernel's NR. A packed B
    /// block (KC, NC) takes half of a 1 MiB L2 cache, leaving room for the weights of a convolution.</summary>
    public const int NC = 512;
    /// <summary>Floats in a packed A block, (MC, KC).</summary>
    public const int PackASize = MC * KC;
    /// <summary>Floats in a packed B block, (KC, NC).</summary>
    public const int PackBSize = KC * NC;

    /// <summary>Rows of C per micro-kernel tile.</summary>
    public const int MR = 8;

    // Below this many multiply-adds a GEMM runs on the calling thread only.
    private const long ParallelThreshold = 1L << 21;

    [ThreadStatic] private static int t_widthOverride;

    /// <summary>
    /// Floats per vector of the micro-kernel that products started on this thread use: the widest the
    /// hardware accelerates (16, 8 or 4), unless <see cref="ForceWidth"/> chose a narrower one.
    /// </summary>
    public static int Width => t_widthOverride != 0 ? t_widthOverride
        : Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>
    /// The vector width for a product whose C has <paramref name="columns"/> columns: <see cref="Width"/>,
    /// or 8 floats where 16-float tiles (32 columns) would pad C so much that the narrower tiles
    /// (16 columns) win although each does less work per instruction (a 4×4 map's 16 positions).
    /// </summary>
    public static int WidthFor(int columns)
    {
        var width = Width;
        if (t_widthOverride != 0 || width != 16) return width;
        return RoundUp(columns, 16) * 5 < RoundUp(columns, 32) * 4 ? 8 : 16;
    }

    private static long RoundUp(int value, int multiple) => ((long)value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// Makes products started on this thread (and the parts they hand to other threads) use vectors of
    /// <paramref name="width"/> floats (16, 8 or 4; 0 restores the hardware's widest), so the narrower
    /// micro-kernels run and are tested on any CPU.
    /// </summary>
    public static void ForceWidth(int width)
    {
        if (width is not (0 or 4 or 8 or 16))
            throw new ArgumentOutOfRangeException(nameof(width), width, "The vector width must be 4, 8 or 16 floats (or 0 for the hardware's).");
        if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated)
            throw new NotSupportedException($"This CPU does not accelerate vectors of {width} floats.");
        t_widthOverride = width;
    }

    /// <summary>
    /// C (M, N) = op(A) · op(B), or C += op(A) · op(B) when <paramref name="accumulate"/>.
    /// A is (M, K) with row stride lda, or (K, M) when <paramref name="transA"/>; B is (K, N) with row
    /// stride ldb, or (N, K) when <paramref name="transB"/>; C has row stride ldc.
    /// </summary>
    /// <remarks>
    /// When <paramref name="packedA"/> is given it holds all of op(A) as laid out by <see cref="PackAll"/>
    /// (a is then not read): a matrix used for many products is packed once.
    /// </remarks>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, bool parallel = true, float* packedA = null)
    {
        switch (Width)
        {
            case 16: Multiply<Vector512<float>, V512>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA); break;
            case 8: Multiply<Vector256<float>, V256>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA); break;
            default: Multiply<Vector128<float>, V128>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA); break;
        }
    }

    /// <summary>
    /// C (M, N) = (or +=) A · op(B) on the calling thread, where <paramref name="source"/> packs op(B)
    /// (K, N) panel by panel (so op(B) need never exist as a matrix: a convolution gathers it from its
    /// input). A (M, K) is read with row stride lda, or, when <paramref name="packedA"/> is given, is rows
    /// [firstRow, firstRow + M) (firstRow a multiple of MR) of a matrix of <paramref name="packedRows"/>
    /// rows packed whole by <see cref="PackAll"/>. When <paramref name="rowBias"/> is given (and not
    /// <paramref name="accumulate"/>), C's row i starts from rowBias[i], added as the last step of the
    /// first depth block's tile store. When <paramref name="relu"/>, every value of C is stored as
    /// max(0, ·) (a NaN stays NaN) by the last depth block's tile store, so C = max(0, bias + A · op(B))
    /// (or max(0, C + A · op(B))) with the sums rounded exactly as without it.
    /// <paramref name="width"/> is the floats per vector (16, 8 or 4), read by <see cref="WidthFor"/>
    /// on the thread that split the work. When <paramref name="offsets"/> holds a table, A[i, p] is
    /// a[rows[i] + p] (or a[rows[i] + depths[p]] with a depth table) instead (lda unused): the rows of a
    /// convolution's im2col matrix read in place from padded copies of its input.
    /// </summary>
    public static void MultiplySerial<TSource>(int width, int m, int n, int k, float* a, int lda,
        float* packedA, int packedRows, int firstRow, in TSource source,
        float* c, int ldc, bool accumulate, float* rowBias, Scratch scratch, OffsetRows offsets = default, bool relu = false)
        where TSource : struct, IPanelSource
    {
        if (m <= 0 || n <= 0) return;
        var rows = new PackedRows(packedA, packedRows, firstRow);
        if (relu) Serial<TSource, On>(width, m, n, k, a, lda, source, c, ldc, accumulate, rowBias, scratch, rows, offsets);
        else Serial<TSource, Off>(width, m, n, k, a, lda, source, c, ldc, accumulate, rowBias, scratch, rows, offsets);
    }

    // The blocked GEMM at a vector width, with the ReLU compiled in or out.
    private static void Serial<TSource, TRelu>(int width, int m, int n, int k, float* a, int lda, in TSource source,
        float* c, int ldc, bool accumulate, float* rowBias, Scratch scratch, PackedRows rows, OffsetRows offsets)
        where TSource : struct, IPanelSource where TRelu : struct, IFlag
    {
        switch (width)
        {
            case 16: Serial<Vector512<float>, V512, TSource, TRelu>(false, m, n, k, a, lda, source, c, ldc, accumulate, rowBias, scratch, rows, offsets); break;
            case 8: Serial<Vector256<float>, V256, TSource, TRelu>(false, m, n, k, a, lda, source, c, ldc, accumulate, rowBias, scratch, rows, offsets); break;
            default: Serial<Vector128<float>, V128, TSource, TRelu>(false, m, n, k, a, lda, source, c, ldc, accumulate, rowBias, scratch, rows, offsets); break;
        }
    }

    /// <summary>Floats that <see cref="PackAll"/> writes for an op(A) of (M, K): (M↑MR)·K.</summary>
    public static int PackedASize(int m, int k) => (m + MR - 1) / MR * MR * k;

    /// <summary>
    /// Packs all of op(A) (M, K) once, for <see cref="Multiply(bool, bool, int, int, int, float*, int, float*, int, float*, int, bool, bool, float*)"/>:
    /// for each depth block pc, its MR-row panels of every row, so block (ic, pc) starts at pc·(M↑MR) + ic·kc.
    /// </summary>
    /// <remarks>With <paramref name="rowScale"/> (untransposed A only), row i is packed multiplied by rowScale[i].</remarks>
    public static void PackAll(bool transA, int m, int k, float* a, int lda, float* dst, float* rowScale = null)
    {
        if (transA && rowScale != null) throw new ArgumentException("Row scales apply to an untransposed A.", nameof(rowScale));
        var job = new PackAllJob { TransA = transA, M = m, K = k, A = a, Lda = lda, Dst = dst, RowScale = rowScale };
        // A large matrix (a layer's weights, packed at every call) is packed by depth blocks across the
        // threads, so a batch-1 forward does not wait on one thread copying megabytes.
        WorkerPool.Run(ref job, (k + KC - 1) / KC, parallel: (long)m * k >= PackInParallel);
    }

    // Floats of op(A) from which PackAll splits its depth blocks across threads.
    private const long PackInParallel = 1L << 18;

    private struct PackAllJob : IParallelJob
    {
        public bool TransA;
        public int M, K, Lda;
        public float* A, Dst, RowScale;

        public readonly void Reserve(Scratch scratch) { }

        // Part = depth block pc: its MR-row panels of every row, at pc·(M↑MR).
        public readonly void Run(int part, Scratch scratch)
        {
            var pc = part * KC;
            PackA(TransA, A, Lda, 0, M, pc, Math.Min(KC, K - pc), Dst + (long)pc * ((M + MR - 1) / MR * MR), rowScale: RowScale);
        }
    }

    /// <summary><see cref="Multiply(bool, bool, int, int, int, float*, int, float*, int, float*, int, bool, bool, float*)"/>
    /// with a chosen vector width (tests run every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TV, TOps>(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, bool parallel, float* packedA = null)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        if (m <= 0 || n <= 0) return;
        if (m <= SmallRows && !transA && packedA == null)
        {
            // A few rows (a dense layer on a small batch): dot products or row updates that stream B
            // once, split by columns of C; a tile of MR rows would be mostly padding and packing B
            // (transposed, for a dense layer's weights) would cost more than the product.
            var small = new SmallJob<TV, TOps> { TransB = transB, M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc, Accumulate = accumulate };
            var step = transB ? 4 : 4 * TOps.Width;
            var blocks = (n + step - 1) / step;
            var smallParts = parallel && (long)m * n * k >= ParallelThreshold ? Math.Min(blocks, 2 * WorkerPool.Degree) : 1;
            small.BlocksPerPart = (blocks + smallParts - 1) / smallParts;
            small.Step = step;
            WorkerPool.Run(ref small, (blocks + small.BlocksPerPart - 1) / small.BlocksPerPart);
            return;
        }
        var job = new Job<TV, TOps>
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k,
            A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc, Accumulate = accumulate, PackedA = packedA,
        };
        var parts = 1;
        if (parallel && (long)m * n * k >= ParallelThreshold)
        {
            // Split C into column strips (whole NR panels) or, when C is too narrow, row strips.
            var nr = 2 * TOps.Width;
            var maxParts = 2 * WorkerPool.Degree;
            var tilesN = (n + nr - 1) / nr;
            var tilesM = (m + MR - 1) / MR;
            job.SplitColumns = tilesN >= Math.Min(tilesM, maxParts);
            var tiles = job.SplitColumns ? tilesN : tilesM;
            parts = Math.Min(tiles, maxParts);
            job.TilesPerPart = (tiles + parts - 1) / parts;
            job.TileSize = job.SplitColumns ? nr : MR;
            parts = (tiles + job.TilesPerPart - 1) / job.TilesPerPart;
        }
        if (parts == 1)
            Serial<TV, TOps, DenseSource, Off>(transA, m, n, k, a, lda, new DenseSource(transB, b, ldb), c, ldc, accumulate, null,
                WorkerPool.ThreadScratch, new PackedRows(packedA, m, 0));
        else
            WorkerPool.Run(ref job, parts);
    }

    private struct Job<TV, TOps> : IParallelJob where TV : struct where TOps : struct, IVectorOps<TV>
    {
        public bool TransA, TransB, Accumulate, SplitColumns;
        public int M, N, K, Lda, Ldb, Ldc, TilesPerPart, TileSize;
        public float* A, B, C, PackedA;

        public readonly void Reserve(Scratch scratch) { }

        public readonly void Run(int part, Scratch scratch)
        {
            var start = part * TilesPerPart * TileSize;
            if (SplitColumns)
            {
                // Columns [start, start + width) of C and op(B).
                var width = Math.Min(N - start, TilesPerPart * TileSize);
                var b = TransB ? B + (long)start * Ldb : B + start;
                Serial<TV, TOps, DenseSource, Off>(TransA, M, width, K, A, Lda, new DenseSource(TransB, b, Ldb), C + start, Ldc, Accumulate, null,
                    scratch, new PackedRows(PackedA, M, 0));
            }
            else
            {
                // Rows [start, start + height) of C and op(A).
                var height = Math.Min(M - start, TilesPerPart * TileSize);
                var a = TransA ? A + start : A + (long)start * Lda;
                Serial<TV, TOps, DenseSource, Off>(TransA, height, N, K, a, Lda, new DenseSource(TransB, B, Ldb), C + (long)start * Ldc, Ldc, Accumulate, null,
                    scratch, new PackedRows(PackedA, M, start));
            }
        }
    }

    /// <summary>Rows of C up to which <see cref="Multiply{TV, TOps}"/> skips the tiled GEMM.</summary>
    public const int SmallRows = 4;

    private struct SmallJob<TV, TOps> : IParallelJob where TV : struct where TOps : struct, IVectorOps<TV>
    {
        public bool TransB, Accumulate;
        public int M, N, K, Lda, Ldb, Ldc, BlocksPerPart, Step;
        public float* A, B, C;

        public readonly void Reserve(Scratch scratch) { }

        public readonly void Run(int part, Scratch scratch)
        {
            var j0 = part * BlocksPerPart * Step;
            var j1 = Math.Min(N, j0 + BlocksPerPart * Step);
            if (TransB) SmallDots<TV, TOps>(M, j0, j1, K, A, Lda, B, Ldb, C, Ldc, Accumulate);
            else SmallRowUpdates<TV, TOps>(M, j0, j1, K, A, Lda, B, Ldb, C, Ldc, Accumulate);
        }
    }

    // C[i, j] (+)= A row i · B row j for columns [j0, j1): B (N, K) read once, four rows at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallDots<TV, TOps>(int m, int j0, int j1, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var sums = stackalloc float[4];
        for (var j = j0; j < j1; j += 4)
        {
            var rows = Math.Min(4, j1 - j);
            // Rows past the last repeat it (their sums are dropped).
            float* b0 = b + (long)j * ldb, b1 = b0 + (rows > 1 ? ldb : 0), b2 = b1 + (rows > 2 ? ldb : 0), b3 = b2 + (rows > 3 ? ldb : 0);
            for (var i = 0; i < m; i++)
            {
                Dots4<TV, TOps>(a + (long)i * lda, b0, b1, b2, b3, k, sums);
                var ci = c + (long)i * ldc + j;
                for (var t = 0; t < rows; t++) ci[t] = accumulate ? ci[t] + sums[t] : sums[t];
            }
        }
    }

    /// <summary>sums[t] = x · y_t over [0, k) for four vectors y_0 … y_3, each summed in one fixed order
    /// (vector lanes, their sum, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dots4<TV, TOps>(float* x, float* y0, float* y1, float* y2, float* y3, int k, float* sums)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var w = TOps.Width;
        TV s0 = default, s1 = default, s2 = default, s3 = default;
        var p = 0;
        for (; p <= k - w; p += w)
        {
            var xv = TOps.Load(x + p);
            s0 = TOps.Fma(xv, TOps.Load(y0 + p), s0);
            s1 = TOps.Fma(xv, TOps.Load(y1 + p), s1);
            s2 = TOps.Fma(xv, TOps.Load(y2 + p), s2);
            s3 = TOps.Fma(xv, TOps.Load(y3 + p), s3);
        }
        float t0 = TOps.Sum(s0), t1 = TOps.Sum(s1), t2 = TOps.Sum(s2), t3 = TOps.Sum(s3);
        for (; p < k; p++)
        {
            t0 = MathF.FusedMultiplyAdd(x[p], y0[p], t0);
            t1 = MathF.FusedMultiplyAdd(x[p], y1[p], t1);
            t2 = MathF.FusedMultiplyAdd(x[p], y2[p], t2);
            t3 = MathF.FusedMultiplyAdd(x[p], y3[p], t3);
        }
        sums[0] = t0;
        sums[1] = t1;
        sums[2] = t2;
        sums[3] = t3;
    }

    // C[i, j0..j1) (+)= Σ_p A[i, p] · B row p: B (K, N) read in column blocks of four vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallRowUpdates<TV, TOps>(int m, int j0, int j1, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var w = TOps.Width;
        var j = j0;
        for (; j + 4 * w <= j1; j += 4 * w)
            for (var i = 0; i < m; i++)
            {
                TV s0 = default, s1 = default, s2 = default, s3 = default;
                var ai = a + (long)i * lda;
                var bp = b + j;
                for (var p = 0; p < k; p++, bp += ldb)
                {
                    var av = TOps.Broadcast(ai[p]);
                    s0 = TOps.Fma(av, TOps.Load(bp), s0);
                    s1 = TOps.Fma(av, TOps.Load(bp + w), s1);
                    s2 = TOps.Fma(av, TOps.Load(bp + 2 * w), s2);
                    s3 = TOps.Fma(av, TOps.Load(bp + 3 * w), s3);
                }
                var ci = c + (long)i * ldc + j;
                if (accumulate)
                {
                    s0 = TOps.Add(s0, TOps.Load(ci)); s1 = TOps.Add(s1, TOps.Load(ci + w));
                    s2 = TOps.Add(s2, TOps.Load(ci + 2 * w)); s3 = TOps.Add(s3, TOps.Load(ci + 3 * w));
                }
                TOps.Store(s0, ci); TOps.Store(s1, ci + w); TOps.Store(s2, ci + 2 * w); TOps.Store(s3, ci + 3 * w);
            }
        // The last columns, one at a time, summed in the same order as a vector lane.
        for (; j < j1; j++)
            for (var i = 0; i < m; i++)
            {
                var sum = 0f;
                var ai = a + (long)i * lda;
                for (var p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(ai[p], b[(long)p * ldb + j], sum);
                ref var target = ref c[(long)i * ldc + j];
                target = accumulate ? target + sum : sum;
            }
    }

    /// <summary>All of op(A) packed by <see cref="PackAll"/> (null when not packed ahead), of which this
    /// product uses the rows from <paramref name="firstRow"/> (a multiple of MR).</summary>
    private readonly struct PackedRows(float* data, int allRows, int firstRow)
    {
        public float* Data => data;

        // The packed (mc, kc) block at rows FirstRow + ic, depths pc.
        public float* Block(int ic, int pc, int kc) =>
            data + (long)pc * ((allRows + MR - 1) / MR * MR) + (long)(firstRow + ic) * kc;
    }

    /// <summary>The blocked GEMM on the calling thread, packing into <paramref name="scratch"/>; the row bias
    /// goes in with the first depth block's store, the ReLU (when <typeparamref name="TRelu"/> is on) with the last's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Serial<TV, TOps, TSource, TRelu>(bool transA, int m, int n, int k, float* a, int lda, in TSource b,
        float* c, int ldc, bool accumulate, float* rowBias, Scratch scratch, PackedRows packed, OffsetRows offsets = default)
        where TV : struct where TOps : struct, IVectorOps<TV> where TSource : struct, IPanelSource where TRelu : struct, IFlag
    {
        var nr = 2 * TOps.Width;
        if (accumulate) rowBias = null;
        if (k <= 0)
        {
            for (var i = 0; i < m; i++)
            {
                var row = new Span<float>(c + (long)i * ldc, n);
                if (!accumulate) row.Fill(rowBias == null ? 0 : TRelu.Value ? Relu(rowBias[i]) : rowBias[i]);
                else if (TRelu.Value) foreach (ref var v in row) v = Relu(v);
            }
            return;
        }
        var packA = scratch.PackA;   // (MC, KC) as MR-row panels
        var packB = scratch.PackB;   // (KC, NC) as NR-column panels
        var tile = stackalloc float[MR * 2 * Vector512<float>.Count];   // (MR, NR) edge tile
        for (var jc = 0; jc < n; jc += NC)
        {
            var nc = Math.Min(NC, n - jc);
            for (var pc = 0; pc < k; pc += KC)
            {
                var kc = Math.Min(KC, k - pc);
                b.Pack(pc, kc, jc, nc, nr, packB);
                var add = accumulate || pc > 0;
                var bias = pc == 0 ? rowBias : null;
                var clamp = TRelu.Value && pc + kc == k;   // the last depth block: C holds whole sums
                for (var ic = 0; ic < m; ic += MC)
                {
                    var mc = Math.Min(MC, m - ic);
                    var blockA = packA;   // (mc↑MR, kc) as MR-row panels
                    if (packed.Data != null) blockA = packed.Block(ic, pc, kc);
                    else PackA(transA, a, lda, ic, mc, pc, kc, packA, offsets);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var nw = Math.Min(nr, nc - jr);
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var mh = Math.Min(MR, mc - ir);
                            var pa = blockA + ir * kc;
                            var pb = packB + jr * kc;
                            var cp = c + (long)(ic + ir) * ldc + jc + jr;
                            var tileBias = bias == null ? null : bias + ic + ir;
                            if (mh == MR && nw == nr)
                            {
                                if (clamp) MicroKernel<TV, TOps, PanelRows, On>(kc, pa, new PanelRows(pb, nr), cp, ldc, add, tileBias);
                                else MicroKernel<TV, TOps, PanelRows, Off>(kc, pa, new PanelRows(pb, nr), cp, ldc, add, tileBias);
                                continue;
                            }
                            MicroKernel<TV, TOps, PanelRows, Off>(kc, pa, new PanelRows(pb, nr), tile, nr, false, null);
                            if (clamp) StoreEdge<On>(tile, nr, cp, ldc, mh, nw, add, tileBias);
                            else StoreEdge<Off>(tile, nr, cp, ldc, mh, nw, add, tileBias);
                        }
                    }
                }
            }
        }
    }

    // c (mh, nw) = (or +=) the top left of an edge tile (MR, nr) computed apart, [+ bias[i]], [max(0, ·)].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreEdge<TRelu>(float* tile, int nr, float* c, int ldc, int mh, int nw, bool add, float* bias) where TRelu : struct, IFlag
    {
        for (var i = 0; i < mh; i++)
            for (var j = 0; j < nw; j++)
            {
                var v = tile[i * nr + j];
                ref var target = ref c[(long)i * ldc + j];
                v = add ? target + v : bias != null ? v + bias[i] : v;
                target = TRelu.Value ? Relu(v) : v;
            }
    }

    // packA (mc↑MR, kc): panel r holds rows [r·MR, r·MR + MR) of the block, one MR-vector per depth p;
    // rows past mc are zeros. With offset tables (untransposed only), A[i, p] is read as OffsetRows says.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool trans, float* a, int lda, int i0, int mc, int p0, int kc, float* dst, OffsetRows offsets = default, float* rowScale = null)
    {
        if (offsets.Rows != null)
        {
            PackOffsetRows(a, offsets.Rows + i0, offsets.Depths, mc, p0, kc, dst);
            return;
        }
        for (var ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            var rows = Math.Min(MR, mc - ir);
            if (trans)
            {
                // op(A)[i, p] = a[p, i]: the MR rows of one depth are contiguous.
                for (var p = 0; p < kc; p++)
                {
                    var src = a + (long)(p0 + p) * lda + i0 + ir;
                    var d = dst + p * MR;
                    for (var i = 0; i < rows; i++) d[i] = src[i];
                    for (var i = rows; i < MR; i++) d[i] = 0;
                }
            }
            else
            {
                // op(A)[i, p] = a[i, p]: depth outer, so the writes are sequential (MR row streams are read);
                // eight depths of a full panel at a time as an 8×8 transpose in registers.
                var src = a + (long)(i0 + ir) * lda + p0;
                var start = 0;
                if (rows == MR && Avx.IsSupported)
                    for (; start <= kc - 8; start += 8) Transpose8x8(src + start, lda, dst + start * MR, MR);
                for (var p = start; p < kc; p++)
                {
                    var d = dst + p * MR;
                    for (var i = 0; i < rows; i++) d[i] = src[(long)i * lda + p];
                    for (var i = rows; i < MR; i++) d[i] = 0;
                }
                if (rowScale != null) ScalePanel(dst, kc, rowScale + i0 + ir, rows);
            }
        }
    }

    // panel (kc, MR) *= scale[i] in row i < rows (the padding rows stay zero).
    private static void ScalePanel(float* panel, int kc, float* scale, int rows)
    {
        var s = stackalloc float[MR];
        for (var i = 0; i < MR; i++) s[i] = i < rows ? scale[i] : 0f;
        var v = Vector256.Load(s);
        for (var p = 0; p < kc; p++) (Vector256.Load(panel + p * MR) * v).Store(panel + p * MR);
    }

    // PackA's untransposed layout for A[i, p] = a[offset[i] + depth(p)], i < mc, where depth(p) is p, or
    // depths[p] with a depth table (strictly increasing, so eight entries whose first and last are seven
    // apart are consecutive): eight depths of a full panel at a time as 8×8 transposes in registers
    // wherever those depths are eight consecutive floats, the rest one by one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackOffsetRows(float* a, int* offset, int* depths, int mc, int p0, int kc, float* dst)
    {
        for (var ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            var rows = Math.Min(MR, mc - ir);
            var o = offset + ir;
            var p = 0;
            if (depths == null && rows == MR && Avx.IsSupported)
            {
                // Every depth run is contiguous: one transpose per eight depths, no table to check.
                float* s0 = a + o[0] + p0, s1 = a + o[1] + p0, s2 = a + o[2] + p0, s3 = a + o[3] + p0;
                float* s4 = a + o[4] + p0, s5 = a + o[5] + p0, s6 = a + o[6] + p0, s7 = a + o[7] + p0;
                for (; p <= kc - 8; p += 8)
                    Transpose8x8(s0 + p, s1 + p, s2 + p, s3 + p, s4 + p, s5 + p, s6 + p, s7 + p, dst + p * MR, MR);
            }
            while (p < kc)
            {
                var at = depths == null ? p0 + p : depths[p0 + p];
                if (rows == MR && Avx.IsSupported && p + 8 <= kc && (depths == null || depths[p0 + p + 7] == at + 7))
                {
                    Transpose8x8(a + o[0] + at, a + o[1] + at, a + o[2] + at, a + o[3] + at,
                        a + o[4] + at, a + o[5] + at, a + o[6] + at, a + o[7] + at, dst + p * MR, MR);
                    p += 8;
                    continue;
                }
                var d = dst + p * MR;
                for (var i = 0; i < rows; i++) d[i] = a[o[i] + at];
                for (var i = rows; i < MR; i++) d[i] = 0;
                p++;
            }
        }
    }

    /// <summary>dst[p·ldd + i] = src[i·ld + p] for i, p &lt; 8, with AVX shuffles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* src, int ld, float* dst, int ldd) =>
        Transpose8x8(src, src + ld, src + 2L * ld, src + 3L * ld, src + 4L * ld, src + 5L * ld, src + 6L * ld, src + 7L * ld, dst, ldd);

    /// <summary>dst[p·ldd + i] = row i[p] for i, p &lt; 8, with AVX shuffles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* s0, float* s1, float* s2, float* s3, float* s4, float* s5, float* s6, float* s7, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(s0); var r1 = Avx.LoadVector256(s1);
        var r2 = Avx.LoadVector256(s2); var r3 = Avx.LoadVector256(s3);
        var r4 = Avx.LoadVector256(s4); var r5 = Avx.LoadVector256(s5);
        var r6 = Avx.LoadVector256(s6); var r7 = Avx.LoadVector256(s7);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// The micro-kernel over any rows of B, without the ReLU: see <see cref="MicroKernel{TV, TOps, TRows, TRelu}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MicroKernel<TV, TOps, TRows>(int kc, float* a, in TRows rows, float* c, int ldc, bool accumulate, float* bias)
        where TV : struct where TOps : struct, IVectorOps<TV> where TRows : struct, IBRows =>
        MicroKernel<TV, TOps, TRows, Off>(kc, a, rows, c, ldc, accumulate, bias);

    /// <summary>
    /// c (MR, NR) = (or +=) Σ_p a[p, :]ᵀ · (the two vectors of B row p: at rows.Row(p) and rows.Second floats further), where a is an MR-row packed panel
    /// (kc, MR) and NR = 2 vectors (a packed NR-column panel is <see cref="PanelRows"/>); the 16
    /// accumulators stay in registers. When <paramref name="bias"/> is given, row i is stored as its
    /// sum + bias[i]; when <typeparamref name="TRelu"/> is on, every value is stored as max(0, ·) of what
    /// it would be otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MicroKernel<TV, TOps, TRows, TRelu>(int kc, float* a, in TRows rows, float* c, int ldc, bool accumulate, float* bias)
        where TV : struct where TOps : struct, IVectorOps<TV> where TRows : struct, IBRows where TRelu : struct, IFlag
    {
        nint second = rows.Second;   // pointer-sized, so the loop does not widen it at every step
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TV c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (var p = 0; p < kc; p++, a += MR)
        {
            var b = rows.Row(p);
            var b0 = TOps.Load(b);
            var b1 = TOps.Load(b + second);
            var ai = TOps.Broadcast(a[0]); c00 = TOps.Fma(ai, b0, c00); c01 = TOps.Fma(ai, b1, c01);
            ai = TOps.Broadcast(a[1]); c10 = TOps.Fma(ai, b0, c10); c11 = TOps.Fma(ai, b1, c11);
            ai = TOps.Broadcast(a[2]); c20 = TOps.Fma(ai, b0, c20); c21 = TOps.Fma(ai, b1, c21);
            ai = TOps.Broadcast(a[3]); c30 = TOps.Fma(ai, b0, c30); c31 = TOps.Fma(ai, b1, c31);
            ai = TOps.Broadcast(a[4]); c40 = TOps.Fma(ai, b0, c40); c41 = TOps.Fma(ai, b1, c41);
            ai = TOps.Broadcast(a[5]); c50 = TOps.Fma(ai, b0, c50); c51 = TOps.Fma(ai, b1, c51);
            ai = TOps.Broadcast(a[6]); c60 = TOps.Fma(ai, b0, c60); c61 = TOps.Fma(ai, b1, c61);
            ai = TOps.Broadcast(a[7]); c70 = TOps.Fma(ai, b0, c70); c71 = TOps.Fma(ai, b1, c71);
        }
        StoreRow<TV, TOps, TRelu>(c00, c01, c, accumulate, bias, 0);
        StoreRow<TV, TOps, TRelu>(c10, c11, c + ldc, accumulate, bias, 1);
        StoreRow<TV, TOps, TRelu>(c20, c21, c + 2L * ldc, accumulate, bias, 2);
        StoreRow<TV, TOps, TRelu>(c30, c31, c + 3L * ldc, accumulate, bias, 3);
        StoreRow<TV, TOps, TRelu>(c40, c41, c + 4L * ldc, accumulate, bias, 4);
        StoreRow<TV, TOps, TRelu>(c50, c51, c + 5L * ldc, accumulate, bias, 5);
        StoreRow<TV, TOps, TRelu>(c60, c61, c + 6L * ldc, accumulate, bias, 6);
        StoreRow<TV, TOps, TRelu>(c70, c71, c + 7L * ldc, accumulate, bias, 7);
    }

    // A packed NR-column panel: row p at b + p·NR.
    private readonly struct PanelRows(float* b, int nr) : IBRows
    {
        public float* Row(int p) => b + p * nr;
        public int Second => nr / 2;
    }

    /// <summary>Row <paramref name="row"/> of a tile, two vectors: stored, added to c, or stored plus bias[row]; then max(0, ·) when <typeparamref name="TRelu"/> is on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreRow<TV, TOps, TRelu>(TV v0, TV v1, float* c, bool accumulate, float* bias, int row)
        where TV : struct where TOps : struct, IVectorOps<TV> where TRelu : struct, IFlag
    {
        if (accumulate)
        {
            v0 = TOps.Add(v0, TOps.Load(c));
            v1 = TOps.Add(v1, TOps.Load(c + TOps.Width));
        }
        else if (bias != null)
        {
            var r = TOps.Broadcast(bias[row]);
            v0 = TOps.Add(v0, r);
            v1 = TOps.Add(v1, r);
        }
        if (TRelu.Value)
        {
            var zero = TOps.Broadcast(0);
            v0 = TOps.Max(v0, zero);
            v1 = TOps.Max(v1, zero);
        }
        TOps.Store(v0, c);
        TOps.Store(v1, c + TOps.Width);
    }

    /// <summary>max(0, v) as <see cref="IVectorOps{TV}.Max"/> computes each lane (IEEE 754 maximum: a NaN stays
    /// NaN, −0 becomes +0), for the values of C stored outside the micro-kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Relu(float v) => MathF.Max(v, 0f);
}

/// <summary>
/// Packs blocks of a GEMM's op(B) (K, N) into the micro-kernel's NR-column panels, so op(B) can be a
/// plain matrix or gathered on the fly (a convolution's im2col matrix).
/// </summary>
internal unsafe interface IPanelSource
{
    /// <summary>
    /// Writes op(B) rows [p0, p0 + kc) × columns [j0, j0 + nc) to <paramref name="dst"/> as ⌈nc/nr⌉
    /// panels of (kc, nr), panel r holding columns [r·nr, r·nr + nr) one depth after another; columns
    /// past nc are zeros.
    /// </summary>
    void Pack(int p0, int kc, int j0, int nc, int nr, float* dst);
}

/// <summary>op(B) as a row-major matrix: B (K, N) with row stride ldb, or Bᵀ of a B (N, K) when trans.</summary>
internal readonly unsafe struct DenseSource(bool trans, float* b, int ldb) : IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (var jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            var cols = Math.Min(nr, nc - jr);
            if (trans)
            {
                // op(B)[p, j] = b[j, p]: depth outer, so the writes are sequential (NR column streams are read);
                // a full panel eight depths at a time as 8×8 transposes in registers.
                var src = b + (long)(j0 + jr) * ldb + p0;
                var start = 0;
                if (cols == nr && nr % 8 == 0 && Avx.IsSupported)
                    for (; start <= kc - 8; start += 8)
                        for (var j = 0; j < nr; j += 8) Sgemm.Transpose8x8(src + (long)j * ldb + start, ldb, dst + start * nr + j, nr);
                for (var p = start; p < kc; p++)
                {
                    var d = dst + p * nr;
                    for (var j = 0; j < cols; j++) d[j] = src[(long)j * ldb + p];
                    for (var j = cols; j < nr; j++) d[j] = 0;
                }
            }
            else
            {
                var src = b + (long)p0 * ldb + j0 + jr;
                for (var p = 0; p < kc; p++, src += ldb) PanelRow(src, dst + p * nr, cols, nr);
            }
        }
    }

    /// <summary>d[0..nr) = src[0..cols) followed by zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PanelRow(float* src, float* d, int cols, int nr)
    {
        if (cols == nr)
        {
            KernelMath.CopyShort(src, d, nr);
            return;
        }
        KernelMath.CopyShort(src, d, cols);
        KernelMath.ClearShort(d + cols, nr - cols);
    }
}

/// <summary>
/// A GEMM's A read in place through offset tables: A[i, p] = a[Rows[i] + p], or a[Rows[i] + Depths[p]]
/// when there is a depth table, strictly increasing (a convolution's im2col rows over padded copies of
/// several samples, whose positions jump at each output row). Default: no tables, A is a plain matrix.
/// </summary>
internal readonly unsafe struct OffsetRows(int* rows, int* depths = null)
{
    public int* Rows => rows;
    public int* Depths => depths;
}

/// <summary>Where the micro-kernel finds row p of its B tile: two vectors, the second <see cref="Second"/> floats after the first.</summary>
internal unsafe interface IBRows
{
    float* Row(int p);
    /// <summary>Floats from the first vector of a row to the second (a vector's width when the row is contiguous).</summary>
    int Second { get; }
}

/// <summary>The few vector operations the micro-kernel needs, for one vector type.</summary>
internal unsafe interface IVectorOps<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Width { get; }
    /// <summary>Unaligned load.</summary>
    static abstract TV Load(float* p);
    /// <summary>Unaligned store.</summary>
    static abstract void Store(TV v, float* p);
    /// <summary>Every lane = <paramref name="x"/>.</summary>
    static abstract TV Broadcast(float x);
    /// <summary>a · b + c, rounded once.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);
    /// <summary>a − b.</summary>
    static abstract TV Subtract(TV a, TV b);
    /// <summary>a · b.</summary>
    static abstract TV Multiply(TV a, TV b);
    /// <summary>The lane-wise maximum of a and b as IEEE 754 defines it: a NaN in either gives NaN, and +0 is above −0.</summary>
    static abstract TV Max(TV a, TV b);
    /// <summary>The sum of the lanes, in a fixed order.</summary>
    static abstract float Sum(TV v);
}

internal readonly unsafe struct V512 : IVectorOps<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
}

internal readonly unsafe struct V256 : IVectorOps<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
}

internal readonly unsafe struct V128 : IVectorOps<Vector128<float>>
{
    public static int Width => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> v) => Vector128.Sum(v);
}
