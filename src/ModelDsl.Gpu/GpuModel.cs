using System.Globalization;
using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu;

/// <summary>
/// A generated <see cref="Model"/> running on an ILGPU accelerator: its parameters, gradients, buffers
/// (batch-norm running statistics), optimizer state and every activation live in device memory. Per
/// training step only the batch and its labels go up and the loss and the count of correct
/// predictions come down. Create one with <see cref="GpuModelExtensions.ToAccelerator"/>.
/// </summary>
/// <remarks>
/// The layers run from the model's generated <see cref="ModelLayout.Steps"/>: the same slots, parameter
/// offsets and backward order as the generated CPU code, each layer launching shape-specialized
/// kernels (<see cref="KernelSet"/>). Every kernel a model needs is compiled when the model is moved
/// to the device, so none compiles inside a training loop. Not thread-safe: one call at a time.
/// </remarks>
public sealed class GpuModel : IDisposable
{
    private readonly KernelSet _k;
    private readonly DeviceLayer[] _layers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters, _gradients, _buffers, _dummy;
    private MemoryBuffer1D<float, Stride1D.Dense>? _scratch;
    private MemoryBuffer1D<float, Stride1D.Dense>[] _slots = [];
    private MemoryBuffer1D<int, Stride1D.Dense>[] _intSlots = [];
    private MemoryBuffer1D<float, Stride1D.Dense>[] _gradientSlots = [];
    private MemoryBuffer1D<int, Stride1D.Dense>? _labels, _correct;
    private MemoryBuffer1D<float, Stride1D.Dense>? _loss, _state1, _state2;
    private MemoryBuffer1D<double, Stride1D.Dense>? _normPartials;
    private readonly double[] _normHost = new double[1];
    private float[] _lossHost = [];
    private int[] _correctHost = [];
    private Optimizer? _stateOwner;
    private long _adamSteps;
    private int _lastBatch;
    private bool _lastWasTraining;
    private uint _dropoutCalls;
    private bool _disposed;
    private readonly int _smallestNormSet; // the fewest positions per channel of a batch norm (0: none)

