using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

/// <summary>Small vectorized loops shared by the kernels, and the argument checks of their launchers.</summary>
internal static unsafe class KernelMath
{
    /// <summary>Σ x[0..n), summed in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, int n)
    {
        var acc = Vector<float>.Zero;
        var i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            acc += Unsafe.ReadUnaligned<Vector<float>>(x + i);
        var sum = Vector.Sum(acc);
        for (; i < n; i++) sum += x[i];
        return sum;
    }

    /// <summary>dst[0..n) += src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* dst, float* src, int n)
    {
        var i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            Unsafe.WriteUnaligned(dst + i, Unsafe.ReadUnaligned<Vector<float>>(dst + i) + Unsafe.ReadUnaligned<Vector<float>>(src + i));
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>dst[0..n) = src[0..n), for the short rows of im2col (no call overhead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyShort(float* src, float* dst, int n)
    {
        var i = 0;
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) = 0, for the short rows of im2col (no call overhead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearShort(float* dst, int n)
    {
        var i = 0;
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256<float>.Zero, dst + i);
        for (; i < n; i++) dst[i] = 0;
    }

    /// <summary>dst[0..n) += src[0..n), for the short rows of col2im (no call overhead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddShort(float* dst, float* src, int n)
    {
        var i = 0;
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>dst[0..n) += a · src[0..n), for short rows (no call overhead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AxpyShort(float* dst, float* src, float a, int n)
    {
        var i = 0;
        var va = Vector256.Create(a);
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256.FusedMultiplyAdd(va, Vector256.Load(src + i), Vector256.Load(dst + i)), dst + i);
        for (; i < n; i++) dst[i] = MathF.FusedMultiplyAdd(a, src[i], dst[i]);
    }

    /// <summary>Σ a[i]·b[i] over [0, n), in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotShort(float* a, float* b, int n)
    {
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i <= n - 8; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        var sum = Vector256.Sum(acc);
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }

    /// <summary>sums[t] = a row t (of a (rows ≤ 4, P)) · b (P), each in a fixed order; rows past <paramref name="rows"/> repeat the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dots4(float* a, int p, float* b, int rows, float* sums) =>
        Sgemm.Dots4<Vector256<float>, V256>(b, a, a + (long)Math.Min(1, rows - 1) * p, a + (long)Math.Min(2, rows - 1) * p,
            a + (long)Math.Min(3, rows - 1) * p, p, sums);

    /// <summary>sums[c] += Σ_n Σ_p t[n, c, p] for t (N, channels, plane), samples in order (bias gradients).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChannelSums(float* t, float* sums, int n, int channels, int plane)
    {
        for (var s = 0; s < n; s++)
            for (var c = 0; c < channels; c++)
                sums[c] += Sum(t + ((long)s * channels + c) * plane, plane);
    }

    /// <summary>t[n, c, p] += value[c] for t (N, channels, plane) (bias addition).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddChannelValues(float* t, float* value, int n, int channels, int plane)
    {
        for (var s = 0; s < n; s++)
            for (var c = 0; c < channels; c++)
            {
                var row = t + ((long)s * channels + c) * plane;
                var v = value[c];
                var i = 0;
                for (; i <= plane - Vector<float>.Count; i += Vector<float>.Count)
                    Unsafe.WriteUnaligned(row + i, Unsafe.ReadUnaligned<Vector<float>>(row + i) + new Vector<float>(v));
                for (; i < plane; i++) row[i] += v;
            }
    }

    /// <summary>Row r of the (rows, cols) matrix at <paramref name="dst"/> = <paramref name="value"/>[r] for every column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillRows(float* dst, float* value, int rows, int cols)
    {
        for (var r = 0; r < rows; r++) new Span<float>(dst + (long)r * cols, cols).Fill(value[r]);
    }

    /// <summary>Every row of the (rows, cols) matrix at <paramref name="dst"/> = <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyToRows(float* dst, float* row, int rows, int cols)
    {
        var src = new ReadOnlySpan<float>(row, cols);
        for (var r = 0; r < rows; r++) src.CopyTo(new Span<float>(dst + (long)r * cols, cols));
    }

    /// <summary>Throws when a buffer is shorter than the shape needs.</summary>
    public static void Require(int length, long needed, string name)
    {
        if (length < needed)
            throw new ArgumentException($"'{name}' holds {length} values; the shape needs {needed}.", name);
    }

    /// <summary>Throws when a buffer is neither empty nor long enough.</summary>
    public static void RequireOptional(int length, long needed, string name)
    {
        if (length != 0) Require(length, needed, name);
    }

    /// <summary>Checks a layer's forward buffers: x (n·inputSize), w (weightSize), b (channels, or empty), y (n·outputSize).</summary>
    public static void RequireForward(int n, int x, long inputSize, int w, long weightSize, int b, int channels, int y, long outputSize)
    {
        RequireBatch(n);
        Require(x, n * inputSize, nameof(x));
        Require(w, weightSize, nameof(w));
        RequireOptional(b, channels, nameof(b));
        Require(y, n * outputSize, nameof(y));
    }

    /// <summary>Checks a layer's backward buffers: x and dx (n·inputSize; dx may be empty), w and dw (weightSize), dy (n·outputSize), db (channels, or empty).</summary>
    public static void RequireBackward(int n, int x, long inputSize, int w, long weightSize, int dy, long outputSize,
        int dx, int dw, int db, int channels)
    {
        RequireBatch(n);
        Require(x, n * inputSize, nameof(x));
        Require(w, weightSize, nameof(w));
        Require(dy, n * outputSize, nameof(dy));
        RequireOptional(dx, n * inputSize, nameof(dx));
        Require(dw, weightSize, nameof(dw));
        RequireOptional(db, channels, nameof(db));
    }

    /// <summary>Throws when the batch size is negative.</summary>
    public static void RequireBatch(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The batch size cannot be negative.");
    }

    /// <summary>
    /// evens[t] = x[2t] for t &lt; evenCount and odds[t] = x[2t + 1] for t &lt; oddCount (a row split into its two
    /// column phases), sixteen of each at a time from two vector loads where those read only x[0 … readable).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(float* x, float* evens, int evenCount, float* odds, int oddCount, int readable)
    {
        var t = 0;
        if (Avx512F.IsSupported)
        {
            var both = Math.Min(evenCount, oddCount);
            var evenIndex = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var oddIndex = evenIndex + Vector512<int>.One;
            for (; t + 16 <= both && 2 * t + 32 <= readable; t += 16)
            {
                var lo = Vector512.Load(x + 2 * t);
                var hi = Vector512.Load(x + 2 * t + 16);
                Avx512F.PermuteVar16x32x2(lo, evenIndex, hi).Store(evens + t);
                Avx512F.PermuteVar16x32x2(lo, oddIndex, hi).Store(odds + t);
            }
        }
        GatherStrided(x + 2 * t, evens + t, evenCount - t, 2, readable - 2 * t);
        GatherStrided(x + 2 * t + 1, odds + t, oddCount - t, 2, readable - 2 * t - 1);
    }

    /// <summary>
    /// d[2t] = evens[t] and d[2t + 1] = odds[t] for t &lt; count (two column phases merged into a row), sixteen
    /// pairs at a time where the CPU has AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(float* evens, float* odds, int count, float* d)
    {
        var t = 0;
        if (Avx512F.IsSupported)
        {
            var lowIndex = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var highIndex = lowIndex + Vector512.Create(8);
            for (; t + 16 <= count; t += 16)
            {
                var e = Vector512.Load(evens + t);
                var o = Vector512.Load(odds + t);
                Avx512F.PermuteVar16x32x2(e, lowIndex, o).Store(d + 2 * t);
                Avx512F.PermuteVar16x32x2(e, highIndex, o).Store(d + 2 * t + 16);
            }
        }
        for (; t < count; t++)
        {
            d[2 * t] = evens[t];
            d[2 * t + 1] = odds[t];
        }
    }

    /// <summary>
    /// d[t] = x[t·stride] for t &lt; count (a strided convolution's im2col run); for stride 2, eight at a time
    /// from two vector loads where those read only x[0 … readable) (readable &gt; (count − 1)·stride: the rest
    /// of the input row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherStrided(float* x, float* d, int count, int stride, int readable)
    {
        var t = 0;
        if (stride == 2 && Avx2.IsSupported)
            for (; t + 8 <= count && 2 * t + 16 <= readable; t += 8)
            {
                // Evens of each 128-bit lane of both loads: x0 x2 x8 x10 | x4 x6 x12 x14; then the middle
                // 64-bit pairs swapped into order.
                var evens = Avx.Shuffle(Avx.LoadVector256(x + 2 * t), Avx.LoadVector256(x + 2 * t + 8), 0b10_00_10_00);
                Avx.Store(d + t, Avx2.Permute4x64(evens.AsDouble(), 0b11_01_10_00).AsSingle());
            }
        for (; t < count; t++) d[t] = x[(long)t * stride];
    }

    /// <summary>x = 0, split across the worker pool when long (a model's gradients before a step).</summary>
    public static void Clear(Span<float> x)
    {
        fixed (float* px = x)
            ParallelRanges.Run(new ClearKernel(px, x.Length), (x.Length + 15) / 16, x.Length);
    }

    /// <summary>Whether every value of x is finite, split across the worker pool when long.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        var found = 0;
        fixed (float* px = x)
            ParallelRanges.Run(new FiniteKernel(px, x.Length, &found), (x.Length + 15) / 16, x.Length);
        return Volatile.Read(ref found) == 0;
    }

    // Values [16·begin, 16·end) of a run of length values (the last block cut at the end).
    private readonly struct ClearKernel(float* x, int length) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch) =>
            new Span<float>(x + 16L * begin, (int)(Math.Min(length, 16L * end) - 16L * begin)).Clear();
    }

    // Sets *found to 1 when a value in its range is ±∞ or NaN: v − v is 0 for a finite v and NaN otherwise.
    private readonly struct FiniteKernel(float* x, int length, int* found) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var i = 16 * begin;
            var stop = Math.Min(length, 16 * end);
            var sum = Vector256<float>.Zero;
            for (; i <= stop - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Load(x + i);
                sum += v - v;
            }
            var finite = Vector256.EqualsAll(sum, Vector256<float>.Zero);
            for (; i < stop; i++) finite &= float.IsFinite(x[i]);
            if (!finite) Volatile.Write(ref *found, 1);
        }
    }
}

/// <summary>A switch fixed when a generic kernel is compiled: code under <c>if (TFlag.Value)</c> is kept or dropped.</summary>
internal interface IFlag { static abstract bool Value { get; } }
internal readonly struct On : IFlag { public static bool Value => true; }
internal readonly struct Off : IFlag { public static bool Value => false; }
