namespace ModelDsl;

/// <summary>How a <see cref="Trainer.Fit"/> run is laid out, given to <see cref="ITrainingCallback.OnFitStart"/>.</summary>
/// <param name="Epochs">The epochs asked for (early stopping may end sooner).</param>
/// <param name="BatchesPerEpoch">Steps in each epoch (the last batch may be smaller).</param>
/// <param name="TrainCount">Training samples per epoch.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="FirstEpoch">The epoch the run starts at: 1, or later when it resumes from a checkpoint.</param>
public readonly record struct FitPlan(int Epochs, int BatchesPerEpoch, int TrainCount, int BatchSize, int FirstEpoch = 1);

/// <summary>One finished training step, given to <see cref="ITrainingCallback.OnBatchEnd"/>.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="BatchesPerEpoch">Batches in the epoch.</param>
/// <param name="Step">Steps done since the run began (from 1), across epochs.</param>
/// <param name="Loss">The batch's mean loss (before its update).</param>
/// <param name="Correct">Samples of the batch predicted right.</param>
/// <param name="Count">Samples in the batch.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
public readonly record struct BatchProgress(
    int Epoch, int Batch, int BatchesPerEpoch, long Step, double Loss, int Correct, int Count, float LearningRate);

/// <summary>
/// Custom logic run by <see cref="Trainer.Fit"/> at fixed points: progress bars, logging, checkpoints, custom
/// stopping rules (<see cref="Trainer.RequestStop"/>). Every method has an empty default, so a callback
/// implements only what it needs. <see cref="OnBatchEnd"/> runs after every step: keep it cheap and
/// allocation-free.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first step.</summary>
    void OnFitStart(Trainer trainer, FitPlan plan)
    {
    }

    /// <summary>Before the first step of <paramref name="epoch"/> (for a run resumed mid-epoch, before its first step of that epoch).</summary>
    void OnEpochStart(Trainer trainer, int epoch)
    {
    }

    /// <summary>After each step's update.</summary>
    void OnBatchEnd(Trainer trainer, in BatchProgress progress)
    {
    }

    /// <summary>After an epoch's evaluation, with its report.</summary>
    void OnEpochEnd(Trainer trainer, EpochReport report)
    {
    }

    /// <summary>When the run ends, normally, by a stop request or early stopping (not when an exception ends it).</summary>
    void OnFitEnd(Trainer trainer, FitResult result)
    {
    }
}
