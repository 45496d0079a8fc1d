namespace ModelDsl.Tests.Training;

public class SoftmaxCrossEntropyTests
{
    private static readonly ILoss Ce = Loss.SoftmaxCrossEntropy;

    private static float[] RandomLogits(int count, float scale, ulong seed)
    {
        var rng = new Rng(seed);
        var logits = new float[count];
        for (var i = 0; i < count; i++) logits[i] = rng.NextSymmetric(scale);
        return logits;
    }

    private static double ReferenceLoss(float[] logits, int[] labels)
    {
        var classes = logits.Length / labels.Length;
        var total = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < classes; j++) sum += Math.Exp(logits[i * classes + j]);
            total += -Math.Log(Math.Exp(logits[i * classes + labels[i]]) / sum);
        }
        return total / labels.Length;
    }

    [Fact]
    public void Loss_MatchesADoublePrecisionReference()
    {
        var logits = RandomLogits(5 * 7, 3f, 11);
        int[] labels = [0, 6, 3, 3, 1];
        var result = Ce.Compute(logits, labels, default);
        Assert.Equal(ReferenceLoss(logits, labels), result.Loss, 1e-9);
    }

    [Fact]
    public void Gradient_MatchesCentralFiniteDifferences()
    {
        var logits = RandomLogits(4 * 6, 2f, 12);
        int[] labels = [5, 0, 2, 2];
        var gradient = new float[logits.Length];
        Ce.Compute(logits, labels, gradient);

        for (var i = 0; i < logits.Length; i++)
        {
            var original = logits[i];
            logits[i] = original + 1e-2f;
            var plusZ = logits[i];
            var plus = Ce.Compute(logits, labels, default).Loss;
            logits[i] = original - 1e-2f;
            var minusZ = logits[i];
            var minus = Ce.Compute(logits, labels, default).Loss;
            logits[i] = original;
            var numeric = (plus - minus) / ((double)plusZ - minusZ);
            Assert.True(Math.Abs(numeric - gradient[i]) < 2e-5, $"∂loss/∂z[{i}]: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void GradientRows_SumToZero_AndSoftmaxIsTheMeanOverTheBatch()
    {
        float[] logits = [0, 0, 0, 0, 1, 2, 3, 4];
        var gradient = new float[8];
        Ce.Compute(logits, [1, 3], gradient);
        // Row 0: uniform softmax 1/4; (1/4 − [j = 1]) / 2.
        Assert.Equal(new[] { 0.125f, -0.375f, 0.125f, 0.125f }, gradient[..4]);
        Assert.Equal(0f, gradient[4..].Sum(), 1e-6f);
    }

    [Theory]
    [InlineData(1e4f)]
    [InlineData(-1e4f)]
    [InlineData(3e38f)]
    public void HugeLogits_StayFinite(float offset)
    {
        float[] logits = [offset, offset - 1, offset - 2];
        var gradient = new float[3];
        var result = Ce.Compute(logits, [0], gradient);
        var expected = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        // Far from zero the float spacing of the logits themselves limits what can be recovered.
        if (Math.Abs(offset) <= 1e4f) Assert.Equal(expected, result.Loss, 1e-6);
        Assert.True(double.IsFinite(result.Loss));
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Correct_CountsArgmaxHits_FirstMaximumOnTies()
    {
        float[] logits =
        [
            0.1f, 0.9f, 0.0f,  // predicts 1
            2.0f, 2.0f, 1.0f,  // tie: predicts 0
            0.0f, 0.0f, 5.0f,  // predicts 2
            1.0f, 0.0f, 0.0f,  // predicts 0
        ];
        Assert.Equal(3, Ce.Compute(logits, [1, 0, 1, 0], default).Correct);
        Assert.Equal(1, Ce.Compute(logits, [1, 1, 0, 2], default).Correct);
    }

    [Theory]
    [InlineData(10, "The label at index 2 is 10, but the output has 10 classes (labels 0 to 9).")]
    [InlineData(-1, "The label at index 2 is -1, but the output has 10 classes (labels 0 to 9).")]
    public void LabelOutOfRange_IsRejectedNamingIndexAndValue(int label, string message)
    {
        var logits = new float[30];
        var gradient = new float[30];
        gradient.AsSpan().Fill(7f);
        var e = Assert.Throws<ArgumentException>(() => Ce.Compute(logits, [0, 9, label], gradient));
        Assert.StartsWith(message, e.Message);
        Assert.Equal("labels", e.ParamName);
        Assert.All(gradient, g => Assert.Equal(7f, g));
    }

    [Fact]
    public void MismatchedLengths_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => Ce.Compute(new float[7], [0, 1], default));
        Assert.Throws<ArgumentException>(() => Ce.Compute(new float[8], [0, 1], new float[6]));
        Assert.Throws<ArgumentException>(() => Ce.Compute(new float[8], [], default));
    }
}
