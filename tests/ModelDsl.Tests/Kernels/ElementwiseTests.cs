using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Activations, softmax and dropout. Lengths are not multiples of the vector width, so both the
// vector blocks and the scalar tail are checked, and long enough that the element-wise loops are split
// across the worker pool.
public class ElementwiseTests
{
    private const int Length = 40_000 + 5;

    public delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
    public delegate void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    private static readonly Dictionary<string, (Forward F, Backward B, Func<double, double> Exact)> s_activations = new()
    {
        ["ReLU"] = (Activations.ReLU, Activations.ReLUBackward, v => Math.Max(0, v)),
        ["Tanh"] = (Activations.Tanh, Activations.TanhBackward, Math.Tanh),
        ["Sigmoid"] = (Activations.Sigmoid, Activations.SigmoidBackward, v => 1 / (1 + Math.Exp(-v))),
    };

    // Values from −12 to 12, dense near 0 (where tanh switches from series to exponentials at 0.4).
    private static float[] Inputs()
    {
        var x = Data.Uniform(Length, 1);
        for (var i = 0; i < x.Length; i++) x[i] = i % 3 == 0 ? x[i] * 12 : i % 3 == 1 ? x[i] * 0.6f : x[i] * 1e-3f;
        return x;
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    public void Activation_MatchesDoubleReference_OutOfPlaceAndInPlace(string name)
    {
        var (forward, _, exact) = s_activations[name];
        var x = Inputs();
        var expected = x.Select(v => exact(v)).ToArray();
        var y = Data.Garbage(Length);
        forward(x, y);
        // Relative to each value (tanh of tiny x is tiny, and must stay accurate there).
        Data.AssertClose(expected, y, rel: 4e-7, abs: 1e-9, what: "y");
        forward(x, x);
        Assert.Equal(y, x);
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    public void ActivationBackward_MatchesFiniteDifferences_FromTheSavedOutput_InPlaceToo(string name)
    {
        var (forward, backward, exact) = s_activations[name];
        var x = Inputs();
        var y = new float[Length];
        forward(x, y);
        var r = Data.Uniform(Length, 2);
        var dx = Data.Garbage(Length);
        backward(y, r, dx);
        // f is element-wise, so each derivative is a one-input difference; the step shrinks with |x|
        // so it never crosses ReLU's kink at 0.
        double Step(double v) => Math.Max(1e-9, 1e-2 * Math.Min(1e-2, Math.Abs(v)));
        var fd = x.Select((v, i) => r[i] * (exact(v + Step(v)) - exact(v - Step(v))) / (2 * Step(v))).ToArray();
        Data.AssertClose(fd, dx, rel: 1e-3, abs: 1e-5, what: "dx");
        backward(y, r, r);
        Assert.Equal(dx, r);
    }

    [Fact]
    public void SoftmaxForward_RowsSumToOne_MatchReference_AndLargeInputsDoNotOverflow()
    {
        const int n = 3, c = 10, inner = 7;
        var x = Data.Uniform(n * c * inner, 1);
        for (var i = 0; i < inner; i++) x[i] = 1e4f + i;   // sample 0, channel 0: huge logits
        var y = Data.Garbage(x.Length);
        Softmax.Forward(x, y, n, c, inner);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Data.AssertClose(Reference.Softmax(n, c, inner, Data.ToDouble(x)), y, rel: 1e-5, abs: 1e-7, what: "y");
        for (var s = 0; s < n; s++)
            for (var q = 0; q < inner; q++)
            {
                var sum = 0.0;
                for (var ch = 0; ch < c; ch++) sum += y[(s * c + ch) * inner + q];
                Assert.Equal(1.0, sum, 1e-5);
            }
    }

    [Theory]
    [InlineData(5, 10, 1)]
    [InlineData(2, 4, 9)]
    public void SoftmaxBackward_MatchesFiniteDifferences(int n, int c, int inner)
    {
        var x = Data.Uniform(n * c * inner, 1);
        var y = new float[x.Length];
        Softmax.Forward(x, y, n, c, inner);
        var r = Data.Uniform(x.Length, 2);
        var dx = Data.Garbage(x.Length);
        Softmax.Backward(y, r, dx, n, c, inner);
        var fd = Reference.FiniteDifferences(Data.ToDouble(x), v => Reference.Softmax(n, c, inner, v), Data.ToDouble(r), eps: 1e-4);
        Data.AssertClose(fd, dx, rel: 1e-3, abs: 1e-5, what: "dx");
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.8f)]
    public void DropoutForward_DropsAboutAFractionP_AndScalesTheRestByOneOverOneMinusP(float p)
    {
        const int count = 100_000;
        var x = Data.Uniform(count, 1);
        var y = new float[count];
        var mask = Data.Garbage(count);
        var rng = new Rng(42);
        Dropout.Forward(x, y, mask, p, ref rng);
        var keep = 1f / (1f - p);
        var dropped = mask.Count(m => m == 0f);
        Assert.All(mask, m => Assert.True(m == 0f || m == keep));
        // Binomial(count, p): within 5 standard deviations.
        var sigma = Math.Sqrt(count * p * (1 - p));
        Assert.InRange(dropped, count * p - 5 * sigma, count * p + 5 * sigma);
        for (var i = 0; i < count; i++) Assert.Equal(x[i] * mask[i], y[i]);
    }

    [Fact]
    public void DropoutForward_WithPZero_IsTheIdentity_InPlaceToo()
    {
        var x = Data.Uniform(Length, 1);
        var y = (float[])x.Clone();
        var mask = Data.Garbage(Length);
        var rng = new Rng(3);
        Dropout.Forward(y, y, mask, 0f, ref rng);
        Assert.All(mask, m => Assert.Equal(1f, m));
        Assert.Equal(x, y);
    }

    [Fact]
    public void Dropout_IsDeterministicForASeed_AndBackwardAppliesTheMask()
    {
        var x = Data.Uniform(Length, 1);
        float[] MaskFor(ulong seed)
        {
            var mask = new float[Length];
            var rng = new Rng(seed);
            Dropout.Forward(x, new float[Length], mask, 0.3f, ref rng);
            return mask;
        }
        var first = MaskFor(7);
        Assert.Equal(first, MaskFor(7));
        Assert.NotEqual(first, MaskFor(8));

        var dy = Data.Uniform(Length, 2);
        var dx = Data.Garbage(Length);
        Dropout.Backward(first, dy, dx);
        for (var i = 0; i < Length; i++) Assert.Equal(dy[i] * first[i], dx[i]);
    }

    [Fact]
    public void DropoutForward_RejectsAProbabilityOutsideZeroToOne()
    {
        var rng = new Rng(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[4], new float[4], new float[4], 1.5f, ref rng));
    }
}
