using System.Globalization;

namespace ModelDsl;

/// <summary>
/// Updates a model's flat <see cref="Model.Parameters"/> from its <see cref="Model.Gradients"/>, one
/// pass over the buffers per <see cref="Step"/>. State buffers (momentum, moments) are allocated on the
/// first step for a model and reused; they never shrink.
/// </summary>
public abstract class Optimizer
{
    private float _learningRate;

    /// <summary>Sets the starting learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>The step size; a schedule may change it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckHyperparameter(value, "learningRate");
    }

    /// <summary>The model whose state the optimizer holds now (set by the first <see cref="Step"/>).</summary>
    protected Model? StateOwner { get; private set; }

    /// <summary>Applies one update to <paramref name="model"/>'s parameters from its current gradients.</summary>
    /// <remarks>Stepping a different model than the last one starts that model's state from zero.</remarks>
    public void Step(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!ReferenceEquals(model, StateOwner))
        {
            ResetState(model.Parameters.Length);
            StateOwner = model;
        }
        BeginStep();
        var parameters = model.Parameters;
        var gradients = model.Gradients;
        var ranges = model.TrainableRanges;
        var scales = model.TrainableScales;
        var rate = _learningRate;
        try
        {
            for (var i = 0; i < ranges.Count; i++) // indexed: a foreach over the interface would allocate
            {
                var (offset, length) = ranges[i];
                _learningRate = rate * scales[i]; // what Update reads as LearningRate for this run
                if (UpdatesEachValueAlone) UpdateAcrossThreads(parameters, gradients, offset, length);
                else Update(parameters.Slice(offset, length), gradients.Slice(offset, length), offset);
            }
        }
        finally
        {
            _learningRate = rate;
        }
    }

    /// <summary>
    /// Whether <see cref="Update"/> computes each value from that value's parameter, gradient and state
    /// alone, and rounds it the same whether it falls in the vectorized part or the scalar tail; then a
    /// long run is updated in pieces (whole 16-float blocks) across the worker threads, which changes no bit.
    /// </summary>
    private protected virtual bool UpdatesEachValueAlone => false;

    private unsafe void UpdateAcrossThreads(Span<float> parameters, Span<float> gradients, int offset, int length)
    {
        fixed (float* theta = parameters, grad = gradients)
            Kernels.ParallelRanges.Run(new UpdateKernel(this, theta, grad, offset, length), (length + 15) / 16, 4L * length);
    }

    // Values [offset + 16·begin, offset + 16·end) of a run (the last block cut at the run's end).
    private readonly unsafe struct UpdateKernel(Optimizer optimizer, float* theta, float* grad, int offset, int length) : Kernels.IRangeKernel
    {
        public void Reserve(Kernels.Scratch scratch) { }

        public void Run(int begin, int end, Kernels.Scratch scratch)
        {
            var first = offset + 16 * begin;
            var count = Math.Min(offset + length, offset + 16 * end) - first;
            optimizer.Update(new Span<float>(theta + first, count), new ReadOnlySpan<float>(grad + first, count), first);
        }
    }

    /// <summary>Called once per <see cref="Step"/>, before the updates of its ranges (Adam counts its steps here).</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>Forgets the state (momentum, moments): the next step starts afresh.</summary>
    public void Reset() => StateOwner = null;

    /// <summary>Makes the state hold <paramref name="length"/> values, all zero (grow-only).</summary>
    protected abstract void ResetState(int length);

    /// <summary>
    /// One update of <paramref name="parameters"/> from <paramref name="gradients"/> (same length): a run of
    /// trainable values starting at <paramref name="offset"/> in the model's flat buffer (frozen layers are
    /// skipped), so state kept per value is sliced from that offset.
    /// </summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset);

    /// <summary>The scalar name of the learning rate in an <see cref="OptimizerState"/>.</summary>
    public const string LearningRateKey = "learning_rate";

    /// <summary>
    /// Copies the optimizer's state for <paramref name="model"/>: its learning rate, hyperparameters, counters
    /// and per-parameter tensors (each as long as <see cref="Model.Parameters"/>). When the optimizer has not
    /// stepped <paramref name="model"/> (or has stepped another model since), the state is the fresh one its
    /// next step would start from: zero tensors and counters.
    /// </summary>
    public OptimizerState ExportState(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var length = model.Parameters.Length;
        var owned = ReferenceEquals(model, StateOwner);
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal) { [LearningRateKey] = LearningRate };
        foreach (var (name, value) in Hyperparameters()) scalars[name] = value;
        foreach (var (name, value) in Counters()) scalars[name] = owned ? value : 0;
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, values) in StateTensors())
            tensors[name] = owned ? values.AsSpan(0, length).ToArray() : new float[length];
        return new OptimizerState(GetType().Name, scalars, tensors);
    }

    /// <summary>
    /// Puts back a state taken by <see cref="ExportState"/>, so that the next <see cref="Step"/> of
    /// <paramref name="model"/> continues exactly where the exporting optimizer was, learning rate included.
    /// Everything is checked before anything changes: the kind of optimizer, every hyperparameter, every
    /// counter, and the set and length of the tensors; a difference throws naming it.
    /// </summary>
    /// <exception cref="ArgumentException">The state does not fit this optimizer or <paramref name="model"/>; the message says what differs.</exception>
    public void ImportState(Model model, OptimizerState state)
    {
        CheckState(model, state);
        var length = model.Parameters.Length;
        ResetState(length);
        foreach (var (name, values) in StateTensors()) state.Tensors[name].CopyTo(values.AsSpan(0, length));
        RestoreCounters(state.Scalars);
        StateOwner = model;
        LearningRate = (float)state.LearningRate;
    }

    /// <summary>Throws what <see cref="ImportState"/> would throw, and changes nothing.</summary>
    /// <exception cref="ArgumentException">The state does not fit this optimizer or <paramref name="model"/>; the message says what differs.</exception>
    public void CheckState(Model model, OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        var kind = GetType().Name;
        if (state.Kind != kind)
            throw new ArgumentException($"The optimizer state is for {state.Kind} but this optimizer is {kind}.", nameof(state));
        // Hyperparameters are floats: shown as the float they are (0.999, not 0.99900001287460327).
        string Number(double value) => (double)(float)value == value
            ? ((float)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
        if (!(state.LearningRate >= 0 && state.LearningRate <= float.MaxValue))
            throw new ArgumentException($"The {kind} state has no valid {LearningRateKey} (a finite number ≥ 0).", nameof(state));
        foreach (var (name, value) in Hyperparameters())
        {
            if (!state.Scalars.TryGetValue(name, out var saved))
                throw new ArgumentException($"The {kind} state has no {name}.", nameof(state));
            if (saved != value)
                throw new ArgumentException($"{kind} {name} is {Number(saved)} in the state but {Number(value)} in this optimizer.", nameof(state));
        }
        foreach (var (name, _) in Counters())
        {
            if (!state.Scalars.TryGetValue(name, out var saved) || !(saved >= 0 && saved == Math.Floor(saved) && saved < 1L << 53))
                throw new ArgumentException($"The {kind} state has no valid {name} counter (a whole number ≥ 0).", nameof(state));
        }
        var length = model.Parameters.Length;
        var names = StateTensors().Select(t => t.Name).ToList();
        foreach (var name in names)
        {
            if (!state.Tensors.TryGetValue(name, out var values))
                throw new ArgumentException($"The {kind} state has no tensor '{name}'.", nameof(state));
            if (values.Length != length)
                throw new ArgumentException(
                    $"The {kind} state's tensor '{name}' has {values.Length} values but {model.GetType().Name} has {length} parameters.", nameof(state));
        }
        var extra = state.Tensors.Keys.Where(name => !names.Contains(name)).ToList();
        if (extra.Count > 0)
            throw new ArgumentException(
                $"The {kind} state has tensor{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Select(n => $"'{n}'"))} this {kind} does not keep" +
                $" (its tensors: {(names.Count == 0 ? "none" : string.Join(", ", names.Select(n => $"'{n}'")))}).", nameof(state));
    }

    /// <summary>The fixed hyperparameters (name, value) that <see cref="ImportState"/> requires to be equal.</summary>
    protected abstract IEnumerable<(string Name, double Value)> Hyperparameters();

    /// <summary>The counters (name, value) kept with the state, such as Adam's step count; zero after a reset.</summary>
    protected virtual IEnumerable<(string Name, double Value)> Counters() => [];

    /// <summary>Sets the <see cref="Counters"/> from <paramref name="scalars"/> (checked: each is there, a whole number ≥ 0).</summary>
    protected virtual void RestoreCounters(IReadOnlyDictionary<string, double> scalars)
    {
    }

    /// <summary>
    /// The state arrays (name, array) as they are now; their first <see cref="Model.Parameters"/>-length values
    /// belong to the model stepped last. Allocated by <see cref="ResetState"/>.
    /// </summary>
    protected virtual IEnumerable<(string Name, float[] Values)> StateTensors() => [];

    /// <summary>Returns <paramref name="value"/> when it is finite and not negative; otherwise throws naming <paramref name="name"/>.</summary>
    protected static float CheckHyperparameter(float value, string name) =>
        float.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value,
                string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number ≥ 0, but it is {value}."));
}
