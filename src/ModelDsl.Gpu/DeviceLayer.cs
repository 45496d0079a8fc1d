using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu;

/// <summary>
/// One <see cref="LayerStep"/> on the device: its shape packed once into the specialization values its
/// kernels take, and its forward and backward as kernel launches over the model's device slots. It
/// follows the generated CPU code step for step (see LayerEmitter): same slots, fused activations applied
/// in place on y and, in backward, on dy; an input gradient written, or added when another reader wrote it first.
/// </summary>
internal sealed class DeviceLayer
{
    private readonly GpuModel _m;
    private readonly LayerStep _s;
    private readonly SpecializedValue<ConvDims> _conv;
    private readonly SpecializedValue<PoolDims> _pool;
    private readonly SpecializedValue<DenseDims> _dense;
    private readonly SpecializedValue<ChannelDims> _channels;
    private readonly SpecializedValue<SetDims> _sets;
    private readonly SpecializedValue<LrnDims> _lrn;
    private readonly int _weightLength, _biasLength;

    public DeviceLayer(GpuModel model, LayerStep step)
    {
        _m = model;
        _s = step;
        Check(step, model.Model.Layout);
        var x = step.Input;
        var y = step.Output;
        var infos = model.Model.ParameterList;
        _weightLength = step.WeightOffset < 0 ? 0 : infos.First(p => p.Info.Offset == step.WeightOffset).Info.Length;
        _biasLength = step.BiasOffset < 0 ? 0 : infos.First(p => p.Info.Offset == step.BiasOffset).Info.Length;
        switch (step.Op)
        {
            case LayerOp.Conv2D or LayerOp.Conv1D:
                _conv = SpecializedValue.New(new ConvDims(x.C, x.H, x.W, y.C, step.KernelH, step.KernelW, step.StrideH, step.StrideW,
                    step.PadTop, step.PadLeft, y.H, y.W, step.DilationH, step.DilationW, step.Groups, step.BiasOffset >= 0 ? 1 : 0));
                break;
            case LayerOp.MaxPool2D or LayerOp.MaxPool1D or LayerOp.AvgPool2D or LayerOp.AvgPool1D:
                _pool = SpecializedValue.New(new PoolDims(x.C, x.H, x.W, step.KernelH, step.KernelW, step.StrideH, step.StrideW,
                    step.PadTop, step.PadLeft, y.H, y.W));
                break;
            case LayerOp.ConvTranspose2D:
                // The convolution this one is the adjoint of: (K, OH, OW) → (C, H, W), same weights (see DeviceKernels).
                _conv = SpecializedValue.New(new ConvDims(y.C, y.H, y.W, x.C, step.KernelH, step.KernelW, step.StrideH, step.StrideW,
                    step.PadTop, step.PadLeft, x.H, x.W, step.DilationH, step.DilationW, step.Groups, step.BiasOffset >= 0 ? 1 : 0));
                break;
            case LayerOp.MaxUnpool2D:
            {
                // The switches' pool: its window, and its input (this layer's output) and output (this layer's input).
                var pool = model.Model.Layout.Steps.First(s => s.Op == LayerOp.MaxPool2D && s.ArgmaxSlot == step.ArgmaxSlot);
                _pool = SpecializedValue.New(new PoolDims(y.C, y.H, y.W, pool.KernelH, pool.KernelW, pool.StrideH, pool.StrideW,
                    pool.PadTop, pool.PadLeft, x.H, x.W));
                break;
            }
            case LayerOp.LocalResponseNorm:
                _lrn = SpecializedValue.New(new LrnDims(x.C, x.H * x.W, step.Size / 2, (step.Size - 1) / 2, step.Alpha / step.Size, step.Beta, step.K,
                    2f * step.Alpha * step.Beta / step.Size, step.Beta == 0.75f ? 1 : 0));
                break;
            case LayerOp.Dense:
                _dense = SpecializedValue.New(new DenseDims(x.Size, y.C, step.BiasOffset >= 0 ? 1 : 0));
                break;
            case LayerOp.LayerNorm:
                _sets = SpecializedValue.New(new SetDims(1, x.Size, x.C, x.H * x.W, 1, step.WeightOffset >= 0 ? 1 : 0, step.Eps));
                break;
            case LayerOp.GroupNorm or LayerOp.InstanceNorm:
                _sets = SpecializedValue.New(new SetDims(step.Groups, x.Size / step.Groups, x.C, x.H * x.W, 0, step.WeightOffset >= 0 ? 1 : 0, step.Eps));
                break;
            case LayerOp.BatchNorm:
                _channels = SpecializedValue.New(new ChannelDims(x.C, x.H * x.W, step.WeightOffset >= 0 ? 1 : 0, step.Eps, step.Momentum));
                break;
        }
    }

