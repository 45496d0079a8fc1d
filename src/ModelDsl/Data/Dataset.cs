using System.Globalization;

namespace ModelDsl;

/// <summary>
/// N labelled samples of one <see cref="Shape"/>: the features as one flat (N, C, H, W) buffer and one
/// class index per sample. Immutable once made; <see cref="Subset"/> copies.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _features;
    private readonly int[] _labels;

    /// <summary>Wraps <paramref name="features"/> (N × shape.Size values) and <paramref name="labels"/> (N class indices); the arrays are not copied.</summary>
    /// <param name="features">The samples, (N, C, H, W) row-major.</param>
    /// <param name="labels">One class index per sample, each ≥ 0 (and below the number of <paramref name="classNames"/> when given).</param>
    /// <param name="sampleShape">The shape of one sample.</param>
    /// <param name="classNames">Names of the classes, in label order, or null.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a label is out of range.</exception>
    public Dataset(float[] features, int[] labels, Shape sampleShape, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleShape.Size <= 0)
            throw new ArgumentException($"The sample shape {sampleShape} has no values.", nameof(sampleShape));
        if ((long)labels.Length * sampleShape.Size != features.Length)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{labels.Length:N0} labels of shape {sampleShape} need {(long)labels.Length * sampleShape.Size:N0} feature values, but there are {features.Length:N0}."),
                nameof(features));
        var maxLabel = -1;
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label < 0 || (classNames is not null && label >= classNames.Count))
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"The label of sample {i:N0} is {label}; labels must be in [0, {(classNames is null ? "∞" : classNames.Count.ToString(CultureInfo.InvariantCulture))})."),
                    nameof(labels));
            if (label > maxLabel) maxLabel = label;
        }
        _features = features;
        _labels = labels;
        SampleShape = sampleShape;
        ClassNames = classNames;
        ClassCount = classNames?.Count ?? maxLabel + 1;
    }

    /// <summary>The shape of one sample.</summary>
    public Shape SampleShape { get; }

    /// <summary>The number of samples N.</summary>
    public int Count => _labels.Length;

    /// <summary>The number of classes: the count of <see cref="ClassNames"/>, or else the largest label + 1.</summary>
    public int ClassCount { get; }

    /// <summary>The class names in label order, or null when unknown.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>All samples, (N, C, H, W) row-major.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>One class index per sample.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _features.AsSpan(index * SampleShape.Size, SampleShape.Size);
    }

    /// <summary>A copy of samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the dataset.</exception>
    public Dataset Subset(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count),
                string.Create(CultureInfo.InvariantCulture,
                    $"Samples [{start:N0}, {start + (long)count:N0}) do not lie within the dataset's {Count:N0}."));
        var size = SampleShape.Size;
        return new Dataset(
            _features.AsSpan(start * size, count * size).ToArray(),
            _labels.AsSpan(start, count).ToArray(),
            SampleShape, ClassNames);
    }

    /// <summary>
    /// Splits the samples at random (from <paramref name="seed"/>) into a training part and a validation part
    /// holding <paramref name="validationFraction"/> of them (at least one of each).
    /// </summary>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, int seed = 0)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
        if (Count < 2) throw new InvalidOperationException("Splitting needs at least two samples.");
        var order = Enumerable.Range(0, Count).ToArray();
        var rng = new Rng((ulong)(uint)seed ^ 0x5_9117UL);
        rng.Shuffle(order.AsSpan());
        var validation = Math.Clamp((int)Math.Round(Count * validationFraction), 1, Count - 1);
        return (Pick(order.AsSpan(validation)), Pick(order.AsSpan(0, validation)));
    }

    private Dataset Pick(ReadOnlySpan<int> indices)
    {
        var size = SampleShape.Size;
        var features = new float[indices.Length * size];
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            _features.AsSpan(indices[i] * size, size).CopyTo(features.AsSpan(i * size, size));
            labels[i] = _labels[indices[i]];
        }
        return new Dataset(features, labels, SampleShape, ClassNames);
    }

    /// <summary>
    /// A copy of the samples whose label is one of <paramref name="classes"/>, relabelled by position: a sample
    /// of class <c>classes[i]</c> gets label <c>i</c> (and its name), so a model with a
    /// <c>classes.Length</c>-way head can learn them — the new task of transfer learning.
    /// </summary>
    /// <exception cref="ArgumentException">No class is given, one is repeated, or one is outside [0, <see cref="ClassCount"/>).</exception>
    public Dataset SelectClasses(params int[] classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Length == 0) throw new ArgumentException("Name at least one class to keep.", nameof(classes));
        var position = new int[ClassCount];
        Array.Fill(position, -1);
        for (var i = 0; i < classes.Length; i++)
        {
            var c = classes[i];
            if ((uint)c >= (uint)ClassCount)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Class {c} is not one of the dataset's {ClassCount} classes [0, {ClassCount})."), nameof(classes));
            if (position[c] >= 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Class {c} is named twice."), nameof(classes));
            position[c] = i;
        }
        var indices = new List<int>();
        for (var i = 0; i < Count; i++)
            if (position[_labels[i]] >= 0) indices.Add(i);
        var picked = Pick(indices.ToArray());
        var labels = picked._labels;
        for (var i = 0; i < labels.Length; i++) labels[i] = position[labels[i]];
        var names = ClassNames is null ? null : classes.Select(c => ClassNames[c]).ToArray();
        return new Dataset(picked._features, labels, SampleShape, names);
    }

    /// <summary>A copy of the first <paramref name="count"/> samples (all of them when there are fewer), for quick runs.</summary>
    public Dataset Take(int count) => Subset(0, Math.Min(Math.Max(count, 0), Count));

    /// <summary>The mean and standard deviation of all feature values (for <see cref="Normalization"/>).</summary>
    public (double Mean, double Std) ComputeMeanStd()
    {
        if (_features.Length == 0) return (0, 0);
        double sum = 0, sumSquares = 0;
        foreach (var x in _features)
        {
            sum += x;
            sumSquares += (double)x * x;
        }
        var mean = sum / _features.Length;
        return (mean, Math.Sqrt(Math.Max(0, sumSquares / _features.Length - mean * mean)));
    }

    /// <summary>Makes a dataset from IDX image and label files (gzip or raw), pixels mapped by <paramref name="normalization"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or the two disagree on the number of samples; the message names the file.</exception>
    public static Dataset FromIdx(string imagesPath, string labelsPath, Normalization? normalization = null, IReadOnlyList<string>? classNames = null)
    {
        var images = Idx.ReadImages(imagesPath);
        var labels = Idx.ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{imagesPath} holds {images.Count:N0} images but {labelsPath} holds {labels.Length:N0} labels; they must match."));
        var intLabels = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (classNames is not null && labels[i] >= classNames.Count)
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"{labelsPath}: the label of sample {i:N0} is {labels[i]}, but there are only {classNames.Count} classes (labels 0 to {classNames.Count - 1})."));
            intLabels[i] = labels[i];
        }
        return new Dataset(images.ToFeatures(normalization ?? Normalization.UnitRange), intLabels,
            Shape.Map(1, images.Rows, images.Columns), classNames);
    }
}
