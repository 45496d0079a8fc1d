namespace ModelDsl.Tests.Training;

/// <summary>
/// Adam, AdamW, RMSProp and SGD with momentum against straightforward double-precision implementations
/// of PyTorch's update rules, over several steps with parameters and gradients that differ per entry:
/// 25 of them (the vectorized part and the scalar tail), and 100,005 (updated in pieces across threads).
/// </summary>
public class AdaptiveOptimizerTests
{
    private const int Steps = 5;

    /// <summary>Runs <paramref name="optimizer"/> for <see cref="Steps"/> steps with gradients that depend on the entry and the step; returns θ after each step.</summary>
    private static float[][] Run(Optimizer optimizer, int features = 4)
    {
        var model = new LinearModel(Shape.Flat(features), 5);
        for (var i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)Start(i);
        var trace = new float[Steps][];
        for (var t = 0; t < Steps; t++)
        {
            for (var i = 0; i < model.Gradients.Length; i++) model.Gradients[i] = Gradient(i, t);
            optimizer.Step(model);
            trace[t] = model.Parameters.ToArray();
        }
        return trace;
    }

    // Starting values in [−0.46, 0.5], so a wrong update shows against the tolerance at every entry.
    private static double Start(int i) => 0.5 - 0.04 * (i % 25);

    private static float Gradient(int i, int t) => (float)Math.Sin(1.3 * i + 0.7 * t) * (1 + 0.1f * t);

    private static void AssertMatches(double[][] expected, float[][] actual)
    {
        for (var t = 0; t < Steps; t++)
        for (var i = 0; i < expected[t].Length; i++)
            Assert.True(Math.Abs(expected[t][i] - actual[t][i]) <= 1e-5 * (1 + Math.Abs(expected[t][i])),
                $"step {t + 1}, θ[{i}]: expected {expected[t][i]:R}, got {actual[t][i]:R}");
    }

    // A LinearModel's parameter count: 5 classes × features + 5 biases.
    private static int Count(int features) => 5 * features + 5;

    private static double[][] ReferenceAdam(double lr, double b1, double b2, double eps, double wd, bool decoupled, int features = 4)
    {
        var n = Count(features);
        var theta = Enumerable.Range(0, n).Select(Start).ToArray();
        var m = new double[n];
        var v = new double[n];
        var trace = new double[Steps][];
        for (var t = 1; t <= Steps; t++)
        {
            for (var i = 0; i < n; i++)
            {
                double g = Gradient(i, t - 1);
                if (decoupled) theta[i] *= 1 - lr * wd;
                else g += wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                var mHat = m[i] / (1 - Math.Pow(b1, t));
                var vHat = v[i] / (1 - Math.Pow(b2, t));
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            trace[t - 1] = (double[])theta.Clone();
        }
        return trace;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(20_000)]
    public void Adam_MatchesPyTorchsRule_WithL2Decay(int features)
    {
        AssertMatches(ReferenceAdam(0.01, 0.9, 0.999, 1e-8, 0.1, decoupled: false, features), Run(new Adam(0.01f, weightDecay: 0.1f), features));
    }

    [Fact]
    public void AdamW_DecaysTheWeightsDirectly()
    {
        AssertMatches(ReferenceAdam(0.01, 0.8, 0.99, 1e-6, 0.1, decoupled: true), Run(new AdamW(0.01f, 0.8f, 0.99f, 1e-6f, weightDecay: 0.1f)));
        // Decoupled and L2 decay really differ.
        Assert.NotEqual(Run(new Adam(0.01f, weightDecay: 0.1f))[Steps - 1][3], Run(new AdamW(0.01f, weightDecay: 0.1f))[Steps - 1][3]);
    }

    [Theory]
    [InlineData(0.0f, 4)]
    [InlineData(0.9f, 4)]
    [InlineData(0.9f, 20_000)]
    public void RmsProp_MatchesPyTorchsRule(float momentum, int features)
    {
        var n = Count(features);
        const double lr = 0.01, alpha = 0.9, eps = 1e-8, wd = 0.05;
        var theta = Enumerable.Range(0, n).Select(Start).ToArray();
        var s = new double[n];
        var b = new double[n];
        var expected = new double[Steps][];
        for (var t = 0; t < Steps; t++)
        {
            for (var i = 0; i < n; i++)
            {
                var g = Gradient(i, t) + wd * theta[i];
                s[i] = alpha * s[i] + (1 - alpha) * g * g;
                var step = g / (Math.Sqrt(s[i]) + eps);
                if (momentum > 0)
                {
                    b[i] = momentum * b[i] + step;
                    step = b[i];
                }
                theta[i] -= lr * step;
            }
            expected[t] = (double[])theta.Clone();
        }
        AssertMatches(expected, Run(new RmsProp(0.01f, alpha: 0.9f, momentum: momentum, weightDecay: 0.05f), features));
    }

    [Theory]
    [InlineData(false, 4)]
    [InlineData(false, 20_000)]
    [InlineData(true, 20_000)]
    public void SgdWithMomentum_MatchesPyTorchsRule(bool nesterov, int features)
    {
        var n = Count(features);
        const double lr = 0.05, mu = 0.9, wd = 0.01;
        var theta = Enumerable.Range(0, n).Select(Start).ToArray();
        var v = new double[n];
        var expected = new double[Steps][];
        for (var t = 0; t < Steps; t++)
        {
            for (var i = 0; i < n; i++)
            {
                var g = Gradient(i, t) + wd * theta[i];
                v[i] = mu * v[i] + g;
                theta[i] -= lr * (nesterov ? g + mu * v[i] : v[i]);
            }
            expected[t] = (double[])theta.Clone();
        }
        AssertMatches(expected, Run(new Sgd(0.05f, momentum: 0.9f, nesterov: nesterov, weightDecay: 0.01f), features));
    }

    // A subclass's Update may need its whole run (a rule over the run's norm, say): it is not split.
    private sealed class RecordingAdam : Adam
    {
        public List<(int Offset, int Length)> Calls { get; } = [];

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
        {
            Calls.Add((offset, parameters.Length));
            base.Update(parameters, gradients, offset);
        }
    }

    [Fact]
    public void AnAdamSubclass_GetsEachRunWhole_OnTheCallingThread()
    {
        var adam = new RecordingAdam();
        var model = new LinearModel(Shape.Flat(20_000), 5);
        adam.Step(model);
        Assert.Equal([(0, 100_005)], adam.Calls);   // the model's one trainable run
    }

    [Fact]
    public void BadHyperparameters_NameTheArgument()
    {
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(eps: -1f)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(alpha: 1.5f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(float.NaN)).ParamName);
    }

    [Fact]
    public void Adam_StepCountRestartsWithANewModel()
    {
        var adam = new Adam();
        Run(adam);
        Assert.Equal(Steps, adam.StepCount);
        var other = new LinearModel(Shape.Flat(4), 5);
        adam.Step(other);
        Assert.Equal(1, adam.StepCount);
    }
}
