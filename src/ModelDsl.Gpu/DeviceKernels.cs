using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu;

// The device kernels, in the direct form: one thread per output value, each summing what it needs, so
// no two threads write the same value and results do not depend on scheduling (no atomics). Input
// gradients are overwritten, or added to what is there when `accumulate` is 1 (a tensor read by several
// layers); parameter gradients are always added to (backward accumulates into them, as on the CPU).
// Index decomposition follows NCHW row-major. Dimension legend: see Dims.cs.

/// <summary>The ILGPU kernels of the device backend.</summary>
internal static class DeviceKernels
{
    /// <summary>target[i] = v, or target[i] += v when accumulate is 1 (an input gradient another reader wrote first).</summary>
    private static void Write(ArrayView<float> target, int i, float v, int accumulate) => target[i] = accumulate != 0 ? target[i] + v : v;

    // ---- convolution ----------------------------------------------------------------------------

    /// <summary>y (N, K, OH, OW) = x ⋆ w + b; one thread per output value.</summary>
    public static void ConvForward(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y,
        SpecializedValue<ConvDims> dims)
    {
        var d = dims.Value;
        int i = index;
        y[i] = ConvSum(i, x, w, d, d.Bias != 0 ? b[i / (d.OH * d.OW) % d.K] : 0f);
    }

    /// <summary><paramref name="start"/> + the taps of output value i of x ⋆ w (y (N, K, OH, OW) indexing).</summary>
    private static float ConvSum(int i, ArrayView<float> x, ArrayView<float> w, ConvDims d, float start)
    {
        var ow = i % d.OW;
        var t = i / d.OW;
        var oh = t % d.OH;
        t /= d.OH;
        var k = t % d.K;
        var n = t / d.K;
        var g = k / d.KG;
        var sum = start;
        for (var c = 0; c < d.CG; c++)
        {
            var plane = (n * d.C + g * d.CG + c) * d.H;
            var taps = (k * d.CG + c) * d.KH;
            for (var fi = 0; fi < d.KH; fi++)
            {
                var ih = oh * d.SH - d.PadTop + fi * d.DH;
                if (ih < 0 || ih >= d.H) continue;
                for (var fj = 0; fj < d.KW; fj++)
                {
                    var iw = ow * d.SW - d.PadLeft + fj * d.DW;
                    if (iw < 0 || iw >= d.W) continue;
                    sum += x[(plane + ih) * d.W + iw] * w[(taps + fi) * d.KW + fj];
                }
            }
        }
        return sum;
    }

    /// <summary>dx (N, C, H, W) = Σ over the outputs each input value feeds of dy · w; one thread per input value.</summary>
    public static void ConvInputGradient(Index1D index, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx,
        SpecializedValue<ConvDims> dims, int accumulate)
    {
        int i = index;
        Write(dx, i, ConvInputSum(i, w, dy, dims.Value), accumulate);
    }

    /// <summary>Input value i's gradient, Σ over the outputs it feeds of dy · w (x (N, C, H, W) indexing).</summary>
    private static float ConvInputSum(int i, ArrayView<float> w, ArrayView<float> dy, ConvDims d)
    {
        var iw = i % d.W;
        var t = i / d.W;
        var ih = t % d.H;
        t /= d.H;
        var c = t % d.C;
        var n = t / d.C;
        var g = c / d.CG;
        var cc = c - g * d.CG;
        var sum = 0f;
        for (var kk = 0; kk < d.KG; kk++)
        {
            var k = g * d.KG + kk;
            var taps = (k * d.CG + cc) * d.KH;
            var outPlane = (n * d.K + k) * d.OH;
            for (var fi = 0; fi < d.KH; fi++)
            {
                var rows = ih + d.PadTop - fi * d.DH; // = oh·SH
                if (rows < 0 || rows % d.SH != 0) continue;
                var oh = rows / d.SH;
                if (oh >= d.OH) continue;
                for (var fj = 0; fj < d.KW; fj++)
                {
                    var cols = iw + d.PadLeft - fj * d.DW;
                    if (cols < 0 || cols % d.SW != 0) continue;
                    var ow = cols / d.SW;
                    if (ow >= d.OW) continue;
                    sum += dy[(outPlane + oh) * d.OW + ow] * w[(taps + fi) * d.KW + fj];
                }
            }
        }
        return sum;
    }

