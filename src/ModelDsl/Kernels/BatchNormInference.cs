using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Inference-mode batch norm fused with what follows it in a residual network: an optional ReLU, and
// the residual sum of two branches (each normalized or not) before it. x is (N, C, HW). One pass over
// the (sample, channel) rows, split across threads when large; per channel y = (x − mean)·s + beta
// with s = gamma/√(var + eps) computed in double.

/// <summary>The inference-mode parameters of one batch norm: gamma and beta (C each, or empty for 1 and 0), running mean and variance (C), eps.</summary>
public readonly ref struct BatchNormParameters
{
    /// <summary>The parameters of one batch norm in inference mode.</summary>
    public BatchNormParameters(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, float eps)
    {
        Gamma = gamma;
        Beta = beta;
        RunningMean = runningMean;
        RunningVar = runningVar;
        Eps = eps;
    }

    /// <summary>The scale (C), or empty for 1.</summary>
    public ReadOnlySpan<float> Gamma { get; }
    /// <summary>The shift (C), or empty for 0.</summary>
    public ReadOnlySpan<float> Beta { get; }
    /// <summary>The running mean (C).</summary>
    public ReadOnlySpan<float> RunningMean { get; }
    /// <summary>The running (unbiased) variance (C).</summary>
    public ReadOnlySpan<float> RunningVar { get; }
    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Whether these are parameters at all (a default value stands for "not normalized").</summary>
    public bool IsEmpty => RunningMean.IsEmpty && RunningVar.IsEmpty;

    /// <summary>Checks the lengths for <paramref name="c"/> channels; <paramref name="what"/> names the batch norm in the message.</summary>
    internal void Check(int c, string what)
    {
        // The names are built only for the message: a call that passes allocates nothing.
        if (!Gamma.IsEmpty && Gamma.Length < c) KernelMath.Require(Gamma.Length, c, what + ".gamma");
        if (!Beta.IsEmpty && Beta.Length < c) KernelMath.Require(Beta.Length, c, what + ".beta");
        if (RunningMean.Length < c) KernelMath.Require(RunningMean.Length, c, what + ".runningMean");
        if (RunningVar.Length < c) KernelMath.Require(RunningVar.Length, c, what + ".runningVar");
    }

    /// <summary>Writes mean, scale and shift of every channel to <paramref name="terms"/> (3 per channel).</summary>
    internal unsafe void Terms(int c, float* terms)
    {
        for (var ch = 0; ch < c; ch++)
        {
            var gamma = Gamma.IsEmpty ? 1.0 : Gamma[ch];
            terms[3 * ch] = RunningMean[ch];
            terms[3 * ch + 1] = (float)(gamma / Math.Sqrt((double)RunningVar[ch] + Eps));
            terms[3 * ch + 2] = Beta.IsEmpty ? 0f : Beta[ch];
        }
    }
}

public static unsafe partial class BatchNorm
{
    /// <summary>Inference with a ReLU after it when <paramref name="relu"/>, in one pass: y = [max(0, ·)](gamma·(x − runningMean)/√(runningVar + eps) + beta).</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int n, int c, int hw, float eps, bool relu) =>
        InferenceSum(x, new BatchNormParameters(gamma, beta, runningMean, runningVar, eps), default, default, y, n, c, hw, relu);

