using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu;

/// <summary>Training a <see cref="GpuModel"/> with <see cref="Trainer"/>.</summary>
public static class DeviceTraining
{
    /// <summary>
    /// A <see cref="Trainer"/> whose steps, <see cref="Trainer.Evaluate"/> and <see cref="Trainer.Predict"/> run on
    /// <paramref name="gpu"/>'s accelerator; batches, augmentation, prefetch, schedules, callbacks, early stopping and
    /// epoch reports work as on the CPU. Per step only the batch and its labels go up and the batch's loss and hits
    /// come down; <see cref="Trainer.Model"/> (the CPU model) gets the device's parameters and buffers at the end of
    /// every epoch and when <see cref="Trainer.Fit"/> returns (the best epoch's, on both sides, when early stopping
    /// restores them).
    /// </summary>
    /// <exception cref="NotSupportedException">The device cannot train with <paramref name="optimizer"/> or <paramref name="loss"/> yet; the message names it.</exception>
    public static Trainer CreateTrainer(this GpuModel gpu, Optimizer optimizer, ILoss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return new Trainer(new GpuTrainingDevice(gpu), optimizer, loss);
    }

    /// <summary>The name <see cref="Trainer.Device"/> gives an accelerator: its own name and its kind.</summary>
    internal static string Describe(Accelerator accelerator) => $"{accelerator.Name} ({accelerator.AcceleratorType})";
}

/// <summary><see cref="Trainer"/>'s computation on a <see cref="GpuModel"/>.</summary>
internal sealed class GpuTrainingDevice(GpuModel gpu) : TrainingDevice
{
    /// <summary>
    /// What a trainer can ask for that the device cannot do yet, one row each, checked before any step (so a run
    /// never starts only to fail later). Once the device does one, remove its row and run it in the member named.
    /// </summary>
    private static readonly (Func<TrainingSetup, bool> Applies, Func<TrainingSetup, string> What)[] s_notYet =
    [
        (s => s.Checkpointing, _ => "training checkpoints (Fit's checkpointing; save weights with SafeTensors.Save after Fit instead)"),
        (s => s.Optimizer is not (Sgd or Adam or RmsProp), s => $"the {s.Optimizer.GetType().Name} optimizer (Step: the device updates with Sgd, Adam, AdamW and RmsProp)"),
        (s => s.Loss is not (SoftmaxCrossEntropyLoss or MeanSquaredErrorLoss or MulticlassHingeLoss),
            s => $"the {s.Loss.Name} loss (ForwardBackward: the device computes softmax cross-entropy, with or without label smoothing, mean squared error and the multiclass hinge loss)"),
    ];

    private float[] _outputHost = [];

    public override Model Model => gpu.Model;

    public override string Name => DeviceTraining.Describe(gpu.Accelerator);

    public override string? Unsupported(in TrainingSetup setup)
    {
        foreach (var (applies, what) in s_notYet)
        {
            if (applies(setup)) return Refusal(what(setup));
        }
        return null;
    }

    private string Refusal(string what) => $"Training on {Name} cannot use {what} yet; train on the CPU (new Trainer(model, ...)) for that.";

    public override LossResult ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int n, ILoss loss)
    {
        gpu.ZeroGrad();
        gpu.Forward(input, n, training: true);
        return gpu.Loss(labels, loss, backward: true);
    }

    public override string? FirstNonFiniteLayer()
    {
        // Only after a divergence: downloading every layer's output costs nothing that matters then.
        var layout = Model.Layout;
        var layers = layout.Summary.Layers;
        for (var i = 0; i < layout.LayerSlots.Count && i < layers.Count; i++)
        {
            foreach (var v in gpu.ReadSlot(layout.LayerSlots[i]))
            {
                if (!float.IsFinite(v)) return layers[i].Name;
            }
        }
        return null;
    }

    public override bool GradientsFinite() =>
        Model.Layout.ParameterCount == 0 || FiniteCheck.For(gpu.Accelerator).AllFinite(gpu.Gradients(0, Model.Layout.ParameterCount));

    public override void AddPenalties(float l1, float l2) => gpu.AddPenalties(l1, l2);

    public override double ClipGradients(float maxNorm) => gpu.ClipGradients(maxNorm);

    public override void Step(Optimizer optimizer) => gpu.Step(optimizer);

    public override ReadOnlySpan<float> Infer(ReadOnlySpan<float> input, int n)
    {
        gpu.Forward(input, n, training: false);
        var outputs = checked(n * Model.OutputShape.Size);
        if (_outputHost.Length < outputs) _outputHost = new float[outputs];
        var output = _outputHost.AsSpan(0, outputs);
        gpu.CopyOutput(output);
        return output;
    }

    public override void CopyToHost() => gpu.CopyToHost();

    public override void CopyFromHost() => gpu.CopyFromHost();
}

/// <summary>Whether a device buffer holds only finite values: one launch, one int back.</summary>
internal sealed class FiniteCheck
{
    private static readonly ConditionalWeakTable<Accelerator, FiniteCheck> s_cache = new();
    private static readonly Lock s_lock = new();
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>> _kernel;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _flag;
    private readonly int[] _flagHost = new int[1];
    private readonly Lock _lock = new();

    private FiniteCheck(Accelerator accelerator)
    {
        _kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>>(MarkNonFinite);
        _flag = accelerator.Allocate1D<int>(1);
    }

    /// <summary>The check for <paramref name="accelerator"/>, its kernel loaded on first use.</summary>
    public static FiniteCheck For(Accelerator accelerator)
    {
        lock (s_lock) return s_cache.GetValue(accelerator, a => new FiniteCheck(a));
    }

    /// <summary>Whether every value of <paramref name="values"/> is finite.</summary>
    public bool AllFinite(ArrayView<float> values)
    {
        lock (_lock) // one flag per accelerator
        {
            _flag.MemSetToZero();
            _kernel((int)values.Length, values, _flag.View);
            _flag.View.CopyToCPU(_flagHost);
            return _flagHost[0] == 0;
        }
    }

    /// <summary>Sets <paramref name="flag"/>[0] to 1 where a value is NaN or infinite (every writer writes the same 1).</summary>
    private static void MarkNonFinite(Index1D index, ArrayView<float> values, ArrayView<int> flag)
    {
        var v = values[index];
        if (float.IsNaN(v) || float.IsInfinity(v)) flag[0] = 1;
    }
}