    /// <summary>dw (K, C/G, KH, KW) += Σ over samples and output positions of dy · x under the tap; one thread per weight.</summary>
    public static void ConvWeightGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw,
        SpecializedValue<ConvDims> dims, int n)
    {
        var d = dims.Value;
        int i = index;
        var fj = i % d.KW;
        var t = i / d.KW;
        var fi = t % d.KH;
        t /= d.KH;
        var c = t % d.CG;
        var k = t / d.CG;
        var g = k / d.KG;
        var sum = 0f;
        for (var s = 0; s < n; s++)
        {
            var plane = (s * d.C + g * d.CG + c) * d.H;
            var outPlane = (s * d.K + k) * d.OH;
            for (var oh = 0; oh < d.OH; oh++)
            {
                var ih = oh * d.SH - d.PadTop + fi * d.DH;
                if (ih < 0 || ih >= d.H) continue;
                for (var ow = 0; ow < d.OW; ow++)
                {
                    var iw = ow * d.SW - d.PadLeft + fj * d.DW;
                    if (iw < 0 || iw >= d.W) continue;
                    sum += dy[(outPlane + oh) * d.OW + ow] * x[(plane + ih) * d.W + iw];
                }
            }
        }
        dw[i] += sum;
    }

    // ---- transposed convolution --------------------------------------------------------------------
    // A transposed convolution is the adjoint of the convolution (K, OH, OW) → (C, H, W) with the same weights
    // (C, K/G, KH, KW), strides, padding, dilation and groups (as src/ModelDsl/Kernels/ConvTranspose2D.cs). Its
    // kernels take that convolution's ConvDims ("adjoint": C and K, H×W and OH×OW swapped), with Bias meaning the
    // transposed layer's bias on its output: forward is the adjoint's input gradient, the input gradient is the
    // adjoint's forward, the weight gradient is ConvWeightGradient with x and dy swapped.

    /// <summary>y (N, K, OH, OW) = the transposed convolution of x (N, C, H, W), plus b (K); one thread per output value.</summary>
    public static void ConvTransposeForward(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y,
        SpecializedValue<ConvDims> adjoint)
    {
        var d = adjoint.Value;
        int i = index;
        var sum = ConvInputSum(i, w, x, d);
        y[i] = d.Bias != 0 ? sum + b[i / (d.H * d.W) % d.C] : sum;
    }

    /// <summary>dx (N, C, H, W) = the convolution of dy (N, K, OH, OW) with w; one thread per input value.</summary>
    public static void ConvTransposeInputGradient(Index1D index, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx,
        SpecializedValue<ConvDims> adjoint, int accumulate)
    {
        int i = index;
        Write(dx, i, ConvSum(i, dy, w, adjoint.Value, 0f), accumulate);
    }

    // ---- dense ----------------------------------------------------------------------------------

    /// <summary>y (N, Out) = x (N, In) · wᵀ + b; one thread per output value.</summary>
    public static void DenseForward(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y,
        SpecializedValue<DenseDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var o = i % d.Out;
        var n = i / d.Out;
        var sum = d.Bias != 0 ? b[o] : 0f;
        for (var f = 0; f < d.In; f++) sum += x[n * d.In + f] * w[o * d.In + f];
        y[i] = sum;
    }

    /// <summary>dx (N, In) = dy (N, Out) · w; one thread per input value.</summary>
    public static void DenseInputGradient(Index1D index, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx,
        SpecializedValue<DenseDims> dims, int accumulate)
    {
        var d = dims.Value;
        int i = index;
        var f = i % d.In;
        var n = i / d.In;
        var sum = 0f;
        for (var o = 0; o < d.Out; o++) sum += dy[n * d.Out + o] * w[o * d.In + f];
        Write(dx, i, sum, accumulate);
    }

    /// <summary>dw (Out, In) += dyᵀ · x over the batch; one thread per weight.</summary>
    public static void DenseWeightGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw,
        SpecializedValue<DenseDims> dims, int n)
    {
        var d = dims.Value;
        int i = index;
        var f = i % d.In;
        var o = i / d.In;
        var sum = 0f;
        for (var s = 0; s < n; s++) sum += dy[s * d.Out + o] * x[s * d.In + f];
        dw[i] += sum;
    }

    /// <summary>sums (C) += Σ over samples and positions of v (N, C, HW): bias gradients; one thread per channel.</summary>
    public static void ChannelSumAdd(Index1D index, ArrayView<float> v, ArrayView<float> sums, int channels, int positions, int n)
    {
        int c = index;
        var sum = 0f;
        for (var s = 0; s < n; s++)
        {
            var at = (s * channels + c) * positions;
            for (var p = 0; p < positions; p++) sum += v[at + p];
        }
        sums[c] += sum;
    }

    // ---- activations ----------------------------------------------------------------------------

    /// <summary>y = f(x) element-wise (y may be x); f by <see cref="LayerActivation"/> value.</summary>
    public static void ActivationForward(Index1D index, ArrayView<float> x, ArrayView<float> y, int activation, float slope)
    {
        int i = index;
        var v = x[i];
        y[i] = activation switch
        {
            (int)LayerActivation.ReLU => v > 0 ? v : 0f,
            (int)LayerActivation.Tanh => MathF.Tanh(v),
            (int)LayerActivation.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            (int)LayerActivation.LeakyReLU => v > 0 ? v : v * slope,
            (int)LayerActivation.ReLU6 => MathF.Min(MathF.Max(v, 0f), 6f),
            (int)LayerActivation.SiLU => v / (1f + MathF.Exp(-v)),
            (int)LayerActivation.HardSwish => v * MathF.Min(MathF.Max(v + 3f, 0f), 6f) / 6f,
            _ => v,
        };
    }

    /// <summary>
    /// dx = dy · f′ (dx may be dy), from the saved output y, or for SiLU and HardSwish (not invertible) from
    /// the saved input x, as the CPU kernels do.
    /// </summary>
    public static void ActivationBackward(Index1D index, ArrayView<float> saved, ArrayView<float> dy, ArrayView<float> dx,
        int activation, float slope, int accumulate)
    {
        int i = index;
        var o = saved[i];
        var g = dy[i];
        var v = activation switch
        {
            (int)LayerActivation.ReLU => o > 0 ? g : 0f,
            (int)LayerActivation.Tanh => g * (1f - o * o),
            (int)LayerActivation.Sigmoid => g * o * (1f - o),
            (int)LayerActivation.LeakyReLU => o > 0 ? g : g * slope,
            (int)LayerActivation.ReLU6 => o > 0f && o < 6f ? g : 0f,
            (int)LayerActivation.SiLU => SiLUGradient(o, g),
            (int)LayerActivation.HardSwish => o < -3f ? 0f : o <= 3f ? g * (o / 3f + 0.5f) : g,
            _ => g,
        };
        Write(dx, i, v, accumulate);
    }

    // With e = e^(−x), σ = 1/(1 + e): 1 − σ = e·σ for x ≥ 0 (exact where σ is near 1), computed directly for x < 0.
    private static float SiLUGradient(float x, float dy)
    {
        var e = MathF.Exp(-x);
        var sigma = 1f / (1f + e);
        var oneMinus = x < 0f ? 1f - sigma : e * sigma;
        return dy * sigma * (1f + x * oneMinus);
    }

    /// <summary>
    /// Softmax over the C channels of each (sample, position) of x (N, C, HW): y = e^(x − max)/Σ e^(x − max); one
    /// thread per (sample, position). y may be x (a fused softmax runs in place).
    /// </summary>
    public static void SoftmaxForward(Index1D index, ArrayView<float> x, ArrayView<float> y, int channels, int positions)
    {
        int at = index;
        var first = at / positions * channels * positions + at % positions; // value (s, c, q) is at first + c·positions
        var max = float.NegativeInfinity;
        for (var c = 0; c < channels; c++) max = MathF.Max(max, x[first + c * positions]);
        var sum = 0f;
        for (var c = 0; c < channels; c++)
        {
            var e = MathF.Exp(x[first + c * positions] - max);
            y[first + c * positions] = e;
            sum += e;
        }
        var scale = 1f / sum;
        for (var c = 0; c < channels; c++) y[first + c * positions] *= scale;
    }

    /// <summary>dx = y ⊙ (dy − Σ_c dy ⊙ y) over the channels of each (sample, position); dx may be dy (in place).</summary>
    public static void SoftmaxBackward(Index1D index, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int channels, int positions,
        int accumulate)
    {
        int at = index;
        var first = at / positions * channels * positions + at % positions;
        var dot = 0f;
        for (var c = 0; c < channels; c++) dot += dy[first + c * positions] * y[first + c * positions];
        for (var c = 0; c < channels; c++)
        {
            var j = first + c * positions;
            Write(dx, j, y[j] * (dy[j] - dot), accumulate);
        }
    }

    // ---- pooling --------------------------------------------------------------------------------

    /// <summary>y = window maxima (windows clipped to the input; the first maximum wins, a NaN wins once seen), argmax = the winner's index in its H·W plane.</summary>
    public static void MaxPoolForward(Index1D index, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax,
        SpecializedValue<PoolDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var ow = i % d.OW;
        var t = i / d.OW;
        var oh = t % d.OH;
        var plane = t / d.OH;
        var h0 = oh * d.SH - d.PadTop;
        var w0 = ow * d.SW - d.PadLeft;
        var best = 0f;
        var arg = -1;
        for (var ih = h0 < 0 ? 0 : h0; ih < h0 + d.KH && ih < d.H; ih++)
        {
            for (var iw = w0 < 0 ? 0 : w0; iw < w0 + d.KW && iw < d.W; iw++)
            {
                var v = x[(plane * d.H + ih) * d.W + iw];
                if (arg < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                {
                    best = v;
                    arg = ih * d.W + iw;
                }
            }
        }
        y[i] = best;
        argmax[i] = arg;
    }

    /// <summary>dx = Σ of the dy whose window's argmax is this value; one thread per input value.</summary>
    public static void MaxPoolBackward(Index1D index, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx,
        SpecializedValue<PoolDims> dims, int accumulate)
    {
        int i = index;
        Write(dx, i, FromSwitches(i, dy, argmax, dims.Value, last: false), accumulate);
    }

    /// <summary>
    /// Over the windows (N, C, OH, OW) whose argmax is input cell i (N, C, H, W): the sum of their values of
    /// <paramref name="v"/>, or with <paramref name="last"/> the value of the last of them (row-major); 0 when none.
    /// </summary>
    private static float FromSwitches(int i, ArrayView<float> v, ArrayView<int> argmax, PoolDims d, bool last)
    {
        var cell = i % (d.H * d.W);
        var plane = i / (d.H * d.W);
        var ih = cell / d.W;
        var iw = cell - ih * d.W;
        var result = 0f;
        for (var oh = FirstWindow(ih, d.SH, d.PadTop, d.KH); oh <= LastWindow(ih, d.SH, d.PadTop, d.OH); oh++)
        {
            for (var ow = FirstWindow(iw, d.SW, d.PadLeft, d.KW); ow <= LastWindow(iw, d.SW, d.PadLeft, d.OW); ow++)
            {
                var at = (plane * d.OH + oh) * d.OW + ow;
                if (argmax[at] == cell) result = last ? v[at] : result + v[at];
            }
        }
        return result;
    }

    // The windows o along one axis that contain input cell i: o·S − P ≤ i < o·S − P + F, within [0, outputs).

    /// <summary>The first window containing cell <paramref name="i"/>: ⌈(i + P − F + 1)/S⌉, at least 0.</summary>
    private static int FirstWindow(int i, int stride, int pad, int size)
    {
        var reach = i + pad - size + 1;
        return reach <= 0 ? 0 : (reach + stride - 1) / stride;
    }

    /// <summary>The last window containing cell <paramref name="i"/>: ⌊(i + P)/S⌋, below <paramref name="outputs"/>.</summary>
    private static int LastWindow(int i, int stride, int pad, int outputs)
    {
        var last = (i + pad) / stride;
        return last < outputs - 1 ? last : outputs - 1;
    }

    /// <summary>y = window sums / (KH·KW) (padded cells count as zeros).</summary>
    public static void AvgPoolForward(Index1D index, ArrayView<float> x, ArrayView<float> y, SpecializedValue<PoolDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var ow = i % d.OW;
        var t = i / d.OW;
        var oh = t % d.OH;
        var plane = t / d.OH;
        var h0 = oh * d.SH - d.PadTop;
        var w0 = ow * d.SW - d.PadLeft;
        var sum = 0f;
        for (var ih = h0 < 0 ? 0 : h0; ih < h0 + d.KH && ih < d.H; ih++)
            for (var iw = w0 < 0 ? 0 : w0; iw < w0 + d.KW && iw < d.W; iw++)
                sum += x[(plane * d.H + ih) * d.W + iw];
        y[i] = sum * (1f / (d.KH * d.KW));
    }

    /// <summary>dx = Σ over the windows containing the value of dy / (KH·KW).</summary>
    public static void AvgPoolBackward(Index1D index, ArrayView<float> dy, ArrayView<float> dx, SpecializedValue<PoolDims> dims, int accumulate)
    {
        var d = dims.Value;
        int i = index;
        var cell = i % (d.H * d.W);
        var plane = i / (d.H * d.W);
        var ih = cell / d.W;
        var iw = cell - ih * d.W;
        var sum = 0f;
        for (var oh = FirstWindow(ih, d.SH, d.PadTop, d.KH); oh <= LastWindow(ih, d.SH, d.PadTop, d.OH); oh++)
            for (var ow = FirstWindow(iw, d.SW, d.PadLeft, d.KW); ow <= LastWindow(iw, d.SW, d.PadLeft, d.OW); ow++)
                sum += dy[(plane * d.OH + oh) * d.OW + ow];
        sum *= 1f / (d.KH * d.KW);
        Write(dx, i, sum, accumulate);
    }

    /// <summary>
    /// Max unpooling: y (N, C, H, W) (the pool's input) = x (N, C, OH, OW) (the pool's output) at the cells the pool's
    /// argmax chose, 0 elsewhere; one thread per y value. Where overlapping windows chose the same cell the last
    /// window (row-major) wins, as the CPU kernel's scatter in window order leaves it.
    /// </summary>
    public static void MaxUnpoolForward(Index1D index, ArrayView<float> x, ArrayView<int> argmax, ArrayView<float> y,
        SpecializedValue<PoolDims> pool)
    {
        int i = index;
        y[i] = FromSwitches(i, x, argmax, pool.Value, last: true);
    }

    /// <summary>dx (N, C, OH, OW) = dy (N, C, H, W) gathered at each window's argmax (0 where it is outside the plane).</summary>
    public static void MaxUnpoolBackward(Index1D index, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx,
        SpecializedValue<PoolDims> pool, int accumulate)
    {
        var d = pool.Value;
        int i = index;
        var cells = d.H * d.W;
        var a = argmax[i];
        var v = (uint)a < (uint)cells ? dy[i / (d.OH * d.OW) * cells + a] : 0f;
        Write(dx, i, v, accumulate);
    }

    /// <summary>y (N, C) = the mean of each channel's HW values; one thread per (sample, channel).</summary>
    public static void GlobalAvgForward(Index1D index, ArrayView<float> x, ArrayView<float> y, int positions)
    {
        int plane = index;
        var sum = 0f;
        for (var p = 0; p < positions; p++) sum += x[plane * positions + p];
        y[plane] = sum / positions;
    }

    /// <summary>dx (N, C, HW) = dy (N, C) / HW spread over each plane.</summary>
    public static void GlobalAvgBackward(Index1D index, ArrayView<float> dy, ArrayView<float> dx, int positions, int accumulate)
    {
        int i = index;
        var v = dy[i / positions] / positions;
        Write(dx, i, v, accumulate);
    }

    /// <summary>y (N, C) = the maximum of each channel's HW values, argmax its position (the first maximum; a NaN wins once seen); one thread per plane.</summary>
    public static void GlobalMaxForward(Index1D index, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, int positions)
    {
        int plane = index;
        var at = plane * positions;
        var best = x[at];
        var arg = 0;
        for (var p = 1; p < positions && !float.IsNaN(best); p++)
        {
            var v = x[at + p];
            if (v > best || float.IsNaN(v))
            {
                best = v;
                arg = p;
            }
        }
        y[plane] = best;
        argmax[plane] = arg;
    }

    /// <summary>dx (N, C, HW) = dy at each plane's argmax, 0 elsewhere.</summary>
    public static void GlobalMaxBackward(Index1D index, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx, int positions, int accumulate)
    {
        int i = index;
        var plane = i / positions;
        var v = argmax[plane] == i - plane * positions ? dy[plane] : 0f;
        Write(dx, i, v, accumulate);
    }

    // ---- batch normalization ----------------------------------------------------------------------

    // The per-channel reductions accumulate in double and keep the mean's float rounding error (its low
    // part), as the CPU kernels do (see NormMath): where |mean| ≫ std or the gradient terms nearly
    // cancel, float sums alone would drift by more than float rounding.

    /// <summary>
    /// Per channel (one thread each): the batch mean and biased variance over N·HW (two passes, in double), saved
    /// as mean (the float rounding; its low part goes to scratch (C) for <see cref="BatchNormApply"/>) and
    /// rstd = 1/√(var + eps); running = (1 − momentum)·running + momentum·batch, the unbiased variance for runningVar.
    /// </summary>
    public static void BatchNormStatistics(Index1D index, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> scratch, SpecializedValue<ChannelDims> dims, int n)
    {
        var d = dims.Value;
        int c = index;
        double count = n * d.HW;
        var sum = 0.0;
        for (var s = 0; s < n; s++)
            for (var p = 0; p < d.HW; p++) sum += x[(s * d.C + c) * d.HW + p];
        var center = (float)(sum / count);
        double deviation = 0, squares = 0;
        for (var s = 0; s < n; s++)
        {
            for (var p = 0; p < d.HW; p++)
            {
                double v = x[(s * d.C + c) * d.HW + p] - center;
                deviation += v;
                squares += v * v;
            }
        }
        var variance = Math.Max(0.0, (squares - deviation * deviation / count) / count);
        var mu = center + deviation / count;
        var high = (float)mu;
        mean[c] = high;
        scratch[c] = (float)(mu - high);
        rstd[c] = (float)(1.0 / Math.Sqrt(variance + d.Eps));
        runningMean[c] = (float)((1.0 - d.Momentum) * runningMean[c] + d.Momentum * mu);
        var unbiased = count > 1 ? variance * count / (count - 1) : variance;
        runningVar[c] = (float)((1.0 - d.Momentum) * runningVar[c] + d.Momentum * unbiased);
    }

    /// <summary>Inference statistics: mean = runningMean (low part 0 in scratch), rstd = 1/√(runningVar + eps), per channel.</summary>
    public static void BatchNormRunningStatistics(Index1D index, ArrayView<float> runningMean, ArrayView<float> runningVar,
        ArrayView<float> mean, ArrayView<float> rstd, ArrayView<float> scratch, SpecializedValue<ChannelDims> dims)
    {
        var d = dims.Value;
        int c = index;
        mean[c] = runningMean[c];
        scratch[c] = 0f;
        rstd[c] = (float)(1.0 / Math.Sqrt(runningVar[c] + (double)d.Eps));
    }

    /// <summary>y = ((x − mean) − meanLow)·rstd·gamma + beta, per element (meanLow from scratch (C)).</summary>
    public static void BatchNormApply(Index1D index, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> scratch, ArrayView<float> y, SpecializedValue<ChannelDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var c = i / d.HW % d.C;
        var v = (x[i] - mean[c] - scratch[c]) * rstd[c];
        y[i] = d.Affine != 0 ? v * gamma[c] + beta[c] : v;
    }

    /// <summary>
    /// Per channel (one thread each), in double over N·HW with dev = x − mean: G = Σdy, GDev = Σdy·dev, Dev = Σdev;
    /// dgamma += rstd·(GDev − Dev·G/M), dbeta += G; saves the channel's input-gradient coefficients in
    /// scratch (3C): devCoef = −rstd³·γ·(GDev − low·G)/M, shift = −rstd·γ·G/M, low = Dev/M (M = N·HW).
    /// </summary>
    public static void BatchNormGradientSums(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean,
        ArrayView<float> rstd, ArrayView<float> gamma, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> scratch,
        SpecializedValue<ChannelDims> dims, int n)
    {
        var d = dims.Value;
        int c = index;
        double g = 0, gDev = 0, dev = 0;
        var m = mean[c];
        for (var s = 0; s < n; s++)
        {
            for (var p = 0; p < d.HW; p++)
            {
                var at = (s * d.C + c) * d.HW + p;
                var v = x[at] - m;
                g += dy[at];
                gDev += dy[at] * v;
                dev += v;
            }
        }
        double count = n * d.HW;
        var r = (double)rstd[c];
        if (d.Affine != 0)
        {
            dgamma[c] += (float)(r * (gDev - dev / count * g));
            dbeta[c] += (float)g;
        }
        double scale = d.Affine != 0 ? gamma[c] : 1f;
        var low = dev / count;
        scratch[c] = (float)(-r * r * r * scale * (gDev - low * g) / count);
        scratch[d.C + c] = (float)(-r * scale * g / count);
        scratch[2 * d.C + c] = (float)low;
    }

    /// <summary>dx = rstd·gamma·dy + devCoef·((x − mean) − low) + shift, per element (coefficients from <see cref="BatchNormGradientSums"/>).</summary>
    public static void BatchNormInputGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean,
        ArrayView<float> rstd, ArrayView<float> gamma, ArrayView<float> scratch, ArrayView<float> dx, SpecializedValue<ChannelDims> dims, int accumulate)
    {
        var d = dims.Value;
        int i = index;
        var c = i / d.HW % d.C;
        var scale = d.Affine != 0 ? gamma[c] * rstd[c] : rstd[c];
        var v = scale * dy[i] + scratch[c] * (x[i] - mean[c] - scratch[2 * d.C + c]) + scratch[d.C + c];
        Write(dx, i, v, accumulate);
    }

    // ---- layer, group and instance normalization ---------------------------------------------------
    // Sets of contiguous values (see SetDims), reduced in double with the mean's rounding error kept, as
    // batch norm and the CPU kernels. Scratch holds per set: the low part of the mean (forward), then the
    // input-gradient coefficients devCoef, shift, low (backward), 3 values per set of the batch.

    /// <summary>Per set (one thread each): mean (saved as float, low part to scratch) and rstd = 1/√(var + eps) over its values.</summary>
    public static void SetStatistics(Index1D index, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> scratch, SpecializedValue<SetDims> dims)
    {
        var d = dims.Value;
        int set = index;
        var at = set * d.Length;
        var sum = 0.0;
        for (var j = 0; j < d.Length; j++) sum += x[at + j];
        var center = (float)(sum / d.Length);
        double deviation = 0, squares = 0;
        for (var j = 0; j < d.Length; j++)
        {
            double v = x[at + j] - center;
            deviation += v;
            squares += v * v;
        }
        var variance = Math.Max(0.0, (squares - deviation * deviation / d.Length) / d.Length);
        var mu = center + deviation / d.Length;
        var high = (float)mu;
        mean[set] = high;
        scratch[set] = (float)(mu - high);
        rstd[set] = (float)(1.0 / Math.Sqrt(variance + d.Eps));
    }

    /// <summary>y = ((x − mean) − meanLow)·rstd·gamma + beta of the value's set, per element.</summary>
    public static void SetApply(Index1D index, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd, ArrayView<float> gamma,
        ArrayView<float> beta, ArrayView<float> scratch, ArrayView<float> y, SpecializedValue<SetDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var set = i / d.Length;
        var v = (x[i] - mean[set] - scratch[set]) * rstd[set];
        if (d.Affine != 0)
        {
            var p = d.ParameterOf(i);
            v = v * gamma[p] + beta[p];
        }
        y[i] = v;
    }

    /// <summary>
    /// Per set (one thread each), in double with g = gamma·dy and dev = x − mean: G = Σg, GDev = Σg·dev, Dev = Σdev;
    /// saves devCoef = −rstd³·(GDev − low·G)/L, shift = −rstd·G/L and low = Dev/L in scratch (3 per set).
    /// </summary>
    public static void SetGradientSums(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> gamma, ArrayView<float> scratch, SpecializedValue<SetDims> dims, int sets)
    {
        var d = dims.Value;
        int set = index;
        var at = set * d.Length;
        var m = mean[set];
        double g = 0, gDev = 0, dev = 0;
        for (var j = 0; j < d.Length; j++)
        {
            var gj = d.Affine != 0 ? gamma[d.ParameterOf(at + j)] * dy[at + j] : dy[at + j];
            var v = x[at + j] - m;
            g += gj;
            gDev += gj * v;
            dev += v;
        }
        var r = (double)rstd[set];
        var low = dev / d.Length;
        scratch[set] = (float)(-r * r * r * (gDev - low * g) / d.Length);
        scratch[sets + set] = (float)(-r * g / d.Length);
        scratch[2 * sets + set] = (float)low;
    }

    /// <summary>dx = rstd·gamma·dy + devCoef·((x − mean) − low) + shift of the value's set, per element.</summary>
    public static void SetInputGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> gamma, ArrayView<float> scratch, ArrayView<float> dx, SpecializedValue<SetDims> dims, int sets, int accumulate)
    {
        var d = dims.Value;
        int i = index;
        var set = i / d.Length;
        var scale = d.Affine != 0 ? gamma[d.ParameterOf(i)] * rstd[set] : rstd[set];
        var v = scale * dy[i] + scratch[set] * (x[i] - mean[set] - scratch[2 * sets + set]) + scratch[sets + set];
        Write(dx, i, v, accumulate);
    }

    /// <summary>
    /// Per gamma/beta index (one thread each): dgamma += Σ dy·x̂ and dbeta += Σ dy over the values it scales (every
    /// sample's element j for layer norm; every sample's channel c for group norm), x̂ with the low part from scratch.
    /// </summary>
    public static void SetParameterGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> scratch, ArrayView<float> dgamma, ArrayView<float> dbeta, SpecializedValue<SetDims> dims, int n)
    {
        var d = dims.Value;
        int p = index;
        var sets = n * d.Groups;
        var gx = 0f;
        var gs = 0f;
        var perSample = d.PerElement != 0 ? 1 : d.HW;
        for (var s = 0; s < n; s++)
        {
            var first = d.PerElement != 0 ? s * d.Length + p : (s * d.C + p) * d.HW;
            var set = first / d.Length;
            for (var q = 0; q < perSample; q++)
            {
                var at = first + q;
                gx += dy[at] * ((x[at] - mean[set] - scratch[2 * sets + set]) * rstd[set]);
                gs += dy[at];
            }
        }
        dgamma[p] += gx;
        dbeta[p] += gs;
    }

    // ---- local response normalization ---------------------------------------------------------------

    /// <summary>scale = k + α/n·Σ over the channel's window of x², y = x·scale^(−β), per value of x (N, C, HW); scale saved for backward.</summary>
    public static void LrnForward(Index1D index, ArrayView<float> x, ArrayView<float> y, ArrayView<float> scale, SpecializedValue<LrnDims> dims)
    {
        var d = dims.Value;
        int i = index;
        var p = i % d.HW;
        var c = i / d.HW % d.C;
        var sample = i / (d.HW * d.C) * d.C;
        var last = c + d.After < d.C ? c + d.After : d.C - 1;
        var sum = 0f;
        for (var w = c - d.Before < 0 ? 0 : c - d.Before; w <= last; w++)
        {
            var v = x[(sample + w) * d.HW + p];
            sum += v * v;
        }
        var s = d.K + d.AlphaOverSize * sum;
        scale[i] = s;
        y[i] = x[i] * NegativePower(s, d);
    }

    /// <summary>
    /// dx[j] = dy[j]·scale[j]^(−β) − (2αβ/n)·x[j]·Σ dy[c]·y[c]/scale[c] over the channels c whose windows hold j
    /// (from j − After to j + Before), with y = x·scale^(−β) recomputed (the output slot holds y after a fused
    /// activation); one thread per value.
    /// </summary>
    public static void LrnBackward(Index1D index, ArrayView<float> x, ArrayView<float> scale, ArrayView<float> dy,
        ArrayView<float> dx, SpecializedValue<LrnDims> dims, int accumulate)
    {
        var d = dims.Value;
        int i = index;
        var p = i % d.HW;
        var j = i / d.HW % d.C;
        var sample = i / (d.HW * d.C) * d.C;
        var last = j + d.Before < d.C ? j + d.Before : d.C - 1;
        var sum = 0f;
        for (var c = j - d.After < 0 ? 0 : j - d.After; c <= last; c++)
        {
            var at = (sample + c) * d.HW + p;
            var s = scale[at];
            sum += dy[at] * x[at] * NegativePower(s, d) / s;
        }
        Write(dx, i, dy[i] * NegativePower(scale[i], d) - d.Coefficient * x[i] * sum, accumulate);
    }

    /// <summary>s^(−β): for β = 3/4 as 1/(√s·√√s), as the CPU kernel computes it.</summary>
    private static float NegativePower(float s, LrnDims d)
    {
        if (d.ThreeQuarters == 0) return MathF.Pow(s, -d.Beta);
        var root = MathF.Sqrt(s);
        return 1f / (root * MathF.Sqrt(root));
    }

    // ---- merges and copies ----------------------------------------------------------------------

    /// <summary>y = a + b.</summary>
    public static void Add(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[index] = a[index] + b[index];

    /// <summary>dst = src, or dst += src when accumulate is 1.</summary>
    public static void Copy(Index1D index, ArrayView<float> src, ArrayView<float> dst, int accumulate) =>
        Write(dst, index, src[index], accumulate);

    /// <summary>y (N, total)[offset…offset + part) = x (N, part), per sample (a channel concatenation's input).</summary>
    public static void ConcatForward(Index1D index, ArrayView<float> x, ArrayView<float> y, int part, int total, int offset)
    {
        int i = index;
        y[i / part * total + offset + i % part] = x[i];
    }

    /// <summary>dx (N, part) = dy (N, total)[offset…offset + part), per sample.</summary>
    public static void ConcatBackward(Index1D index, ArrayView<float> dy, ArrayView<float> dx, int part, int total, int offset, int accumulate)
    {
        int i = index;
        var v = dy[i / part * total + offset + i % part];
        Write(dx, i, v, accumulate);
    }

    /// <summary>y (N, C, HW) = x · s (N, C) per plane.</summary>
    public static void ScaleForward(Index1D index, ArrayView<float> x, ArrayView<float> s, ArrayView<float> y, int positions) =>
        y[index] = x[index] * s[index / positions];

    /// <summary>dx = dy · s per plane.</summary>
    public static void ScaleInputGradient(Index1D index, ArrayView<float> s, ArrayView<float> dy, ArrayView<float> dx, int positions, int accumulate)
    {
        int i = index;
        var v = dy[i] * s[i / positions];
        Write(dx, i, v, accumulate);
    }

    /// <summary>ds (N, C) = Σ_HW dy · x per plane; one thread per plane.</summary>
    public static void ScaleFactorGradient(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> ds, int positions, int accumulate)
    {
        int plane = index;
        var sum = 0f;
        for (var p = 0; p < positions; p++) sum += dy[plane * positions + p] * x[plane * positions + p];
        Write(ds, plane, sum, accumulate);
    }

    /// <summary>Every value set to <paramref name="value"/> (poisoning buffers in tests, clearing).</summary>
    public static void Fill(Index1D index, ArrayView<float> target, float value) => target[index] = value;

    // ---- dropout --------------------------------------------------------------------------------

    /// <summary>
    /// Inverted dropout: mask = 0 when the value's uniform draw u is below p, else 1/(1 − p); y = x · mask. u is
    /// a hash of (seed, call, index) (a counter-based generator: any thread draws its value alone).
    /// </summary>
    public static void DropoutForward(Index1D index, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask,
        float p, uint seed, uint call)
    {
        int i = index;
        var u = Uniform(seed, call, (uint)i);
        var m = u < p ? 0f : (p < 1f ? 1f / (1f - p) : 0f);
        mask[i] = m;
        y[i] = x[i] * m;
    }

    /// <summary>dx = dy · mask.</summary>
    public static void DropoutBackward(Index1D index, ArrayView<float> mask, ArrayView<float> dy, ArrayView<float> dx, int accumulate)
    {
        int i = index;
        var v = dy[i] * mask[i];
        Write(dx, i, v, accumulate);
    }

    /// <summary>A float uniform in [0, 1) from 24 bits of a 3-round integer hash of its arguments.</summary>
    internal static float Uniform(uint seed, uint call, uint index)
    {
        var h = Mix(seed ^ Mix(call + 0x9E3779B9u) ^ Mix(index * 0x85EBCA6Bu + 0x7F4A7C15u));
        return (h >> 8) * (1f / (1 << 24));
    }

    private static uint Mix(uint v)
    {
        v ^= v >> 16;
        v *= 0x7FEB352Du;
        v ^= v >> 15;
        v *= 0x846CA68Bu;
        v ^= v >> 16;
        return v;
    }

    // ---- loss -----------------------------------------------------------------------------------

    /// <summary>
    /// Softmax cross-entropy of row n of z (N, K) against its label, with label smoothing ε: loss (N) and
    /// correct (N, 1 when the first maximum is the label); dz = (softmax(z) − t)/N with t = (1 − ε)·onehot + ε/K.
    /// </summary>
    public static void SoftmaxCrossEntropy(Index1D index, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> dz,
        ArrayView<float> loss, ArrayView<int> correct, int classes, int n, float smoothing)
    {
        int row = index;
        var at = row * classes;
        var argmax = 0;
        var max = z[at];
        for (var j = 1; j < classes; j++)
        {
            if (z[at + j] > max)
            {
                max = z[at + j];
                argmax = j;
            }
        }
        var label = labels[row];
        correct[row] = argmax == label ? 1 : 0;
        var sum = 0f;
        var shifted = 0f;
        for (var j = 0; j < classes; j++)
        {
            sum += MathF.Exp(z[at + j] - max);
            shifted += z[at + j] - max;
        }
        var logSum = MathF.Log(sum);
        var value = (1f - smoothing) * (logSum - (z[label + at] - max));
        if (smoothing > 0f) value += smoothing * (logSum - shifted / classes);
        loss[row] = value;
        var scale = 1f / n;
        var spread = smoothing / classes;
        for (var j = 0; j < classes; j++)
        {
            var g = MathF.Exp(z[at + j] - max) / sum - spread;
            if (j == label) g -= 1f - smoothing;
            dz[at + j] = g * scale;
        }
    }

    /// <summary>
    /// Mean squared error of row n of z (N, K) against its one-hot label: loss (N) = Σ_j (z_j − t_j)²/K (the host
    /// averages the rows), dz = 2·(z − t)/(N·K), correct as <see cref="SoftmaxCrossEntropy"/>. <paramref name="unused"/>
    /// keeps the signature of the other losses.
    /// </summary>
    public static void MeanSquaredError(Index1D index, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> dz,
        ArrayView<float> loss, ArrayView<int> correct, int classes, int n, float unused)
    {
        int row = index;
        var at = row * classes;
        var label = labels[row];
        correct[row] = FirstArgMax(z, at, classes) == label ? 1 : 0;
        var scale = 2.0 / ((double)n * classes);
        var sum = 0.0;
        for (var j = 0; j < classes; j++)
        {
            var d = z[at + j] - (j == label ? 1.0 : 0.0);
            sum += d * d;
            dz[at + j] = (float)(d * scale);
        }
        loss[row] = (float)(sum / classes);
    }

    /// <summary>
    /// Multiclass hinge loss of row n of z (N, K): loss (N) = Σ_{j≠y} max(0, z_j − z_y + margin) (slacks in double, as
    /// the CPU loss); dz = 1/N at each violating j, −violations/N at y, 0 elsewhere; correct as the other losses.
    /// </summary>
    public static void MulticlassHinge(Index1D index, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> dz,
        ArrayView<float> loss, ArrayView<int> correct, int classes, int n, float margin)
    {
        int row = index;
        var at = row * classes;
        var label = labels[row];
        correct[row] = FirstArgMax(z, at, classes) == label ? 1 : 0;
        var sum = 0.0;
        var violations = 0;
        var share = 1f / n;
        for (var j = 0; j < classes; j++)
        {
            var slack = (double)z[at + j] - z[at + label] + margin;
            var violates = j != label && slack > 0;
            if (violates)
            {
                sum += slack;
                violations++;
            }
            dz[at + j] = violates ? share : 0f;
        }
        dz[at + label] = -(float)violations / n;
        loss[row] = (float)sum;
    }

    /// <summary>The index (0 to classes − 1) of the first largest of z[at…at + classes).</summary>
    private static int FirstArgMax(ArrayView<float> z, int at, int classes)
    {
        var best = 0;
        var max = z[at];
        for (var j = 1; j < classes; j++)
        {
            if (z[at + j] > max)
            {
                max = z[at + j];
                best = j;
            }
        }
        return best;
    }

    // ---- optimizers -------------------------------------------------------------------------------

    /// <summary>
    /// SGD as <c>ModelDsl.Sgd</c>: g = ∇ + λθ; with momentum v = μv + g and θ −= η(a·g + b·v) (heavy ball a = 0,
    /// b = 1; Nesterov a = 1, b = μ); without momentum θ −= η·g.
    /// </summary>
    public static void SgdStep(Index1D index, ArrayView<float> theta, ArrayView<float> grad, ArrayView<float> velocity,
        float lr, float wd, float mu, float a, float b, int momentum)
    {
        int i = index;
        var g = grad[i] + wd * theta[i];
        if (momentum == 0)
        {
            theta[i] -= lr * g;
            return;
        }
        var v = mu * velocity[i] + g;
        velocity[i] = v;
        theta[i] -= lr * (a * g + b * v);
    }

    /// <summary>
    /// Adam/AdamW as <c>ModelDsl.Adam</c>: θ ← θ·shrink − a·m/(√v + e), m and v the moments of g = ∇ + l2·θ,
    /// the bias corrections folded into a and e by the caller.
    /// </summary>
    public static void AdamStep(Index1D index, ArrayView<float> theta, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v,
        float a, float e, float b1, float b2, float shrink, float l2)
    {
        int i = index;
        var t = theta[i];
        var g = grad[i] + l2 * t;
        var mi = b1 * m[i] + (1 - b1) * g;
        var vi = b2 * v[i] + (1 - b2) * g * g;
        m[i] = mi;
        v[i] = vi;
        theta[i] = t * shrink - a * mi / (MathF.Sqrt(vi) + e);
    }

    /// <summary>
    /// RMSProp as <c>ModelDsl.RmsProp</c>: g = ∇ + λθ; s = αs + (1 − α)g²; step = g/(√s + ε); with momentum μ > 0,
    /// b = μb + step and step = b; θ −= η·step.
    /// </summary>
    public static void RmsPropStep(Index1D index, ArrayView<float> theta, ArrayView<float> grad, ArrayView<float> square, ArrayView<float> buffer,
        float lr, float alpha, float eps, float mu, float wd)
    {
        int i = index;
        var g = grad[i] + wd * theta[i];
        var s = alpha * square[i] + (1 - alpha) * g * g;
        square[i] = s;
        var step = g / (MathF.Sqrt(s) + eps);
        if (mu > 0)
        {
            step = mu * buffer[i] + step;
            buffer[i] = step;
        }
        theta[i] -= lr * step;
    }

    // ---- gradient clipping and penalties ------------------------------------------------------------

    /// <summary>
    /// partial[c] = Σ g² in double over chunk c of g (values c·chunk to min((c + 1)·chunk, length)), in index order:
    /// the first stage of the global norm, one thread per chunk, so the result does not depend on scheduling.
    /// </summary>
    public static void SquareSums(Index1D index, ArrayView<float> g, ArrayView<double> partial, int length, int chunk)
    {
        int c = index;
        var end = (c + 1) * chunk < length ? (c + 1) * chunk : length;
        var sum = 0.0;
        for (var i = c * chunk; i < end; i++) sum += (double)g[i] * g[i];
        partial[c] = sum;
    }

    /// <summary>partial[count] = Σ partial[0…count) in order (one thread): the second stage of the global norm.</summary>
    public static void SumInOrder(Index1D index, ArrayView<double> partial, int count)
    {
        var sum = 0.0;
        for (var c = 0; c < count; c++) sum += partial[c];
        partial[count] = sum;
    }

    /// <summary>v *= factor.</summary>
    public static void Scale(Index1D index, ArrayView<float> v, float factor) => v[index] *= factor;

    /// <summary>grad += l1·sign(θ) + l2·θ (the trainer's L1 and L2 penalties; sign(0) = 0).</summary>
    public static void Penalties(Index1D index, ArrayView<float> theta, ArrayView<float> grad, float l1, float l2)
    {
        int i = index;
        var t = theta[i];
        var sign = t > 0 ? 1f : t < 0 ? -1f : 0f;
        grad[i] += l1 * sign + l2 * t;
    }
}
