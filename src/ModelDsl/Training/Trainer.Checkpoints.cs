using System.Globalization;

namespace ModelDsl;

/// <summary>Training checkpoints in <see cref="Fit"/>: what a run writes, and how it picks up from one.</summary>
public sealed partial class Trainer
{
    /// <summary>What stays fixed through one <see cref="Fit"/> call, as a checkpoint records and checks it.</summary>
    private sealed record FitRun(
        Checkpointing? Checkpointing, int Epochs, int TrainCount, int BatchSize, int Seed, bool HasSchedule, bool HasValidation,
        ReduceOnPlateau? Plateau, EarlyStopping? EarlyStopping);

    /// <summary>An unfinished epoch's sums: training loss × samples, samples right, samples seen, training time.</summary>
    private readonly record struct EpochSums(double LossSum, long Correct, int Seen, TimeSpan Elapsed);

    /// <summary>Where a resumed run starts: the epoch and the batches of it already done, and their sums.</summary>
    private readonly record struct StartPoint(int Epoch, int BatchesDone, EpochSums Sums);

    /// <summary>
    /// When <paramref name="run"/> resumes, reads and checks its checkpoint (every check before any change), then
    /// puts back the weights, optimizer, generators, counters and <paramref name="reports"/> (on the CPU model, and on the
    /// device when it trains elsewhere), sets
    /// <paramref name="step"/> and <paramref name="baseRate"/>, and replays the epochs' shuffles of
    /// <paramref name="order"/> up to the epoch it starts in. Otherwise the run starts at epoch 1.
    /// </summary>
    private StartPoint Resume(FitRun run, List<EpochReport> reports, ref long step, ref float baseRate, ref Rng shuffle, Span<int> order)
    {
        if (run.Checkpointing?.Path is not null) TrainingCheckpoint.CheckNames(Model); // before the first step, not at the first write
        if (run.Checkpointing?.ResumeFrom is not { } path) return new StartPoint(1, 0, default);
        var checkpoint = TrainingCheckpoint.Read(path);
        checkpoint.CheckFits(Model, Optimizer, run.EarlyStopping); // the model and optimizer first: the most basic difference is named
        checkpoint.CheckRun(run.TrainCount, run.BatchSize, run.Seed, run.Epochs, run.HasSchedule, run.HasValidation, run.Plateau is not null,
            run.EarlyStopping?.Patience, Settings());
        checkpoint.CheckDropout(Model, _device.DropoutStream);
        checkpoint.Restore(Model, Optimizer, state => _device.ImportOptimizerState(Optimizer, state), run.EarlyStopping, run.Plateau);
        _device.CopyFromHost(); // the checkpoint's weights and buffers, where the steps run
        if (checkpoint.DeviceDropout is { } stream && _device.DropoutStream?.Seed == stream.Seed) _device.DropoutStream = stream; // the masks go on from the checkpoint's call

        reports.AddRange(checkpoint.Reports);
        step = checkpoint.Step;
        baseRate = (float)checkpoint.BaseLearningRate;
        var start = checkpoint.EpochFinished
            ? new StartPoint(checkpoint.Epoch + 1, 0, default)
            : new StartPoint(checkpoint.Epoch, checkpoint.BatchesDone,
                new EpochSums(checkpoint.PartialLossSum, checkpoint.PartialCorrect, checkpoint.PartialSeen, checkpoint.PartialElapsed));
        for (var epoch = 1; epoch < start.Epoch; epoch++) shuffle.Shuffle(order); // each epoch shuffles the last one's order
        return start;
    }

    /// <summary>The settings that shape each step, as a checkpoint records and a resumed run checks them.</summary>
    private Dictionary<string, string> Settings() => new(StringComparer.Ordinal)
    {
        ["loss"] = Loss.Name,
        ["l1"] = L1.ToString(CultureInfo.InvariantCulture),
        ["l2"] = L2.ToString(CultureInfo.InvariantCulture),
        ["clip_norm"] = ClipNorm.ToString(CultureInfo.InvariantCulture),
        ["augmentation"] = Augmentation is null ? "off" : "on",
    };

    /// <summary>
    /// Writes a checkpoint of the run after <paramref name="step"/> (batch <paramref name="batchesDone"/> of
    /// <paramref name="epoch"/>; <paramref name="finished"/> when the epoch's end was done too) to the run's path.
    /// </summary>
    private void WriteCheckpoint(FitRun run, long step, int epoch, int batchesDone, bool finished, double baseRate, EpochSums sums,
        IReadOnlyList<EpochReport> reports)
    {
        var path = run.Checkpointing?.Path ?? throw new InvalidOperationException("This run writes no checkpoints.");
        _device.CopyToHost(); // a device's weights and buffers, onto the CPU model the checkpoint is written from
        var checkpoint = new TrainingCheckpoint
        {
            ModelType = Model.GetType().Name,
            Step = step,
            Epoch = epoch,
            BatchesDone = batchesDone,
            EpochFinished = finished,
            Epochs = run.Epochs,
            TrainCount = run.TrainCount,
            BatchSize = run.BatchSize,
            Seed = run.Seed,
            BaseLearningRate = baseRate,
            HasSchedule = run.HasSchedule,
            HasValidation = run.HasValidation,
            TrainerSettings = Settings(),
            RngStates = new Dictionary<string, UInt128> { [TrainingCheckpoint.DropoutRng] = Model.DropoutRngState },
            PartialLossSum = finished ? 0 : sums.LossSum,
            PartialCorrect = finished ? 0 : sums.Correct,
            PartialSeen = finished ? 0 : sums.Seen,
            PartialElapsed = finished ? TimeSpan.Zero : sums.Elapsed,
            Reports = reports.ToArray(),
            Optimizer = _device.ExportOptimizerState(Optimizer),
            DeviceDropout = _device.DropoutStream,
            Plateau = run.Plateau?.State is { } p ? new PlateauCounters(p.Best, p.Since, p.Reductions) : null,
            EarlyStopping = run.EarlyStopping?.State is { } e ? new EarlyStoppingCounters(e.Best, e.Since, e.BestEpoch) : null,
        };
        checkpoint.Write(path, Model, run.EarlyStopping);
    }
}
