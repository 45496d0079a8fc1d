using System.Runtime.CompilerServices;

namespace ModelDsl;

/// <summary>
/// The base of every generated model. It owns the flat parameter and gradient buffers, the buffers
/// forward saves for backward (sized by the largest batch seen, so a training step allocates nothing
/// once the batch size is known), checks shapes at the boundary, and leaves the layer arithmetic to
/// the generated <see cref="ForwardCore"/> and <see cref="BackwardCore"/>.
/// </summary>
/// <remarks>Tensors are NCHW, row-major, float32. Not thread-safe: one forward/backward at a time.</remarks>
public abstract class Model
{
    private readonly Parameter[] _parameters;
    private readonly Parameter[] _buffers;
    private readonly HashSet<string> _frozen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float> _rateScales = new(StringComparer.Ordinal);
    private (int Offset, int Length)[] _trainable;
    private float[] _scales;
    private readonly Dictionary<string, Parameter> _byName;
    private float[][] _slots = [];
    private int[][] _intSlots = [];
    private float[][] _gradients = [];
    private int _lastBatch;
    private bool _lastWasTraining;
    private Rng _rng;
    // During an inference forward, the caller's input, pinned and read in place as slot 0; else null.
    private unsafe float* _input;
    // Whether an inference forward may read its input in place: slot 0 is no layer's output and not the
    // model's output (a view of the input must outlive the call).
    private readonly bool _readsInputInPlace;

    /// <summary>Creates the buffers for <paramref name="layout"/> and initializes the parameters from <paramref name="seed"/>.</summary>
    protected Model(ModelLayout layout, int seed)
    {
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        _readsInputInPlace = layout.OutputSlot != 0 && !layout.LayerSlots.Contains(0);
        ParameterArray = new float[layout.ParameterCount];
        GradientArray = new float[layout.ParameterCount];
        BufferArray = new float[layout.BufferCount];
        _parameters = layout.ParameterInfos.Select(p => new Parameter(this, p, isBuffer: false)).ToArray();
        _buffers = layout.BufferInfos.Select(p => new Parameter(this, p, isBuffer: true)).ToArray();
        _byName = _parameters.Concat(_buffers).ToDictionary(p => p.Name, StringComparer.Ordinal);
        (_trainable, _scales) = TrainableRunsOf(_parameters, _frozen, _rateScales);
        Initialize(seed);
    }

    /// <summary>The compile-time layout: shapes, parameters, buffer sizes.</summary>
    public ModelLayout Layout { get; }

    /// <summary>The shape of one input sample.</summary>
    public Shape InputShape => Layout.Input;

    /// <summary>The shape of one output sample.</summary>
    public Shape OutputShape => Layout.Output;

    /// <summary>Every learned value, one flat buffer (an optimizer step is one pass over it).</summary>
    public Span<float> Parameters => ParameterArray;

    /// <summary>The gradient of the loss with respect to <see cref="Parameters"/>; backward adds to it.</summary>
    public Span<float> Gradients => GradientArray;

    internal float[] ParameterArray { get; }

    internal float[] GradientArray { get; }

    internal float[] BufferArray { get; }

    /// <summary>State saved with the model but not trained (batch-norm running mean and variance), one flat buffer.</summary>
    public Span<float> Buffers => BufferArray;

    /// <summary>Every buffer as a named, shaped view (<c>Bn1.running_mean</c>), in buffer order.</summary>
    public IReadOnlyList<Parameter> BufferList => _buffers;

    /// <summary>Every parameter as a named, shaped view, in buffer order.</summary>
    public IReadOnlyList<Parameter> ParameterList => _parameters;

    /// <summary>The parameter or buffer called <paramref name="name"/> (PyTorch style: <c>C1.weight</c>, <c>Bn1.running_var</c>).</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists those that exist.</exception>
    public Parameter GetParameter(string name) =>
        _byName.TryGetValue(name, out var p)
            ? p
            : throw new KeyNotFoundException(
                $"{GetType().Name} has no parameter '{name}'. Its parameters are: {string.Join(", ", _byName.Keys)}.");

    /// <summary>
    /// The runs of parameters an optimizer updates, as (offset, length) in <see cref="Parameters"/>: all of
    /// them, less the layers frozen with <see cref="Freeze"/>.
    /// </summary>
    public IReadOnlyList<(int Offset, int Length)> TrainableRanges => _trainable;

    /// <summary>The learning-rate multiplier of each run of <see cref="TrainableRanges"/> (1 unless set with <see cref="SetLearningRateScale"/>).</summary>
    public IReadOnlyList<float> TrainableScales => _scales;

