using System.Globalization;

namespace ModelDsl;

/// <summary>
/// A loss over a batch of model outputs (N, classes) and integer class labels: its mean over the
/// batch, its gradient with respect to the outputs, and the number of correct argmax predictions.
/// </summary>
/// <remarks>Implementations must not allocate: the trainer calls <see cref="Compute"/> once per step.</remarks>
public interface ILoss
{
    /// <summary>A short name for reports, e.g. <c>softmax cross-entropy</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Computes the mean loss of <paramref name="output"/> (N × classes, row-major) against
    /// <paramref name="labels"/> (N class indices) and, unless <paramref name="gradient"/> is empty,
    /// writes ∂(mean loss)/∂output into it (same length as <paramref name="output"/>, overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, or a label is outside [0, classes).</exception>
    LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient);
}

/// <summary>What a loss reports for one batch.</summary>
/// <param name="Loss">The mean loss over the batch.</param>
/// <param name="Correct">How many samples have their label as the argmax of the output (the first maximum on ties).</param>
public readonly record struct LossResult(double Loss, int Correct);

/// <summary>The losses the trainer accepts.</summary>
public static class Loss
{
    /// <summary>Softmax followed by the negative log-likelihood of the label, on raw logits (PyTorch's <c>CrossEntropyLoss</c>).</summary>
    public static ILoss SoftmaxCrossEntropy { get; } = new SoftmaxCrossEntropyLoss();

    /// <summary>Softmax cross-entropy against targets smoothed by <paramref name="labelSmoothing"/> (PyTorch's <c>CrossEntropyLoss(label_smoothing=ε)</c>).</summary>
    public static ILoss SmoothedSoftmaxCrossEntropy(float labelSmoothing) => new SoftmaxCrossEntropyLoss(labelSmoothing);

    /// <summary>Mean squared error between the outputs and the one-hot label: Σ_j (z_ij − [j = y])² / (N·K), as PyTorch's <c>MSELoss</c> on one-hot targets.</summary>
    public static ILoss MeanSquaredError { get; } = new MeanSquaredErrorLoss();

    /// <summary>The multiclass hinge loss (Weston–Watkins / cs231n SVM): Σ_{j≠y} max(0, z_j − z_y + margin), averaged over the batch.</summary>
    public static ILoss MulticlassHinge(float margin = 1f) =>
        float.IsFinite(margin) && margin > 0 ? new MulticlassHingeLoss(margin) : throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be positive.");

    /// <summary>The number of classes per row, checking the lengths and every label first.</summary>
    internal static int CheckBatch(ILoss loss, ReadOnlySpan<float> output, ReadOnlySpan<int> labels, ReadOnlySpan<float> gradient)
    {
        var n = labels.Length;
        if (n == 0)
            throw new ArgumentException($"The {loss.Name} loss needs at least one label.", nameof(labels));
        if (output.Length % n != 0 || output.Length == 0)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The output has {output.Length} values, not a whole number of rows for {n} labels."),
                nameof(output));
        if (!gradient.IsEmpty && gradient.Length != output.Length)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The gradient has {gradient.Length} values but the output has {output.Length}; pass one of the same length, or an empty span for none."),
                nameof(gradient));
        var classes = output.Length / n;
        for (var i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"The label at index {i} is {labels[i]}, but the output has {classes} classes (labels 0 to {classes - 1})."),
                    nameof(labels));
        }
        return classes;
    }

    /// <summary>The index of the first largest value of <paramref name="row"/>.</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        var max = row[0];
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > max)
            {
                max = row[j];
                best = j;
            }
        }
        return best;
    }
}

/// <summary>
/// Softmax cross-entropy on logits z (N, K) with labels y: loss_i = log Σ_j exp(z_ij) − z_iy, computed
/// as max_j z_ij + log Σ_j exp(z_ij − max) so that large logits neither overflow nor lose the answer;
/// ∂(mean loss)/∂z_ij = (softmax(z_i)_j − [j = y]) / N.
/// </summary>
public sealed class SoftmaxCrossEntropyLoss : ILoss
{
    /// <summary>Plain cross-entropy (no smoothing).</summary>
    public SoftmaxCrossEntropyLoss()
    {
    }

