namespace ModelDsl.Kernels;

// Dimension legend: N batch, In input features, Out output features. Every product is one SGEMM
// (threaded over output tiles when large enough).

/// <summary>Fully connected layer (PyTorch's Linear), forward and backward.</summary>
public static unsafe class Dense
{
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
            if (pb != null) KernelMath.CopyToRows(py, pb, n, T.Out);   // y starts as b in every row
            Sgemm.Multiply(false, true, n, T.Out, T.In, px, T.In, pw, T.In, py, T.Out, accumulate: pb != null);
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
