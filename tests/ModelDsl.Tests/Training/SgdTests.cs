namespace ModelDsl.Tests.Training;

public class SgdTests
{
    // 4 features × 5 classes + 5 biases = 25 parameters: the vectorized part and a scalar tail.
    private static LinearModel ModelWith(float theta)
    {
        var model = new LinearModel(Shape.Flat(4), 5);
        model.Parameters.Fill(theta);
        return model;
    }

    private static float[] TwoSteps(Sgd sgd, float theta = 1f, float gradient = 0.5f)
    {
        var model = ModelWith(theta);
        var after = new float[2];
        for (var step = 0; step < 2; step++)
        {
            model.Gradients.Fill(gradient);
            sgd.Step(model);
            Assert.All(model.Parameters.ToArray(), p => Assert.Equal(model.Parameters[0], p));
            after[step] = model.Parameters[0];
        }
        return after;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6f, $"step {i + 1}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Plain_StepsAgainstTheGradient()
    {
        // θ = 1 − 0.1·0.5 = 0.95, then 0.95 − 0.05 = 0.9
        AssertClose([0.95f, 0.9f], TwoSteps(new Sgd(0.1f)));
    }

    [Fact]
    public void Momentum_AccumulatesVelocity()
    {
        // v = 0.5, θ = 0.95; v = 0.9·0.5 + 0.5 = 0.95, θ = 0.95 − 0.095 = 0.855
        AssertClose([0.95f, 0.855f], TwoSteps(new Sgd(0.1f, momentum: 0.9f)));
    }

    [Fact]
    public void Nesterov_StepsAlongGradientPlusMomentumTimesVelocity()
    {
        // v = 0.5, θ = 1 − 0.1·(0.5 + 0.45) = 0.905; v = 0.95, θ = 0.905 − 0.1·(0.5 + 0.855) = 0.7695
        AssertClose([0.905f, 0.7695f], TwoSteps(new Sgd(0.1f, momentum: 0.9f, nesterov: true)));
    }

    [Fact]
    public void WeightDecay_AddsLambdaThetaToTheGradient()
    {
        // g = 0.5 + 0.01·1 = 0.51, θ = 0.949; g = 0.5 + 0.00949, v = 0.9·0.51 + 0.50949 = 0.96849, θ = 0.852151
        AssertClose([0.949f, 0.852151f], TwoSteps(new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f)));
        // Without momentum: θ = 1 − 0.1·0.51 = 0.949, then 0.949 − 0.1·0.50949 = 0.898051
        AssertClose([0.949f, 0.898051f], TwoSteps(new Sgd(0.1f, weightDecay: 0.01f)));
    }

    [Fact]
    public void EveryElement_FollowsTheScalarRule()
    {
        var model = new LinearModel(Shape.Flat(4), 5);
        var count = model.Parameters.Length;
        var rng = new Rng(9);
        var theta = new double[count];
        var velocity = new double[count];
        for (var i = 0; i < count; i++) theta[i] = model.Parameters[i] = rng.NextSymmetric(1);
        var sgd = new Sgd(0.05f, momentum: 0.8f, nesterov: true, weightDecay: 0.1f);
        for (var step = 0; step < 3; step++)
        {
            for (var i = 0; i < count; i++)
            {
                var g = rng.NextSymmetric(1);
                model.Gradients[i] = g;
                var d = g + 0.1 * theta[i];
                velocity[i] = 0.8 * velocity[i] + d;
                theta[i] -= 0.05 * (d + 0.8 * velocity[i]);
            }
            sgd.Step(model);
        }
        for (var i = 0; i < count; i++) Assert.Equal(theta[i], model.Parameters[i], 1e-5);
    }

    [Fact]
    public void LearningRate_CanChangeBetweenSteps()
    {
        var sgd = new Sgd(0.1f);
        var model = ModelWith(1f);
        model.Gradients.Fill(1f);
        sgd.LearningRate = 0.5f;
        sgd.Step(model);
        Assert.Equal(0.5f, model.Parameters[0], 6);
    }

    [Fact]
    public void AnotherModel_StartsWithZeroVelocity()
    {
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        TwoSteps(sgd);
        // A fresh model sees the first-step result again, not the old velocity.
        AssertClose([0.95f, 0.855f], TwoSteps(sgd));
    }

    [Theory]
    [InlineData(-0.1f, 0f, 0f, "learningRate")]
    [InlineData(float.NaN, 0f, 0f, "learningRate")]
    [InlineData(0.1f, -0.5f, 0f, "momentum")]
    [InlineData(0.1f, 1f, 0f, "momentum")]
    [InlineData(0.1f, 0f, -1f, "weightDecay")]
    public void BadHyperparameters_AreRejectedNamingTheArgument(float lr, float momentum, float weightDecay, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(lr, momentum, weightDecay: weightDecay));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void NesterovWithoutMomentum_IsRejected_AndLearningRateSetterValidates()
    {
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true)).ParamName);
        var sgd = new Sgd(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1f);
        Assert.Equal(0.1f, sgd.LearningRate);
    }
}
