using System.Runtime.CompilerServices;

namespace ModelDsl.Kernels;

/// <summary>A unit of parallel work: parts 0…count−1, each run once, on any thread.</summary>
/// <remarks>
/// Jobs are structs holding raw pointers (spans cannot travel to other threads). A part must write
/// only memory that no other part writes, so the result never depends on which thread ran it.
/// </remarks>
internal interface IParallelJob
{
    /// <summary>Grows <paramref name="scratch"/> to what one part needs; called before any part runs.</summary>
    void Reserve(Scratch scratch);

    /// <summary>Runs part <paramref name="part"/> with the running thread's <paramref name="scratch"/>.</summary>
    void Run(int part, Scratch scratch);
}

/// <summary>
/// Persistent worker threads (one fewer than the cores; the calling thread is the last worker)
/// that run an <see cref="IParallelJob"/> without allocating.
/// </summary>
/// <remarks>
/// The job is copied into a static generic holder and invoked through a delegate cached once per
/// job type. One caller owns the pool at a time; a call made while the pool is owned (a nested
/// call from inside a part, or a second thread) runs all parts inline on its own thread. Workers
/// spin briefly after each job so back-to-back kernels do not pay a wake-up, then sleep.
/// A job is open from dispatch until the caller has claimed the last part: a worker joins only
/// while it is open, and the caller waits only for workers that joined, so a worker the OS has not
/// scheduled yet never delays the caller (who then simply runs every part).
/// </remarks>
internal static class WorkerPool
{
    private static readonly int s_workers = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly Scratch[] s_scratch = new Scratch[s_workers];
    private static readonly ManualResetEventSlim[] s_wake = new ManualResetEventSlim[s_workers];
    private static readonly object s_startLock = new();
    private static bool s_started;

    private static int s_owned;                       // 1 while a caller owns the pool
    private static volatile int s_generation;         // bumped once per dispatched job (never 0)
    private static int s_open;                        // the generation workers may join, 0 when closed
    private static int s_joined;                      // workers inside the job they joined
    private static Action<int, Scratch>? s_run;       // the current job's cached invoker
    private static int s_parts;                       // the current job's part count
    private static int s_nextPart;                    // next part to claim (Interlocked)

    [ThreadStatic] private static Scratch? t_scratch;
    [ThreadStatic] private static bool t_insideJob;

    /// <summary>Threads that take part in a dispatched job (workers plus the caller).</summary>
    public static int Degree => s_workers + 1;

    /// <summary>This thread's scratch space (created on first use, then reused).</summary>
    public static Scratch ThreadScratch => t_scratch ??= new Scratch();

    /// <summary>Runs parts 0…<paramref name="parts"/>−1 of <paramref name="job"/>, across threads when
    /// <paramref name="parallel"/> holds and the pool is free, else inline; returns when all are done.</summary>
    public static void Run<TJob>(ref TJob job, int parts, bool parallel = true) where TJob : struct, IParallelJob
    {
        if (parts <= 0) return;
        if (!parallel || parts == 1 || s_workers == 0 || t_insideJob
            || Interlocked.CompareExchange(ref s_owned, 1, 0) != 0)
        {
            RunInline(ref job, parts);
            return;
        }
        try
        {
            EnsureStarted();
            job.Reserve(ThreadScratch);
            foreach (var scratch in s_scratch) job.Reserve(scratch);
            JobHolder<TJob>.Job = job;
            s_run = JobHolder<TJob>.Invoke;
            s_parts = parts;
            s_nextPart = 0;
            var generation = s_generation == int.MaxValue ? 1 : s_generation + 1;
            Interlocked.Exchange(ref s_open, generation);   // open before announcing
            s_generation = generation;
            foreach (var wake in s_wake) wake.Set();

            t_insideJob = true;
            try { RunParts(ThreadScratch); }
            finally
            {
                t_insideJob = false;
                Interlocked.Exchange(ref s_open, 0);   // every part is claimed: no one else joins
                var spin = new SpinWait();
                while (Volatile.Read(ref s_joined) != 0) spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally
        {
            s_run = null;
            JobHolder<TJob>.Job = default;
            Volatile.Write(ref s_owned, 0);
        }
    }

    private static void RunInline<TJob>(ref TJob job, int parts) where TJob : struct, IParallelJob
    {
        var scratch = ThreadScratch;
        job.Reserve(scratch);
        if (parts == 1)
        {
            // One part does not occupy the pool: calls it makes may still use the workers.
            job.Run(0, scratch);
            return;
        }
        var outer = t_insideJob;
        t_insideJob = true;
        try
        {
            for (var p = 0; p < parts; p++) job.Run(p, scratch);
        }
        finally { t_insideJob = outer; }
    }

    private static void RunParts(Scratch scratch)
    {
        var run = s_run!;
        int part;
        while ((part = Interlocked.Increment(ref s_nextPart) - 1) < s_parts) run(part, scratch);
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref s_started)) return;
        lock (s_startLock)
        {
            if (s_started) return;
            for (var i = 0; i < s_workers; i++)
            {
                s_scratch[i] = new Scratch();
                s_wake[i] = new ManualResetEventSlim(false, spinCount: 1);
                // The worker starts from the current generation: a job dispatched before the thread
                // first runs is still seen as new.
                var index = i;
                var generation = s_generation;
                new Thread(() => WorkerLoop(index, generation)) { IsBackground = true, Name = $"ModelDsl kernel worker {i}" }.Start();
            }
            Volatile.Write(ref s_started, true);
        }
    }