    /// <summary>
    /// Makes optimizers use <paramref name="scale"/> × their learning rate for the named layers (a block use
    /// covers its inlined layers): a lower rate for pretrained layers while a new head learns.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a layer of the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is negative or not finite.</exception>
    public void SetLearningRateScale(string layer, float scale)
    {
        if (!(float.IsFinite(scale) && scale >= 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a finite number ≥ 0.");
        foreach (var p in LayerParameters(layer)) _rateScales[p.Name] = scale;
        (_trainable, _scales) = TrainableRunsOf(_parameters, _frozen, _rateScales);
    }

    /// <summary>The number of parameters an optimizer updates.</summary>
    public int TrainableParameterCount => _trainable.Sum(r => r.Length);

    /// <summary>Whether <paramref name="parameter"/> belongs to a frozen layer.</summary>
    public bool IsFrozen(Parameter parameter) => _frozen.Contains(parameter.Name);

    /// <summary>
    /// Stops optimizers from updating the named layers' parameters (for transfer learning). A name covers
    /// the layer's own parameters and, for a block use, every layer inlined under it (<c>Layer2</c> freezes
    /// <c>Layer2.0.Conv1.weight</c> …). Gradients are still computed; batch-norm running statistics of a
    /// frozen layer still update in training mode, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a layer of the model; the message lists the layers.</exception>
    public void Freeze(params string[] layers) => SetFrozen(layers, frozen: true);

    /// <summary>
    /// Freezes every layer from the first through <paramref name="layer"/>, in the model's order (a block use
    /// covers every layer inlined under it): the pretrained base below a new head.
    /// </summary>
    /// <returns>The layers that hold parameters and were frozen, in order.</returns>
    /// <exception cref="ArgumentException">The name is not a layer of the model; the message lists the layers.</exception>
    public IReadOnlyList<string> FreezeUpTo(string layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var layers = Layout.Summary.Layers;
        var prefix = layer + ".";
        var last = -1;
        for (var i = 0; i < layers.Count; i++)
            if (layers[i].Name == layer || layers[i].Name.StartsWith(prefix, StringComparison.Ordinal)) last = i;
        if (last < 0) LayerParameters(layer); // throws, naming the layers there are
        var frozen = new List<string>();
        for (var i = 0; i <= last; i++)
        {
            var parameters = LayerParameters(layers[i].Name);
            if (parameters.Count == 0) continue;
            foreach (var p in parameters) _frozen.Add(p.Name);
            frozen.Add(layers[i].Name);
        }
        (_trainable, _scales) = TrainableRunsOf(_parameters, _frozen, _rateScales);
        return frozen;
    }

    /// <summary>Lets optimizers update every layer again.</summary>
    public void UnfreezeAll()
    {
        _frozen.Clear();
        (_trainable, _scales) = TrainableRunsOf(_parameters, _frozen, _rateScales);
    }

    /// <summary>Lets optimizers update the named layers again (see <see cref="Freeze"/>).</summary>
    public void Unfreeze(params string[] layers) => SetFrozen(layers, frozen: false);

    private void SetFrozen(string[] layers, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var matches = layers.SelectMany(LayerParameters).ToList(); // every name is checked before anything changes
        foreach (var p in matches)
        {
            if (frozen) _frozen.Add(p.Name);
            else _frozen.Remove(p.Name);
        }
        (_trainable, _scales) = TrainableRunsOf(_parameters, _frozen, _rateScales);
    }

    /// <summary>The parameters of layer <paramref name="layer"/> and of the layers inlined under it.</summary>
    private List<Parameter> LayerParameters(string layer)
    {
        var prefix = layer + ".";
        if (!Layout.Summary.Layers.Any(l => l.Name == layer || l.Name.StartsWith(prefix, StringComparison.Ordinal)))
            throw new ArgumentException(
                $"{GetType().Name} has no layer '{layer}'. Its layers are: {string.Join(", ", Layout.Summary.Layers.Select(l => l.Name))}.",
                nameof(layer));
        return _parameters.Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Adjacent trainable parameters with one learning-rate scale, merged into runs.</summary>
    private static ((int Offset, int Length)[] Runs, float[] Scales) TrainableRunsOf(
        Parameter[] parameters, HashSet<string> frozen, Dictionary<string, float> rateScales)
    {
        var runs = new List<(int Offset, int Length)>();
        var scales = new List<float>();
        foreach (var p in parameters)
        {
            if (frozen.Contains(p.Name)) continue;
            var scale = rateScales.TryGetValue(p.Name, out var s) ? s : 1f;
            var (offset, length) = (p.Info.Offset, p.Info.Length);
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Length == offset && scales[^1] == scale) runs[^1] = (runs[^1].Offset, runs[^1].Length + length);
            else
            {
                runs.Add((offset, length));
                scales.Add(scale);
            }
        }
        return (runs.ToArray(), scales.ToArray());
    }

    /// <summary>The largest batch the buffers hold now; a larger batch grows them once.</summary>
    public int BatchCapacity { get; private set; }

    /// <summary>Sets every parameter from <paramref name="seed"/> with the scale its <see cref="Initializer"/> states, and zeroes the gradients.</summary>
    public void Initialize(int seed)
    {
        var rng = new Rng((ulong)(uint)seed);
        foreach (var p in _parameters.Concat(_buffers))
        {
            var values = p.Values;
            var info = p.Info;
            switch (info.Init)
            {
                case Initializer.Zeros:
                    values.Clear();
                    break;
                case Initializer.Ones:
                    values.Fill(1f);
                    break;
                case Initializer.GlorotUniform:
                    Fill(values, MathF.Sqrt(6f / (info.FanIn + info.FanOut)), ref rng);
                    break;
                case Initializer.HeUniform:
                    Fill(values, MathF.Sqrt(6f / info.FanIn), ref rng);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown initializer {info.Init} for {info.Name}.");
            }
        }
        _rng = new Rng(((ulong)(uint)seed << 32) ^ 0x5EED_D80Fu);
        ZeroGrad();

        static void Fill(Span<float> values, float a, ref Rng rng)
        {
            for (var i = 0; i < values.Length; i++) values[i] = rng.NextSymmetric(a);
        }
    }

    /// <summary>Sets every gradient to zero (backward accumulates).</summary>
    public void ZeroGrad() => Kernels.KernelMath.Clear(GradientArray);

    /// <summary>Grows the saved-value buffers to hold <paramref name="batch"/> samples (they never shrink).</summary>
    public void EnsureCapacity(int batch)
    {
        if (batch <= BatchCapacity) return;
        Grow(batch);
    }

    // Apart from EnsureCapacity: the lambdas capture batch, and a captured parameter's closure is
    // allocated on entry to its method, which would make every Forward allocate.
    private void Grow(int batch)
    {
        _slots = Layout.Slots.Select(size => new float[checked(size * batch)]).ToArray();
        _intSlots = Layout.IntSlots.Select(size => new int[checked(size * batch)]).ToArray();
        _gradients = Layout.GradientSlots.Select(size => new float[checked(size * batch)]).ToArray();
        BatchCapacity = batch;
        _lastBatch = 0;
    }

    /// <summary>
    /// Runs the model on <paramref name="batch"/> samples laid out as (N, C, H, W) in <paramref name="input"/>
    /// and returns the output (N, …), valid until the next call. In training mode dropout is active and
    /// the values backward needs are kept.
    /// </summary>
    /// <exception cref="ArgumentException">The input's length is not N × C × H × W.</exception>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch, bool training = false)
    {
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size N must be at least 1.");
        var expected = (long)batch * InputShape.Size;
        if (input.Length != expected)
            throw new ArgumentException(
                $"{GetType().Name}.Forward expects N × {FormatSample(InputShape)} = {batch} × {InputShape.Size} = {expected} values for N = {batch}, " +
                $"but the input has {input.Length}" +
                (input.Length % InputShape.Size == 0 ? $" (that is N = {input.Length / InputShape.Size})." : "."),
                nameof(input));
        EnsureCapacity(batch);
        if (training || !_readsInputInPlace)
        {
            input.CopyTo(_slots[0]);
            ForwardCore(batch, training);
        }
        else
            ForwardInPlace(input, batch);
        _lastBatch = batch;
        _lastWasTraining = training;
        return Output;
    }

    /// <summary>
    /// The first layer, in data-flow order, whose output in the last <see cref="Forward"/> holds a NaN or an
    /// infinity; null when every output is finite (or before any forward). After an inference forward, a batch
    /// norm applied by the residual sum that reads it has no output of its own: the sum is named instead.
    /// </summary>
    public string? FirstNonFiniteLayer()
    {
        if (_lastBatch == 0) return null;
        var layers = Layout.Summary.Layers;
        for (var i = 0; i < Layout.LayerSlots.Count && i < layers.Count; i++)
        {
            if (!_lastWasTraining && Layout.InferenceFusedLayers.Contains(i)) continue;   // nothing written: its reader shows the value
            foreach (var v in Slot(Layout.LayerSlots[i], _lastBatch))
            {
                if (!float.IsFinite(v)) return layers[i].Name;
            }
        }
        return null;
    }

    /// <summary>The output of the last <see cref="Forward"/>, (N, …).</summary>
    public ReadOnlySpan<float> Output => _slots.Length == 0 ? default : Slot(Layout.OutputSlot, _lastBatch);

    /// <summary>
    /// Backpropagates <paramref name="outputGradient"/> (∂loss/∂output, the shape of the last output)
    /// through the last training-mode <see cref="Forward"/>, adding ∂loss/∂parameters to <see cref="Gradients"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No training-mode forward came before.</exception>
    /// <exception cref="ArgumentException">The gradient's length differs from the output's.</exception>
    public void Backward(ReadOnlySpan<float> outputGradient)
    {
        if (_lastBatch == 0 || !_lastWasTraining)
            throw new InvalidOperationException(
                $"{GetType().Name}.Backward needs a Forward(..., training: true) first: the values backward reads are saved only in training mode.");
        var n = _lastBatch;
        var expected = n * OutputShape.Size;
        if (outputGradient.Length != expected)
            throw new ArgumentException(
                $"{GetType().Name}.Backward expects the output's shape N × {FormatSample(OutputShape)} = {expected} values for N = {n}, but got {outputGradient.Length}.",
                nameof(outputGradient));
        outputGradient.CopyTo(_gradients[Layout.OutputGradientSlot]);
        BackwardCore(n);
    }

    private static string FormatSample(Shape s) => s.ToSampleString();

    /// <summary>The layer arithmetic of forward, generated: reads slot 0, writes every saved slot.</summary>
    protected abstract void ForwardCore(int n, bool training);

    /// <summary>The layer arithmetic of backward, generated: starts from the output's <see cref="GradientSlot(int, int)"/> and runs the layers in reverse.</summary>
    protected abstract void BackwardCore(int n);

    // An inference forward reads the caller's input where it lies (no copy of the batch into slot 0:
    // 6.4 MB for 8 maps of 64×56×56); nothing writes slot 0 and nothing reads it after the call.
    private unsafe void ForwardInPlace(ReadOnlySpan<float> input, int batch)
    {
        fixed (float* p = input)
        {
            _input = p;
            try { ForwardCore(batch, training: false); }
            finally { _input = null; }
        }
    }

    /// <summary>Slot <paramref name="slot"/> for <paramref name="n"/> samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected unsafe Span<float> Slot(int slot, int n) =>
        slot == 0 && _input != null ? new Span<float>(_input, Layout.Slots[0] * n) : _slots[slot].AsSpan(0, Layout.Slots[slot] * n);

    /// <summary>Int slot <paramref name="slot"/> for <paramref name="n"/> samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<int> IntSlot(int slot, int n) => _intSlots[slot].AsSpan(0, Layout.IntSlots[slot] * n);

    /// <summary>Gradient slot <paramref name="slot"/> for <paramref name="n"/> samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<float> GradientSlot(int slot, int n) => _gradients[slot].AsSpan(0, Layout.GradientSlots[slot] * n);

    /// <summary>The first <paramref name="sizePerSample"/> × <paramref name="n"/> values of gradient slot <paramref name="slot"/> (the scratch slot serves tensors of several sizes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<float> GradientSlot(int slot, int n, int sizePerSample) => _gradients[slot].AsSpan(0, sizePerSample * n);

    /// <summary>Buffers [offset, offset + length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<float> BufferValues(int offset, int length) => BufferArray.AsSpan(offset, length);

    /// <summary>Parameters [offset, offset + length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<float> Weights(int offset, int length) => ParameterArray.AsSpan(offset, length);

    /// <summary>Gradients [offset, offset + length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Span<float> Grads(int offset, int length) => GradientArray.AsSpan(offset, length);

    /// <summary>The generator of dropout masks, seeded with the model.</summary>
    protected ref Rng DropoutRng => ref _rng;

    /// <summary>
    /// The state of the generator of dropout masks (<see cref="Rng.State"/>): read it to checkpoint a run, set
    /// it so that a resumed run draws the same masks as the run would have. <see cref="Initialize"/> reseeds it.
    /// </summary>
    /// <exception cref="ArgumentException">The value set is zero, not a state a generator can be in.</exception>
    public UInt128 DropoutRngState
    {
        get => _rng.State;
        set => _rng = Rng.FromState(value);
    }

    /// <summary>Builds the layer object for a generated <c>partial Layer</c> property.</summary>
    protected Layer CreateLayer(int index)
    {
        var info = Layout.Summary.Layers[index];
        _byName.TryGetValue(info.Name + ".weight", out var weight);
        _byName.TryGetValue(info.Name + ".bias", out var bias);
        return new Layer(info, weight, bias);
    }
}
