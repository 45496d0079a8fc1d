using System.Globalization;

namespace ModelDsl;

/// <summary>What one training batch gave (before the update it led to).</summary>
/// <param name="Loss">The mean loss over the batch.</param>
/// <param name="Correct">Samples whose argmax prediction was the label.</param>
/// <param name="Count">Samples in the batch.</param>
public readonly record struct BatchResult(double Loss, int Correct, int Count);

/// <summary>The loss and accuracy of a model on a dataset, in inference mode.</summary>
/// <param name="Loss">The mean loss per sample.</param>
/// <param name="Accuracy">The fraction of samples predicted right, in [0, 1].</param>
/// <param name="Count">Samples evaluated.</param>
public readonly record struct Evaluation(double Loss, double Accuracy, int Count)
{
    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"loss {Loss:F4}, accuracy {Accuracy:P2} ({Count:N0} samples)");
}

/// <summary>One epoch of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">The mean training loss over the epoch's batches (each sample counted once, as the parameters were when its batch ran).</param>
/// <param name="TrainAccuracy">The fraction of training samples predicted right during the epoch.</param>
/// <param name="ValidationLoss">The validation loss after the epoch, or null without a validation set.</param>
/// <param name="ValidationAccuracy">The validation accuracy after the epoch, or null without a validation set.</param>
/// <param name="ImagesPerSecond">Training samples per second, validation excluded.</param>
/// <param name="Elapsed">Wall time of the epoch, validation included.</param>
public sealed record EpochReport(
    int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy,
    double ImagesPerSecond, TimeSpan Elapsed)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"epoch {Epoch}: train loss {TrainLoss:F4}, accuracy {TrainAccuracy:P2}");
        if (ValidationLoss is { } loss && ValidationAccuracy is { } accuracy)
            text += string.Create(CultureInfo.InvariantCulture, $"; validation loss {loss:F4}, accuracy {accuracy:P2}");
        return text + string.Create(CultureInfo.InvariantCulture,
            $"; {ImagesPerSecond:N0} images/s, {Elapsed.TotalSeconds:F1} s");
    }
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>: one report per epoch.</summary>
/// <param name="Epochs">The per-epoch reports, in order.</param>
public sealed record FitResult(IReadOnlyList<EpochReport> Epochs)
{
    /// <summary>
    /// Writes one row per epoch (epoch, train loss, train accuracy, validation loss, validation accuracy,
    /// images per second, seconds) as CSV with a header, invariant culture, to <paramref name="path"/> —
    /// through a temporary file renamed over it, so an existing file is replaced whole.
    /// </summary>
    public void WriteCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = new System.Text.StringBuilder("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,images_per_second,seconds\n");
        foreach (var e in Epochs)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{e.Epoch},{e.TrainLoss:R},{e.TrainAccuracy:R},{e.ValidationLoss?.ToString("R", CultureInfo.InvariantCulture)},{e.ValidationAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.ImagesPerSecond:F1},{e.Elapsed.TotalSeconds:F3}\n"));
        }
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>With early stopping: the epoch with the lowest validation loss.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Whether early stopping or <see cref="Trainer.RequestStop"/> ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The last epoch's report.</summary>
    public EpochReport Last => Epochs[^1];

    /// <summary>The wall time of all epochs.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var e in Epochs) total += e.Elapsed;
            return total;
        }
    }
}

/// <summary>Training stopped because the loss or the gradients stopped being finite numbers.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for <paramref name="epoch"/> and <paramref name="batch"/> (0 when not known).</summary>
    public TrainingDivergedException(string message, int epoch, int batch) : base(message)
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The epoch, from 1; 0 for a batch run outside <see cref="Trainer.Fit"/>.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, from 1; 0 for a batch run outside <see cref="Trainer.Fit"/>.</summary>
    public int Batch { get; }
}
