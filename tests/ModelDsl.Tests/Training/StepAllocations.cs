namespace ModelDsl.Testing;

/// <summary>
/// A callback that measures the bytes allocated process-wide from one step's end to the next's, within an epoch
/// after the first (the first epoch grows buffers). Compiled into the CPU and the device test projects.
/// </summary>
internal sealed class StepAllocations : ITrainingCallback
{
    private long _last = -1;
    private int _lastEpoch;

    /// <summary>The step each window ends at, and the bytes allocated in it.</summary>
    public List<(long Step, long Bytes)> Windows { get; } = [];

    public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
    {
        var now = GC.GetTotalAllocatedBytes(precise: true);
        if (_last >= 0 && progress.Epoch == _lastEpoch && progress.Epoch > 1) Windows.Add((progress.Step, now - _last));
        _lastEpoch = progress.Epoch;
        _last = GC.GetTotalAllocatedBytes(precise: true);
    }
}
