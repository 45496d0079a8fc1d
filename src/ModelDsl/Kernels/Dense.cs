using System.Runtime.CompilerServices;

namespace ModelDsl.Kernels;

// Dimension legend: N batch, In input features, Out output features. Large batches are one SGEMM
// (threaded over output tiles when large enough). Up to GemvBatch samples skip the SGEMM's packing
// of w, which at small N costs more than the product (the measured crossover is near N = 40 on one
// thread): each output is a dot product of a row of w with a sample, rows split across threads when
// w is large.

/// <summary>Fully connected layer (PyTorch's Linear), forward and backward.</summary>
public static unsafe class Dense
{
    /// <summary>Batches up to this size run as dot products over the rows of w instead of an SGEMM.</summary>
    internal const int GemvBatch = 16;

    // Below this many multiply-adds the dot products run on the calling thread only.
    private const long GemvParallelThreshold = 1L << 16;

    /// <summary>y (N, Out) = x (N, In) · wᵀ (w is (Out, In)) + b (Out); b empty when the layer has no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IDenseShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(x.Length, (long)n * T.In, nameof(x));
        KernelMath.Require(w.Length, (long)T.Out * T.In, nameof(w));
        KernelMath.RequireOptional(b.Length, T.Out, nameof(b));
        KernelMath.Require(y.Length, (long)n * T.Out, nameof(y));
        if (n == 0) return;
        fixed (float* px = x, pw = w, pb = b, py = y)
        {
            if (n <= GemvBatch)
            {
                Gemv(px, pw, pb, py, n, T.In, T.Out);
                return;
            }
            if (pb != null) KernelMath.CopyToRows(py, pb, n, T.Out);   // y starts as b in every row
            Sgemm.Multiply(false, true, n, T.Out, T.In, px, T.In, pw, T.In, py, T.Out, accumulate: pb != null);
        }
    }

    /// <summary>y[s, o] = b[o] + Σ_i w[o, i]·x[s, i] for the n ≤ <see cref="GemvBatch"/> samples, rows of w split across threads when large.</summary>
    internal static void Gemv(float* x, float* w, float* b, float* y, int n, int inputs, int outputs)
    {
        var kernel = new GemvKernel(x, w, b, y, n, inputs, outputs);
        // Whole blocks of four rows per range, so the split never changes which rows go together.
        var blocks = (outputs + 3) / 4;
        var parts = (long)n * inputs * outputs >= GemvParallelThreshold ? Math.Min(blocks, WorkerPool.Degree) : 1;
        if (parts == 1)
        {
            kernel.Run(0, blocks, null!);
            return;
        }
        ParallelRanges.RunParts(kernel, blocks, parts);
    }

    private readonly struct GemvKernel(float* x, float* w, float* b, float* y, int n, int inputs, int outputs) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        // Rows [4·begin, 4·end) of w (the last block may be short).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var sums = stackalloc float[4];
            for (var o = 4 * begin; o < Math.Min(outputs, 4 * end); o += 4)
            {
                var rows = Math.Min(4, outputs - o);
                for (var s = 0; s < n; s++)
                {
                    KernelMath.Dots4(w + (long)o * inputs, inputs, x + (long)s * inputs, rows, sums);
                    var ys = y + (long)s * outputs + o;
                    for (var r = 0; r < rows; r++) ys[r] = b == null ? sums[r] : sums[r] + b[o + r];
                }
            }
        }
    }

    /// <summary>From dy (N, Out): dx = dy · w (overwritten; skipped when empty), dw += dyᵀ · x, db += Σₙ dy (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IDenseShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(x.Length, (long)n * T.In, nameof(x));
        KernelMath.Require(w.Length, (long)T.Out * T.In, nameof(w));
        KernelMath.Require(dy.Length, (long)n * T.Out, nameof(dy));
        KernelMath.RequireOptional(dx.Length, (long)n * T.In, nameof(dx));
        KernelMath.Require(dw.Length, (long)T.Out * T.In, nameof(dw));
        KernelMath.RequireOptional(db.Length, T.Out, nameof(db));
        if (n == 0) return;
        fixed (float* px = x, pw = w, pdy = dy, pdx = dx, pdw = dw, pdb = db)
        {
            // dx (N, In) = dy (N, Out) · w (Out, In)
            if (pdx != null) Sgemm.Multiply(false, false, n, T.In, T.Out, pdy, T.Out, pw, T.In, pdx, T.In, accumulate: false);
            // dw (Out, In) += dyᵀ (Out, N) · x (N, In)
            Sgemm.Multiply(true, false, T.Out, T.In, n, pdy, T.Out, px, T.In, pdw, T.In, accumulate: true);
            // db (Out) += Σ_n dy[n, :], rows in order
            if (pdb != null)
                for (var s = 0; s < n; s++) KernelMath.Add(pdb, pdy + (long)s * T.Out, T.Out);
        }
    }
}