    /// <summary>Rejects, naming the layer, what has no device kernels yet.</summary>
    private static void Check(LayerStep step, ModelLayout layout)
    {
        var supported = step.Op is LayerOp.Conv2D or LayerOp.Conv1D or LayerOp.ConvTranspose2D or LayerOp.MaxUnpool2D or LayerOp.LocalResponseNorm or LayerOp.Dense or LayerOp.MaxPool2D or LayerOp.MaxPool1D
            or LayerOp.AvgPool2D or LayerOp.AvgPool1D or LayerOp.GlobalAvgPool or LayerOp.GlobalMaxPool or LayerOp.Flatten or LayerOp.Identity or LayerOp.Dropout
            or LayerOp.BatchNorm or LayerOp.LayerNorm or LayerOp.GroupNorm or LayerOp.InstanceNorm or LayerOp.Add or LayerOp.Concat or LayerOp.Multiply or LayerOp.Activation;
        if (!supported)
            throw new NotSupportedException($"Layer '{step.Name}' is a {step.Op}, which has no device kernels yet.");
        if (step.Activation is not (LayerActivation.None or LayerActivation.ReLU or LayerActivation.Tanh or LayerActivation.Sigmoid
            or LayerActivation.LeakyReLU or LayerActivation.ReLU6 or LayerActivation.SiLU or LayerActivation.HardSwish or LayerActivation.Softmax))
            throw new NotSupportedException($"Layer '{step.Name}' uses the activation {step.Activation}, which has no device kernel yet.");
        if (step.Op == LayerOp.Activation && step.Activation == LayerActivation.None)
            throw new NotSupportedException($"Layer '{step.Name}' is an activation layer without an activation.");
        if (step.Op is LayerOp.BatchNorm or LayerOp.LayerNorm or LayerOp.GroupNorm or LayerOp.InstanceNorm && (step.WeightOffset < 0) != (step.BiasOffset < 0))
            throw new NotSupportedException($"Layer '{step.Name}' is a normalization with a scale but no shift (or the reverse).");
        if (step.Op == LayerOp.BatchNorm && (step.RunningMeanOffset < 0 || step.RunningVarOffset < 0))
            throw new NotSupportedException($"Layer '{step.Name}' is a batch norm without running statistics.");
        if (step.Op == LayerOp.LocalResponseNorm && step.Size <= 0)
            throw new NotSupportedException(
                $"Layer '{step.Name}' is a LocalResponseNorm without its window size; rebuild the model with this version of the ModelDsl generator.");
        if (step.Op == LayerOp.MaxUnpool2D && !layout.Steps.Any(s => s.Op == LayerOp.MaxPool2D && s.ArgmaxSlot >= 0 && s.ArgmaxSlot == step.ArgmaxSlot))
            throw new NotSupportedException(
                $"Layer '{step.Name}' is a MaxUnpool2D whose step does not name its max-pool's switches; rebuild the model with this version of the ModelDsl generator.");
    }