    /// <summary>
    /// A residual sum in inference, in one pass: y = [max(0, ·)](bnA(a) + bnB(b)), where bnA and bnB are
    /// inference-mode batch norms; <paramref name="bnB"/> left default adds b as it is, and <paramref name="b"/>
    /// left empty adds nothing. y may be the same span as a or b.
    /// </summary>
    public static void InferenceSum(ReadOnlySpan<float> a, BatchNormParameters bnA, ReadOnlySpan<float> b, BatchNormParameters bnB,
        Span<float> y, int n, int c, int hw, bool relu)
    {
        NormShape.Check(a.Length, y.Length, n, c, hw);
        bnA.Check(c, nameof(bnA));
        if (!b.IsEmpty) KernelMath.Require(b.Length, (long)n * c * hw, nameof(b));
        if (!bnB.IsEmpty)
        {
            if (b.IsEmpty) throw new ArgumentException("A batch norm for b was given without b.", nameof(bnB));
            bnB.Check(c, nameof(bnB));
        }
        if (n == 0 || c == 0 || hw == 0) return;
        var terms = WorkerPool.ThreadScratch.Partials(6 * c);
        bnA.Terms(c, terms);
        if (!bnB.IsEmpty) bnB.Terms(c, terms + 3 * c);
        fixed (float* pa = a, pb = b, py = y)
        {
            var rows = new SumRows(pa, terms, pb, bnB.IsEmpty ? null : terms + 3 * c, py, c, hw);
            var work = (pb == null ? 2L : 3L) * n * c * hw;
            switch (pb == null, bnB.IsEmpty, relu)
            {
                case (true, _, false): ParallelRanges.Run(new SumKernel<Off, Off, Off>(rows), n * c, work); break;
                case (true, _, true): ParallelRanges.Run(new SumKernel<Off, Off, On>(rows), n * c, work); break;
                case (false, true, false): ParallelRanges.Run(new SumKernel<On, Off, Off>(rows), n * c, work); break;
                case (false, true, true): ParallelRanges.Run(new SumKernel<On, Off, On>(rows), n * c, work); break;
                case (false, false, false): ParallelRanges.Run(new SumKernel<On, On, Off>(rows), n * c, work); break;
                default: ParallelRanges.Run(new SumKernel<On, On, On>(rows), n * c, work); break;
            }
        }
    }

    // a, b, y (N, C, HW); termsA, termsB (C, 3): mean, scale, shift.
    private readonly struct SumRows(float* a, float* termsA, float* b, float* termsB, float* y, int c, int hw)
    {
        public readonly float* A = a, TermsA = termsA, B = b, TermsB = termsB, Y = y;
        public readonly int C = c, HW = hw;
    }

    // Rows [begin, end) of (N·C, HW); TB: b is added, TNormB: b is normalized first, TRelu: clamped at 0.
    private readonly struct SumKernel<TB, TNormB, TRelu>(SumRows rows) : IRangeKernel
        where TB : struct, IFlag where TNormB : struct, IFlag where TRelu : struct, IFlag
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var hw = rows.HW;
            for (var r = begin; r < end; r++)
            {
                var ch = r % rows.C;
                var offset = (long)r * hw;
                float* a = rows.A + offset, b = rows.B + offset, y = rows.Y + offset, ta = rows.TermsA + 3 * ch, tb = rows.TermsB + 3 * ch;
                float ma = ta[0], sa = ta[1], ba = ta[2];
                float mb = TNormB.Value ? tb[0] : 0f, sb = TNormB.Value ? tb[1] : 0f, bb = TNormB.Value ? tb[2] : 0f;
                var i = 0;
                if (hw >= 8)
                {
                    Vector256<float> vma = Vector256.Create(ma), vsa = Vector256.Create(sa), vba = Vector256.Create(ba);
                    Vector256<float> vmb = Vector256.Create(mb), vsb = Vector256.Create(sb), vbb = Vector256.Create(bb);
                    for (; i <= hw - 8; i += 8)
                    {
                        var v = Vector256.FusedMultiplyAdd(Vector256.Load(a + i) - vma, vsa, vba);
                        if (TB.Value)
                        {
                            var w = Vector256.Load(b + i);
                            v += TNormB.Value ? Vector256.FusedMultiplyAdd(w - vmb, vsb, vbb) : w;
                        }
                        if (TRelu.Value) v = Vector256.Max(v, Vector256<float>.Zero);
                        Vector256.Store(v, y + i);
                    }
                }
                for (; i < hw; i++)
                {
                    var v = MathF.FusedMultiplyAdd(a[i] - ma, sa, ba);
                    if (TB.Value) v += TNormB.Value ? MathF.FusedMultiplyAdd(b[i] - mb, sb, bb) : b[i];
                    if (TRelu.Value) v = v > 0 ? v : 0f;
                    y[i] = v;
                }
            }
        }
    }
}
