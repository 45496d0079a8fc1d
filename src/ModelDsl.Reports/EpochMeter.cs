using System.Diagnostics;
using System.Globalization;

namespace ModelDsl.Reports;

/// <summary>
/// The running numbers of one epoch: batches done, samples, loss and right predictions so far, and when it
/// began. Adding a batch only updates numbers (no allocation); the text is made only when asked for.
/// </summary>
internal struct EpochMeter
{
    public int Epoch;
    public int Epochs;
    public int Batch;
    public int Batches;
    public long Samples;
    public double LossSum;
    public long Correct;
    public long StartTimestamp;
    public long LastTimestamp;

    public void Start(int epoch, int epochs, int batches, long now)
    {
        this = default;
        Epoch = epoch;
        Epochs = epochs;
        Batches = batches;
        StartTimestamp = now;
        LastTimestamp = now;
    }

    public void Add(in BatchProgress progress, long now)
    {
        Batch = progress.Batch;
        Samples += progress.Count;
        LossSum += progress.Loss * progress.Count;
        Correct += progress.Correct;
        LastTimestamp = now;
    }

    /// <summary>The mean loss per sample so far.</summary>
    public readonly double Loss => Samples == 0 ? 0 : LossSum / Samples;

    /// <summary>The fraction of samples predicted right so far.</summary>
    public readonly double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;

    /// <summary>The time from the epoch's start to its last batch.</summary>
    public readonly TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp, LastTimestamp);

    public readonly double ImagesPerSecond => Samples / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>The time the rest of the epoch's batches should take at the pace so far; null before the first batch.</summary>
    public readonly TimeSpan? Remaining =>
        Batch == 0 ? null : TimeSpan.FromSeconds(Elapsed.TotalSeconds / Batch * (Batches - Batch));

    /// <summary><c>loss 0.4123, accuracy 85.20 %, 9,870 images/s, ETA 0:05</c>.</summary>
    public readonly string Describe() =>
        string.Create(CultureInfo.InvariantCulture,
            $"loss {Loss:F4}, accuracy {Accuracy:P2}, {ImagesPerSecond:N0} images/s, ETA {TrainingText.Duration(Remaining ?? TimeSpan.Zero)}");
}

/// <summary>The wording shared by the live display and the plain log.</summary>
internal static class TrainingText
{
    /// <summary><c>0:05</c>, <c>12:34</c>, <c>1:02:03</c>.</summary>
    public static string Duration(TimeSpan time)
    {
        var seconds = (long)Math.Ceiling(Math.Max(time.TotalSeconds, 0));
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:D2}:{seconds % 60:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:D2}");
    }

    /// <summary><c>epoch 3/10</c>.</summary>
    public static string Epoch(int epoch, int epochs) =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}");

    /// <summary>An epoch's outcome: <c>train loss 0.5123, accuracy 81.20 %; validation loss …; 9,870 images/s, 6.1 s</c>.</summary>
    public static string Finished(EpochReport report)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"train loss {report.TrainLoss:F4}, accuracy {report.TrainAccuracy:P2}");
        if (report.ValidationLoss is { } loss && report.ValidationAccuracy is { } accuracy)
            text += string.Create(CultureInfo.InvariantCulture, $"; validation loss {loss:F4}, accuracy {accuracy:P2}");
        return text + string.Create(CultureInfo.InvariantCulture,
            $"; {report.ImagesPerSecond:N0} images/s, {report.Elapsed.TotalSeconds:F1} s");
    }
}
