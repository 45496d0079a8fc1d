using System.Runtime.CompilerServices;

namespace ModelDsl.Kernels;

// Dimension legend: N batch, C channels, hw = H·W positions of a plane. Every (n, c) plane is
// reduced (or expanded) on its own; large batches split the planes across threads.

/// <summary>Global pooling: one value per channel, over all hw = H·W positions: (N, C, H, W) → (N, C, 1, 1).</summary>
public static unsafe class GlobalPool
{
    // Below this many plane cells a global pooling runs on the calling thread only.
    private const long ParallelThreshold = 1L << 16;

    /// <summary>y[n, c] = mean over hw of x[n, c, ·].</summary>
    public static void AvgForward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int hw)
    {
        Check(x.Length, y.Length, -1, n, c, hw);
        fixed (float* px = x, py = y)
            Run<AvgForwardPlane>(new Buffers(px, py, null), n * c, hw);
    }

    /// <summary>dx[n, c, ·] (overwritten) = dy[n, c] / hw.</summary>
    public static void AvgBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int c, int hw)
    {
        Check(dx.Length, dy.Length, -1, n, c, hw);
        fixed (float* pdx = dx, pdy = dy)
            Run<AvgBackwardPlane>(new Buffers(pdx, pdy, null), n * c, hw);
    }

    /// <summary>y[n, c] = max over hw of x[n, c, ·]; argmax[n, c] saves the winner's index in [0, hw).</summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int n, int c, int hw)
    {
        Check(x.Length, y.Length, argmax.Length, n, c, hw);
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
            Run<MaxForwardPlane>(new Buffers(px, py, pa), n * c, hw);
    }

    /// <summary>dx (overwritten) is zero except dx[n, c, argmax[n, c]] = dy[n, c].</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n, int c, int hw)
    {
        Check(dx.Length, dy.Length, argmax.Length, n, c, hw);
        fixed (float* pdx = dx, pdy = dy)
        fixed (int* pa = argmax)
            Run<MaxBackwardPlane>(new Buffers(pdx, pdy, pa), n * c, hw);
    }

    private static void Check(int planeLength, int valueLength, int argmaxLength, int n, int c, int hw)
    {
        KernelMath.RequireBatch(n);
        if (c < 0) throw new ArgumentOutOfRangeException(nameof(c), c, "The channel count cannot be negative.");
        if (hw <= 0) throw new ArgumentOutOfRangeException(nameof(hw), hw, "A plane needs at least one position.");
        KernelMath.Require(planeLength, (long)n * c * hw, "x");
        KernelMath.Require(valueLength, (long)n * c, "y");
        if (argmaxLength >= 0) KernelMath.Require(argmaxLength, (long)n * c, "argmax");
    }

    private static void Run<TKernel>(Buffers buffers, int planes, int hw) where TKernel : struct, IGlobalKernel
    {
        if (planes == 0) return;
        var parts = (long)planes * hw >= ParallelThreshold ? Math.Min(planes, WorkerPool.Degree) : 1;
        var job = new Job<TKernel> { Buffers = buffers, Planes = planes, Parts = parts, HW = hw };
        WorkerPool.Run(ref job, parts);
    }

    /// <summary>A plane-sized buffer (x or dx, (planes, hw)), a value-sized one (y or dy, (planes)), argmax (planes) or null.</summary>
    private readonly struct Buffers(float* plane, float* value, int* argmax)
    {
        public float* Plane => plane;
        public float* Value => value;
        public int* Argmax => argmax;
    }

    private interface IGlobalKernel
    {
        static abstract void Run(Buffers buffers, int plane, int hw);
    }

    private struct Job<TKernel> : IParallelJob where TKernel : struct, IGlobalKernel
    {
        public Buffers Buffers;
        public int Planes, Parts, HW;

        public readonly void Reserve(Scratch scratch) { }

        public readonly void Run(int part, Scratch scratch)
        {
            for (var plane = part * Planes / Parts; plane < (part + 1) * Planes / Parts; plane++) TKernel.Run(Buffers, plane, HW);
        }
    }

    private readonly struct AvgForwardPlane : IGlobalKernel
    {
        public static void Run(Buffers b, int plane, int hw) => b.Value[plane] = KernelMath.Sum(b.Plane + (long)plane * hw, hw) / hw;
    }

    private readonly struct AvgBackwardPlane : IGlobalKernel
    {
        public static void Run(Buffers b, int plane, int hw) => new Span<float>(b.Plane + (long)plane * hw, hw).Fill(b.Value[plane] / hw);
    }

    private readonly struct MaxForwardPlane : IGlobalKernel
    {
        // The first maximum wins; a NaN wins over numbers (the first NaN), as in max pooling.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(Buffers b, int plane, int hw)
        {
            var x = b.Plane + (long)plane * hw;
            var best = x[0];
            var arg = 0;
            for (var i = 1; i < hw && !float.IsNaN(best); i++)
                if (x[i] > best || float.IsNaN(x[i]))
                {
                    best = x[i];
                    arg = i;
                }
            b.Value[plane] = best;
            b.Argmax[plane] = arg;
        }
    }

    private readonly struct MaxBackwardPlane : IGlobalKernel
    {
        public static void Run(Buffers b, int plane, int hw)
        {
            var dx = b.Plane + (long)plane * hw;
            new Span<float>(dx, hw).Clear();
            if ((uint)b.Argmax[plane] < (uint)hw) dx[b.Argmax[plane]] = b.Value[plane];
        }
    }
}
