using System.Globalization;

namespace ModelDsl.Reports;

/// <summary>
/// Counts of (actual, predicted) class pairs: <c>Counts[actual, predicted]</c> is how many samples of class
/// <c>actual</c> were predicted as <c>predicted</c>. Rows are actual classes, columns predicted ones; the
/// diagonal holds the right predictions.
/// </summary>
public sealed class ConfusionMatrix
{
    private ConfusionMatrix(int[,] counts, IReadOnlyList<string> classNames)
    {
        Counts = counts;
        ClassNames = classNames;
    }

    /// <summary>The counts, (classes, classes): [actual, predicted].</summary>
    public int[,] Counts { get; }

    /// <summary>The class names, in label order (the labels as numbers when the data has no names).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The number of samples counted.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (var c in Counts) total += c;
            return total;
        }
    }

    /// <summary>The fraction of samples on the diagonal, in [0, 1]; 0 when nothing was counted.</summary>
    public double Accuracy
    {
        get
        {
            long right = 0;
            for (var i = 0; i < ClassCount; i++) right += Counts[i, i];
            var total = Total;
            return total == 0 ? 0 : (double)right / total;
        }
    }

    /// <summary>
    /// Counts how often each actual class was predicted as each class: the result's [a, p] is the number of
    /// indices i with <paramref name="actual"/>[i] = a and <paramref name="predicted"/>[i] = p.
    /// </summary>
    /// <param name="actual">The true label of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="predicted">The predicted label of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes, at least 1.</param>
    /// <exception cref="ArgumentException">The spans differ in length, or a label is out of range (the message names the sample and the value).</exception>
    public static int[,] Count(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (actual.Length != predicted.Length)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"There are {actual.Length:N0} actual labels but {predicted.Length:N0} predictions; they must pair up one to one."),
                nameof(predicted));
        var counts = new int[classes, classes];
        for (var i = 0; i < actual.Length; i++)
        {
            var a = actual[i];
            var p = predicted[i];
            if ((uint)a >= (uint)classes)
                throw new ArgumentException(OutOfRange("actual label", i, a, classes), nameof(actual));
            if ((uint)p >= (uint)classes)
                throw new ArgumentException(OutOfRange("prediction", i, p, classes), nameof(predicted));
            counts[a, p]++;
        }
        return counts;
    }

    /// <summary>The matrix of <paramref name="predicted"/> against <paramref name="actual"/>, with the given class names (one per class).</summary>
    /// <exception cref="ArgumentException">See <see cref="Count"/>; or no class names are given.</exception>
    public static ConfusionMatrix Create(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count == 0) throw new ArgumentException("A confusion matrix needs at least one class name.", nameof(classNames));
        return new ConfusionMatrix(Count(actual, predicted, classNames.Count), classNames.ToArray());
    }

    /// <summary>
    /// The matrix of <paramref name="predicted"/> (for example <see cref="Trainer.Predict"/>'s result) against the
    /// labels of <paramref name="data"/>, named by <see cref="Dataset.ClassNames"/> (or by number when it has none).
    /// </summary>
    /// <param name="data">The labelled samples.</param>
    /// <param name="predicted">One predicted class per sample of <paramref name="data"/>.</param>
    /// <param name="classes">The number of classes when <paramref name="data"/> has no names (for example the model's outputs); default: <see cref="Dataset.ClassCount"/>.</param>
    /// <exception cref="ArgumentException">See <see cref="Count"/>.</exception>
    public static ConfusionMatrix Create(Dataset data, ReadOnlySpan<int> predicted, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var names = new string[classes ?? data.ClassCount];
        for (var i = 0; i < names.Length; i++)
            names[i] = data.ClassNames is { } known && i < known.Count ? known[i] : i.ToString(CultureInfo.InvariantCulture);
        return Create(data.Labels, predicted, names);
    }

    private static string OutOfRange(string what, int index, int value, int classes) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The {what} of sample {index:N0} is {value}; with {classes} classes it must be in [0, {classes}).");
}
