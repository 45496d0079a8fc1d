using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// LeakyReLU, ReLU6, SiLU and HardSwish against double formulas, at and around their kinks (−3, 0, 3, 6)
// and at large |x|; backward against central differences away from the kinks and against the documented
// (PyTorch) one-sided convention at them. Lengths are not multiples of the vector width.
public class MoreActivationTests
{
    private const float Slope = 0.1f;
    private static readonly float[] s_kinks = [-3f, 0f, 3f, 6f];

    public delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
    public delegate void Backward(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx);

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    // Forward, backward (from y or from x), the exact function and its derivative with PyTorch's choice at each kink.
    private static readonly Dictionary<string, (Forward F, Backward B, bool FromInput, Func<double, double> Exact, Func<double, double> Derivative)> s_ops = new()
    {
        ["LeakyReLU"] = ((x, y) => MoreActivations.LeakyReLU(x, y, Slope), (y, dy, dx) => MoreActivations.LeakyReLUBackward(y, dy, dx, Slope), false,
            v => v > 0 ? v : Slope * v, v => v > 0 ? 1 : Slope),
        ["ReLU6"] = (MoreActivations.ReLU6, MoreActivations.ReLU6Backward, false,
            v => Math.Min(Math.Max(v, 0), 6), v => v > 0 && v < 6 ? 1 : 0),
        ["SiLU"] = (MoreActivations.SiLU, MoreActivations.SiLUBackward, true,
            v => v * Sigmoid(v), v => Sigmoid(v) * (1 + v * (1 - Sigmoid(v)))),
        ["HardSwish"] = (MoreActivations.HardSwish, MoreActivations.HardSwishBackward, true,
            v => v * Math.Min(Math.Max(v + 3, 0), 6) / 6, v => v < -3 ? 0 : v <= 3 ? (2 * v + 3) / 6 : 1),
    };

    // Uniform values in [−8, 8], each kink exactly and 1e-3 either side, and large magnitudes (±80 is where
    // e^(−x) in SiLU is about to overflow float; ±100 is past it).
    private static float[] Inputs()
    {
        var x = Data.Uniform(1000 + 5, 1).Select(v => 8 * v).ToList();
        foreach (var k in s_kinks) x.AddRange([k, k - 1e-3f, k + 1e-3f]);
        x.AddRange([-80f, 80f, -100f, 100f, -1e4f, 1e4f]);
        return [.. x];
    }

    [Theory]
    [InlineData("LeakyReLU")]
    [InlineData("ReLU6")]
    [InlineData("SiLU")]
    [InlineData("HardSwish")]
    public void Activation_MatchesDoubleFormula_AtKinksAndLargeInputs_OutOfPlaceAndInPlace(string name)
    {
        var (forward, _, _, exact, _) = s_ops[name];
        var x = Inputs();
        var y = Data.Garbage(x.Length);
        forward(x, y);
        Assert.All(y, v => Assert.False(float.IsNaN(v)));
        // Relative to each value, plus 1e-9 of the largest: SiLU(−80) ≈ −1.4e-33 must still be right.
        Data.AssertClose(x.Select(v => exact(v)).ToArray(), y, rel: 1e-6, abs: 1e-9, what: "y");
        forward(x, x);
        Assert.Equal(y, x);
    }

    [Theory]
    [InlineData("LeakyReLU")]
    [InlineData("ReLU6")]
    [InlineData("SiLU")]
    [InlineData("HardSwish")]
    public void ActivationBackward_MatchesFiniteDifferencesAwayFromKinks_AndPyTorchsConventionAtThem_InPlaceToo(string name)
    {
        var (forward, backward, fromInput, exact, derivative) = s_ops[name];
        var x = Inputs();
        var y = new float[x.Length];
        forward(x, y);
        var saved = fromInput ? x : y;
        var r = Data.Uniform(x.Length, 2);
        var dx = Data.Garbage(x.Length);
        backward(saved, r, dx);
        Assert.All(dx, v => Assert.False(float.IsNaN(v)));

        // Away from kinks: a central difference whose step stays short of the nearest kink.
        var smooth = Enumerable.Range(0, x.Length).Where(i => !s_kinks.Contains(x[i])).ToArray();
        double Step(double v) => Math.Max(1e-9, 1e-2 * Math.Min(1e-2, s_kinks.Min(k => Math.Abs(v - k))));
        var fd = x.Select((v, i) => r[i] * (exact(v + Step(v)) - exact(v - Step(v))) / (2 * Step(v))).ToArray();
        Data.AssertClose(fd, dx, rel: 1e-3, abs: 1e-5, indices: smooth, what: "dx");

        // At kinks: the documented one-sided choice.
        var kinks = Enumerable.Range(0, x.Length).Where(i => s_kinks.Contains(x[i])).ToArray();
        Data.AssertClose(x.Select((v, i) => r[i] * derivative(v)).ToArray(), dx, rel: 1e-6, abs: 1e-7, indices: kinks, what: "dx at kink");

        backward(saved, r, r);
        Assert.Equal(dx, r);
    }

    [Fact]
    public void KinkConventions_AreThoseOfPyTorch()
    {
        float[] x = [-3f, 0f, 3f, 6f];
        float[] dy = [1f, 1f, 1f, 1f];
        var dx = new float[4];
        MoreActivations.HardSwishBackward(x, dy, dx);
        Assert.Equal([-0.5f, 0.5f, 1.5f, 1f], dx);   // x/3 + ½ on [−3, 3], 1 above
        var y = new float[4];
        MoreActivations.ReLU6(x, y);
        MoreActivations.ReLU6Backward(y, dy, dx);
        Assert.Equal([0f, 0f, 1f, 0f], dx);          // 0 at 0 and at 6
        MoreActivations.LeakyReLU(x, y, Slope);
        MoreActivations.LeakyReLUBackward(y, dy, dx, Slope);
        Assert.Equal([Slope, Slope, 1f, 1f], dx);    // slope at 0
    }

    [Fact]
    public void SiLU_AtPlusMinus80AndBeyond_IsFinite_WithFiniteGradient()
    {
        float[] x = [-1e30f, -200f, -100f, -80f, 80f, 100f, 200f, 1e30f, -80f, 80f];   // ten values: vector block + tail
        var (y, dx) = (new float[x.Length], new float[x.Length]);
        MoreActivations.SiLU(x, y);
        MoreActivations.SiLUBackward(x, Enumerable.Repeat(1f, x.Length).ToArray(), dx);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.All(dx, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(80f, y[4]);
        Assert.Equal(1f, dx[4]);
        Assert.Equal(0f, dx[0]);
    }

    [Fact]
    public void LeakyReLU_RejectsANegativeSlope()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MoreActivations.LeakyReLU(new float[1], new float[1], -0.1f));
    }
}