    private KernelSet K => _m.Kernels;
    private int OutSize => _s.Output.Size;
    private bool HasFusedActivation => _s.Op != LayerOp.Activation && _s.Activation != LayerActivation.None;
    private ArrayView<float> In(int i, int n) => _m.Slot(_s.InSlots[i], n);
    private ArrayView<float> W => _m.Parameters(_s.WeightOffset, _weightLength);
    private ArrayView<float> B => _m.Parameters(_s.BiasOffset, _biasLength);
    private ArrayView<float> DW => _m.Gradients(_s.WeightOffset, _weightLength);
    private ArrayView<float> DB => _m.Gradients(_s.BiasOffset, _biasLength);
    private ArrayView<float> RunningMean => _m.BufferValues(_s.RunningMeanOffset, _s.Input.C);
    private ArrayView<float> RunningVar => _m.BufferValues(_s.RunningVarOffset, _s.Input.C);
    private ArrayView<float> Saved(int n) => _m.Slot(_s.SavedSlot, n);
    private ArrayView<float> Saved2(int n) => _m.Slot(_s.SavedSlot2, n);

    public void Forward(int n, bool training)
    {
        if (_s.Passthrough) return;
        var x = In(0, n);
        // With a fused SiLU/HardSwish the layer's own result z is kept for backward; otherwise y is written in place.
        var y = _m.Slot(_s.PreActivationSlot >= 0 ? _s.PreActivationSlot : _s.OutSlot, n);
        var count = n * OutSize;
        var k = K;
        switch (_s.Op)
        {
            case LayerOp.Conv2D or LayerOp.Conv1D:
                k.ConvForward(count, x, W, B, y, _conv);
                break;
            case LayerOp.ConvTranspose2D:
                k.ConvTransposeForward(count, x, W, B, y, _conv);
                break;
            case LayerOp.MaxUnpool2D:
                k.MaxUnpoolForward(count, x, _m.IntSlot(_s.ArgmaxSlot, n), y, _pool);
                break;
            case LayerOp.LocalResponseNorm:
                k.LrnForward(count, x, y, Saved(n), _lrn);
                break;
            case LayerOp.Dense:
                k.DenseForward(count, x, W, B, y, _dense);
                break;
            case LayerOp.MaxPool2D or LayerOp.MaxPool1D:
                k.MaxPoolForward(count, x, y, _m.IntSlot(_s.ArgmaxSlot, n), _pool);
                break;
            case LayerOp.AvgPool2D or LayerOp.AvgPool1D:
                k.AvgPoolForward(count, x, y, _pool);
                break;
            case LayerOp.GlobalAvgPool:
                k.GlobalAvgForward(count, x, y, _s.Input.H * _s.Input.W);
                break;
            case LayerOp.GlobalMaxPool:
                k.GlobalMaxForward(count, x, y, _m.IntSlot(_s.ArgmaxSlot, n), _s.Input.H * _s.Input.W);
                break;
            case LayerOp.Dropout:
                if (training) k.DropoutForward(count, x, y, Saved(n), _s.Rate, _m.DropoutSeed, _m.NextDropoutCall());
                else k.Copy(count, x, y, 0);
                break;
            case LayerOp.Flatten:
                k.Copy(count, x, y, 0);
                break;
            case LayerOp.BatchNorm:
            {
                var c = _s.Input.C;
                var mean = Saved(n).SubView(0, c);
                var rstd = Saved2(n).SubView(0, c);
                if (training) k.BatchNormStatistics(c, x, mean, rstd, RunningMean, RunningVar, _m.Scratch, _channels, n);
                else k.BatchNormRunningStatistics(c, RunningMean, RunningVar, mean, rstd, _m.Scratch, _channels);
                k.BatchNormApply(count, x, mean, rstd, W, B, _m.Scratch, y, _channels);
                break;
            }
            case LayerOp.LayerNorm or LayerOp.GroupNorm or LayerOp.InstanceNorm:
                k.SetStatistics(n * _sets.Value.Groups, x, Saved(n), Saved2(n), _m.Scratch, _sets);
                k.SetApply(count, x, Saved(n), Saved2(n), W, B, _m.Scratch, y, _sets);
                break;
            case LayerOp.Add:
                k.Add(count, x, In(1, n), y);
                for (var i = 2; i < _s.InSlots.Count; i++) k.Add(count, y, In(i, n), y);
                break;
            case LayerOp.Concat:
            {
                var offset = 0;
                for (var i = 0; i < _s.InSlots.Count; i++)
                {
                    var part = _s.InSizes[i];
                    k.ConcatForward(n * part, In(i, n), y, part, OutSize, offset);
                    offset += part;
                }
                break;
            }
            case LayerOp.Multiply:
                k.ScaleForward(count, x, In(1, n), y, _s.Input.H * _s.Input.W);
                break;
            case LayerOp.Activation:
                Activate(n, x, y);
                break;
        }
        if (HasFusedActivation) Activate(n, y, _m.Slot(_s.OutSlot, n));
    }

