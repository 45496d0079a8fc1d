using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace ModelDsl.Gpu.Tests;

/// <summary>Device tests share one accelerator and run one at a time (the accelerator's default stream is not for concurrent callers).</summary>
[CollectionDefinition(nameof(DeviceCollection), DisableParallelization = true)]
public sealed class DeviceCollection;

/// <summary>ILGPU's CPU accelerator, created once for the test process (the kernels it loads are cached per accelerator).</summary>
internal static class Device
{
    private static readonly Lazy<(Context Context, Accelerator Accelerator)> s_device = new(() =>
    {
        var context = Context.Create(builder => builder.CPU());
        return (context, context.CreateCPUAccelerator(0));
    });

    public static Accelerator Accelerator => s_device.Value.Accelerator;
}
