using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu.Tests;

/// <summary><see cref="Devices.Open"/>: the CPU path, ILGPU's CPU accelerator, and GPUs that are absent here (fallback or error).</summary>
[Collection(nameof(DeviceCollection))]
public sealed class DevicesTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Cpu_is_the_generated_CSharp_without_an_accelerator(string name)
    {
        using var device = Devices.Open(name, required: true);
        Assert.Equal("cpu", device.Kind);
        Assert.Equal("CPU (generated C#)", device.Name);
        Assert.Null(device.Accelerator);
        Assert.Null(device.FallbackMessage);
        Assert.True(device.MemoryBytes > 0);
        Assert.Equal(device.Name, device.CreateTrainer(new DenseStack(1), new Sgd(0.1f)).Device);
    }

    [Fact]
    public void Ilgpu_cpu_opens_the_CPU_accelerator_and_trains_there()
    {
        using var device = Devices.Open("ilgpu-cpu", required: true);
        Assert.Equal("ilgpu-cpu", device.Kind);
        Assert.Equal(AcceleratorType.CPU, device.Accelerator!.AcceleratorType);
        Assert.Null(device.FallbackMessage);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, device.MemoryBytes); // host memory, not ILGPU's nominal 2⁶³ bytes
        Assert.EndsWith(" GiB", device.ToString(), StringComparison.Ordinal);
        var net = new DenseStack(1);
        var trainer = device.CreateTrainer(net, new Sgd(0.1f));
        Assert.Equal(device.Name, trainer.Device);
        Assert.Equal(device.Name, DeviceTraining.Describe(device.Accelerator));
    }

    [Theory]
    [InlineData("cuda", AcceleratorType.Cuda, "No CUDA device is present")]
    [InlineData("opencl", AcceleratorType.OpenCL, "No OpenCL device is present")]
    public void An_absent_GPU_falls_back_to_the_CPU_path_or_is_an_error_when_required(string name, AcceleratorType type, string message)
    {
        SkipWhenPresent(type);
        using (var device = Devices.Open(name, required: false))
        {
            Assert.Equal("cpu", device.Kind);
            Assert.Null(device.Accelerator);
            Assert.StartsWith(message, device.FallbackMessage, StringComparison.Ordinal);
            Assert.Contains("(CPU)", device.FallbackMessage, StringComparison.Ordinal); // what ILGPU does see
            Assert.EndsWith("training on the CPU (generated C#) instead.", device.FallbackMessage, StringComparison.Ordinal);
        }
        var e = Assert.Throws<InvalidOperationException>(() => Devices.Open(name, required: true));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("(CPU)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Auto_without_a_GPU_is_the_CPU_path_and_says_so(bool required)
    {
        SkipWhenPresent(AcceleratorType.Cuda);
        SkipWhenPresent(AcceleratorType.OpenCL);
        using var device = Devices.Open("auto", required);
        Assert.Equal("cpu", device.Kind);
        Assert.StartsWith("No CUDA or OpenCL device is present", device.FallbackMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_name_lists_the_names()
    {
        var e = Assert.Throws<ArgumentException>(() => Devices.Open("tpu"));
        Assert.Contains("'tpu'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu, cuda, opencl, ilgpu-cpu, auto", e.Message, StringComparison.Ordinal);
        Assert.Equal("name", e.ParamName);
    }

    private static void SkipWhenPresent(AcceleratorType type)
    {
        using var context = Context.Create(builder => builder.AllAccelerators());
        if (context.Devices.Any(d => d.AcceleratorType == type))
            Assert.Skip($"A {type} device is present here: the fallback cannot be tested.");
    }
}