    /// <summary>The layer's activation from <paramref name="x"/> into <paramref name="y"/> (may be x): element-wise, or softmax over the output's channels.</summary>
    private void Activate(int n, ArrayView<float> x, ArrayView<float> y)
    {
        var positions = _s.Output.H * _s.Output.W;
        if (_s.Activation == LayerActivation.Softmax) K.SoftmaxForward(n * positions, x, y, _s.Output.C, positions);
        else K.ActivationForward(n * OutSize, x, y, (int)_s.Activation, _s.Slope);
    }

    /// <summary>dx from dy through the activation (<paramref name="saved"/>: its output y, or its input x for SiLU and HardSwish).</summary>
    private void ActivationGradient(int n, ArrayView<float> saved, ArrayView<float> dy, ArrayView<float> dx, int accumulate)
    {
        var positions = _s.Output.H * _s.Output.W;
        if (_s.Activation == LayerActivation.Softmax) K.SoftmaxBackward(n * positions, saved, dy, dx, _s.Output.C, positions, accumulate);
        else K.ActivationBackward(n * OutSize, saved, dy, dx, (int)_s.Activation, _s.Slope, accumulate);
    }

    /// <summary>SiLU and HardSwish are not invertible: their backward reads the activation's input, the others its output.</summary>
    private bool ActivationReadsInput => _s.Activation is LayerActivation.SiLU or LayerActivation.HardSwish;

