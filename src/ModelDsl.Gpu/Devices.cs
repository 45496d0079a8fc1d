using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace ModelDsl.Gpu;

/// <summary>Opens the device to train on by name: the CPU path, a CUDA or OpenCL GPU, or ILGPU's CPU accelerator.</summary>
public static class Devices
{
    /// <summary>The names <see cref="Open"/> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "cuda", "opencl", "ilgpu-cpu", "auto"];

    /// <summary>
    /// Opens <paramref name="name"/>: "cpu" (no accelerator: the generated C# on the CPU), "cuda" (the first CUDA
    /// GPU), "opencl" (the first OpenCL device ILGPU supports), "ilgpu-cpu" (ILGPU's CPU accelerator, for
    /// debugging kernels) or "auto" (CUDA, else OpenCL, else the CPU path). When the device asked for is absent
    /// (or fails to start), <paramref name="required"/> makes that an error listing the devices present; otherwise
    /// the CPU path is returned with <see cref="ComputeDevice.FallbackMessage"/> saying why.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="Names"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="required"/> and the device is absent or fails to start.</exception>
    public static ComputeDevice Open(string name, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = name.Trim().ToLowerInvariant();
        if (!Names.Contains(kind))
            throw new ArgumentException($"Unknown device '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
        if (kind == "cpu") return ComputeDevice.Host(null);

        var context = kind == "ilgpu-cpu" ? Context.Create(builder => builder.CPU(CpuAccelerator)) : Context.Create(builder => builder.AllAccelerators());
        try
        {
            var device = kind switch
            {
                "cuda" => First(context, AcceleratorType.Cuda),
                "opencl" => First(context, AcceleratorType.OpenCL),
                "ilgpu-cpu" => First(context, AcceleratorType.CPU),
                _ => First(context, AcceleratorType.Cuda) ?? First(context, AcceleratorType.OpenCL),
            };
            var wanted = kind switch
            {
                "cuda" => "CUDA device",
                "opencl" => "OpenCL device",
                "ilgpu-cpu" => "ILGPU CPU accelerator",
                _ => "CUDA or OpenCL device",
            };
            string problem;
            if (device is null)
            {
                problem = $"No {wanted} is present (ILGPU sees: {Present(context)})";
            }
            else
            {
                try
                {
                    return ComputeDevice.On(kind, context, device.CreateAccelerator(context));
                }
                catch (AcceleratorException e)
                {
                    problem = $"The {wanted} {device.Name} failed to start ({e.Message})";
                }
            }
            context.Dispose();
            if (required && kind != "auto")
                throw new InvalidOperationException($"{problem}. Choose another device ({string.Join(", ", Names)}), or do not require it, to fall back to the CPU path.");
            return ComputeDevice.Host($"{problem}; training on the CPU (generated C#) instead.");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator as "ilgpu-cpu" opens it: groups of 2 threads, one multiprocessor per core. Every kernel
    /// of the backend is one thread per output with nothing shared within a group, so small groups lose nothing; ILGPU's
    /// default (16 threads a group, each a .NET thread meeting at barriers) took twice as long per LeNet-5 step.
    /// </summary>
    internal static CPUDevice CpuAccelerator => new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: Environment.ProcessorCount);

    private static Device? First(Context context, AcceleratorType type) => context.Devices.FirstOrDefault(d => d.AcceleratorType == type);

    private static string Present(Context context) =>
        string.Join(", ", context.Devices.Select(d => $"{d.Name} ({d.AcceleratorType})").DefaultIfEmpty("nothing"));
}

/// <summary>
/// A device opened by <see cref="Devices.Open"/>: the CPU path or an ILGPU accelerator. It makes trainers for models
/// (moving them to the accelerator) and, when disposed, frees the device copies it made and the accelerator.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Context? _context;
    private readonly List<GpuModel> _models = [];
    private bool _disposed;

    private ComputeDevice(string kind, string name, long memoryBytes, Context? context, Accelerator? accelerator, string? fallbackMessage)
    {
        Kind = kind;
        Name = name;
        MemoryBytes = memoryBytes;
        _context = context;
        Accelerator = accelerator;
        FallbackMessage = fallbackMessage;
    }

    internal static ComputeDevice Host(string? fallbackMessage) =>
        new("cpu", "CPU (generated C#)", HostMemory, null, null, fallbackMessage);

    internal static ComputeDevice On(string kind, Context context, Accelerator accelerator) =>
        new(kind == "auto" ? accelerator.AcceleratorType == AcceleratorType.Cuda ? "cuda" : "opencl" : kind,
            DeviceTraining.Describe(accelerator),
            accelerator.AcceleratorType == AcceleratorType.CPU ? HostMemory : accelerator.MemorySize, // ILGPU gives the CPU accelerator a nominal 2⁶³ bytes
            context, accelerator, null);

    private static long HostMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>What it is: "cpu" (the CPU path), "cuda", "opencl" or "ilgpu-cpu".</summary>
    public string Kind { get; }

    /// <summary>"CPU (generated C#)", or the accelerator's name and kind (as <see cref="Trainer.Device"/> says it).</summary>
    public string Name { get; }

    /// <summary>The accelerator's memory in bytes; on the CPU path and ILGPU's CPU accelerator, the memory available to this process.</summary>
    public long MemoryBytes { get; }

    /// <summary>The accelerator; null on the CPU path.</summary>
    public Accelerator? Accelerator { get; }

    /// <summary>Why the device asked for was not opened and the CPU path was used instead; null when it was opened.</summary>
    public string? FallbackMessage { get; }

    /// <summary>
    /// A trainer for <paramref name="model"/> on this device: on the CPU path, <c>new Trainer(model, optimizer, loss)</c>;
    /// on an accelerator, the model moved there (<see cref="GpuModelExtensions.ToAccelerator"/>, freed with this
    /// device) and <see cref="DeviceTraining.CreateTrainer"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The accelerator cannot run a layer of the model, or train with this optimizer or loss.</exception>
    public Trainer CreateTrainer(Model model, Optimizer optimizer, ILoss? loss = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(model);
        if (Accelerator is null) return new Trainer(model, optimizer, loss);
        var gpu = model.ToAccelerator(Accelerator);
        try
        {
            var trainer = gpu.CreateTrainer(optimizer, loss);
            _models.Add(gpu);
            return trainer;
        }
        catch
        {
            gpu.Dispose();
            throw;
        }
    }

    /// <summary>The name and memory, as "NVIDIA … (Cuda), 79.2 GiB".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB");

    /// <summary>Frees the device models made by <see cref="CreateTrainer"/>, the accelerator and its context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var gpu in _models) gpu.Dispose();
        Accelerator?.Dispose();
        _context?.Dispose();
    }
}
