namespace ModelDsl.Tests.Training;

/// <summary>MSE and multiclass hinge against hand-computed values and central finite differences.</summary>
public class OtherLossTests
{
    private static readonly float[] Logits = [2f, -1f, 0.5f, 0.1f, 0.3f, 3f]; // (2, 3)
    private static readonly int[] Labels = [0, 2];

    [Fact]
    public void MeanSquaredError_AgainstOneHotTargets()
    {
        var gradient = new float[6];
        var result = Loss.MeanSquaredError.Compute(Logits, Labels, gradient);
        // (2 − 1)² + 1² + 0.5² + 0.1² + 0.3² + (3 − 1)² = 1 + 1 + 0.25 + 0.01 + 0.09 + 4 = 6.35, over N·K = 6.
        Assert.Equal(6.35 / 6, result.Loss, 6);
        Assert.Equal(2, result.Correct);
        Assert.Equal(2 * (2 - 1) / 6f, gradient[0], 6);
        Assert.Equal(2 * 0.3f / 6f, gradient[4], 6);
        CheckGradient(Loss.MeanSquaredError);
    }

    [Fact]
    public void MulticlassHinge_SumsTheViolatedMargins()
    {
        var gradient = new float[6];
        var result = Loss.MulticlassHinge().Compute(Logits, Labels, gradient);
        // Sample 0 (y = 0, z_y = 2): max(0, −1 − 2 + 1) + max(0, 0.5 − 2 + 1) = 0. Sample 1 (y = 2, z_y = 3): 0 + 0.
        Assert.Equal(0, result.Loss, 9);
        Assert.All(gradient, g => Assert.Equal(0f, g));
        var tight = Loss.MulticlassHinge(margin: 2f).Compute(Logits, Labels, gradient);
        // Sample 0: max(0, −1 − 2 + 2) + max(0, 0.5 − 2 + 2) = 0 + 0.5. Sample 1: max(0, 0.1 − 3 + 2) + max(0, 0.3 − 3 + 2) = 0.
        Assert.Equal(0.5 / 2, tight.Loss, 6);
        // One violation in sample 0 (class 2), over N = 2: +1/2 there, −1/2 at the label; nothing for sample 1.
        Assert.Equal([-0.5f, 0f, 0.5f, 0f, 0f, 0f], gradient);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.MulticlassHinge(0));
    }

    [Fact]
    public void MulticlassHinge_GradientMatchesFiniteDifferences_AwayFromKinks()
    {
        var rng = new Rng(4);
        var logits = Enumerable.Range(0, 20).Select(_ => rng.NextSymmetric(2f)).ToArray();
        CheckGradient(Loss.MulticlassHinge(), logits, [1, 3, 0, 4]);
    }

    private static void CheckGradient(ILoss loss, float[]? logits = null, int[]? labels = null)
    {
        logits ??= (float[])Logits.Clone();
        labels ??= Labels;
        var gradient = new float[logits.Length];
        loss.Compute(logits, labels, gradient);
        for (var i = 0; i < logits.Length; i++)
        {
            const float h = 1e-3f;
            var saved = logits[i];
            logits[i] = saved + h;
            var plus = loss.Compute(logits, labels, default).Loss;
            logits[i] = saved - h;
            var minus = loss.Compute(logits, labels, default).Loss;
            logits[i] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[i], 3);
        }
    }
}
