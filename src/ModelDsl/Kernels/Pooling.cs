namespace ModelDsl.Kernels;

// Dimension legend: N batch, C channels, H×W input plane, KH×KW window, SH×SW stride,
// PadTop/PadLeft leading padding, OH×OW output plane. Every (n, c) plane is pooled on its own; a
// window is clipped to the cells inside [0, H)×[0, W) (padding is never read).

/// <summary>Max pooling, forward and backward. Padded cells never win.</summary>
public static class MaxPool2D
{
    /// <summary>y (N, C, OH, OW) = window maxima of x; argmax (N, C, OH, OW) saves the winner's index within its input plane (H·W) for backward.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(x.Length, y.Length, n);
        KernelMath.Require(argmax.Length, (long)n * T.C * T.OH * T.OW, nameof(argmax));
        for (var plane = 0; plane < n * T.C; plane++)
        {
            var xp = x.Slice(plane * T.H * T.W, T.H * T.W);   // (H, W)
            var yp = y.Slice(plane * T.OH * T.OW, T.OH * T.OW);   // (OH, OW)
            var ap = argmax.Slice(plane * T.OH * T.OW, T.OH * T.OW);   // (OH, OW), index into (H, W)
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
                        {
                            var v = xp[ih * T.W + iw];
                            // NaN wins over numbers and stays, as in PyTorch.
                            if (arg < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                            {
                                best = v;
                                arg = ih * T.W + iw;
                            }
                        }
                    yp[oh * T.OW + ow] = best;
                    ap[oh * T.OW + ow] = arg;
                }
            }
        }
    }

    /// <summary>dx (N, C, H, W) (overwritten) receives each dy at its window's argmax.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(dx.Length, dy.Length, n);
        KernelMath.Require(argmax.Length, (long)n * T.C * T.OH * T.OW, nameof(argmax));
        dx[..(n * T.C * T.H * T.W)].Clear();
        for (var plane = 0; plane < n * T.C; plane++)
        {
            var dxp = dx.Slice(plane * T.H * T.W, T.H * T.W);   // (H, W)
            var o = plane * T.OH * T.OW;
            for (var i = 0; i < T.OH * T.OW; i++)
            {
                var arg = argmax[o + i];
                if ((uint)arg < (uint)(T.H * T.W)) dxp[arg] += dy[o + i];   // windows overlap when S < F
            }
        }
    }
}

/// <summary>Average pooling, forward and backward. Padded cells count as zeros (divisor KH·KW).</summary>
public static class AvgPool2D
{
    /// <summary>y (N, C, OH, OW) = window means of x.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(x.Length, y.Length, n);
        var scale = 1f / (T.KH * T.KW);
        for (var plane = 0; plane < n * T.C; plane++)
        {
            var xp = x.Slice(plane * T.H * T.W, T.H * T.W);   // (H, W)
            var yp = y.Slice(plane * T.OH * T.OW, T.OH * T.OW);   // (OH, OW)
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

    /// <summary>dx (N, C, H, W) (overwritten) = each dy spread evenly over its window.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, Span<float> dx, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(dx.Length, dy.Length, n);
        var scale = 1f / (T.KH * T.KW);
        dx[..(n * T.C * T.H * T.W)].Clear();
        for (var plane = 0; plane < n * T.C; plane++)
        {
            var dxp = dx.Slice(plane * T.H * T.W, T.H * T.W);   // (H, W)
            var dyp = dy.Slice(plane * T.OH * T.OW, T.OH * T.OW);   // (OH, OW)
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

/// <summary>Window bounds and argument checks shared by the pooling kernels.</summary>
internal static class PoolShape
{
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

    /// <summary>Checks the batch size and that the input-sized and output-sized buffers are long enough.</summary>
    public static void Check<T>(int inputLength, int outputLength, int n) where T : struct, IPool2DShape
    {
        KernelMath.RequireBatch(n);
        KernelMath.Require(inputLength, (long)n * T.C * T.H * T.W, "x");
        KernelMath.Require(outputLength, (long)n * T.C * T.OH * T.OW, "y");
    }
}
