namespace ModelDsl;

/// <summary>
/// How <see cref="Trainer.Fit"/> writes training checkpoints (<see cref="TrainingCheckpoint"/>) and resumes from one.
/// A run resumed from a checkpoint of step k ends with the same parameters and buffers, bit for bit, and the same
/// epoch reports (timings aside), as the run that was never interrupted; on a device trainer (<c>ModelDsl.Gpu</c>) too,
/// whose checkpoints also record the device's dropout stream. A checkpoint of a model with dropout resumes only where
/// its masks go on (a CPU run's on the CPU, a device run's on a device model of the same dropout seed).
/// </summary>
/// <example>
/// <code>
/// var path = "run.safetensors";
/// var checkpointing = new Checkpointing(path) { EverySteps = 500, ResumeFrom = File.Exists(path) ? path : null };
/// trainer.Fit(train, epochs: 20, batchSize: 64, seed: 1, checkpointing: checkpointing);
/// </code>
/// </example>
public sealed class Checkpointing
{
    private readonly int _everySteps;

    /// <summary>Writes checkpoints to <paramref name="path"/> (after every epoch unless <see cref="EveryEpoch"/> is turned off).</summary>
    /// <param name="path">The checkpoint file, replaced atomically at each write; null to write none (only resume).</param>
    public Checkpointing(string? path)
    {
        if (path is not null) ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    /// <summary>The file written; null when this run writes no checkpoint.</summary>
    public string? Path { get; }

    /// <summary>Also write after every this many steps (counted from the run's first step, across epochs); 0 for never.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int EverySteps
    {
        get => _everySteps;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _everySteps = value;
        }
    }

    /// <summary>Write after each epoch's end (its evaluation, plateau and early-stopping decisions); on by default.</summary>
    public bool EveryEpoch { get; init; } = true;

    /// <summary>
    /// A checkpoint to continue from (it must exist): the model's weights and buffers, the optimizer's state, the
    /// position, the generators, the schedule's base rate, the plateau and early-stopping counters and the epoch
    /// reports are put back before the first step. The model, optimizer and <see cref="Trainer.Fit"/>'s arguments must
    /// be those of the run that wrote it (checked: a difference throws naming it). Null starts afresh.
    /// </summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Whether <paramref name="step"/> is one after which a checkpoint is written.</summary>
    internal bool WritesAfterStep(long step) => Path is not null && _everySteps > 0 && step % _everySteps == 0;
}
