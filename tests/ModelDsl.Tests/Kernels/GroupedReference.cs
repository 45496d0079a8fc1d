namespace ModelDsl.Tests.Kernels;

/// <summary>
/// Straight double-precision loops over PyTorch's formulas for grouped, dilated convolution
/// (Conv2d) and transposed convolution (ConvTranspose2d), written without the kernels' lowering.
/// </summary>
public static class GroupedReference
{
    /// <summary>y[s, k, oh, ow] = b[k] + Σ_{c, i, j} w[k, c, i, j] · x[s, g·CG + c, oh·SH − PadTop + i·DH, ow·SW − PadLeft + j·DW], g = k / KG.</summary>
    public static double[] Conv(GroupedDims d, int n, double[] x, double[] w, double[]? b)
    {
        var y = new double[n * d.OutputSize];
        ConvVisit(d, n, (xi, wi, yi) => y[yi] += w[wi] * x[xi]);
        if (b != null) AddBias(y, b, n, d.K, d.OH * d.OW);
        return y;
    }

    /// <summary>Gradients of L = Σ dy ⊙ Conv(x, w, b): (dx, dw, db).</summary>
    public static (double[] Dx, double[] Dw, double[] Db) ConvBackward(GroupedDims d, int n, double[] x, double[] w, double[] dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        ConvVisit(d, n, (xi, wi, yi) =>
        {
            dx[xi] += w[wi] * dy[yi];
            dw[wi] += x[xi] * dy[yi];
        });
        return (dx, dw, BiasGradient(dy, n, d.K, d.OH * d.OW));
    }

    /// <summary>Calls visit(x index, w index, y index) for every product of the convolution that reads inside x.</summary>
    private static void ConvVisit(GroupedDims d, int n, Action<int, int, int> visit)
    {
        int cg = d.C / d.G, kg = d.K / d.G;
        for (var s = 0; s < n; s++)
            for (var k = 0; k < d.K; k++)
                for (var oh = 0; oh < d.OH; oh++)
                    for (var ow = 0; ow < d.OW; ow++)
                        for (var c = 0; c < cg; c++)
                            for (var i = 0; i < d.KH; i++)
                                for (var j = 0; j < d.KW; j++)
                                {
                                    var ih = oh * d.SH - d.PadTop + i * d.DH;
                                    var iw = ow * d.SW - d.PadLeft + j * d.DW;
                                    if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
                                    var channel = k / kg * cg + c;
                                    visit(((s * d.C + channel) * d.H + ih) * d.W + iw, ((k * cg + c) * d.KH + i) * d.KW + j,
                                        ((s * d.K + k) * d.OH + oh) * d.OW + ow);
                                }
    }

    /// <summary>
    /// y[s, g·KG + k, ih·SH − PadTop + i·DH, iw·SW − PadLeft + j·DW] += w[c, k, i, j] · x[s, c, ih, iw]
    /// (c in group g), kept where the target lies inside (OH, OW); plus b.
    /// </summary>
    public static double[] Transpose(GroupedDims d, int n, double[] x, double[] w, double[]? b)
    {
        var y = new double[n * d.OutputSize];
        TransposeVisit(d, n, (xi, wi, yi) => y[yi] += w[wi] * x[xi]);
        if (b != null) AddBias(y, b, n, d.K, d.OH * d.OW);
        return y;
    }

    /// <summary>Gradients of L = Σ dy ⊙ Transpose(x, w, b): (dx, dw, db).</summary>
    public static (double[] Dx, double[] Dw, double[] Db) TransposeBackward(GroupedDims d, int n, double[] x, double[] w, double[] dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        TransposeVisit(d, n, (xi, wi, yi) =>
        {
            dx[xi] += w[wi] * dy[yi];
            dw[wi] += x[xi] * dy[yi];
        });
        return (dx, dw, BiasGradient(dy, n, d.K, d.OH * d.OW));
    }

    private static void TransposeVisit(GroupedDims d, int n, Action<int, int, int> visit)
    {
        int cg = d.C / d.G, kg = d.K / d.G;
        for (var s = 0; s < n; s++)
            for (var c = 0; c < d.C; c++)
                for (var ih = 0; ih < d.H; ih++)
                    for (var iw = 0; iw < d.W; iw++)
                        for (var k = 0; k < kg; k++)
                            for (var i = 0; i < d.KH; i++)
                                for (var j = 0; j < d.KW; j++)
                                {
                                    var oh = ih * d.SH - d.PadTop + i * d.DH;
                                    var ow = iw * d.SW - d.PadLeft + j * d.DW;
                                    if (oh < 0 || oh >= d.OH || ow < 0 || ow >= d.OW) continue;
                                    var channel = c / cg * kg + k;
                                    visit(((s * d.C + c) * d.H + ih) * d.W + iw, ((c * kg + k) * d.KH + i) * d.KW + j,
                                        ((s * d.K + channel) * d.OH + oh) * d.OW + ow);
                                }
    }

    private static void AddBias(double[] y, double[] b, int n, int channels, int plane)
    {
        for (var i = 0; i < n * channels * plane; i++) y[i] += b[i / plane % channels];
    }

    private static double[] BiasGradient(double[] dy, int n, int channels, int plane)
    {
        var db = new double[channels];
        for (var i = 0; i < n * channels * plane; i++) db[i / plane % channels] += dy[i];
        return db;
    }
}
