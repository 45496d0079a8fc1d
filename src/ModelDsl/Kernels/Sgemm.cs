using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Single-precision GEMM, row-major: C (M, N) = op(A) (M, K) · op(B) (K, N) [+ C], where op(A) is A
// or Aᵀ and op(B) is B or Bᵀ. Blocked as in BLIS: a KC×NC block of op(B) and an MC×KC block of
// op(A) are packed into panels (NR columns, MR rows) so the micro-kernel reads both contiguously;
// the micro-kernel keeps an MR×NR tile of C in registers. The k order of every sum is fixed by the
// blocking alone, so splitting C across threads never changes a bit of the result.

/// <summary>The packed, cache-blocked SGEMM behind Conv2D and Dense.</summary>
internal static unsafe class Sgemm
{
    /// <summary>Depth of a packed block (rows of op(B), columns of op(A)).</summary>
    public const int KC = 256;
    /// <summary>Rows of op(A) per packed block; a multiple of every micro-kernel's MR.</summary>
    public const int MC = 120;
    /// <summary>Columns of op(B) per packed block; a multiple of every micro-kernel's NR.</summary>
    public const int NC = 1024;
    /// <summary>Floats in a packed A block, (MC, KC).</summary>
    public const int PackASize = MC * KC;
    /// <summary>Floats in a packed B block, (KC, NC).</summary>
    public const int PackBSize = KC * NC;