    public void Backward(int n)
    {
        if (!_s.HasBackward) return;
        var k = K;
        var dy = _m.GradientSlot(_s.GradientSlot, n);
        var count = n * OutSize;
        if (HasFusedActivation)
        {
            var saved = _m.Slot(ActivationReadsInput ? _s.PreActivationSlot : _s.OutSlot, n);
            ActivationGradient(n, saved, dy, dy, 0);
        }
        var inCount = n * _s.Input.Size;
        switch (_s.Op)
        {
            case LayerOp.Conv2D or LayerOp.Conv1D:
                if (_weightLength > 0) k.ConvWeightGradient(_weightLength, In(0, n), dy, DW, _conv, n);
                if (_biasLength > 0) k.ChannelSumAdd(_biasLength, dy, DB, _s.Output.C, _s.Output.H * _s.Output.W, n);
                if (Needed(0)) k.ConvInputGradient(inCount, W, dy, Target(0, n), _conv, Acc(0));
                break;
            case LayerOp.ConvTranspose2D:
                // The adjoint's weight gradient with x and dy swapped; the bias is per output channel K.
                if (_weightLength > 0) k.ConvWeightGradient(_weightLength, dy, In(0, n), DW, _conv, n);
                if (_biasLength > 0) k.ChannelSumAdd(_biasLength, dy, DB, _s.Output.C, _s.Output.H * _s.Output.W, n);
                if (Needed(0)) k.ConvTransposeInputGradient(inCount, dy, W, Target(0, n), _conv, Acc(0));
                break;
            case LayerOp.MaxUnpool2D:
                if (Needed(0)) k.MaxUnpoolBackward(inCount, dy, _m.IntSlot(_s.ArgmaxSlot, n), Target(0, n), _pool, Acc(0));
                break;
            case LayerOp.LocalResponseNorm:
                if (Needed(0)) k.LrnBackward(inCount, In(0, n), Saved(n), dy, Target(0, n), _lrn, Acc(0));
                break;
            case LayerOp.Dense:
                if (_weightLength > 0) k.DenseWeightGradient(_weightLength, In(0, n), dy, DW, _dense, n);
                if (_biasLength > 0) k.ChannelSumAdd(_biasLength, dy, DB, _s.Output.C, 1, n);
                if (Needed(0)) k.DenseInputGradient(inCount, W, dy, Target(0, n), _dense, Acc(0));
                break;
            case LayerOp.MaxPool2D or LayerOp.MaxPool1D:
                if (Needed(0)) k.MaxPoolBackward(inCount, dy, _m.IntSlot(_s.ArgmaxSlot, n), Target(0, n), _pool, Acc(0));
                break;
            case LayerOp.AvgPool2D or LayerOp.AvgPool1D:
                if (Needed(0)) k.AvgPoolBackward(inCount, dy, Target(0, n), _pool, Acc(0));
                break;
            case LayerOp.GlobalAvgPool:
                if (Needed(0)) k.GlobalAvgBackward(inCount, dy, Target(0, n), _s.Input.H * _s.Input.W, Acc(0));
                break;
            case LayerOp.GlobalMaxPool:
                if (Needed(0)) k.GlobalMaxBackward(inCount, dy, _m.IntSlot(_s.ArgmaxSlot, n), Target(0, n), _s.Input.H * _s.Input.W, Acc(0));
                break;
            case LayerOp.Dropout:
                if (Needed(0)) k.DropoutBackward(inCount, Saved(n), dy, Target(0, n), Acc(0));
                break;
            case LayerOp.Flatten or LayerOp.Identity:
                if (Needed(0)) k.Copy(inCount, dy, Target(0, n), Acc(0));
                break;
            case LayerOp.BatchNorm:
            {
                var c = _s.Input.C;
                var mean = Saved(n).SubView(0, c);
                var rstd = Saved2(n).SubView(0, c);
                k.BatchNormGradientSums(c, In(0, n), dy, mean, rstd, W, DW, DB, _m.Scratch, _channels, n);
                if (Needed(0)) k.BatchNormInputGradient(inCount, In(0, n), dy, mean, rstd, W, _m.Scratch, Target(0, n), _channels, Acc(0));
                break;
            }
            case LayerOp.LayerNorm or LayerOp.GroupNorm or LayerOp.InstanceNorm:
            {
                var sets = n * _sets.Value.Groups;
                k.SetGradientSums(sets, In(0, n), dy, Saved(n), Saved2(n), W, _m.Scratch, _sets, sets);
                if (Needed(0)) k.SetInputGradient(inCount, In(0, n), dy, Saved(n), Saved2(n), W, _m.Scratch, Target(0, n), _sets, sets, Acc(0));
                if (_weightLength > 0) k.SetParameterGradient(_weightLength, In(0, n), dy, Saved(n), Saved2(n), _m.Scratch, DW, DB, _sets, n);
                break;
            }
            case LayerOp.Add:
                for (var i = 0; i < _s.InSlots.Count; i++)
                    if (Needed(i)) k.Copy(count, dy, Target(i, n), Acc(i));
                break;
            case LayerOp.Concat:
            {
                var offset = 0;
                for (var i = 0; i < _s.InSlots.Count; i++)
                {
                    var part = _s.InSizes[i];
                    if (Needed(i)) k.ConcatBackward(n * part, dy, Target(i, n), part, OutSize, offset, Acc(i));
                    offset += part;
                }
                break;
            }
            case LayerOp.Multiply:
            {
                var positions = _s.Input.H * _s.Input.W;
                if (Needed(0)) k.ScaleInputGradient(inCount, In(1, n), dy, Target(0, n), positions, Acc(0));
                if (Needed(1)) k.ScaleFactorGradient(n * _s.InSizes[1], In(0, n), dy, Target(1, n), positions, Acc(1));
                break;
            }
            case LayerOp.Activation:
                if (Needed(0)) ActivationGradient(n, ActivationReadsInput ? In(0, n) : _m.Slot(_s.OutSlot, n), dy, Target(0, n), Acc(0));
                break;
        }
    }

    private bool Needed(int i) => _s.TargetSlots[i] >= 0;
    private int Acc(int i) => _s.Accumulate[i] ? 1 : 0;
    private ArrayView<float> Target(int i, int n) => _m.GradientSlot(_s.TargetSlots[i], n).SubView(0, (long)_s.InSizes[i] * n);
}
