using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ModelDsl.Reports;

/// <summary>
/// Plain-text progress for output that is not an interactive terminal (a file, a pipe, CI): one line per
/// epoch with its training and validation results, and, while an epoch runs slowly, a line at each
/// <see cref="ProgressPercent"/> of its batches (done, loss and accuracy so far, images/s, time left).
/// Add it to <see cref="Trainer.Callbacks"/>, or let <see cref="TrainingConsole.Run{T}(Trainer, Func{Trainer, T}, IAnsiConsole?)"/> choose it.
/// </summary>
/// <remarks>
/// A step only updates numbers; text is made at most once per <see cref="ProgressPercent"/> of an epoch.
/// Lines are written from the training thread.
/// </remarks>
public sealed class TrainingLog : ITrainingCallback
{
    private readonly TextWriter _writer;
    private EpochMeter _meter;
    private int _epochs;
    private int _nextStep;
    private long _lastLine;

    /// <summary>Writes to <paramref name="writer"/>.</summary>
    public TrainingLog(TextWriter writer) => _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    /// <summary>The share of an epoch's batches between two progress lines, in percent (default 10; 100 turns them off).</summary>
    public int ProgressPercent
    {
        get => _progressPercent;
        init => _progressPercent = value is >= 1 and <= 100
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "ProgressPercent must be between 1 and 100.");
    }

    private readonly int _progressPercent = 10;

    /// <summary>
    /// Progress lines are written only once this much time has passed since the epoch began or the last line,
    /// so quick epochs give one line each (default 10 s; zero writes every <see cref="ProgressPercent"/>).
    /// </summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public void OnFitStart(Trainer trainer, FitPlan plan) => _epochs = plan.Epochs;

    /// <inheritdoc/>
    public void OnEpochStart(Trainer trainer, int epoch)
    {
        _meter.Start(epoch, Math.Max(_epochs, epoch), 0, Stopwatch.GetTimestamp());
        _lastLine = _meter.StartTimestamp;
        _nextStep = 1;
    }

    /// <inheritdoc/>
    public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
    {
        var now = Stopwatch.GetTimestamp();
        _meter.Batches = progress.BatchesPerEpoch;
        _meter.Add(progress, now);
        // Integer arithmetic: has the epoch crossed the next ProgressPercent mark (not counting its end)?
        if (progress.Batch >= progress.BatchesPerEpoch
            || (long)progress.Batch * 100 < (long)_nextStep * _progressPercent * progress.BatchesPerEpoch) return;
        _nextStep = (int)((long)progress.Batch * 100 / ((long)_progressPercent * progress.BatchesPerEpoch)) + 1;
        if (Stopwatch.GetElapsedTime(_lastLine, now) < QuietPeriod) return;
        _lastLine = now;
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{TrainingText.Epoch(_meter.Epoch, _meter.Epochs)}: {(long)progress.Batch * 100 / progress.BatchesPerEpoch}% ({progress.Batch:N0}/{progress.BatchesPerEpoch:N0} batches), {_meter.Describe()}"));
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnEpochEnd(Trainer trainer, EpochReport report)
    {
        _writer.WriteLine($"{TrainingText.Epoch(report.Epoch, Math.Max(_epochs, report.Epoch))}: {TrainingText.Finished(report)}");
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnFitEnd(Trainer trainer, FitResult result)
    {
        if (!result.StoppedEarly || result.Epochs.Count == 0) return;
        _writer.WriteLine(result.BestEpoch is { } best
            ? string.Create(CultureInfo.InvariantCulture, $"stopped early after epoch {result.Last.Epoch}; best epoch {best}")
            : string.Create(CultureInfo.InvariantCulture, $"stopped after epoch {result.Last.Epoch}"));
        _writer.Flush();
    }
}
