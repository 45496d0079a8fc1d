using System.Runtime.CompilerServices;

namespace ModelDsl.Kernels;

// Dimension legend as in Pooling.cs: N batch, C channels, H×W the max-pool's input plane, OH×OW its
// output plane. Every (n, c) plane is handled on its own; large batches split the planes across threads.

/// <summary>Max unpooling: the inverse of a max-pool's selection, using the argmax it saved ("switches", Zeiler &amp; Fergus).</summary>
public static unsafe class MaxUnpool2D
{
    /// <summary>
    /// y (N, C, H, W) (overwritten with zeros first) receives each x (N, C, OH, OW) at the input position its
    /// max-pool window chose: y[n, c, argmax[n, c, o]] = x[n, c, o]. T is the shape of that max-pool; argmax is
    /// what its forward saved (−1 entries are skipped).
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<int> argmax, Span<float> y, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(y.Length, x.Length, n, argmax.Length);
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
            PoolShape.RunPlanes<T, ForwardPlanes<T>>(new PoolBuffers(py, px, pa), n);
    }

    /// <summary>dx (N, C, OH, OW) (overwritten) = dy gathered at argmax (0 where argmax is −1).</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n)
        where T : struct, IPool2DShape
    {
        PoolShape.Check<T>(dy.Length, dx.Length, n, argmax.Length);
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pa = argmax)
            PoolShape.RunPlanes<T, BackwardPlanes<T>>(new PoolBuffers(pdy, pdx, pa), n);
    }

    private readonly struct ForwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // x (planes, OH, OW) and argmax → y (planes, H, W), cleared first.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var yp = b.Input + (long)plane * T.H * T.W;
            var xp = b.Output + (long)plane * T.OH * T.OW;
            var ap = b.Argmax + (long)plane * T.OH * T.OW;
            KernelMath.ClearShort(yp, T.H * T.W);
            for (var i = 0; i < T.OH * T.OW; i++)
                if ((uint)ap[i] < (uint)(T.H * T.W)) yp[ap[i]] = xp[i];
        }
    }

    private readonly struct BackwardPlanes<T> : IPlaneKernel where T : struct, IPool2DShape
    {
        // dy (planes, H, W) and argmax → dx (planes, OH, OW).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(PoolBuffers b, int plane)
        {
            var dyp = b.Input + (long)plane * T.H * T.W;
            var dxp = b.Output + (long)plane * T.OH * T.OW;
            var ap = b.Argmax + (long)plane * T.OH * T.OW;
            for (var i = 0; i < T.OH * T.OW; i++)
                dxp[i] = (uint)ap[i] < (uint)(T.H * T.W) ? dyp[ap[i]] : 0f;
        }
    }
}
