namespace ModelDsl.Kernels;

/// <summary>A loop body over the items [begin, end) of a kernel (channels, samples, groups…).</summary>
internal interface IRangeKernel
{
    /// <summary>Grows <paramref name="scratch"/> to what one range needs; called before any range runs.</summary>
    void Reserve(Scratch scratch);

    /// <summary>Processes items [<paramref name="begin"/>, <paramref name="end"/>) with the running thread's
    /// <paramref name="scratch"/>; writes only memory that belongs to those items.</summary>
    void Run(int begin, int end, Scratch scratch);
}

/// <summary>Splits a kernel's items into contiguous ranges across the <see cref="WorkerPool"/>, without allocating.</summary>
internal static class ParallelRanges
{
    // Below this many floats touched a kernel runs on the calling thread only (a dispatch costs
    // about as much as streaming this much memory).
    private const long ParallelThreshold = 1L << 16;

    /// <summary>
    /// Runs <paramref name="kernel"/> over items 0…<paramref name="items"/>−1: in one range when
    /// <paramref name="work"/> (floats touched) is small, else in one contiguous range per thread.
    /// </summary>
    public static void Run<TKernel>(in TKernel kernel, int items, long work) where TKernel : struct, IRangeKernel
    {
        if (items <= 0) return;
        var parts = work >= ParallelThreshold ? Math.Min(items, WorkerPool.Degree) : 1;
        RunParts(kernel, items, parts);
    }

    /// <summary>Runs <paramref name="kernel"/> over items 0…<paramref name="items"/>−1 in <paramref name="parts"/> contiguous ranges.</summary>
    public static void RunParts<TKernel>(in TKernel kernel, int items, int parts) where TKernel : struct, IRangeKernel
    {
        var job = new Job<TKernel> { Kernel = kernel, Items = items, Parts = parts };
        WorkerPool.Run(ref job, parts);
    }

    private struct Job<TKernel> : IParallelJob where TKernel : struct, IRangeKernel
    {
        public TKernel Kernel;
        public int Items, Parts;

        public readonly void Reserve(Scratch scratch) => Kernel.Reserve(scratch);

        public readonly void Run(int part, Scratch scratch) =>
            Kernel.Run((int)((long)part * Items / Parts), (int)((long)(part + 1) * Items / Parts), scratch);
    }
}