    private static void WorkerLoop(int index, int seen)
    {
        t_insideJob = true;
        var scratch = s_scratch[index];
        var wake = s_wake[index];
        while (true)
        {
            // Spin for a short while (a training step calls kernels back to back), then sleep.
            var spins = 0;
            while (s_generation == seen && spins < 20_000)
            {
                Thread.SpinWait(8);
                spins++;
            }
            if (s_generation == seen)
            {
                wake.Wait();
                wake.Reset();
                continue;   // re-check: the event may be left over from a job already seen
            }
            seen = s_generation;
            // Join (a full fence), then run only if the job is still open; the caller, having
            // closed it, waits for every joined worker, so the job's state stays valid meanwhile.
            Interlocked.Increment(ref s_joined);
            try
            {
                if (Volatile.Read(ref s_open) == seen) RunParts(scratch);
            }
            finally { Interlocked.Decrement(ref s_joined); }
        }
    }

    private static class JobHolder<TJob> where TJob : struct, IParallelJob
    {
        public static TJob Job;
        public static readonly Action<int, Scratch> Invoke = static (part, scratch) => Job.Run(part, scratch);
    }
}

/// <summary>
/// Grow-only, pinned scratch buffers owned by one thread: GEMM packing panels (fixed size) and
/// convolution buffers (grown on demand, before a job starts, so parts never allocate).
/// </summary>
internal sealed unsafe class Scratch
{
    private float[] _packA = Pinned(Sgemm.PackASize);
    private float[] _packB = Pinned(Sgemm.PackBSize);
    private float[] _col = [];
    private float[] _partials = [];
    private float[] _packedWeights = [];
    private float[] _shared = [];
    private int[] _offsets = [];

    /// <summary>Packed A block, (MC, KC) as MR-row panels.</summary>
    public float* PackA => (float*)Unsafe.AsPointer(ref _packA[0]);

    /// <summary>Packed B block, (KC, NC) as NR-column panels.</summary>
    public float* PackB => (float*)Unsafe.AsPointer(ref _packB[0]);

    /// <summary>im2col / col2im buffer, at least <paramref name="length"/> floats.</summary>
    public float* Col(int length) => Grow(ref _col, length);

    /// <summary>Per-part partial sums (e.g. weight gradients), at least <paramref name="length"/> floats.</summary>
    public float* Partials(int length) => Grow(ref _partials, length);

    /// <summary>A weight matrix packed once per call for many GEMMs, at least <paramref name="length"/> floats.</summary>
    public float* PackedWeights(int length) => Grow(ref _packedWeights, length);

    /// <summary>Data that the parts of one job read and no part writes (made before they start), at least <paramref name="length"/> floats.</summary>
    public float* Shared(int length) => Grow(ref _shared, length);

    /// <summary>A table of offsets (e.g. one per im2col row), at least <paramref name="length"/> ints.</summary>
    public int* Offsets(int length)
    {
        if (_offsets.Length < length) _offsets = GC.AllocateUninitializedArray<int>(Math.Max(length, _offsets.Length * 3 / 2), pinned: true);
        return _offsets.Length == 0 ? null : (int*)Unsafe.AsPointer(ref _offsets[0]);
    }

    private static float* Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = Pinned(Math.Max(length, buffer.Length * 3 / 2));
        return buffer.Length == 0 ? null : (float*)Unsafe.AsPointer(ref buffer[0]);
    }

    private static float[] Pinned(int length) => GC.AllocateUninitializedArray<float>(length, pinned: true);
}
