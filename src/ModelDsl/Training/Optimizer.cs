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
                Update(parameters.Slice(offset, length), gradients.Slice(offset, length), offset);
            }
        }
        finally
        {
            _learningRate = rate;
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

    /// <summary>Returns <paramref name="value"/> when it is finite and not negative; otherwise throws naming <paramref name="name"/>.</summary>
    protected static float CheckHyperparameter(float value, string name) =>
        float.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value,
                string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number ≥ 0, but it is {value}."));
}