    internal GpuModel(Model model, Accelerator accelerator, uint dropoutSeed)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Accelerator = accelerator ?? throw new ArgumentNullException(nameof(accelerator));
        var layout = model.Layout;
        if (layout.Steps.Count != layout.Summary.Layers.Count)
            throw new NotSupportedException(
                $"{model.GetType().Name} was generated without layer steps; rebuild it with this version of the ModelDsl generator to run it on an accelerator.");
        _layers = layout.Steps.Select(s => new DeviceLayer(this, s)).ToArray();
        DropoutSeed = dropoutSeed;
        _k = KernelSet.For(accelerator);
        _parameters = Allocate(layout.ParameterCount);
        _gradients = Allocate(layout.ParameterCount);
        _buffers = Allocate(layout.BufferCount);
        _dummy = Allocate(1);
        _smallestNormSet = layout.Steps.Where(s => s.Op == LayerOp.BatchNorm).Select(s => s.Input.H * s.Input.W).DefaultIfEmpty(0).Min();
        CopyFromHost();
        ZeroGrad();
        Warm();
    }

    /// <summary>The CPU model this one mirrors (its layout, its trainable ranges and learning-rate scales; <see cref="CopyToHost"/> writes into it).</summary>
    public Model Model { get; }

    /// <summary>The accelerator the model runs on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The seed of the dropout masks (drawn on the device by a counter-based hash, not by the CPU model's generator).</summary>
    public uint DropoutSeed { get; }

    /// <summary>The largest batch the device buffers hold now; a larger batch grows them once.</summary>
    public int BatchCapacity { get; private set; }

    private ModelLayout Layout => Model.Layout;

    // ---- memory -------------------------------------------------------------------------------

    private MemoryBuffer1D<float, Stride1D.Dense> Allocate(long length) => Accelerator.Allocate1D<float>(Math.Max(1, length));

    /// <summary>Grows the device activations, saved values and gradient buffers to hold <paramref name="batch"/> samples (they never shrink).</summary>
    public void EnsureCapacity(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch <= BatchCapacity) return;
        Grow(batch);
    }

    private void Grow(int batch)
    {
        // Kernels index with 32-bit thread indices: every buffer of the batch must stay below 2³¹ values.
        var largest = Layout.Slots.Concat(Layout.GradientSlots).Concat(Layout.IntSlots).DefaultIfEmpty(0).Max();
        if ((long)largest * batch > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                Invariant($"{Name}: a batch of {batch} needs a buffer of {largest} × {batch} values, more than the 2³¹ − 1 a kernel can index; use a batch of at most {int.MaxValue / largest}."));
        FreeActivations();
        _slots = Layout.Slots.Select(size => Allocate(checked((long)size * batch))).ToArray();
        _intSlots = Layout.IntSlots.Select(size => Accelerator.Allocate1D<int>(Math.Max(1, checked((long)size * batch)))).ToArray();
        _gradientSlots = Layout.GradientSlots.Select(size => Allocate(checked((long)size * batch))).ToArray();
        // Normalization scratch: 3 values per batch-norm channel, or per normalized set of the batch (layer, group, instance norm).
        var channels = Layout.Steps.Where(s => s.Op == LayerOp.BatchNorm).Select(s => s.Input.C).DefaultIfEmpty(0).Max();
        var sets = Layout.Steps.Where(s => s.Op is LayerOp.LayerNorm or LayerOp.GroupNorm or LayerOp.InstanceNorm).Select(s => s.Groups).DefaultIfEmpty(0).Max();
        _scratch = Allocate(3L * Math.Max(channels, (long)sets * batch));
        _labels = Accelerator.Allocate1D<int>(batch);
        _correct = Accelerator.Allocate1D<int>(batch);
        _loss = Allocate(batch);
        _lossHost = new float[batch];
        _correctHost = new int[batch];
        BatchCapacity = batch;
        _lastBatch = 0;
    }

    private void FreeActivations()
    {
        foreach (var b in _slots) b.Dispose();
        foreach (var b in _intSlots) b.Dispose();
        foreach (var b in _gradientSlots) b.Dispose();
        _scratch?.Dispose();
        _labels?.Dispose();
        _correct?.Dispose();
        _loss?.Dispose();
    }

    internal ArrayView<float> Slot(int slot, int n) => _slots[slot].View.SubView(0, (long)Layout.Slots[slot] * n);
    internal ArrayView<int> IntSlot(int slot, int n) => _intSlots[slot].View.SubView(0, (long)Layout.IntSlots[slot] * n);
    internal ArrayView<float> GradientSlot(int slot, int n) => _gradientSlots[slot].View.SubView(0, (long)Layout.GradientSlots[slot] * n);
    internal ArrayView<float> Parameters(int offset, int length) => length == 0 ? _dummy.View : Flat(_parameters).SubView(offset, length);
    internal ArrayView<float> Gradients(int offset, int length) => length == 0 ? _dummy.View : Flat(_gradients).SubView(offset, length);
    internal ArrayView<float> BufferValues(int offset, int length) => Flat(_buffers).SubView(offset, length);
    internal ArrayView<float> Scratch => _scratch!.View;
    internal ArrayView<float> Dummy => _dummy.View;
    internal KernelSet Kernels => _k;
    internal uint NextDropoutCall() => _dropoutCalls++;

    // ---- host ↔ device ------------------------------------------------------------------------

    /// <summary>Uploads the CPU model's parameters and buffers (after loading a checkpoint into it, say).</summary>
    public void CopyFromHost()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Model.Parameters.Length > 0) Flat(_parameters).SubView(0, Model.Parameters.Length).CopyFromCPU(Model.Parameters);
        if (Model.Buffers.Length > 0) Flat(_buffers).SubView(0, Model.Buffers.Length).CopyFromCPU(Model.Buffers);
    }

    /// <summary>Downloads the parameters and buffers into the CPU model (to save a checkpoint or run it on the CPU).</summary>
    public void CopyToHost()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Accelerator.Synchronize();
        if (Model.Parameters.Length > 0) Flat(_parameters).SubView(0, Model.Parameters.Length).CopyToCPU(Model.Parameters);
        if (Model.Buffers.Length > 0) Flat(_buffers).SubView(0, Model.Buffers.Length).CopyToCPU(Model.Buffers);
    }

    /// <summary>Downloads the gradients into the CPU model's <see cref="ModelDsl.Model.Gradients"/>.</summary>
    public void CopyGradientsToHost()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Accelerator.Synchronize();
        if (Model.Gradients.Length > 0) Flat(_gradients).SubView(0, Model.Gradients.Length).CopyToCPU(Model.Gradients);
    }

    /// <summary>Downloads the output of the last <see cref="Forward"/>, (N, …), into <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidOperationException">No forward came before.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not N × the output's size.</exception>
    public void CopyOutput(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lastBatch == 0) throw new InvalidOperationException($"{Name}.CopyOutput needs a Forward first.");
        var expected = _lastBatch * Model.OutputShape.Size;
        if (destination.Length != expected)
            throw new ArgumentException(Invariant($"{Name}.CopyOutput needs room for N × {Model.OutputShape.ToSampleString()} = {expected} values, but the destination has {destination.Length}."), nameof(destination));
        Accelerator.Synchronize();
        Slot(Layout.OutputSlot, _lastBatch).CopyToCPU(destination);
    }

    private static ArrayView<T> Flat<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged => buffer.View;

    private string Name => Model.GetType().Name + " on " + Accelerator.AcceleratorType;

    // ---- forward and backward -------------------------------------------------------------------

    /// <summary>
    /// Runs the model on <paramref name="batch"/> samples (N, C, H, W) uploaded from <paramref name="input"/>;
    /// the output stays on the device (<see cref="CopyOutput"/>, <see cref="Loss"/>). In training mode dropout
    /// is active, batch norm uses and updates batch statistics, and what backward needs is kept.
    /// </summary>
    /// <exception cref="ArgumentException">The input's length is not N × C × H × W.</exception>
    public void Forward(ReadOnlySpan<float> input, int batch, bool training = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size N must be at least 1.");
        var expected = (long)batch * Model.InputShape.Size;
        if (input.Length != expected)
            throw new ArgumentException(
                Invariant($"{Name}.Forward expects N × {Model.InputShape.ToSampleString()} = {batch} × {Model.InputShape.Size} = {expected} values for N = {batch}, but the input has {input.Length}."),
                nameof(input));
        if (training && _smallestNormSet > 0 && (long)batch * _smallestNormSet < 2)
            throw new ArgumentException(
                Invariant($"{Name}.Forward in training mode needs more than one value per channel in every batch norm (N·H·W ≥ 2); N = {batch} gives {batch * _smallestNormSet}."),
                nameof(batch));
        EnsureCapacity(batch);
        Slot(0, batch).CopyFromCPU(input);
        foreach (var layer in _layers) layer.Forward(batch, training);
        _lastBatch = batch;
        _lastWasTraining = training;
    }

    /// <summary>
    /// Backpropagates <paramref name="outputGradient"/> (∂loss/∂output, uploaded) through the last training-mode
    /// <see cref="Forward"/>, adding ∂loss/∂parameters to the device gradients.
    /// </summary>
    /// <exception cref="InvalidOperationException">No training-mode forward came before.</exception>
    /// <exception cref="ArgumentException">The gradient's length differs from the output's.</exception>
    public void Backward(ReadOnlySpan<float> outputGradient)
    {
        RequireTrainingForward(nameof(Backward));
        var expected = _lastBatch * Model.OutputShape.Size;
        if (outputGradient.Length != expected)
            throw new ArgumentException(
                Invariant($"{Name}.Backward expects the output's shape N × {Model.OutputShape.ToSampleString()} = {expected} values for N = {_lastBatch}, but got {outputGradient.Length}."),
                nameof(outputGradient));
        GradientSlot(Layout.OutputGradientSlot, _lastBatch).CopyFromCPU(outputGradient);
        BackwardCore(_lastBatch);
    }

    /// <summary>
    /// The loss of the last <see cref="Forward"/>'s output against <paramref name="labels"/> (uploaded), computed on
    /// the device: softmax cross-entropy (with or without label smoothing), mean squared error against the one-hot
    /// label, or the multiclass hinge loss, each with the CPU loss's value, gradient and hits. With
    /// <paramref name="backward"/> (after a training-mode forward) its gradient is backpropagated too, adding
    /// ∂loss/∂parameters to the device gradients. Only the per-sample losses and hits come back.
    /// </summary>
    /// <exception cref="ArgumentException">The labels are not one per sample, or one is outside [0, classes).</exception>
    /// <exception cref="NotSupportedException"><paramref name="loss"/> is another <see cref="ILoss"/> than those above.</exception>
    /// <exception cref="InvalidOperationException">No forward (training-mode, for <paramref name="backward"/>) came before.</exception>
    public LossResult Loss(ReadOnlySpan<int> labels, ILoss loss, bool backward = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(loss);
        var (kernel, parameter) = loss switch
        {
            SoftmaxCrossEntropyLoss crossEntropy => (_k.SoftmaxCrossEntropy, crossEntropy.LabelSmoothing),
            MeanSquaredErrorLoss => (_k.MeanSquaredError, 0f),
            MulticlassHingeLoss hinge => (_k.MulticlassHinge, hinge.Margin),
            _ => throw new NotSupportedException(
                $"The {loss.Name} loss ({loss.GetType().Name}) has no device kernel; the device computes softmax cross-entropy (with or without label smoothing), mean squared error and the multiclass hinge loss."),
        };
        if (backward) RequireTrainingForward(nameof(Loss));
        else if (_lastBatch == 0) throw new InvalidOperationException($"{Name}.Loss needs a Forward first.");
        var n = _lastBatch;
        var classes = Model.OutputShape.Size;
        if (labels.Length != n)
            throw new ArgumentException(Invariant($"{Name}.Loss needs one label per sample of the last forward ({n}), but got {labels.Length}."), nameof(labels));
        for (var i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException(Invariant($"The label at index {i} is {labels[i]}, but the output has {classes} classes (labels 0 to {classes - 1})."), nameof(labels));
        }
        var (labelBuffer, lossBuffer, correctBuffer) = (_labels!, _loss!, _correct!);
        Flat(labelBuffer).SubView(0, n).CopyFromCPU(labels);
        kernel(n, Slot(Layout.OutputSlot, n), labelBuffer.View, GradientSlot(Layout.OutputGradientSlot, n), lossBuffer.View, correctBuffer.View,
            classes, n, parameter);
        if (backward) BackwardCore(n);
        Accelerator.Synchronize();
        Flat(lossBuffer).SubView(0, n).CopyToCPU(_lossHost.AsSpan(0, n));
        Flat(correctBuffer).SubView(0, n).CopyToCPU(_correctHost.AsSpan(0, n));
        var total = 0.0;
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            total += _lossHost[i];
            correct += _correctHost[i];
        }
        return new LossResult(total / n, correct);
    }

    private void RequireTrainingForward(string method)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lastBatch == 0 || !_lastWasTraining)
            throw new InvalidOperationException(
                $"{Name}.{method} needs a Forward(..., training: true) first: the values backward reads are saved only in training mode.");
    }

    private void BackwardCore(int n)
    {
        foreach (var slot in Layout.UnreadGradientSlots)
        {
            var view = GradientSlot(slot, n);
            _k.Fill((int)view.Length, view, 0f);
        }
        for (var i = _layers.Length - 1; i >= 0; i--) _layers[i].Backward(n);
    }

    /// <summary>Sets every device gradient to zero (backward accumulates).</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _gradients.MemSetToZero();
    }

    // ---- optimizer ----------------------------------------------------------------------------

    /// <summary>
    /// One update of the device parameters from the device gradients with <paramref name="optimizer"/>'s rule and
    /// current hyperparameters (a schedule may change its learning rate between steps): <see cref="Sgd"/>
    /// (momentum, Nesterov, weight decay), <see cref="Adam"/>, <see cref="AdamW"/> and <see cref="RmsProp"/>
    /// (momentum, weight decay). Its state (velocity, moments, mean square) lives on the device; a different
    /// optimizer than the last one starts from zero state (or from <see cref="ImportOptimizerState"/>). Frozen
    /// layers are skipped and learning-rate scales applied, as the CPU step does.
    /// </summary>
    /// <exception cref="NotSupportedException">Another optimizer.</exception>
    public void Step(Optimizer optimizer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireDeviceOptimizer(optimizer);
        if (!ReferenceEquals(optimizer, _stateOwner)) ResetOptimizerState(optimizer);
        var ranges = Model.TrainableRanges;
        var scales = Model.TrainableScales;
        if (optimizer is RmsProp rms)
        {
            for (var i = 0; i < ranges.Count; i++)
            {
                var (offset, length) = ranges[i];
                _k.RmsPropStep(length, Flat(_parameters).SubView(offset, length), Flat(_gradients).SubView(offset, length),
                    Flat(_state1!).SubView(offset, length), Flat(_state2!).SubView(offset, length),
                    rms.LearningRate * scales[i], rms.Alpha, rms.Eps, rms.Momentum, rms.WeightDecay);
            }
            return;
        }
        if (optimizer is Sgd sgd)
        {
            var (a, b) = sgd.Nesterov ? (1f, sgd.Momentum) : (0f, 1f);
            for (var i = 0; i < ranges.Count; i++)
            {
                var (offset, length) = ranges[i];
                _k.SgdStep(length, Flat(_parameters).SubView(offset, length), Flat(_gradients).SubView(offset, length), Flat(_state1!).SubView(offset, length),
                    sgd.LearningRate * scales[i], sgd.WeightDecay, sgd.Momentum, a, b, sgd.Momentum == 0 ? 0 : 1);
            }
            return;
        }
        var adam = (Adam)optimizer;
        _adamSteps++;
        var c1 = 1 - Math.Pow(adam.Beta1, _adamSteps);
        var c2 = Math.Sqrt(1 - Math.Pow(adam.Beta2, _adamSteps));
        for (var i = 0; i < ranges.Count; i++)
        {
            var (offset, length) = ranges[i];
            var lr = adam.LearningRate * scales[i];
            var shrink = adam.Decoupled ? 1 - lr * adam.WeightDecay : 1f;
            var l2 = adam.Decoupled ? 0f : adam.WeightDecay;
            _k.AdamStep(length, Flat(_parameters).SubView(offset, length), Flat(_gradients).SubView(offset, length),
                Flat(_state1!).SubView(offset, length), Flat(_state2!).SubView(offset, length),
                (float)(lr / c1 * c2), (float)(adam.Eps * c2), adam.Beta1, adam.Beta2, shrink, l2);
        }
    }

    private static void RequireDeviceOptimizer(Optimizer optimizer)
    {
        if (optimizer is not (Sgd or Adam or RmsProp))
            throw new NotSupportedException($"{optimizer.GetType().Name} has no device update; the device supports Sgd, Adam, AdamW and RmsProp.");
    }

    /// <summary>Zero state on the device for <paramref name="optimizer"/>, which owns it from now on.</summary>
    private void ResetOptimizerState(Optimizer optimizer)
    {
        _state1?.Dispose();
        _state2?.Dispose();
        _state1 = Allocate(Layout.ParameterCount);
        _state2 = optimizer is Adam or RmsProp ? Allocate(Layout.ParameterCount) : null;
        _state1.MemSetToZero();
        _state2?.MemSetToZero();
        _adamSteps = 0;
        _stateOwner = optimizer;
    }

    /// <summary>The device buffer holding the state tensor <paramref name="name"/> (the CPU optimizers' names, see <see cref="OptimizerState"/>).</summary>
    private MemoryBuffer1D<float, Stride1D.Dense> StateBuffer(string name) => name switch
    {
        "sgd.momentum" or "adam.m" or "rmsprop.square_avg" => _state1!,
        "adam.v" or "rmsprop.momentum" => _state2!,
        _ => throw new NotSupportedException($"The optimizer state tensor '{name}' has no device buffer."),
    };

    /// <summary>
    /// The device's state of <paramref name="optimizer"/>, in the CPU optimizers' format (<see cref="Optimizer.ExportState"/>):
    /// its learning rate and hyperparameters, Adam's step count and the per-parameter tensors downloaded. When the device
    /// has not stepped with <paramref name="optimizer"/> (or has stepped with another since), the state is the fresh one
    /// its next <see cref="Step"/> would start from: zero tensors and counters. A CPU optimizer takes it with
    /// <see cref="Optimizer.ImportState"/> and continues exactly where the device was.
    /// </summary>
    /// <exception cref="NotSupportedException">An optimizer the device has no update for.</exception>
    public OptimizerState ExportOptimizerState(Optimizer optimizer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireDeviceOptimizer(optimizer);
        // The CPU optimizer supplies the kind, learning rate, hyperparameters and the tensor names; the values are the device's.
        var host = optimizer.ExportState(Model);
        var owned = ReferenceEquals(optimizer, _stateOwner);
        var scalars = new Dictionary<string, double>(host.Scalars, StringComparer.Ordinal);
        if (optimizer is Adam) scalars["step"] = owned ? _adamSteps : 0;
        Accelerator.Synchronize();
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var name in host.Tensors.Keys)
        {
            var values = new float[Model.Parameters.Length];
            if (owned && values.Length > 0) Flat(StateBuffer(name)).SubView(0, values.Length).CopyToCPU(values);
            tensors[name] = values;
        }
        return new OptimizerState(host.Kind, scalars, tensors);
    }

    /// <summary>
    /// Puts <paramref name="state"/> (from <see cref="Optimizer.ExportState"/> of a CPU optimizer, or from
    /// <see cref="ExportOptimizerState"/>) on the device as <paramref name="optimizer"/>'s state, so that the next
    /// <see cref="Step"/> with it continues exactly where the exporting optimizer was; sets its learning rate to the
    /// state's. Checked first as <see cref="Optimizer.CheckState"/> does: kind, hyperparameters, counters, tensors.
    /// </summary>
    /// <exception cref="ArgumentException">The state does not fit <paramref name="optimizer"/> or the model; the message says what differs.</exception>
    /// <exception cref="NotSupportedException">An optimizer the device has no update for.</exception>
    public void ImportOptimizerState(Optimizer optimizer, OptimizerState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireDeviceOptimizer(optimizer);
        optimizer.CheckState(Model, state);
        ResetOptimizerState(optimizer);
        foreach (var (name, values) in state.Tensors)
            if (values.Length > 0) Flat(StateBuffer(name)).SubView(0, values.Length).CopyFromCPU(values);
        if (optimizer is Adam) _adamSteps = (long)state.Scalars["step"];
        optimizer.LearningRate = (float)state.LearningRate;
    }

    // ---- gradient clipping and penalties ----------------------------------------------------------

    /// <summary>Gradient values per first-stage thread of the global norm.</summary>
    private const int NormChunk = 1024;

    /// <summary>
    /// Clips the trainable gradients by their global L2 norm as the CPU <see cref="Trainer"/> does (PyTorch's
    /// <c>clip_grad_norm_</c>): when the norm exceeds <paramref name="maxNorm"/> every trainable gradient is scaled by
    /// maxNorm/(norm + 1e-6). The norm is reduced on the device in double, in a fixed order (chunks of the ranges, then
    /// the chunks' sums in order), so it does not depend on scheduling; only the norm comes back.
    /// Frozen layers' gradients are neither counted nor scaled.
    /// </summary>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a finite number &gt; 0.</exception>
    public double ClipGradients(float maxNorm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!(float.IsFinite(maxNorm) && maxNorm > 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm,
                Invariant($"{Name}.ClipGradients needs a finite maximum norm > 0, but got {maxNorm} (to train without clipping, do not call it)."));
        var ranges = Model.TrainableRanges;
        var chunks = 0;
        for (var i = 0; i < ranges.Count; i++) chunks += (ranges[i].Length + NormChunk - 1) / NormChunk;
        if (_normPartials is null || _normPartials.Length < chunks + 1)
        {
            _normPartials?.Dispose();
            _normPartials = Accelerator.Allocate1D<double>(chunks + 1);
        }
        var partials = Flat(_normPartials);
        var at = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            var (offset, length) = ranges[i];
            var count = (length + NormChunk - 1) / NormChunk;
            if (count == 0) continue;
            _k.SquareSums(count, Flat(_gradients).SubView(offset, length), partials.SubView(at, count), length, NormChunk);
            at += count;
        }
        _k.SumInOrder(1, partials, chunks);
        Accelerator.Synchronize();
        partials.SubView(chunks, 1).CopyToCPU(_normHost.AsSpan());
        var norm = Math.Sqrt(_normHost[0]);
        if (norm <= maxNorm) return norm;
        var factor = (float)(maxNorm / (norm + 1e-6));
        for (var i = 0; i < ranges.Count; i++)
        {
            var (offset, length) = ranges[i];
            if (length > 0) _k.Scale(length, Flat(_gradients).SubView(offset, length), factor);
        }
        return norm;
    }

    /// <summary>
    /// Adds the gradients of the CPU <see cref="Trainer"/>'s penalties to the trainable gradients on the device:
    /// l1·sign(θ) (of λ₁·Σ|θ|) plus l2·θ (of (λ₂/2)·Σθ²). Frozen layers are left alone; the penalties do not enter
    /// the loss <see cref="Loss"/> reports (the trainer's reported loss does not include them either). The trainer
    /// adds them after backward and before clipping.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A coefficient is negative or not finite.</exception>
    public void AddPenalties(float l1, float l2)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!(float.IsFinite(l1) && l1 >= 0)) throw new ArgumentOutOfRangeException(nameof(l1), l1, Invariant($"L1 must be a finite number ≥ 0, but it is {l1}."));
        if (!(float.IsFinite(l2) && l2 >= 0)) throw new ArgumentOutOfRangeException(nameof(l2), l2, Invariant($"L2 must be a finite number ≥ 0, but it is {l2}."));
        if (l1 == 0 && l2 == 0) return;
        var ranges = Model.TrainableRanges;
        for (var i = 0; i < ranges.Count; i++)
        {
            var (offset, length) = ranges[i];
            if (length > 0) _k.Penalties(length, Flat(_parameters).SubView(offset, length), Flat(_gradients).SubView(offset, length), l1, l2);
        }
    }

    // ---- warm-up and test support ---------------------------------------------------------------

    /// <summary>
    /// Runs a training forward and backward and an inference forward of two samples of zeros, so that every
    /// shape-specialized kernel the model launches is compiled now rather than in the first training step;
    /// then restores the buffers and gradients it touched.
    /// </summary>
    private void Warm()
    {
        const int batch = 2; // a batch norm on features needs two samples in training
        var zeros = new float[batch * Model.InputShape.Size];
        Forward(zeros, batch, training: true);
        Backward(new float[batch * Model.OutputShape.Size]);
        Forward(zeros, batch, training: false);
        Accelerator.Synchronize();
        CopyFromHost();
        ZeroGrad();
        _dropoutCalls = 0;
        _lastBatch = 0;
    }

    /// <summary>Slot <paramref name="slot"/> of the last forward (or gradient slot, with <paramref name="gradient"/>), downloaded.</summary>
    internal float[] ReadSlot(int slot, bool gradient = false)
    {
        Accelerator.Synchronize();
        var view = gradient ? GradientSlot(slot, _lastBatch) : Slot(slot, _lastBatch);
        var values = new float[view.Length];
        view.CopyToCPU(values);
        return values;
    }

    /// <summary>Uploads the CPU model's gradients (tests start backward from non-zero gradients, which it must add to).</summary>
    internal void CopyGradientsFromHost()
    {
        if (Model.Gradients.Length > 0) Flat(_gradients).SubView(0, Model.Gradients.Length).CopyFromCPU(Model.Gradients);
    }

    /// <summary>Fills every activation, saved value and argmax buffer with garbage (NaN, −7), so a kernel that leaves part of its output unwritten shows.</summary>
    internal void PoisonActivations()
    {
        foreach (var b in _slots) _k.Fill((int)b.Length, b.View, float.NaN);
        foreach (var b in _intSlots) b.MemSet(0xF9);
    }

    /// <summary>Fills every gradient slot with NaN (before a backward).</summary>
    internal void PoisonGradientSlots()
    {
        foreach (var b in _gradientSlots) _k.Fill((int)b.Length, b.View, float.NaN);
    }

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        FreeActivations();
        _parameters.Dispose();
        _gradients.Dispose();
        _buffers.Dispose();
        _dummy.Dispose();
        _state1?.Dispose();
        _state2?.Dispose();
        _normPartials?.Dispose();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Moving a model to an accelerator.</summary>
public static class GpuModelExtensions
{
    /// <summary>
    /// A device copy of <paramref name="model"/> on <paramref name="accelerator"/> (its current parameters and
    /// buffers uploaded, every kernel it needs compiled). The CPU model keeps its own values until
    /// <see cref="GpuModel.CopyToHost"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no device kernels yet; the message names it.</exception>
    public static GpuModel ToAccelerator(this Model model, Accelerator accelerator, uint dropoutSeed = 0) => new(model, accelerator, dropoutSeed);
}