    /// <summary>
    /// Cross-entropy against smoothed targets (Szegedy et al. 2016, PyTorch's <c>label_smoothing</c>): the
    /// target is (1 − ε)·onehot(y) + ε/K, so the loss adds ε·(mean over classes of −log p) to (1 − ε)·(−log p_y).
    /// </summary>
    /// <param name="labelSmoothing">ε in [0, 1).</param>
    public SoftmaxCrossEntropyLoss(float labelSmoothing)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1).");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>ε, the probability mass spread evenly over the classes.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    public string Name => LabelSmoothing == 0 ? "softmax cross-entropy" : "softmax cross-entropy with label smoothing";

    /// <inheritdoc/>
    public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
    {
        var classes = Loss.CheckBatch(this, output, labels, gradient);
        var n = labels.Length;
        var scale = 1f / n;
        var total = 0.0;
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var z = output.Slice(i * classes, classes);
            var argmax = Loss.ArgMax(z);
            double max = z[argmax];
            var label = labels[i];
            if (argmax == label) correct++;

            var sum = 0.0;
            for (var j = 0; j < classes; j++) sum += Math.Exp(z[j] - max);
            var logSum = Math.Log(sum);
            // −Σ_j t_j log p_j with t = (1 − ε)·onehot(y) + ε/K and log p_j = z_j − max − logSum.
            var eps = (double)LabelSmoothing;
            var loss = (1 - eps) * (logSum - (z[label] - max));
            if (eps > 0)
            {
                var meanNegLog = 0.0;
                for (var j = 0; j < classes; j++) meanNegLog += logSum - (z[j] - max);
                loss += eps * meanNegLog / classes;
            }
            total += loss;

            if (gradient.IsEmpty) continue;
            // dz (1, K) = (softmax(z) − t) / N
            var dz = gradient.Slice(i * classes, classes);
            var inverse = 1.0 / sum;
            var spread = eps / classes;
            for (var j = 0; j < classes; j++) dz[j] = (float)((Math.Exp(z[j] - max) * inverse - spread) * scale);
            dz[label] -= (float)((1 - eps) * scale);
        }
        return new LossResult(total / n, correct);
    }
}

/// <summary>
/// Mean squared error against one-hot labels: loss = Σ_ij (z_ij − t_ij)² / (N·K) with t_ij = [j = y_i];
/// ∂loss/∂z_ij = 2·(z_ij − t_ij)/(N·K).
/// </summary>
public sealed class MeanSquaredErrorLoss : ILoss
{
    /// <inheritdoc/>
    public string Name => "mean squared error";

    /// <inheritdoc/>
    public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
    {
        var classes = Loss.CheckBatch(this, output, labels, gradient);
        var n = labels.Length;
        var scale = 1.0 / ((double)n * classes);
        double sum = 0;
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var z = output.Slice(i * classes, classes);
            for (var j = 0; j < classes; j++)
            {
                var d = z[j] - (j == labels[i] ? 1.0 : 0.0);
                sum += d * d;
                if (!gradient.IsEmpty) gradient[i * classes + j] = (float)(2 * d * scale);
            }
            if (Loss.ArgMax(z) == labels[i]) correct++;
        }
        return new LossResult(sum * scale, correct);
    }
}

/// <summary>
/// The multiclass hinge loss: loss_i = Σ_{j≠y} max(0, z_j − z_y + Δ), averaged over the batch; the
/// gradient is 1/N at each violating j and −(violations)/N at y.
/// </summary>
public sealed class MulticlassHingeLoss : ILoss
{
    internal MulticlassHingeLoss(float margin) => Margin = margin;

    /// <summary>Δ, the margin the right class must win by.</summary>
    public float Margin { get; }

    /// <inheritdoc/>
    public string Name => "multiclass hinge";

    /// <inheritdoc/>
    public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
    {
        var classes = Loss.CheckBatch(this, output, labels, gradient);
        var n = labels.Length;
        double sum = 0;
        var correct = 0;
        if (!gradient.IsEmpty) gradient.Clear();
        for (var i = 0; i < n; i++)
        {
            var z = output.Slice(i * classes, classes);
            var y = labels[i];
            var violations = 0;
            for (var j = 0; j < classes; j++)
            {
                if (j == y) continue;
                var slack = (double)z[j] - z[y] + Margin;
                if (slack <= 0) continue;
                sum += slack;
                violations++;
                if (!gradient.IsEmpty) gradient[i * classes + j] = 1f / n;
            }
            if (!gradient.IsEmpty) gradient[i * classes + y] = -(float)violations / n;
            if (Loss.ArgMax(z) == y) correct++;
        }
        return new LossResult(sum / n, correct);
    }
}
