namespace ModelDsl.Reports.Tests;

internal static class Allocations
{
    /// <summary>
    /// The fewest bytes this thread allocates in one of several runs of <paramref name="round"/>. The runtime may
    /// allocate on the thread once while it recompiles a hot loop (tiering, on-stack replacement); code that
    /// allocates per call allocates in every round.
    /// </summary>
    public static long FewestBytes(Action round, int rounds = 5)
    {
        var fewest = long.MaxValue;
        for (var r = 0; r < rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