    // Below this many multiply-adds a GEMM runs on the calling thread only.
    private const long ParallelThreshold = 1L << 21;

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
        if (Vector512.IsHardwareAccelerated)
            Multiply<Vector512<float>, V512>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA);
        else if (Vector256.IsHardwareAccelerated)
            Multiply<Vector256<float>, V256>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA);
        else
            Multiply<Vector128<float>, V128>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel, packedA);
    }

    /// <summary>Floats that <see cref="PackAll"/> writes for an op(A) of (M, K): (M↑MR)·K.</summary>
    public static int PackedASize(int m, int k) => (m + MR - 1) / MR * MR * k;

    /// <summary>
    /// Packs all of op(A) (M, K) once, for <see cref="Multiply(bool, bool, int, int, int, float*, int, float*, int, float*, int, bool, bool, float*)"/>:
    /// for each depth block pc, its MR-row panels of every row, so block (ic, pc) starts at pc·(M↑MR) + ic·kc.
    /// </summary>
    public static void PackAll(bool transA, int m, int k, float* a, int lda, float* dst)
    {
        var rows = (m + MR - 1) / MR * MR;
        for (var pc = 0; pc < k; pc += KC) PackA(transA, a, lda, 0, m, pc, Math.Min(KC, k - pc), dst + (long)pc * rows);
    }

    /// <summary><see cref="Multiply(bool, bool, int, int, int, float*, int, float*, int, float*, int, bool, bool, float*)"/>
    /// with a chosen vector width (tests run every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TV, TOps>(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, bool parallel, float* packedA = null)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        if (m <= 0 || n <= 0) return;
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
            Serial<TV, TOps>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, WorkerPool.ThreadScratch, new PackedRows(packedA, m, 0));
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
                Serial<TV, TOps>(TransA, TransB, M, width, K, A, Lda, b, Ldb, C + start, Ldc, Accumulate, scratch, new PackedRows(PackedA, M, 0));
            }
            else
            {
                // Rows [start, start + height) of C and op(A).
                var height = Math.Min(M - start, TilesPerPart * TileSize);
                var a = TransA ? A + start : A + (long)start * Lda;
                Serial<TV, TOps>(TransA, TransB, height, N, K, a, Lda, B, Ldb, C + (long)start * Ldc, Ldc, Accumulate, scratch,
                    new PackedRows(PackedA, M, start));
            }
        }
    }

    /// <summary>Rows of C per micro-kernel tile.</summary>
    public const int MR = 6;

    /// <summary>All of op(A) packed by <see cref="PackAll"/> (null when not packed ahead), of which this
    /// product uses the rows from <paramref name="firstRow"/> (a multiple of MR).</summary>
    private readonly struct PackedRows(float* data, int allRows, int firstRow)
    {
        public float* Data => data;

        // The packed (mc, kc) block at rows FirstRow + ic, depths pc.
        public float* Block(int ic, int pc, int kc) =>
            data + (long)pc * ((allRows + MR - 1) / MR * MR) + (long)(firstRow + ic) * kc;
    }

    /// <summary>The blocked GEMM on the calling thread, packing into <paramref name="scratch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Serial<TV, TOps>(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, Scratch scratch, PackedRows packed)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var nr = 2 * TOps.Width;
        if (k <= 0)
        {
            if (!accumulate)
                for (var i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
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
                PackB(transB, b, ldb, pc, kc, jc, nc, nr, packB);
                var add = accumulate || pc > 0;
                for (var ic = 0; ic < m; ic += MC)
                {
                    var mc = Math.Min(MC, m - ic);
                    var blockA = packA;   // (mc↑MR, kc) as MR-row panels
                    if (packed.Data != null) blockA = packed.Block(ic, pc, kc);
                    else PackA(transA, a, lda, ic, mc, pc, kc, packA);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var nw = Math.Min(nr, nc - jr);
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var mh = Math.Min(MR, mc - ir);
                            var pa = blockA + ir * kc;
                            var pb = packB + jr * kc;
                            var cp = c + (long)(ic + ir) * ldc + jc + jr;
                            if (mh == MR && nw == nr)
                            {
                                MicroKernel<TV, TOps>(kc, pa, pb, cp, ldc, add);
                                continue;
                            }
                            MicroKernel<TV, TOps>(kc, pa, pb, tile, nr, false);
                            for (var i = 0; i < mh; i++)
                                for (var j = 0; j < nw; j++)
                                    cp[(long)i * ldc + j] = add ? cp[(long)i * ldc + j] + tile[i * nr + j] : tile[i * nr + j];
                        }
                    }
                }
            }
        }
    }

    // packA (mc↑MR, kc): panel r holds rows [r·MR, r·MR + MR) of the block, one MR-vector per depth p;
    // rows past mc are zeros.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool trans, float* a, int lda, int i0, int mc, int p0, int kc, float* dst)
    {
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
                // op(A)[i, p] = a[i, p]: depth outer, so the writes are sequential (MR row streams are read).
                var src = a + (long)(i0 + ir) * lda + p0;
                for (var p = 0; p < kc; p++)
                {
                    var d = dst + p * MR;
                    for (var i = 0; i < rows; i++) d[i] = src[(long)i * lda + p];
                    for (var i = rows; i < MR; i++) d[i] = 0;
                }
            }
        }
    }

    // packB (kc, nc↑NR): panel r holds columns [r·NR, r·NR + NR) of the block, one NR-vector per depth p;
    // columns past nc are zeros.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool trans, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (var jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            var cols = Math.Min(nr, nc - jr);
            if (trans)
            {
                // op(B)[p, j] = b[j, p]: depth outer, so the writes are sequential (NR column streams are read).
                var src = b + (long)(j0 + jr) * ldb + p0;
                for (var p = 0; p < kc; p++)
                {
                    var d = dst + p * nr;
                    for (var j = 0; j < cols; j++) d[j] = src[(long)j * ldb + p];
                    for (var j = cols; j < nr; j++) d[j] = 0;
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var src = b + (long)(p0 + p) * ldb + j0 + jr;
                    var d = dst + p * nr;
                    Buffer.MemoryCopy(src, d, cols * sizeof(float), cols * sizeof(float));
                    for (var j = cols; j < nr; j++) d[j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// c (MR, NR) = (or +=) Σ_p a[p, :]ᵀ · b[p, :], where a is an MR-row packed panel (kc, MR) and b an
    /// NR-column packed panel (kc, NR), NR = 2 vectors; the 12 accumulators stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel<TV, TOps>(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var w = TOps.Width;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++, a += MR, b += 2 * w)
        {
            var b0 = TOps.Load(b);
            var b1 = TOps.Load(b + w);
            var ai = TOps.Broadcast(a[0]); c00 = TOps.Fma(ai, b0, c00); c01 = TOps.Fma(ai, b1, c01);
            ai = TOps.Broadcast(a[1]); c10 = TOps.Fma(ai, b0, c10); c11 = TOps.Fma(ai, b1, c11);
            ai = TOps.Broadcast(a[2]); c20 = TOps.Fma(ai, b0, c20); c21 = TOps.Fma(ai, b1, c21);
            ai = TOps.Broadcast(a[3]); c30 = TOps.Fma(ai, b0, c30); c31 = TOps.Fma(ai, b1, c31);
            ai = TOps.Broadcast(a[4]); c40 = TOps.Fma(ai, b0, c40); c41 = TOps.Fma(ai, b1, c41);
            ai = TOps.Broadcast(a[5]); c50 = TOps.Fma(ai, b0, c50); c51 = TOps.Fma(ai, b1, c51);
        }
        StoreRow<TV, TOps>(c00, c01, c, accumulate);
        StoreRow<TV, TOps>(c10, c11, c + ldc, accumulate);
        StoreRow<TV, TOps>(c20, c21, c + 2L * ldc, accumulate);
        StoreRow<TV, TOps>(c30, c31, c + 3L * ldc, accumulate);
        StoreRow<TV, TOps>(c40, c41, c + 4L * ldc, accumulate);
        StoreRow<TV, TOps>(c50, c51, c + 5L * ldc, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TV, TOps>(TV v0, TV v1, float* c, bool accumulate)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        if (accumulate)
        {
            v0 = TOps.Add(v0, TOps.Load(c));
            v1 = TOps.Add(v1, TOps.Load(c + TOps.Width));
        }
        TOps.Store(v0, c);
        TOps.Store(v1, c + TOps.Width);
    }
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
}

internal readonly unsafe struct V512 : IVectorOps<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
}

internal readonly unsafe struct V256 : IVectorOps<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
}

internal readonly unsafe struct V128 : IVectorOps<Vector128<float>>
{
    public static int Width => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
}
