namespace ModelDsl.Tests;

/// <summary>Tests that count allocations run alone: the counts are process-wide, and other tests would add to them.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

internal static class Allocations
{
    /// <summary>
    /// Bytes allocated on the managed heap, process-wide (kernels run on worker threads too), by
    /// <paramref name="steps"/> calls of <paramref name="step"/>; the least of several windows, because
    /// the test framework's own threads may allocate during one of them. A step that allocates shows
    /// up in every window.
    /// </summary>
    public static long LeastOverWindows(Action step, int steps = 5, int windows = 5)
    {
        var least = long.MaxValue;
        for (var window = 0; window < windows; window++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < steps; i++) step();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return least;
    }
}
