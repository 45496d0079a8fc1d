using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelDsl;

/// <summary>What a <see cref="Trainer"/> is set up to do, as a device checks it before any step.</summary>
/// <param name="Optimizer">The trainer's optimizer.</param>
/// <param name="Loss">The trainer's loss.</param>
/// <param name="L1">λ₁ of the L1 penalty (0: none).</param>
/// <param name="L2">λ₂ of the L2 penalty (0: none).</param>
/// <param name="ClipNorm">The gradient clipping norm (0: none).</param>
internal readonly record struct TrainingSetup(Optimizer Optimizer, ILoss Loss, float L1, float L2, float ClipNorm);

/// <summary>
/// Where a <see cref="Trainer"/>'s computation runs: forward, loss, backward, the penalties, clipping and the
/// optimizer step of a training batch, and inference for <see cref="Trainer.Evaluate"/> and <see cref="Trainer.Predict"/>.
/// Everything else (batches, augmentation, schedules, callbacks, early stopping, reports) stays in the trainer.
/// The CPU path is <see cref="HostTrainingDevice"/>; <c>ModelDsl.Gpu</c> adds one that keeps the weights on an
/// accelerator, so the core library needs no reference to it.
/// </summary>
internal abstract class TrainingDevice
{
    /// <summary>The CPU model: the one trained, or the host copy of the device's (see <see cref="CopyToHost"/>).</summary>
    public abstract Model Model { get; }

    /// <summary>Names the device for people ("CPU (generated C#)", an accelerator's name).</summary>
    public abstract string Name { get; }

    /// <summary>Why this device cannot train with <paramref name="setup"/>, or null when it can.</summary>
    public abstract string? Unsupported(in TrainingSetup setup);

    /// <summary>
    /// Zeroes the gradients, runs a training forward of <paramref name="n"/> samples, computes <paramref name="loss"/>
    /// against <paramref name="labels"/> and, when that loss is finite, backpropagates it into the gradients.
    /// </summary>
    public abstract LossResult ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int n, ILoss loss);

    /// <summary>The first layer whose output in the last forward is not finite (null when all are).</summary>
    public abstract string? FirstNonFiniteLayer();

    /// <summary>Whether every gradient is finite.</summary>
    public abstract bool GradientsFinite();

    /// <summary>Adds λ₁·sign(θ) + λ₂·θ to the trainable parameters' gradients.</summary>
    public abstract void AddPenalties(float l1, float l2);

    /// <summary>Scales the trainable gradient down to an L2 norm of at most <paramref name="maxNorm"/>; returns its norm before.</summary>
    public abstract double ClipGradients(float maxNorm);

    /// <summary>One update of the parameters with <paramref name="optimizer"/>.</summary>
    public abstract void Step(Optimizer optimizer);

    /// <summary>An inference forward of <paramref name="n"/> samples; the output (N, …) on the host, valid until the next call.</summary>
    public abstract ReadOnlySpan<float> Infer(ReadOnlySpan<float> input, int n);

    /// <summary>Makes <see cref="Model"/>'s parameters and buffers those the device trains (nothing to do on the CPU).</summary>
    public abstract void CopyToHost();

    /// <summary>Makes the device's parameters and buffers <see cref="Model"/>'s (nothing to do on the CPU).</summary>
    public abstract void CopyFromHost();

    /// <summary><paramref name="optimizer"/>'s state where the steps run, in the CPU optimizers' format (<see cref="Optimizer.ExportState"/>).</summary>
    public abstract OptimizerState ExportOptimizerState(Optimizer optimizer);

    /// <summary>Makes <paramref name="state"/> <paramref name="optimizer"/>'s state where the steps run, its learning rate included.</summary>
    public abstract void ImportOptimizerState(Optimizer optimizer, OptimizerState state);

    /// <summary>
    /// The device's own stream of dropout masks; null where dropout draws from the CPU model's generator
    /// (<see cref="Model.DropoutRngState"/>). Setting it continues the stream at its call count; only its seed may not change.
    /// </summary>
    public abstract DeviceDropoutStream? DropoutStream { get; set; }
}

/// <summary>The CPU path: the generated C# of the model itself.</summary>
internal sealed class HostTrainingDevice(Model model) : TrainingDevice
{
    private float[] _outputGradient = [];   // (N, classes), ∂loss/∂output

    public override Model Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public override string Name => "CPU (generated C#)";

    public override string? Unsupported(in TrainingSetup setup) => null;

    public override LossResult ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int n, ILoss loss)
    {
        var outputs = checked(n * Model.OutputShape.Size);
        if (_outputGradient.Length < outputs) _outputGradient = new float[outputs];
        var gradient = _outputGradient.AsSpan(0, outputs);
        Model.ZeroGrad();
        var output = Model.Forward(input, n, training: true);
        var result = loss.Compute(output, labels, gradient);
        if (double.IsFinite(result.Loss)) Model.Backward(gradient);
        return result;
    }

    public override string? FirstNonFiniteLayer() => Model.FirstNonFiniteLayer();

    public override bool GradientsFinite() => Kernels.KernelMath.AllFinite(Model.Gradients);

    public override void AddPenalties(float l1, float l2)
    {
        var theta = Model.Parameters;
        var grad = Model.Gradients;
        var ranges = Model.TrainableRanges;
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            for (var i = offset; i < offset + length; i++) grad[i] += l1 * MathF.Sign(theta[i]) + l2 * theta[i];
        }
    }

    public override double ClipGradients(float maxNorm)
    {
        var grad = Model.Gradients;
        var ranges = Model.TrainableRanges;
        double squares = 0;
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            foreach (var g in grad.Slice(offset, length)) squares += (double)g * g;
        }
        var norm = Math.Sqrt(squares);
        if (norm <= maxNorm) return norm;
        var factor = (float)(maxNorm / (norm + 1e-6));
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            foreach (ref var g in grad.Slice(offset, length)) g *= factor;
        }
        return norm;
    }

    public override void Step(Optimizer optimizer) => optimizer.Step(Model);

    public override ReadOnlySpan<float> Infer(ReadOnlySpan<float> input, int n) => Model.Forward(input, n, training: false);

    public override void CopyToHost()
    {
    }

    public override void CopyFromHost()
    {
    }

    public override OptimizerState ExportOptimizerState(Optimizer optimizer) => optimizer.ExportState(Model);

    public override void ImportOptimizerState(Optimizer optimizer, OptimizerState state) => optimizer.ImportState(Model, state);

    public override DeviceDropoutStream? DropoutStream
    {
        get => null;
        set
        {
            if (value is not null) throw new InvalidOperationException("The CPU path draws dropout masks from the model's generator, not from a device stream.");
        }
    }
}
